// Small DOM helpers shared by the views. Elements are built with h(), never from HTML strings,
// so text from the API is always text (no injection) and no inline style is needed (the CSP
// forbids it).

/** h('button.primary', {type: 'button', onclick}, 'Save') */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' || k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Tells screen readers about an async result that is not already in a live region. */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (!el) return;
  el.textContent = '';
  setTimeout(() => {
    el.textContent = text;
  }, 50);
}

export function loading(text = 'Loading…') {
  return h('p.loading', { role: 'status' }, text);
}

export function empty(title, ...hint) {
  return h('div.empty', h('p.empty-title', title), hint.length ? h('p', ...hint) : null);
}

/**
 * An API problem as the API words it: title, detail, each listed error (line, field, message)
 * and the other extension members. Works for network failures and script errors too.
 */
export function problemBox(problem, { heading } = {}) {
  const p = problem || {};
  const title = p.title || p.name || 'Something went wrong';
  const detail = p.detail ?? (p.title ? null : p.message);
  const ext = typeof p.extensions === 'object' ? p.extensions : {};
  const { errors, errorsCapped, errors_capped: errorsCappedSnake, ...rest } = ext || {};
  const box = h('section.problem', { role: 'alert', 'data-problem': p.kind || '' },
    h('h3.problem-title', heading ? `${heading}: ${title}` : title),
    detail ? h('p.problem-detail', detail) : null,
    p.status ? h('p.problem-meta', `HTTP ${p.status}`, p.type ? ` · ${p.type}` : '') : null);
  if (Array.isArray(errors) && errors.length) box.append(errorTable(errors, errorsCapped ?? errorsCappedSnake));
  const others = Object.entries(rest).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (others.length) {
    box.append(h('dl.problem-fields', others.map(([k, v]) => [
      h('dt', { title: k, dataset: { member: k } }, extensionLabel(k)), h('dd', extensionValue(v))])));
  }
  return box;
}

// The API's extension members in words a user reads (the member's own name stays in the title).
const EXTENSION_LABELS = {
  param: 'Field', field: 'Field', rows: 'Records', validRows: 'Valid records', format: 'Format',
  candidateVersion: 'Version to promote', candidateEvalLoss: 'Its eval loss', candidateEvalSet: 'Its eval set',
  currentVersion: 'Version there now', currentEvalLoss: 'Eval loss of the version there now',
  currentEvalSet: 'Eval set of the version there now', maxEvalLoss: 'Highest eval loss allowed', gate: 'Gate rule',
  alias: 'Alias', requiredScope: 'Scope needed', activeJobs: 'Unfinished jobs using it', limit: 'Limit',
  used: 'Used', resource: 'Resource', jobId: 'Job', correlationId: 'Correlation id', expectedVersion: 'Expected version',
};

