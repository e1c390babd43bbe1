// The model registry, one segment at a time: versions with lineage and metrics, where each
// alias points, promote (showing the gate's verdict), roll back with a reason, compare two
// versions side by side, download an adapter's files, and the audit trail of alias moves.

import { api, page } from '../api.js';
import { announce, clear, empty, field, formatBytes, formatNumber, h, loading, problemBox, shortId, timeAgo } from '../dom.js';
import { methodLabel } from './jobs.js';
import { compareView } from './compare.js';
import { downloadLink } from '../downloads.js';

export async function renderRegistry(container, segment) {
  const select = h('select', { id: 'registry-segment' }, h('option', { value: '' }, 'Loading segments…'));
  const body = h('div.registry-body');
  container.append(
    h('div.page-head', h('h1', 'Model registry'),
      h('div.field.inline', h('label', { for: 'registry-segment' }, 'Segment'), select)),
    body);
  select.addEventListener('change', () => {
    location.hash = `#/registry/${encodeURIComponent(select.value)}`;
  });

  let names = [];
  try {
    names = page(await api.listRepositories()).items.map((r) => r.segment ?? r.name);
  } catch (repoProblem) {
    try {
      names = page(await api.listSegments()).items.map((s) => s.name);
    } catch {
      clear(body, problemBox(repoProblem, { heading: 'The registry could not be loaded' }));
      clear(select);
      return null;
    }
  }
  if (segment && !names.includes(segment)) names.unshift(segment);
  if (!names.length) {
    clear(select);
    clear(body, empty('No adapter repositories yet.', 'A segment gets one when its first job succeeds. ',
      h('a', { href: '#/new' }, 'Start a job'), '.'));
    return null;
  }
  const current = segment || (names.includes('default') ? 'default' : names[0]);
  clear(select, names.map((n) => h('option', { value: n, selected: n === current }, n)));
  await renderSegment(body, current);
  return null;
}

/** @param flash a result to show in the promote card after the reload (the gate's verdict) */
async function renderSegment(body, segment, flash) {
  clear(body, loading(`Loading ${segment}…`));
  const [repo, versions, audit] = await Promise.allSettled([
    api.getRepository(segment), api.listVersions(segment), api.aliasHistory(segment)]);
  if (versions.status === 'rejected') {
    clear(body, problemBox(versions.reason, { heading: `Versions of ${segment}` }));
    return;
  }
  const list = page(versions.value).items.sort((a, b) => b.number - a.number);
  const aliases = aliasesOf(repo.status === 'fulfilled' ? repo.value : null, list);

  const verdict = h('div.verdict', { 'aria-live': 'polite' }, flash);
  const compareBox = h('div.compare-box', { 'aria-live': 'polite' });
  const reload = (next) => renderSegment(body, segment, next);

  clear(body,
    h('div.two-col',
      aliasesCard(segment, aliases, list, reload),
      promoteCard(segment, aliases, list, verdict, reload)),
    versionsCard(segment, list, compareBox),
    compareBox,
    auditCard(audit));
}

/** alias name -> version number, from the repository summary or the versions' own lists. */
function aliasesOf(repo, versions) {
  const out = new Map();
  if (repo?.aliases && !Array.isArray(repo.aliases)) for (const [k, v] of Object.entries(repo.aliases)) out.set(k, { name: k, version: v });
  if (Array.isArray(repo?.aliases)) for (const a of repo.aliases) out.set(a.name, a);
  for (const v of versions) for (const a of v.aliases || []) if (!out.has(a)) out.set(a, { name: a, version: v.number });
  return out;
}

function aliasesCard(segment, aliases, versions, reload) {
  const rows = [...aliases.values()].sort((a, b) => a.name.localeCompare(b.name));
  return h('section.card.aliases',
    h('h2', 'Aliases'),
    rows.length ? h('ul.alias-list', rows.map((a) => h('li', { dataset: { alias: a.name, version: a.version } },
      h('div.alias-line', h('span.badge.alias', a.name), ' → ', h('strong', `v${a.version}`),
        a.updated_at ? h('span.muted', ' moved ', timeAgo(a.updated_at), a.updated_by ? ` by ${a.updated_by}` : '') : null),
      rollbackControl(segment, a, reload))))
      : empty('No aliases yet.', 'Promote a version to give it one (production, staging, …).'));
}

