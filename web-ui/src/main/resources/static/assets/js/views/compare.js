// Two registry versions side by side: lineage, hyperparameters and metrics with the rows that
// differ marked (by a sign and text, not colour alone), and both training curves in one chart.

import { api, page } from '../api.js';
import { clear, formatNumber, formatValue, h, loading, problemBox } from '../dom.js';
import { LineChart } from '../curves.js';
import { HYPERPARAMETERS } from '../hyperparameters.js';
import { evalLossText, evalSetDetails, evalSetText } from './eval-set.js';
import { percent, TASK_METRICS } from './task-eval.js';

// The comparison's row names in words; the API's own name stays on hover.
const ROW_LABELS = {
  base_model_id: 'Base model id', base_model_name: 'Base model', base_model_sha256: 'Base model fingerprint',
  dataset_name: 'Training data', dataset_sha256: 'Training data SHA-256', eval_set_sha256: 'Eval set identity',
  eval_set_source: 'Eval set', from_checkpoint: 'Continued from checkpoint', method: 'Method',
  source_job_id: 'Trained by job', artifact_sha256: 'Adapter weights SHA-256', artifact_size_bytes: 'Adapter size (bytes)',
  eval_loss: 'Eval loss', perplexity: 'Perplexity', initial_eval_loss: 'Eval loss before training',
  min_eval_loss: 'Lowest eval loss', first_train_loss: 'First training loss', final_train_loss: 'Final training loss',
  steps: 'Steps',
};

function rowLabel(name) {
  return ROW_LABELS[name] ?? HYPERPARAMETERS.find((p) => p.name === name)?.label ?? name.replace(/_/g, ' ');
}

let chart = null;

export async function compareView(box, segment, a, b) {
  chart?.destroy();
  chart = null;
  clear(box, loading(`Comparing v${a.number} and v${b.number}…`));
  let comparison;
  try {
    comparison = await api.compareVersions(segment, a.number, b.number);
  } catch (problem) {
    if (problem.status && problem.status !== 404 && problem.status !== 405) {
      clear(box, problemBox(problem, { heading: 'Compare' }));
      return;
    }
    comparison = localComparison(a, b); // a server without the compare endpoint: diff the two versions here
  }
  const va = comparison.a ?? a;
  const vb = comparison.b ?? b;
  // the eval set row in words ("held-out 10% of identity-demo"), not the API's shorthand
  const lineageRows = (comparison.lineage || []).map((r) => (r.name === 'eval_set_source'
    ? { ...r, a: evalSetText(va).replace(/^on /, '') || null, b: evalSetText(vb).replace(/^on /, '') || null } : r));
  const taskRows = va.task_metrics || vb.task_metrics ? TASK_METRICS.flatMap((m) => {
    const x = va.task_metrics?.adapter?.[m.key];
    const y = vb.task_metrics?.adapter?.[m.key];
    if (!Number.isFinite(x) && !Number.isFinite(y)) return [];
    return [{ name: m.key, label: `${m.label} (adapter)`, a: percent(x), b: percent(y), differs: x !== y,
      delta: Number.isFinite(x) && Number.isFinite(y) ? `${y - x >= 0 ? '+' : '−'}${formatNumber(Math.abs(Math.round((y - x) * 1000) / 10))} pts` : null }];
  }) : [];
  const sections = [['Lineage', lineageRows], ['Hyperparameters', comparison.hyperparameters], ['Metrics', comparison.metrics],
    ['Task metrics', taskRows]];
  const differences = (comparison.differences ?? sections.flatMap(([, rows]) => (rows || []).filter((r) => r.differs).map((r) => r.name)))
    .map(rowLabel);
  const curves = h('div.charts');
  clear(box, h('section.card.compare',
    h('div.page-head', h('h2', `v${a.number} and v${b.number} side by side`),
      h('button.button.subtle', { type: 'button', onclick: () => { chart?.destroy(); chart = null; box.replaceChildren(); } }, 'Close')),
    h('p', differences.length ? `${differences.length} difference${differences.length === 1 ? '' : 's'}: ${differences.join(', ')}.` : 'No differences.'),
    h('ul.eval-losses', [va, vb].map((v) => h('li', { title: evalSetDetails(v) }, h('strong', `v${v.number}`), `: ${evalLossText(v)}`))),
    comparison.same_eval_set === false ? h('p.notice', 'The two versions were evaluated on different eval sets: their eval losses are not directly comparable.') : null,
    sections.map(([title, rows]) => (rows && rows.length ? h('div.table-wrap', h('table.compare-table',
      h('caption', title),
      h('thead', h('tr', h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, `v${a.number}`),
        h('th', { scope: 'col' }, `v${b.number}`), h('th', { scope: 'col' }, 'Δ'))),
      h('tbody', rows.map((r) => h(r.differs ? 'tr.differs' : 'tr',
        h('th', { scope: 'row', title: r.name }, r.differs ? h('span.diff-mark', { title: 'differs' }, '≠ ') : null, r.label ?? rowLabel(r.name),
          r.differs ? h('span.visually-hidden', ' (differs)') : null),
        h('td', formatValue(r.a)), h('td', formatValue(r.b)),
        h('td', r.delta !== null && r.delta !== undefined ? (typeof r.delta === 'string' ? r.delta : signed(r.delta)) : '')))))) : null)),
    h('h3', 'Training curves'),
    curves));
  await drawCurves(curves, a, b);
}

