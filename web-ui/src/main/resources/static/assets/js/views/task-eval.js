// Task metrics from generation: the eval prompts answered greedily by the base model and by the
// adapter, each answer scored against the reference (exact match, contains, an extracted answer,
// ROUGE-L). Shown per version as base vs adapter with the change, the prompts with both answers
// side by side (the version's task_eval.jsonl, read through the registry's download API), and the
// on-demand evaluations of the version against any of the tenant's datasets (run on a worker).

import { api, page, session } from '../api.js';
import { announce, clear, empty, field, formatNumber, h, loading, problemBox, statusBadge, timeAgo } from '../dom.js';

export const TASK_METRICS = [
  { key: 'exact_match', label: 'Exact match', help: 'the answer equals the reference (case, spaces and final punctuation aside)' },
  { key: 'contains', label: 'Contains the answer', help: 'the reference occurs in the answer' },
  { key: 'extracted_match', label: 'Extracted answer matches', help: 'the extractor\'s value equals the reference\'s' },
  { key: 'rouge_l', label: 'ROUGE-L', help: 'longest common subsequence overlap with the reference' },
];

export function taskMetricLabel(key) {
  return TASK_METRICS.find((m) => m.key === key)?.label ?? key;
}

/** 0.375 -> "37.5%"; null -> "—". */
export function percent(x) {
  return Number.isFinite(x) ? `${formatNumber(Math.round(x * 1000) / 10)}%` : '—';
}

/** The change from base to adapter in percentage points, signed, in words a screen reader reads too. */
function delta(base, adapter) {
  if (!Number.isFinite(base) || !Number.isFinite(adapter)) return h('span.muted', '—');
  const d = Math.round((adapter - base) * 1000) / 10;
  const cls = d > 0 ? 'delta.up' : d < 0 ? 'delta.down' : 'delta.same';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return h(`span.${cls}`, `${sign}${formatNumber(Math.abs(d))} pts`,
    h('span.visually-hidden', d > 0 ? ' (better)' : d < 0 ? ' (worse)' : ' (no change)'));
}

/** Base vs adapter, one row per metric, with the change. */
export function taskMetricsTable(metrics, caption) {
  const rows = TASK_METRICS.filter((m) => m.key !== 'extracted_match' || Number.isFinite(metrics.base?.[m.key]) || Number.isFinite(metrics.adapter?.[m.key]));
  return h('div.table-wrap', h('table.task-metrics',
    h('caption', caption),
    h('thead', h('tr', h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Base model'),
      h('th', { scope: 'col' }, 'Adapter'), h('th', { scope: 'col' }, 'Change'))),
    h('tbody', rows.map((m) => h('tr', { dataset: { metric: m.key } },
      h('th', { scope: 'row', title: m.help }, m.label),
      h('td.num', percent(metrics.base?.[m.key])),
      h('td.num', percent(metrics.adapter?.[m.key])),
      h('td.num', delta(metrics.base?.[m.key], metrics.adapter?.[m.key])))))));
}

function metricsFacts(m) {
  return h('p.hint', `${m.examples} prompt${m.examples === 1 ? '' : 's'}, greedy answers of at most ${m.max_new_tokens} tokens`,
    m.extractor ? [', answers extracted with ', h('code', m.extractor)] : '', '.');
}

/** The whole panel of one version: its task metrics, its prompts, its on-demand evaluations. */
export function taskEvaluationPanel(segment, v, datasets) {
  const box = h('section.task-eval', { 'aria-label': `Task metrics of v${v.number}` });
  const m = v.task_metrics;
  const prompts = h('div.task-prompts', { 'aria-live': 'polite' });
  box.append(h('h3', 'Task metrics'));
  if (m) {
    box.append(taskMetricsTable(m, `Answers to the eval prompts, base model vs v${v.number}`), metricsFacts(m), prompts);
    loadPrompts(segment, v, prompts);
  } else {
    box.append(h('p.muted', 'Training ran no task evaluation for this version. Run one on a dataset below to compare its answers with the base model\'s.'));
  }
  box.append(onDemand(segment, v, datasets));
  return box;
}

