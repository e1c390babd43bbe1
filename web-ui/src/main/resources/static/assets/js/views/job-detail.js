// One job, live: loss and eval-loss curves that grow as the worker reports (Server-Sent Events,
// with polling as the fallback), learning rate, tokens/s, ETA, the event log, checkpoints and
// cancel; the final metrics and adapter files on success; the reason and what to do on failure.

import { api, followEvents, page, session } from '../api.js';
import {
  announce, clear, empty, formatBytes, formatDuration, formatNumber, h, jobProgress, loading, problemBox,
  progressBar, progressHint, shortId, statusBadge, timeAgo, TERMINAL,
} from '../dom.js';
import { LineChart } from '../curves.js';
import { methodLabel } from './jobs.js';
import { failureAdvice } from './failure-advice.js';
import { downloadLink } from '../downloads.js';
import { evalSetDetails, evalSetText } from './eval-set.js';

const POLL_MS = 3000;
// metrics are not in the event stream: while the job runs, the steps after the last one shown are
// asked for this often (GET .../metrics?after=N, an empty page most times), so each step appears
// within about this long of the worker recording it
const METRICS_MS = 500;

export async function renderJobDetail(container, id) {
  const controller = new AbortController();
  const state = { job: null, metrics: new Map(), events: new Map(), checkpoints: new Map(), datasets: new Map(), live: 'connecting' };

  container.append(loading('Loading the job…'));
  try {
    state.job = await api.getJob(id);
  } catch (problem) {
    clear(container, h('p', h('a', { href: '#/jobs' }, '← All jobs')), problemBox(problem, { heading: `Job ${shortId(id)}` }));
    return null;
  }

  // layout
  const head = h('div.page-head');
  const liveState = h('p.live-state', { role: 'status' });
  const facts = h('dl.facts.job-facts');
  const stats = h('div.stats', { 'aria-live': 'off' });
  const outcome = h('div.outcome', { 'aria-live': 'polite' });
  const charts = h('div.charts');
  const eventsList = h('ol.event-log', { role: 'log', 'aria-label': 'Event log' });
  const checkpointsBox = h('div');
  const params = h('div');
  clear(container,
    h('p.back', h('a', { href: '#/jobs' }, '← All jobs')),
    head,
    liveState,
    outcome,
    h('section.card', h('h2', 'Progress'), stats),
    h('section.card', h('h2', 'Curves'), charts),
    h('div.two-col',
      h('section.card', h('h2', 'Event log'), h('div.log-scroll', { tabindex: '0', 'aria-label': 'Event log, scrollable' }, eventsList)),
      h('section.card', h('h2', 'Checkpoints'), checkpointsBox)),
    h('section.card', h('h2', 'Details'), facts, params));

  const lossChart = new LineChart(charts, {
    title: 'Loss', yLabel: 'loss',
    series: [{ label: 'train loss', key: 'loss', color: '--series-1' },
      { label: 'eval loss', key: 'eval_loss', color: '--series-2', points: true }],
  });
  const lrChart = new LineChart(charts, {
    title: 'Learning rate', yLabel: 'lr', series: [{ label: 'learning rate', key: 'learning_rate', color: '--series-3' }],
  });

  // drawing
  function sortedMetrics() {
    return [...state.metrics.values()].sort((a, b) => a.step - b.step);
  }

  function drawHead() {
    const job = state.job;
    const cancellable = !TERMINAL.has(job.status) && job.status !== 'cancelling' && session.can('submit');
    // each job's tab says which job it is and how it stands
    document.title = `${job.suffix || `Job ${shortId(job.id)}`} · ${job.status.replace(/_/g, ' ')} · Fine-tuning dashboard`;
    clear(head,
      h('div', h('h1', job.suffix ? `${job.suffix} ` : 'Job ', h('code.job-id', job.id)), ' ', statusBadge(job.status)),
      h('div.actions',
        session.can('submit') ? h('a.button', { href: `#/new?from=${encodeURIComponent(job.id)}`, title: 'A new job with this job\'s data, model, method and hyperparameters' }, 'Clone into a new job') : null,
        cancellable ? cancelControl() : null));
  }

  function cancelControl() {
    const box = h('div.cancel');
    const ask = h('button.button.danger', { type: 'button' }, 'Cancel job');
    ask.addEventListener('click', () => {
      const confirm = h('button.button.danger', { type: 'button' }, 'Yes, cancel it');
      const keep = h('button.button.subtle', { type: 'button' }, 'Keep running');
      clear(box, h('span', 'Cancel this job? Training stops within one slice; checkpoints are kept.'), confirm, keep);
      confirm.focus();
      keep.addEventListener('click', () => {
        clear(box, ask);
        ask.focus();
      });
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        confirm.textContent = 'Cancelling…';
        try {
          const job = await api.cancelJob(id);
          if (job && job.id) state.job = job;
          announce('Cancel requested');
          refreshJob();
          drawAll();
        } catch (problem) {
          clear(box, problemBox(problem, { heading: 'Cancel failed' }), ask);
        }
      });
    });
    box.append(ask);
    return box;
  }

  function drawStats() {
    const job = state.job;
    const rows = sortedMetrics();
    const last = rows.at(-1);
    const lastEval = [...rows].reverse().find((r) => Number.isFinite(r.eval_loss));
    const hint = progressHint(state.events.values());
    const { step, total } = jobProgress(job, last, hint);
    clear(stats,
      progressBar(job, last, hint),
      h('dl.stat-grid',
        stat('Step', step !== null ? `${step}${total ? ` / ${total}` : ''}` : '—'),
        stat('Loss', formatNumber(last?.loss)),
        stat('Eval loss', formatNumber(lastEval?.eval_loss), lastEval ? evalSetOfJob() : null),
        stat('Learning rate', formatNumber(last?.learning_rate)),
        stat('Tokens/s', last?.tokens_per_second ? formatNumber(Math.round(last.tokens_per_second)) : '—'),
        stat('ETA', eta(job, rows, total)),
        stat('Trained tokens', formatNumber(job.trained_tokens)),
        stat('Epoch', last?.epoch !== undefined && last?.epoch !== null ? formatNumber(last.epoch, 3) : '—')));
  }

  function drawFacts() {
    const job = state.job;
    clear(facts,
      fact('Segment', job.segment ? h('a', { href: `#/registry/${encodeURIComponent(job.segment)}` }, job.segment) : '—'),
      fact('Method', methodLabel(job.method)),
      fact('Base model', h('span', { title: job.model_id ?? '' }, job.model ?? job.base_model ?? '—')),
      fact('Training file', datasetLink(job.training_file)),
      fact('Validation file', job.validation_file ? datasetLink(job.validation_file) : 'split from the training file'),
      fact('Created', timeAgo(job.created_at)),
      fact('Started', timeAgo(job.started_at)),
      fact('Finished', timeAgo(job.finished_at)),
      job.from_checkpoint ? fact('Continued from', checkpointLink(job.from_checkpoint)) : null,
      job.attempt > 1 ? fact('Attempt', String(job.attempt)) : null,
      job.fine_tuned_model ? fact('Fine-tuned model', [h('code', job.fine_tuned_model), ' ', tryIt(job.fine_tuned_model)]) : null);
    const hp = job.hyperparameters || {};
    clear(params, Object.keys(hp).length ? h('details.hyperparameters',
      h('summary', 'Hyperparameters'),
      h('dl.facts', Object.entries(hp).map(([k, v]) => fact(k, Array.isArray(v) ? v.join(', ') : formatValueShort(v))))) : null);
  }

  /** What this job's eval losses are measured on, as far as the job says (the version says it exactly). */
  function evalSetOfJob() {
    const job = state.job;
    if (state.version?.eval_set) return evalSetText(state.version);
    if (job.validation_file) return `on validation file ${state.datasets.get(job.validation_file)?.name ?? shortId(job.validation_file)}`;
    return job.training_file ? `on the share held out of ${state.datasets.get(job.training_file)?.name ?? shortId(job.training_file)}` : null;
  }

  /** `<job id>:step-<n>` as a link to that job, "step n of job abcd1234". */
  function checkpointLink(ref) {
    const m = /^(.+):step-(\d+)$/.exec(String(ref));
    if (!m) return h('code', String(ref));
    return h('a', { href: `#/jobs/${encodeURIComponent(m[1])}`, title: String(ref) }, `step ${m[2]} of job ${shortId(m[1])}`);
  }

  /** The registry version this job produced (segment/N), for the eval set it was measured on. */
  async function loadVersion() {
    const ref = /^([^/@]+)\/(\d+)$/.exec(state.job?.fine_tuned_model ?? '');
    if (!ref || state.version) return;
    try {
      state.version = await api.getVersion(ref[1], Number(ref[2]));
    } catch {
      state.version = null;
    }
  }

  /** A dataset by its name (its id on hover), linked to its page; the id until the name is known. */
  function datasetLink(datasetId) {
    if (!datasetId) return '—';
    const d = state.datasets.get(datasetId);
    return h('a', { href: `#/datasets/${encodeURIComponent(datasetId)}`, title: datasetId },
      d?.name ?? h('code', shortId(datasetId)));
  }

  async function loadDatasets() {
    const ids = [state.job.training_file, state.job.validation_file].filter((x) => x && !state.datasets.has(x));
    await Promise.allSettled(ids.map(async (d) => state.datasets.set(d, await api.getDataset(d))));
  }

  function drawOutcome() {
    const job = state.job;
    if (job.status === 'succeeded') {
      const rows = sortedMetrics();
      const last = rows.at(-1);
      const evals = rows.filter((r) => Number.isFinite(r.eval_loss));
      const finalEval = evals.at(-1)?.eval_loss;
      const files = job.result_files ?? job.files ?? [];
      clear(outcome, h('section.success',
        h('h2', 'Training succeeded'),
        h('dl.facts',
          fact('Final train loss', formatNumber(last?.loss)),
          fact('Final eval loss', [formatNumber(finalEval), Number.isFinite(finalEval) && evalSetOfJob()
            ? h('span.eval-set', { title: state.version ? evalSetDetails(state.version) : null }, ` ${evalSetOfJob()}`) : null]),
          fact('Perplexity', Number.isFinite(finalEval) ? formatNumber(Math.exp(finalEval)) : '—'),
          fact('Best eval loss', evals.length ? formatNumber(Math.min(...evals.map((r) => r.eval_loss))) : '—'),
          fact('Trained tokens', formatNumber(job.trained_tokens))),
        h('h3', 'Adapter files'),
        files.length ? h('ul.files', files.map(fileItem)) : h('p', 'The job lists no result files.'),
        registration(job)));
    } else if (job.status === 'failed') {
      const error = job.error || {};
      clear(outcome, h('section.problem', { role: 'alert' },
        h('h2', 'Training failed'),
        h('p.problem-detail', error.message || 'The job failed without a message.'),
        h('dl.problem-fields',
          error.code ? [h('dt', 'code'), h('dd', h('code', error.code))] : null,
          error.param ? [h('dt', 'param'), h('dd', h('code', error.param))] : null),
        h('h3', 'What to do'),
        h('ul', failureAdvice(error).map((a) => h('li', a))),
        h('p', h('a.button', { href: '#/new' }, 'Start a new job'))));
    } else if (job.status === 'cancelled') {
      clear(outcome, h('p.notice', 'This job was cancelled. Its checkpoints are kept; a new job can start from one of them.'));
    } else {
      outcome.replaceChildren();
    }
  }

  /** Where the adapter went: the registry version once registered, "registering…" until then. */
  function registration(job) {
    if (!job.segment) return null;
    const registry = h('a', { href: `#/registry/${encodeURIComponent(job.segment)}` }, `the ${job.segment} registry`);
    return job.fine_tuned_model
      ? h('p.registration', 'The adapter is registered as ', h('code', job.fine_tuned_model), ' in ', registry, '. ',
        tryIt(job.fine_tuned_model))
      : h('p.registration', { role: 'status' }, 'Registering the adapter as a new version in ', registry,
        '… (Try it appears here once it is registered.)');
  }

  // The registry registers a succeeded job's adapter a moment after the job ends (later when its
  // delivery is retried), and only then does the job name it (fine_tuned_model): until then the
  // job is asked again, every second at first and then less often, so "Try it" appears on the
  // page the user is watching.
  let registrationTimer = null;
  function followRegistration(delay = 1000) {
    const job = state.job;
    if (registrationTimer !== null || controller.signal.aborted || job.status !== 'succeeded' || job.fine_tuned_model || !job.segment) return;
    registrationTimer = setTimeout(async () => {
      registrationTimer = null;
      try {
        const fresh = await api.getJob(id);
        if (controller.signal.aborted) return;
        if (fresh.fine_tuned_model) {
          state.job = fresh;
          await loadVersion();
          drawAll();
          announce(`Registered as ${fresh.fine_tuned_model}`);
          return;
        }
      } catch {
        // asked again below
      }
      followRegistration(Math.min(delay * 1.5, 15000));
    }, delay);
  }

  function drawEvents() {
    const items = [...state.events.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0) || String(a.created_at).localeCompare(String(b.created_at)));
    if (!items.length) {
      clear(eventsList, h('li.muted', 'No events yet.'));
      return;
    }
    const scroller = eventsList.parentElement;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    clear(eventsList, items.map((e) => h(`li.level-${e.level || 'info'}`,
      h('span.event-time', e.created_at ? new Date(e.created_at).toLocaleTimeString() : ''),
      h('span.event-level', e.level || 'info'),
      h('span.event-message', e.message ?? JSON.stringify(e.data ?? e)))));
    if (atBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  function drawCheckpoints() {
    const items = [...state.checkpoints.values()].sort((a, b) => a.step - b.step);
    clear(checkpointsBox, items.length
      ? h('div.table-wrap', h('table',
        h('thead', h('tr', h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Saved'), h('th', { scope: 'col' }, 'Object'))),
        h('tbody', items.map((c) => h('tr', h('td.num', c.step), h('td', timeAgo(c.created_at)),
          h('td', h('code.hash', c.object_key ?? c.key ?? c.id ?? '—')))))))
      : empty('No checkpoints yet.', 'A checkpoint is written at the end of each training slice.'));
  }

  function drawLive() {
    const text = {
      connecting: 'Connecting to the live event stream…',
      open: 'Live: updates stream in as the worker reports them.',
      retrying: 'The live stream dropped; reconnecting…',
      polling: 'Refreshing every few seconds.',
      closed: '',
    }[state.live] ?? '';
    liveState.textContent = TERMINAL.has(state.job.status) ? '' : text;
    liveState.hidden = !liveState.textContent;
  }

  function drawAll() {
    drawHead();
    drawLive();
    drawStats();
    drawFacts();
    drawOutcome();
    drawEvents();
    drawCheckpoints();
    const rows = sortedMetrics();
    lossChart.setRows(rows);
    lrChart.setRows(rows);
    followRegistration();
  }

  // data
  function addMetrics(list) {
    for (const m of list) if (m && Number.isFinite(m.step)) state.metrics.set(m.step, { ...state.metrics.get(m.step), ...m });
  }
  function addEvents(list) {
    for (const e of list) if (e) state.events.set(e.id ?? `${e.created_at}|${e.message}`, e);
  }
  function addCheckpoints(list) {
    for (const c of list) if (c && Number.isFinite(c.step)) state.checkpoints.set(c.step, c);
  }

  async function loadAll() {
    const [metrics, events, checkpoints] = await Promise.allSettled([
      api.jobMetrics(id), loadEvents(), api.jobCheckpoints(id)]);
    if (metrics.status === 'fulfilled') addMetrics(page(metrics.value).items);
    else charts.prepend(problemBox(metrics.reason, { heading: 'Metrics' }));
    if (events.status === 'rejected') eventsList.before(problemBox(events.reason, { heading: 'Events' }));
    if (checkpoints.status === 'fulfilled') addCheckpoints(page(checkpoints.value).items);
    else checkpointsBox.before(problemBox(checkpoints.reason, { heading: 'Checkpoints' }));
  }

  /** Events after the newest one held, a few pages at most. */
  async function loadEvents() {
    for (let pages = 0; pages < 10; pages++) {
      const p = page(await api.jobEvents(id, { after: lastEventId(), limit: 1000 }));
      addEvents(p.items);
      if (!p.next) return;
    }
  }

  /** The last step whose metrics are on the page (undefined before the first). */
  function lastStep() {
    let max;
    for (const step of state.metrics.keys()) if (max === undefined || step > max) max = step;
    return max;
  }

  function lastEventId() {
    let max;
    for (const e of state.events.values()) if (Number.isFinite(e.id) && (max === undefined || e.id > max)) max = e.id;
    return max;
  }

  // Both refreshes are throttled, not debounced: a pending one is never pushed later, or a worker
  // reporting slices faster than the delay would keep the page from refreshing until training ended.
  let refreshTimer = null;
  function refreshJob() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      try {
        const before = state.job.status;
        state.job = await api.getJob(id);
        if (before !== state.job.status) {
          announce(`Job ${state.job.status.replace(/_/g, ' ')}`);
          if (TERMINAL.has(state.job.status)) { await loadAll(); await loadVersion(); }
        }
        drawAll();
      } catch {
        // the next message or poll tries again
      }
    }, 300);
  }

  let metricsTimer = null;
  let metricsDue = Infinity;
  function refreshMetrics(delay = 800) {
    const due = Date.now() + delay;
    if (metricsTimer !== null && metricsDue <= due) return;
    clearTimeout(metricsTimer);
    metricsDue = due;
    metricsTimer = setTimeout(async () => {
      metricsTimer = null;
      metricsDue = Infinity;
      try {
        if (document.visibilityState !== 'hidden' || TERMINAL.has(state.job.status)) {
          addMetrics(page(await api.jobMetrics(id, { after: lastStep() })).items);
        }
        drawStats();
        const rows = sortedMetrics();
        lossChart.setRows(rows);
        lrChart.setRows(rows);
      } catch {
        // the next event or tick tries again
      }
      if (!controller.signal.aborted && !TERMINAL.has(state.job.status)) refreshMetrics(METRICS_MS);
    }, delay);
  }

  /** `event` messages carry one job event ({id, level, message, data}); `end` the final status. */
  function onMessage({ event, data }) {
    const d = data && typeof data === 'object' ? data : { message: String(data) };
    const kind = (event || 'message').toLowerCase();
    if (kind === 'end') {
      if (d.status) state.job = { ...state.job, status: d.status };
      drawAll();
      refreshJob();
      refreshMetrics(0);
      return;
    }
    if (kind.includes('metric')) {
      addMetrics(Array.isArray(d) ? d : Array.isArray(d.data) ? d.data : [d]);
      drawStats();
      const rows = sortedMetrics();
      lossChart.setRows(rows);
      lrChart.setRows(rows);
      return;
    }
    if (kind.includes('checkpoint')) {
      addCheckpoints([d]);
      drawCheckpoints();
      return;
    }
    addEvents([d]);
    drawEvents();
    drawStats();
    if (d.data?.checkpoint) loadCheckpoints();
    refreshMetrics();
    refreshJob();
  }

  async function loadCheckpoints() {
    try {
      addCheckpoints(page(await api.jobCheckpoints(id)).items);
      drawCheckpoints();
    } catch {
      // shown on the next full load
    }
  }

  async function poll() {
    while (!controller.signal.aborted && !TERMINAL.has(state.job.status)) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (controller.signal.aborted) return;
      try {
        const before = state.job.status;
        state.job = await api.getJob(id);
        await loadAll();
        if (before !== state.job.status) announce(`Job ${state.job.status.replace(/_/g, ' ')}`);
        drawAll();
      } catch {
        // keep the last view; try again on the next tick
      }
    }
    state.live = 'closed';
    drawLive();
  }

  await Promise.all([loadAll(), loadDatasets()]);
  await loadVersion();
  drawAll();

  if (!TERMINAL.has(state.job.status)) {
    refreshMetrics(METRICS_MS);
    followEvents(id, {
      // one event back: the server sends response headers with its first event, so replaying the
      // newest one (deduplicated by id) opens the stream at once instead of at the next event
      lastEventId: Math.max(0, (lastEventId() ?? 1) - 1),
      signal: controller.signal,
      shouldStop: () => TERMINAL.has(state.job.status),
      onMessage,
      onState: (s) => {
        if (s === 'unsupported') {
          state.live = 'polling';
          drawLive();
          poll();
          return;
        }
        if (s === 'closed' || s === 'retrying') refreshJob();
        state.live = s;
        drawLive();
      },
    });
  }

  return () => {
    controller.abort();
    clearTimeout(refreshTimer);
    clearTimeout(metricsTimer);
    clearTimeout(registrationTimer);
    lossChart.destroy();
    lrChart.destroy();
  };
}

