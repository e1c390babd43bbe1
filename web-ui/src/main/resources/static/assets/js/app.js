// The shell: sign-in, navigation, hash routing (#/jobs, #/jobs/{id}, #/new, #/datasets[/{id}], #/registry, #/keys)
// and the guard that turns any failure into a message instead of a blank page.

import { session, UNAUTHENTICATED_EVENT } from './api.js';
import { clear, h, problemBox } from './dom.js';
import { renderSignIn } from './views/signin.js';
import { renderJobs } from './views/jobs.js';
import { renderJobDetail } from './views/job-detail.js';
import { renderNewJob } from './views/new-job.js';
import { renderRegistry } from './views/registry.js';
import { renderKeys } from './views/keys.js';
import { renderDatasets } from './views/datasets.js';
import { renderPlayground } from './views/playground.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navToggle = document.getElementById('nav-toggle');
const banner = document.getElementById('banner');

const routes = [
  { pattern: /^\/jobs\/([^/]+)$/, name: 'jobs', title: 'Job', render: (el, [id], q) => renderJobDetail(el, id, q) },
  { pattern: /^\/jobs$/, name: 'jobs', title: 'Jobs', render: (el, _, q) => renderJobs(el, q) },
  { pattern: /^\/new$/, name: 'new', title: 'New job', render: (el, _, q) => renderNewJob(el, q) },
  { pattern: /^\/datasets(?:\/([^/]+))?$/, name: 'datasets', title: 'Datasets', render: (el, [id]) => renderDatasets(el, id) },
  { pattern: /^\/registry(?:\/([^/]+))?$/, name: 'registry', title: 'Registry', render: (el, [segment], q) => renderRegistry(el, segment, q) },
  { pattern: /^\/keys$/, name: 'keys', title: 'API keys', render: (el, _, q) => renderKeys(el, q) },
  { pattern: /^\/playground$/, name: 'playground', title: 'Playground', render: (el, _, q) => renderPlayground(el, q) },
];

let cleanup = null;
let renderSeq = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/jobs';
  const [path, query = ''] = raw.split('?');
  return { path: path.replace(/\/+$/, '') || '/jobs', query: new URLSearchParams(query) };
}

async function render() {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a view that fails to clean up must not block the next one
    }
    cleanup = null;
  }
  banner.hidden = true;
  setNavOpen(false);
  const signedIn = !!session.key;
  document.body.classList.toggle('signed-in', signedIn);
  nav.hidden = !signedIn;
  navToggle.hidden = !signedIn;
  document.getElementById('session-key').textContent = signedIn
    ? `Key ${session.prefix}${session.scopes ? ` (${scopeSummary(session.scopes)})` : ''}` : '';
  // a page the key cannot use is not offered (data-scope on its nav link)
  for (const a of nav.querySelectorAll('a[data-scope]')) a.closest('li').hidden = signedIn && !session.can(a.dataset.scope);

  const container = h('div.view');
  clear(main, container);
  if (!signedIn) {
    document.title = 'Sign in · Fine-tuning dashboard';
    markCurrent(null);
    cleanup = renderSignIn(container, () => {
      if (!location.hash || location.hash === '#/' || location.hash === '#') location.hash = '#/jobs';
      else render();
    });
    return;
  }
  const { path, query } = parseHash();
  const route = routes.find((r) => r.pattern.test(path));
  if (!route) {
    markCurrent(null);
    document.title = 'Not found · Fine-tuning dashboard';
    container.append(h('h1', 'Page not found'), h('p', 'There is no page at ', h('code', `#${path}`), '. ',
      h('a', { href: '#/jobs' }, 'Go to the jobs list'), '.'));
    return;
  }
  markCurrent(route.name);
  document.title = `${route.title} · Fine-tuning dashboard`;
  try {
    const result = await route.render(container, route.pattern.exec(path).slice(1), query);
    if (seq !== renderSeq) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
  } catch (e) {
    if (seq === renderSeq) container.append(problemBox(e, { heading: 'This page failed' }));
  }
}

function scopeSummary(scopes) {
  return scopes.includes('admin') ? 'admin' : scopes.includes('submit') ? 'submit' : scopes.includes('read') ? 'read-only' : 'no scopes';
}

function markCurrent(name) {
  for (const a of nav.querySelectorAll('a[data-route]')) {
    if (a.dataset.route === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setNavOpen(open) {
  navToggle.setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('nav-open', open);
}

navToggle.addEventListener('click', () => setNavOpen(navToggle.getAttribute('aria-expanded') !== 'true'));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
    setNavOpen(false);
    navToggle.focus();
  }
});

document.getElementById('sign-out').addEventListener('click', () => {
  session.signOut();
  location.hash = '#/jobs';
  render();
});

// the skip link must not change the route
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

window.addEventListener(UNAUTHENTICATED_EVENT, () => {
  if (!session.key) return;
  session.signOut();
  render().then(() => {
    const view = main.querySelector('.view');
    view?.prepend(h('p.notice', { role: 'alert' }, 'The API no longer accepts this key (revoked or unknown). Sign in with another key.'));
  });
});

window.addEventListener('hashchange', () => {
  render().then(() => main.focus({ preventScroll: false }));
});

function showBanner(message) {
  clear(banner, h('strong', 'Something went wrong: '), message, ' ',
    h('button.button.subtle', { type: 'button', onclick: () => { banner.hidden = true; } }, 'Dismiss'));
  banner.hidden = false;
}
window.addEventListener('error', (e) => {
  // a layout notice some browsers raise as an error; nothing failed
  if (/ResizeObserver loop/.test(e.message || '')) return;
  showBanner(e.message || 'a script error');
});
window.addEventListener('unhandledrejection', (e) => {
  if (e.reason?.name === 'AbortError') return;
  showBanner(e.reason?.title ? `${e.reason.title}${e.reason.detail ? ` — ${e.reason.detail}` : ''}` : String(e.reason?.message || e.reason));
});

render();