function rollbackControl(segment, alias, reload) {
  const box = h('div.inline-confirm');
  const open = h('button.button.subtle', { type: 'button', 'aria-label': `Roll back ${alias.name}` }, 'Roll back…');
  open.addEventListener('click', () => {
    const reason = h('input', { type: 'text', required: true, maxlength: 1000, placeholder: 'why (kept in the audit trail)' });
    const go = h('button.button.danger', { type: 'submit' }, 'Roll back');
    const cancel = h('button.button.subtle', { type: 'button' }, 'Cancel');
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form.rollback', { novalidate: true },
      field(`Reason for moving ${alias.name} back`, reason), h('div.actions', go, cancel), out);
    cancel.addEventListener('click', () => { clear(box, open); open.focus(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) {
        clear(out, h('p.field-error', { role: 'alert' }, 'A rollback needs a reason.'));
        reason.focus();
        return;
      }
      go.disabled = true;
      try {
        const moved = await api.rollback(segment, alias.name, reason.value.trim());
        announce(`${alias.name} rolled back${moved?.to_version ? ` to v${moved.to_version}` : ''}`);
        reload();
      } catch (problem) {
        clear(out, problemBox(problem, { heading: 'Rollback refused' }));
        go.disabled = false;
      }
    });
    clear(box, form);
    reason.focus();
  });
  box.append(open);
  return box;
}

function promoteCard(segment, aliases, versions, verdict, reload) {
  const version = h('select', { name: 'version' }, versions.map((v) => h('option', { value: v.number }, `v${v.number}${v.eval_loss !== undefined && v.eval_loss !== null ? ` · eval ${formatNumber(v.eval_loss)}` : ''}`)));
  const alias = h('input', { type: 'text', name: 'alias', value: 'production', list: 'alias-names', required: true, pattern: '[a-z0-9][a-z0-9_-]*' });
  const names = new Set(['production', 'staging', 'candidate', ...aliases.keys()]);
  const force = h('input', { type: 'checkbox', name: 'force' });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, placeholder: 'required when forcing' });
  const submit = h('button.button.primary', { type: 'submit', disabled: !versions.length }, 'Promote');
  const form = h('form.card.promote', { novalidate: true, id: 'promote-form' },
    h('h2', 'Promote'),
    h('p.hint', 'Gated aliases (production by default) take a version only if its eval loss is no worse than the current one\'s on the same eval set, unless you force it with a reason.'),
    field('Version', version),
    field('Alias', alias),
    h('datalist', { id: 'alias-names' }, [...names].map((n) => h('option', { value: n }))),
    h('label.check', force, ' Force past the gate'),
    field('Reason', reason, 'Kept in the audit trail with your key\'s name.'),
    h('div.actions', submit),
    verdict);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    verdict.replaceChildren();
    if (force.checked && !reason.value.trim()) {
      verdict.append(h('p.field-error', { role: 'alert' }, 'Forcing a promotion needs a reason.'));
      reason.focus();
      return;
    }
    submit.disabled = true;
    const n = Number(version.value);
    try {
      const moved = await api.promote(segment, alias.value.trim(), { version: n, force: force.checked, reason: reason.value.trim() });
      const outcome = moved?.gate_outcome ?? moved?.gate?.outcome ?? null;
      announce(`${alias.value} now points at version ${n}`);
      await reload(h('section.success', { role: 'status' },
        h('h3', `${alias.value} now points at v${n}`),
        moved?.forced ? h('p', 'Forced past the gate.') : null,
        outcome ? h('p', 'Gate: ', h('strong', outcome)) : null));
    } catch (problem) {
      verdict.append(problemBox(problem, { heading: problem.kind === 'promotion-blocked' ? 'The gate blocked this promotion' : 'Promotion refused' }));
    } finally {
      submit.disabled = false;
    }
  });
  form.prefill = (n) => {
    version.value = String(n);
    version.focus();
  };
  return form;
}

