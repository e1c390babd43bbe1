// Sign-in: the user's API key, checked against the API once and then kept in sessionStorage
// for this tab only. The key never leaves the browser except in the Authorization header.

import { api, session } from '../api.js';
import { field, h, problemBox } from '../dom.js';

export function renderSignIn(container, onSignedIn) {
  const input = h('input', {
    type: 'password', name: 'api-key', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'ftk_…', pattern: 'ftk_\\S+',
  });
  const result = h('div.result', { 'aria-live': 'polite' });
  const submit = h('button.button.primary', { type: 'submit' }, 'Sign in');
  const form = h('form.card.signin', { novalidate: true },
    h('h1', 'Sign in'),
    h('p', 'Paste an API key of your tenant. The dashboard keeps it in this browser tab only ',
      '(it is forgotten when the tab closes) and sends it to the platform\'s REST API, nothing else.'),
    field('API key', input, 'Looks like ftk_xxxxxxxx_…. The install\'s first key is printed once in the server log '
      + '(or set with FINETUNE_BOOTSTRAP_KEY); create more on the API keys page.'),
    h('div.actions', submit),
    result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    result.replaceChildren();
    if (!/^ftk_\S+$/.test(key)) {
      result.append(h('p.field-error', { role: 'alert' }, 'An API key starts with ftk_.'));
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    submit.disabled = true;
    submit.textContent = 'Checking…';
    try {
      // the key's own scopes decide which controls the pages offer; a 401 here is a refused key
      const self = await api.keySelf(key);
      session.signIn(key, Array.isArray(self?.can) ? self.can : null);
      onSignedIn();
    } catch (problem) {
      if (problem.status === 404 || problem.status === 405) {
        // a server without /api-keys/self: check the key with a read, offer every control
        try {
          await api.checkKey(key);
        } catch (readProblem) {
          if (readProblem.status !== 403) {
            result.append(problemBox(readProblem, { heading: 'Sign-in failed' }));
            input.focus();
            return;
          }
        }
        session.signIn(key, null);
        onSignedIn();
        return;
      }
      result.append(problemBox(problem, { heading: 'Sign-in failed' }));
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  container.append(form);
  setTimeout(() => input.focus(), 0);
}