/** The version's task_eval.jsonl, one prompt per line with both answers and their scores. */
async function loadPrompts(segment, v, box) {
  clear(box, loading('Loading the prompts and answers…'));
  try {
    const files = page(await api.versionFiles(segment, v.number)).items;
    const file = files.find((f) => f.path === 'task_eval.jsonl' || f.path.endsWith('/task_eval.jsonl'));
    if (!file) {
      clear(box, h('p.muted', 'The answers to each prompt are not among this version\'s files.'));
      return;
    }
    clear(box, promptsTable(await jsonLines(await api.downloadFile(segment, v.number, file.path)), v));
  } catch (problem) {
    clear(box, problemBox(problem, { heading: 'Prompts and answers' }));
  }
}

async function jsonLines(blob) {
  return (await blob.text()).split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** A button that loads an on-demand evaluation's answers (its JSONL) into a table below it. */
function answersToggle(r, v) {
  const box = h('div.task-eval-answers', { 'aria-live': 'polite' });
  const show = h('button.button', { type: 'button', 'aria-expanded': 'false' }, 'Show the answers');
  show.addEventListener('click', async () => {
    if (show.getAttribute('aria-expanded') === 'true') {
      show.setAttribute('aria-expanded', 'false');
      show.textContent = 'Show the answers';
      box.replaceChildren();
      return;
    }
    show.disabled = true;
    clear(box, loading('Loading the prompts and answers…'));
    try {
      clear(box, promptsTable(await jsonLines(await api.taskEvaluationExamples(r.id)), v));
      show.setAttribute('aria-expanded', 'true');
      show.textContent = 'Hide the answers';
    } catch (problem) {
      clear(box, problemBox(problem, { heading: 'Prompts and answers' }));
    } finally {
      show.disabled = false;
    }
  });
  return [h('div.actions', show), box];
}

function score(a) {
  if (!a) return null;
  const right = a.exact_match >= 1 || a.contains >= 1 || a.extracted_match >= 1;
  return h(`span.badge.${right ? 'correct' : 'wrong'}`, right ? (a.exact_match >= 1 ? 'exact' : 'contains it') : 'miss',
    h('span.visually-hidden', ` (ROUGE-L ${percent(a.rouge_l)})`));
}

function answerCell(label, a) {
  return h('td.answer', { 'data-label': label },
    h('div.answer-text', a?.answer ? a.answer : h('span.muted', '(empty answer)')),
    h('div.answer-score', score(a), ' ', h('span.muted', `ROUGE-L ${percent(a?.rouge_l)}`)));
}

export function promptsTable(lines, v) {
  if (!lines.length) return empty('No prompts were answered.');
  return h('div.table-wrap', h('table.task-prompts-table.responsive',
    h('caption', `${lines.length} prompt${lines.length === 1 ? '' : 's'} with the base model's and v${v.number}'s answers`),
    h('thead', h('tr', ['Prompt', 'Expected', 'Base model', `Adapter (v${v.number})`].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', lines.map((l) => h('tr', { dataset: { index: l.index } },
      h('td.prompt', { 'data-label': 'Prompt' }, h('div.prompt-text', l.prompt)),
      h('td', { 'data-label': 'Expected' }, l.reference),
      answerCell('Base model', l.base),
      answerCell(`Adapter (v${v.number})`, l.adapter))))));
}

const POLL_MS = 3000;

