// API keys of the tenant (admin scope): create one (its secret is shown once, with a copy
// button), list them by prefix, revoke.

import { api, page, session } from '../api.js';
import { announce, clear, copyButton, empty, field, h, loading, problemBox, timeAgo } from '../dom.js';

// What each scope allows, as the API checks it: promoting and rolling back an alias (production
// included) is submit's, so that a CI pipeline can promote what it trained; the gate guards
// production, not the scope. Admin adds keys, segments and the registry's gate settings.
const SCOPES = [
  { value: 'read', hint: 'see jobs, datasets, metrics and the registry' },
  { value: 'submit', hint: 'also upload and delete datasets, start and cancel jobs, promote and roll back adapter versions (production too, through its gate)' },
  { value: 'admin', hint: 'also create and revoke keys, create segments, set a repository\'s promotion gate, delete versions' },
];

export async function renderKeys(container) {
  if (!session.can('admin')) {
    const scopes = session.scopes || [];
    container.append(h('div.page-head', h('h1', 'API keys')),
      h('p.notice', { role: 'status' }, `This key (${session.prefix}) has the ${scopes.includes('submit') ? 'submit' : 'read'} scope: `,
        'only a key with the admin scope creates, lists and revokes keys. Ask your platform admin for one.'));
    return null;
  }
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, autocomplete: 'off', placeholder: 'e.g. ci-pipeline' });
  const scopeBoxes = SCOPES.map((s) => h('input', { type: 'checkbox', name: 'scopes', value: s.value, checked: s.value !== 'admin' }));
  const created = h('div.created-key', { 'aria-live': 'polite' });
  const submit = h('button.button.primary', { type: 'submit' }, 'Create key');
  const form = h('form.card.key-form', { novalidate: true },
    h('h2', 'Create a key'),
    field('Name', name, 'What or who uses it, so you know what breaks when you revoke it.'),
    h('fieldset.scopes', h('legend', 'Scopes'),
      SCOPES.map((s, i) => h('label.check', scopeBoxes[i], ' ', h('strong', s.value), h('span.hint', ` — ${s.hint}`)))),
    h('div.actions', submit));

  const filter = h('input', { type: 'search', id: 'key-filter', placeholder: 'ftk_…', autocomplete: 'off' });
  const list = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, loading('Loading keys…'));
  container.append(
    h('div.page-head', h('h1', 'API keys')),
    h('p', 'Keys authenticate CI pipelines and this dashboard. The platform stores only a hash; the secret is shown once, when the key is created.'),
    form,
    created,
    h('section.card',
      h('h2', 'Keys of this tenant'),
      h('div.field.inline', h('label', { for: 'key-filter' }, 'Find by prefix'), filter),
      list));

  let keys = [];

  function draw() {
    list.setAttribute('aria-busy', 'false');
    const q = filter.value.trim().toLowerCase();
    const shown = keys.filter((k) => !q || (k.prefix || '').toLowerCase().includes(q) || (k.name || '').toLowerCase().includes(q));
    if (!keys.length) {
      clear(list, empty('No keys yet.', 'Create one above.'));
      return;
    }
    if (!shown.length) {
      clear(list, empty(`No key matches “${filter.value}”.`));
      return;
    }
    clear(list, h('div.table-wrap', h('table.keys.responsive',
      h('thead', h('tr', ['Prefix', 'Name', 'Scopes', 'Created', 'Last used', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', shown.map(keyRow)))));
  }

  function keyRow(k) {
    const self = session.prefix === k.prefix;
    const state = k.revoked || k.revoked_at ? 'revoked' : 'active';
    const actions = h('td.row-actions', { 'data-label': 'Actions' });
    if (state === 'active') actions.append(revokeControl(k, self));
    return h('tr', { dataset: { prefix: k.prefix, state } },
      h('td', { 'data-label': 'Prefix' }, h('code', k.prefix), self ? h('span.badge', 'this session') : null,
        k.operator ? h('span.badge', 'operator') : null),
      h('td', { 'data-label': 'Name' }, k.name ?? '—'),
      h('td', { 'data-label': 'Scopes' }, (k.scopes || []).join(', ')),
      h('td', { 'data-label': 'Created' }, timeAgo(k.created_at)),
      h('td', { 'data-label': 'Last used' }, k.last_used_at ? timeAgo(k.last_used_at) : 'never'),
      h('td', { 'data-label': 'State' }, h(`span.badge.key-${state}`, state)),
      actions);
  }

  function revokeControl(k, self) {
    const box = h('div.inline-confirm');
    const ask = h('button.button.danger', { type: 'button', 'aria-label': `Revoke ${k.prefix}` }, 'Revoke');
    ask.addEventListener('click', () => {
      const yes = h('button.button.danger', { type: 'button' }, 'Yes, revoke');
      const no = h('button.button.subtle', { type: 'button' }, 'Keep');
      clear(box, h('span', self ? 'This is the key you are signed in with. ' : '', `Revoke ${k.prefix}? Callers using it get 401 at once.`), yes, no);
      yes.focus();
      no.addEventListener('click', () => {
        clear(box, ask);
        ask.focus();
      });
      yes.addEventListener('click', async () => {
        yes.disabled = true;
        try {
          await api.revokeKey(k.id);
          announce(`Key ${k.prefix} revoked`);
          await reload();
        } catch (problem) {
          clear(box, problemBox(problem, { heading: 'Revoke failed' }), ask);
        }
      });
    });
    box.append(ask);
    return box;
  }

  async function reload() {
    try {
      keys = page(await api.listKeys()).items;
      draw();
    } catch (problem) {
      list.setAttribute('aria-busy', 'false');
      clear(list, problemBox(problem, { heading: 'Keys could not be loaded' }));
    }
  }

  filter.addEventListener('input', draw);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    created.replaceChildren();
    const scopes = scopeBoxes.filter((b) => b.checked).map((b) => b.value);
    if (!name.value.trim()) {
      created.append(h('p.field-error', { role: 'alert' }, 'Give the key a name.'));
      name.setAttribute('aria-invalid', 'true');
      name.focus();
      return;
    }
    name.removeAttribute('aria-invalid');
    submit.disabled = true;
    try {
      const key = await api.createKey({ name: name.value.trim(), scopes });
      const secret = h('input.secret', { type: 'text', readonly: true, value: key.key, 'aria-label': 'The new API key', id: 'new-key-secret' });
      clear(created, h('section.success',
        h('h3', `Key ${key.prefix} created`),
        h('p', h('strong', 'Copy it now: '), 'it is shown only this once and cannot be recovered.'),
        h('div.copy-row', secret, copyButton(() => key.key))));
      secret.focus();
      secret.select();
      form.reset();
      scopeBoxes.forEach((b) => { b.checked = b.value !== 'admin'; });
      await reload();
    } catch (problem) {
      created.append(problemBox(problem, { heading: 'The key was not created' }));
    } finally {
      submit.disabled = false;
    }
  });

  await reload();
  return null;
}