/** The playground with this model beside its base model. */
function tryIt(model) {
  return h('a.button.subtle', { href: `#/playground?model=${encodeURIComponent(model)}`, title: `Ask ${model} and its base model the same prompt` }, 'Try it');
}

function stat(label, value, note) {
  return h('div.stat', h('dt', label), h('dd', value, note ? h('span.stat-note', note) : null));
}

function fact(label, value) {
  return [h('dt', label), h('dd', value ?? '—')];
}

function formatValueShort(v) {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

function fileItem(f) {
  if (typeof f === 'string') return h('li', h('code', f.split('/').pop()), ' ', h('span.muted', f));
  const name = f.path ?? f.name ?? f.key ?? '?';
  const size = f.size_bytes ?? f.bytes ?? f.size;
  return h('li', f.url ? downloadLink({ url: f.url, path: name }) : h('code', name),
    size !== undefined ? h('span.muted', ` ${formatBytes(size)}`) : null);
}

/** From the server's estimate, else from the pace of the recent steps. */
function eta(job, rows, total) {
  if (TERMINAL.has(job.status)) return '—';
  if (job.estimated_finish) {
    const s = (new Date(job.estimated_finish).getTime() - Date.now()) / 1000;
    return s > 0 ? `${formatDuration(s)}` : 'any moment';
  }
  const timed = rows.filter((r) => r.created_at);
  if (!total || timed.length < 2) return '—';
  const a = timed.at(-Math.min(20, timed.length));
  const b = timed.at(-1);
  const secondsPerStep = (new Date(b.created_at) - new Date(a.created_at)) / 1000 / Math.max(1, b.step - a.step);
  return formatDuration((total - b.step) * secondsPerStep);
}