/** The version's on-demand evaluations, and (with the submit scope) a form to run one. */
function onDemand(segment, v, datasets) {
  const box = h('div.on-demand');
  const list = h('div.task-eval-list', { 'aria-live': 'polite' });
  const names = new Map(datasets.map((d) => [d.id, d.name ?? d.filename ?? d.id]));
  box.append(h('h4', 'Task evaluations on other datasets'), list);
  let polling = null;
  const refresh = async () => {
    let runs;
    try {
      runs = await api.listTaskEvaluations(segment, v.number);
    } catch (problem) {
      clear(list, problemBox(problem, { heading: 'Task evaluations' }));
      return;
    }
    runs = (Array.isArray(runs) ? runs : page(runs).items).sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    clear(list, runs.length ? h('ul.task-eval-runs', runs.map((r) => runItem(r, names, v)))
      : h('p.muted', 'None yet.'));
    clearTimeout(polling);
    if (runs.some((r) => r.status === 'queued' || r.status === 'running') && box.isConnected) polling = setTimeout(refresh, POLL_MS);
  };
  refresh();
  if (session.can('submit')) box.append(requestForm(segment, v, datasets, refresh));
  return box;
}

function runItem(r, names, v) {
  return h('li.task-eval-run', { dataset: { status: r.status, id: r.id } },
    h('div', statusBadge(r.status), ' on ', h('strong', { title: r.dataset_id ? `Dataset id ${r.dataset_id}` : null }, names.get(r.dataset_id) ?? 'a deleted dataset'),
      ' ', h('span.muted', '· asked ', timeAgo(r.created_at), r.created_by ? ` by ${r.created_by}` : '',
        r.finished_at ? [' · finished ', timeAgo(r.finished_at)] : '')),
    r.status === 'failed' && r.error ? h('p.field-error', r.error) : null,
    r.status === 'succeeded' && r.result ? [taskMetricsTable(r.result, `v${v.number} vs the base model on ${names.get(r.dataset_id) ?? 'that dataset'}`), metricsFacts(r.result),
      answersToggle(r, v)] : null);
}

function requestForm(segment, v, datasets, refresh) {
  const dataset = h('select', { name: 'task-eval-dataset', required: true },
    h('option', { value: '' }, datasets.length ? 'Choose a dataset…' : 'No datasets uploaded'),
    datasets.map((d) => h('option', { value: d.id }, d.name ?? d.filename ?? d.id)));
  const maxExamples = h('input', { type: 'number', name: 'task-eval-max-examples', min: 1, max: 1000, value: '50', inputmode: 'numeric' });
  const maxTokens = h('input', { type: 'number', name: 'task-eval-max-new-tokens', min: 1, max: 1024, value: '64', inputmode: 'numeric' });
  const extractor = h('input', { type: 'text', name: 'task-eval-extractor', autocomplete: 'off', placeholder: 'e.g. ####\\s*(-?[\\d,]*\\.?\\d+)' });
  const run = h('button.button.primary', { type: 'submit', disabled: !datasets.length }, 'Run task evaluation');
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form.task-eval-form', { novalidate: true, 'aria-label': `Run a task evaluation of v${v.number}` },
    field('Dataset', dataset, 'Each record\'s prompt is answered by the base model and by this version on a worker.'),
    h('div.field-row',
      field('Prompts (at most)', maxExamples),
      field('Answer length (tokens)', maxTokens)),
    field('Answer extractor (optional)', extractor, 'A regular expression whose first group is the answer to compare.'),
    h('div.actions', run), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren();
    if (!dataset.value) {
      dataset.setAttribute('aria-invalid', 'true');
      out.append(h('p.field-error', { role: 'alert' }, 'Choose the dataset whose prompts to answer.'));
      dataset.focus();
      return;
    }
    dataset.removeAttribute('aria-invalid');
    run.disabled = true;
    try {
      const queued = await api.requestTaskEvaluation(segment, v.number, {
        dataset: dataset.value,
        max_examples: maxExamples.value ? Number(maxExamples.value) : undefined,
        max_new_tokens: maxTokens.value ? Number(maxTokens.value) : undefined,
        extractor: extractor.value.trim() || undefined,
      });
      announce(`Task evaluation of v${v.number} ${queued?.status ?? 'queued'}`);
      out.append(h('p.success-text', { role: 'status' }, `Queued: a worker answers the prompts between jobs; the result appears above when it is done.`));
      await refresh();
    } catch (problem) {
      out.append(problemBox(problem, { heading: 'The task evaluation was not queued' }));
    } finally {
      run.disabled = false;
    }
  });
  return form;
}
