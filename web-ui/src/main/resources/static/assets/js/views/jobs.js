// Jobs list: status, progress (the API's last step, total and queue position), last loss,
// duration, segment, method, age; filters by status and segment (kept in the hash so a filtered
// view can be bookmarked); cursor "load more"; refreshes itself while any listed job is still moving.

import { api, page, session } from '../api.js';
import { clear, empty, formatDuration, formatNumber, h, loading, problemBox, progressBar, shortId, statusBadge, timeAgo, TERMINAL } from '../dom.js';

const STATUSES = ['validating_files', 'queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
const REFRESH_MS = 5000;

export async function renderJobs(container, query) {
  const filters = { status: query.get('status') || '', segment: query.get('segment') || '' };
  const controller = new AbortController();

  const statusSelect = h('select', { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, 'Any status'),
    STATUSES.map((s) => h('option', { value: s, selected: s === filters.status }, s.replace(/_/g, ' '))));
  const segmentSelect = h('select', { id: 'filter-segment', name: 'segment' },
    h('option', { value: '' }, 'Any segment'),
    filters.segment ? h('option', { value: filters.segment, selected: true }, filters.segment) : null);
  const onFilter = () => {
    const q = new URLSearchParams();
    if (statusSelect.value) q.set('status', statusSelect.value);
    if (segmentSelect.value) q.set('segment', segmentSelect.value);
    location.hash = `#/jobs${q.toString() ? `?${q}` : ''}`;
  };
  statusSelect.addEventListener('change', onFilter);
  segmentSelect.addEventListener('change', onFilter);

  const list = h('div.list', { 'aria-live': 'polite', 'aria-busy': 'true' }, loading('Loading jobs…'));
  const more = h('div.actions');
  container.append(
    h('div.page-head',
      h('h1', 'Fine-tuning jobs'),
      session.can('submit') ? h('a.button.primary', { href: '#/new' }, 'New job') : null),
    h('form.filters', { role: 'search', 'aria-label': 'Filter jobs', onsubmit: (e) => e.preventDefault() },
      h('div.field.inline', h('label', { for: 'filter-status' }, 'Status'), statusSelect),
      h('div.field.inline', h('label', { for: 'filter-segment' }, 'Segment'), segmentSelect)),
    list,
    more);

  api.listSegments().then((body) => {
    for (const s of page(body).items) {
      if (s.name !== filters.segment) segmentSelect.append(h('option', { value: s.name }, s.name));
    }
  }).catch(() => { /* the filter still works with the segment in the hash */ });

  let jobs = [];
  let next = null;
  let timer = null;

  async function load(after) {
    const body = await api.listJobs({ ...filters, after });
    const p = page(body);
    return p;
  }

  function draw() {
    list.setAttribute('aria-busy', 'false');
    if (!jobs.length) {
      const filtered = filters.status || filters.segment;
      clear(list, empty(filtered ? 'No jobs match these filters.' : 'No fine-tuning jobs yet.',
        filtered ? [h('a', { href: '#/jobs' }, 'Show all jobs'), '.']
          : session.can('submit') ? [h('a', { href: '#/new' }, 'Start your first job'), '.'] : null));
    } else {
      clear(list, jobTable(jobs));
    }
    clear(more, next ? h('button.button', { type: 'button', onclick: loadMore }, 'Load more') : null);
  }

  async function loadMore(e) {
    const button = e.currentTarget;
    button.disabled = true;
    button.textContent = 'Loading…';
    try {
      const p = await load(next);
      jobs = jobs.concat(p.items);
      next = p.next;
      draw();
    } catch (problem) {
      more.replaceChildren(problemBox(problem, { heading: 'Could not load more jobs' }));
    }
  }

  async function refresh() {
    // refreshes the rows already shown (first page only: later pages keep their snapshot)
    try {
      const p = await load();
      const shown = new Map(p.items.map((j) => [j.id, j]));
      jobs = jobs.map((j) => shown.get(j.id) || j);
      const known = new Set(jobs.map((j) => j.id));
      const fresh = p.items.filter((j) => !known.has(j.id));
      jobs = fresh.concat(jobs);
      draw();
    } catch {
      // a failed background refresh keeps the last good list
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (controller.signal.aborted) return;
    if (jobs.some((j) => !TERMINAL.has(j.status))) timer = setTimeout(refresh, REFRESH_MS);
  }

  try {
    const p = await load();
    jobs = p.items;
    next = p.next;
    draw();
    schedule();
  } catch (problem) {
    list.setAttribute('aria-busy', 'false');
    clear(list, problemBox(problem, { heading: 'Jobs could not be loaded' }));
  }

  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}

function jobTable(jobs) {
  return h('div.table-wrap',
    h('table.jobs.responsive',
      h('caption.visually-hidden', 'Fine-tuning jobs, newest first'),
      h('thead', h('tr',
        ['Job', 'Status', 'Progress', 'Loss', 'Duration', 'Segment', 'Method', 'Base model', 'Created'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', jobs.map((j) => jobRow(j)))));
}

function jobRow(job) {
  const name = job.suffix ? `${job.suffix} · ${shortId(job.id)}` : shortId(job.id);
  const loss = job.progress?.loss;
  return h('tr', { dataset: { jobId: job.id, status: job.status } },
    h('td', { 'data-label': 'Job' }, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, title: job.id }, name)),
    h('td', { 'data-label': 'Status' }, statusBadge(job.status)),
    h('td', { 'data-label': 'Progress' }, progressBar(job, null)),
    h('td.num', { 'data-label': TERMINAL.has(job.status) ? 'Final loss' : 'Loss', title: TERMINAL.has(job.status) ? 'training loss at the last step' : 'training loss at the latest step' },
      Number.isFinite(loss) ? formatNumber(loss) : '—'),
    h('td', { 'data-label': 'Duration' }, duration(job)),
    h('td', { 'data-label': 'Segment' }, job.segment ?? '—'),
    h('td', { 'data-label': 'Method' }, methodLabel(job.method)),
    h('td', { 'data-label': 'Base model', title: job.model_id ?? '' }, job.model ?? job.base_model ?? '—'),
    h('td', { 'data-label': 'Created' }, timeAgo(job.created_at)));
}

/** Training time: started to finished, or to now while it runs; queued time is not counted. */
export function duration(job) {
  if (!job.started_at) return '—';
  const end = job.finished_at ? new Date(job.finished_at) : TERMINAL.has(job.status) ? null : new Date();
  if (!end) return '—';
  const text = formatDuration((end - new Date(job.started_at)) / 1000);
  return job.finished_at ? text : `${text} so far`;
}

export function methodLabel(method) {
  return { lora: 'LoRA', qlora: 'QLoRA', adapter: 'Bottleneck adapter' }[method] || method || '—';
}