/** `candidateEvalSet` → "Candidate eval set" for a member without a label of its own. */
export function extensionLabel(key) {
  if (EXTENSION_LABELS[key]) return EXTENSION_LABELS[key];
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function extensionValue(v) {
  // a SHA-256 (an eval set, a dataset) is shown short, the whole of it on hover
  if (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) return h('code', { title: v }, `${v.slice(0, 12)}…`);
  return formatValue(v);
}

/**
 * The per-record errors of a rejected dataset (or any `errors` list): line, field, message. In a
 * JSON-array file each error also has its `record` number (from 1), and `line` is where that
 * record starts; the Record column appears only then.
 */
export function errorTable(errors, capped) {
  const records = errors.some((e) => e && typeof e === 'object' && e.record !== undefined && e.record !== null);
  const rows = errors.map((e) =>
    typeof e === 'object'
      ? h('tr.error-row', { dataset: { line: e.line ?? '', record: e.record ?? '' } },
          records ? h('td.num', e.record ?? '—') : null,
          h('td.num', e.line ?? '—'), h('td', h('code', e.field ?? e.param ?? e.pointer ?? '—')),
          h('td', e.message ?? e.detail ?? JSON.stringify(e)))
      : h('tr.error-row', records ? h('td.num', '—') : null, h('td.num', '—'), h('td', '—'), h('td', String(e))));
  return h('div.table-wrap',
    h('table.errors',
      h('caption', `${errors.length} problem${errors.length === 1 ? '' : 's'} listed`,
        capped ? ' (more were found; the list is capped)' : ''),
      h('thead', h('tr', records ? h('th', { scope: 'col' }, 'Record') : null,
        h('th', { scope: 'col' }, records ? 'Starts at line' : 'Line'), h('th', { scope: 'col' }, 'Field'),
        h('th', { scope: 'col' }, 'Message'))),
      h('tbody', rows)));
}

export function formatValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatNumber(n, digits = 4) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (typeof n !== 'number') return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en');
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return n.toExponential(2);
  return Number(n.toPrecision(digits)).toString();
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago" / "in 5 minutes", with the exact time in a title. */
export function timeAgo(iso) {
  if (!iso) return h('span', '—');
  const t = new Date(iso);
  const s = Math.round((t.getTime() - Date.now()) / 1000);
  const abs = Math.abs(s);
  let text;
  if (abs < 45) text = s <= 0 ? 'just now' : 'in a few seconds';
  else if (abs < 2700) text = rtf.format(Math.round(s / 60), 'minute');
  else if (abs < 79200) text = rtf.format(Math.round(s / 3600), 'hour');
  else text = rtf.format(Math.round(s / 86400), 'day');
  return h('time', { datetime: t.toISOString(), title: t.toLocaleString() }, text);
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export function statusBadge(status) {
  return h(`span.badge.status-${status || 'unknown'}`, (status || 'unknown').replace(/_/g, ' '));
}

/**
 * Progress of a job as {step, total, fraction}: from the job's own `progress` when the API sends
 * it, else from what the worker reported (the last metric's step; `total_steps` and `last_step`
 * in its slice events, passed as `hint`), else max_steps; a succeeded job is full.
 */
export function jobProgress(job, lastMetric, hint = {}) {
  const pr = job.progress || {};
  const steps = [pr.step, hint.step, lastMetric?.step].filter((x) => Number.isFinite(x));
  const step = steps.length ? Math.max(...steps) : null;
  const total = pr.total_steps ?? hint.total ?? job.hyperparameters?.max_steps ?? null;
  // progress.step is the last step with metrics, as the API reads it (also for a cancelled or failed job)
  let fraction = step !== null && total ? step / total : null;
  if (job.status === 'succeeded') fraction = 1;
  if (job.status === 'queued' || job.status === 'validating_files') fraction = fraction ?? 0;
  return { step, total, fraction: fraction === null ? null : Math.min(1, Math.max(0, fraction)) };
}

/** What a job's events say about its progress: the latest `total_steps` and step reached. */
export function progressHint(events, hint = {}) {
  const out = { ...hint };
  for (const e of events) {
    const d = e?.data;
    if (!d || typeof d !== 'object') continue;
    if (Number.isFinite(d.total_steps)) out.total = d.total_steps;
    const s = d.last_step ?? d.step;
    if (Number.isFinite(s) && (out.step === undefined || s > out.step)) out.step = s;
    if (Number.isFinite(e.id) && (out.lastEventId === undefined || e.id > out.lastEventId)) out.lastEventId = e.id;
  }
  return out;
}

export function progressBar(job, lastMetric, hint) {
  const { step, total, fraction } = jobProgress(job, lastMetric, hint);
  const label = step !== null && total ? `step ${step} of ${total}`
    : step !== null ? `step ${step}`
    : waitingLabel(job, fraction);
  const position = job.progress?.queue_position;
  return h('div.progress',
    h('progress', { max: 100, value: fraction === null ? null : Math.round(fraction * 100), 'aria-label': `Progress: ${label}` }),
    h('span.progress-label', { title: step === null && position ? `#${position} among this tenant's queued jobs; workers take tenants in turn` : null }, label));
}

/** What a job without a reported step is doing: never "not started" for a job that is running. */
function waitingLabel(job, fraction) {
  const position = job.progress?.queue_position;
  switch (job.status) {
    case 'queued':
      return position ? `queued, #${position} in line` : 'queued';
    case 'validating_files':
      return 'checking the files';
    case 'running':
      return 'running: waiting for step 1';
    case 'cancelling':
      return 'stopping';
    case 'succeeded':
      return fraction !== null ? `${Math.round(fraction * 100)}%` : 'done';
    default:
      return 'no step trained';
  }
}

export function copyButton(getText, label = 'Copy') {
  const button = h('button.button.subtle', { type: 'button' }, label);
  button.addEventListener('click', async () => {
    const text = getText();
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      // no clipboard API outside secure contexts: fall back to a selected field
      const field = button.parentElement?.querySelector('input, textarea');
      if (field) {
        field.select();
        ok = document.execCommand && document.execCommand('copy');
      }
    }
    button.textContent = ok ? 'Copied' : 'Select and copy it by hand';
    announce(ok ? 'Copied to the clipboard' : 'Copying failed; select the text and copy it by hand');
    setTimeout(() => {
      button.textContent = label;
    }, 2500);
  });
  return button;
}

/** A field with its label (and optional hint), wired with for/id and aria-describedby. */
let fieldSeq = 0;
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('p.hint', { id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div.field', h('label', { for: id }, label), control, hintEl);
}