function signed(n) {
  return `${n > 0 ? '+' : ''}${formatNumber(n)}`;
}

async function drawCurves(container, a, b) {
  const [ma, mb] = await Promise.allSettled([
    a.source_job_id ? api.jobMetrics(a.source_job_id) : Promise.reject(new Error('no source job')),
    b.source_job_id ? api.jobMetrics(b.source_job_id) : Promise.reject(new Error('no source job'))]);
  const byStep = new Map();
  const put = (res, prefix) => {
    if (res.status !== 'fulfilled') return;
    for (const m of page(res.value).items) {
      const row = byStep.get(m.step) || { step: m.step };
      row[`${prefix}_loss`] = m.loss;
      row[`${prefix}_eval`] = m.eval_loss;
      byStep.set(m.step, row);
    }
  };
  put(ma, 'a');
  put(mb, 'b');
  if (!byStep.size) {
    container.append(h('p.muted', 'The curves of these versions\' jobs are not available.'));
    return;
  }
  chart = new LineChart(container, {
    title: `Loss of v${a.number} and v${b.number}`, yLabel: 'loss',
    series: [
      { label: `v${a.number} train`, key: 'a_loss', color: '--series-1' },
      { label: `v${a.number} eval`, key: 'a_eval', color: '--series-2', points: true },
      { label: `v${b.number} train`, key: 'b_loss', color: '--series-3' },
      { label: `v${b.number} eval`, key: 'b_eval', color: '--series-4', points: true },
    ],
  });
  chart.setRows([...byStep.values()].sort((x, y) => x.step - y.step));
}

function localComparison(a, b) {
  const row = (name, x, y) => {
    const differs = JSON.stringify(x) !== JSON.stringify(y);
    const delta = typeof x === 'number' && typeof y === 'number' ? y - x : null;
    return { name, a: x, b: y, differs, delta };
  };
  const keys = (o1, o2) => [...new Set([...Object.keys(o1 || {}), ...Object.keys(o2 || {})])].sort();
  return {
    lineage: ['source_job_id', 'base_model_name', 'base_model_sha256', 'dataset_name', 'dataset_sha256', 'eval_set_sha256', 'eval_set_source', 'method']
      .map((k) => row(k, a[k] ?? null, b[k] ?? null)),
    hyperparameters: keys(a.hyperparameters, b.hyperparameters).map((k) => row(k, a.hyperparameters?.[k] ?? null, b.hyperparameters?.[k] ?? null)),
    metrics: ['eval_loss', 'perplexity', 'initial_eval_loss'].map((k) => row(k, a[k] ?? null, b[k] ?? null)),
    same_eval_set: a.eval_set_sha256 && b.eval_set_sha256 ? a.eval_set_sha256 === b.eval_set_sha256 : undefined,
  };
}