function versionsCard(segment, versions, compareBox) {
  if (!versions.length) {
    return h('section.card', h('h2', 'Versions'), empty('No versions yet.', 'Each job that succeeds in this segment adds one.'));
  }
  const picked = new Set();
  const compareButton = h('button.button', { type: 'button', disabled: true }, 'Compare the two selected');
  const pickHint = h('span.hint', 'Select two versions to compare them.');
  compareButton.addEventListener('click', () => {
    const [a, b] = [...picked].sort((x, y) => x - y);
    compareView(compareBox, segment, versions.find((v) => v.number === a), versions.find((v) => v.number === b));
  });
  const rows = versions.map((v) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `Compare v${v.number}` });
    box.addEventListener('change', () => {
      if (box.checked) picked.add(v.number);
      else picked.delete(v.number);
      compareButton.disabled = picked.size !== 2;
      pickHint.textContent = picked.size > 2 ? 'Select exactly two.' : picked.size === 2 ? '' : 'Select two versions to compare them.';
    });
    const files = h('div.files-box', { 'aria-live': 'polite' });
    const filesButton = h('button.button.subtle', { type: 'button', 'aria-expanded': 'false' }, 'Files');
    filesButton.addEventListener('click', () => toggleFiles(segment, v, files, filesButton));
    const promote = h('button.button.subtle', { type: 'button' }, 'Promote…');
    promote.addEventListener('click', () => document.getElementById('promote-form')?.prefill(v.number));
    return [h('tr', { dataset: { version: v.number } },
      h('td', { 'data-label': 'Compare' }, box),
      h('td', { 'data-label': 'Version' }, h('strong', `v${v.number}`), ' ', (v.aliases || []).map((a) => h('span.badge.alias', a)), ' ', h('a.button.subtle', { href: `#/playground?model=${encodeURIComponent(`${segment}/${v.number}`)}` }, 'Try it')),
      h('td', { 'data-label': 'Eval loss' }, formatNumber(v.eval_loss)),
      h('td', { 'data-label': 'Perplexity' }, formatNumber(v.perplexity)),
      h('td', { 'data-label': 'Method' }, methodLabel(typeof v.method === 'string' ? v.method.toLowerCase() : v.method)),
      h('td', { 'data-label': 'Lineage' }, lineage(v)),
      h('td', { 'data-label': 'Created' }, timeAgo(v.created_at), v.created_by ? h('span.muted', ` by ${v.created_by}`) : null),
      h('td.row-actions', { 'data-label': 'Actions' }, promote, filesButton)),
    h('tr.files-row', h('td', { colspan: 8 }, files))];
  });
  return h('section.card',
    h('h2', 'Versions'),
    h('div.actions', compareButton, pickHint),
    h('div.table-wrap', h('table.versions.responsive',
      h('thead', h('tr', ['', 'Version', 'Eval loss', 'Perplexity', 'Method', 'Lineage', 'Created', ''].map((t, i) =>
        h('th', { scope: 'col' }, i === 0 ? h('span.visually-hidden', 'Compare') : i === 7 ? h('span.visually-hidden', 'Actions') : t)))),
      h('tbody', rows))));
}

function lineage(v) {
  return h('div.lineage',
    v.source_job_id ? h('div', 'job ', h('a', { href: `#/jobs/${encodeURIComponent(v.source_job_id)}` }, shortId(v.source_job_id))) : null,
    h('div', 'base ', h('code', v.base_model_name ?? shortId(v.base_model_id))),
    v.dataset_sha256 ? h('div', 'data ', h('code', { title: v.dataset_sha256 }, v.dataset_sha256.slice(0, 12))) : null);
}

async function toggleFiles(segment, v, box, button) {
  if (button.getAttribute('aria-expanded') === 'true') {
    button.setAttribute('aria-expanded', 'false');
    box.replaceChildren();
    box.closest('tr')?.classList.remove('open');
    return;
  }
  button.setAttribute('aria-expanded', 'true');
  box.closest('tr')?.classList.add('open');
  clear(box, loading('Loading files…'));
  try {
    const files = page(await api.versionFiles(segment, v.number)).items;
    clear(box, files.length ? h('ul.files', files.map((f) => h('li',
      downloadLink({ url: f.url, path: f.path, fetchFile: () => api.downloadFile(segment, v.number, f.path) }),
      h('span.muted', ` ${formatBytes(f.size_bytes)}`))))
      : empty('This version lists no files.'),
    v.artifact?.sha256 ? h('p.muted', 'Artifact SHA-256 ', h('code.hash', v.artifact.sha256)) : null);
  } catch (problem) {
    clear(box, problemBox(problem, { heading: 'Files' }));
  }
}

function auditCard(audit) {
  if (audit.status === 'rejected') return h('section.card', h('h2', 'Audit trail'), problemBox(audit.reason, { heading: 'Audit trail' }));
  const moves = page(audit.value).items;
  return h('section.card', h('h2', 'Audit trail'),
    moves.length ? h('div.table-wrap', h('table.audit.responsive',
      h('thead', h('tr', ['When', 'Alias', 'Move', 'Gate', 'Reason', 'Who'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', moves.map((m) => h('tr',
        h('td', { 'data-label': 'When' }, timeAgo(m.occurred_at)),
        h('td', { 'data-label': 'Alias' }, h('span.badge.alias', m.alias)),
        h('td', { 'data-label': 'Move' }, `${m.action ? `${String(m.action).toLowerCase()}: ` : ''}${m.from_version ? `v${m.from_version}` : '—'} → ${m.to_version ? `v${m.to_version}` : '—'}`),
        h('td', { 'data-label': 'Gate' }, m.forced ? h('span.badge.forced', 'forced') : null, ' ', m.gate_outcome ?? ''),
        h('td', { 'data-label': 'Reason' }, m.reason ?? '—'),
        h('td', { 'data-label': 'Who' }, m.actor ?? '—'))))))
      : empty('No alias has moved yet.'));
}
