// The model registry, one segment at a time: versions with lineage and metrics, where each
// alias points, promote (showing the gate's verdict), roll back with a reason, compare two
// versions side by side, download an adapter's files, and the audit trail of alias moves.

import { api, page, session } from '../api.js';
import { announce, clear, empty, field, formatBytes, formatNumber, h, loading, problemBox, shortId, timeAgo } from '../dom.js';
import { methodLabel } from './jobs.js';
import { compareView } from './compare.js';
import { downloadLink } from '../downloads.js';
import { evalLossText, evalSetNote, evalSetText, evalSetWords } from './eval-set.js';
import { percent, taskEvaluationPanel, taskMetricLabel, TASK_METRICS } from './task-eval.js';

export async function renderRegistry(container, segment) {
  const select = h('select', { id: 'registry-segment' }, h('option', { value: '' }, 'Loading segments…'));
  const body = h('div.registry-body');
  container.append(
    h('div.page-head', h('h1', 'Model registry'),
      h('div.actions', h('div.field.inline', h('label', { for: 'registry-segment' }, 'Segment'), select),
        session.can('admin') ? newSegmentControl() : null)),
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

/**
 * A new segment (admin): a customer or team whose jobs and adapters are kept apart; it is offered
 * on the New job page at once, and gets a registry repository when its first job succeeds.
 */
function newSegmentControl() {
  const box = h('div.inline-confirm.new-segment');
  const open = h('button.button', { type: 'button' }, 'New segment…');
  open.addEventListener('click', () => {
    const name = h('input', { type: 'text', name: 'segment-name', required: true, maxlength: 63, autocomplete: 'off',
      pattern: '[a-z0-9][a-z0-9_-]{0,62}', placeholder: 'e.g. acme-support' });
    const create = h('button.button.primary', { type: 'submit' }, 'Create segment');
    const cancel = h('button.button.subtle', { type: 'button' }, 'Cancel');
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form.segment-form', { novalidate: true },
      field('Segment name', name, 'Lower-case letters, digits, - or _, up to 63 characters.'), h('div.actions', create, cancel), out);
    cancel.addEventListener('click', () => { clear(box, open); open.focus(); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      out.replaceChildren();
      const value = name.value.trim();
      if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(value)) {
        name.setAttribute('aria-invalid', 'true');
        out.append(h('p.field-error', { role: 'alert' }, 'A segment name is 1-63 lower-case letters, digits, - or _, starting with a letter or digit.'));
        name.focus();
        return;
      }
      create.disabled = true;
      try {
        await api.createSegment(value);
        announce(`Segment ${value} created`);
        location.hash = `#/registry/${encodeURIComponent(value)}`;
      } catch (problem) {
        out.append(problemBox(problem, { heading: 'The segment was not created' }));
        create.disabled = false;
      }
    });
    clear(box, form);
    name.focus();
  });
  box.append(open);
  return box;
}

/** @param flash a result to show in the promote card after the reload (the gate's verdict) */
async function renderSegment(body, segment, flash) {
  clear(body, loading(`Loading ${segment}…`));
  const [repo, versions, audit, datasets] = await Promise.allSettled([
    api.getRepository(segment), api.listVersions(segment), api.aliasHistory(segment), api.listDatasets({ limit: 100 })]);
  // versions name their data by SHA-256: shown by the dataset's name where the tenant still has it
  datasetNames.clear();
  datasetList.length = 0;
  if (datasets.status === 'fulfilled') {
    for (const d of page(datasets.value).items) {
      datasetNames.set(d.sha256, d);
      datasetList.push(d);
    }
  }
  if (versions.status === 'rejected') {
    clear(body, versions.reason?.status === 404
      ? empty(`No adapter versions in ${segment} yet.`, 'A job that succeeds in this segment adds the first. ',
        session.can('submit') ? [h('a', { href: '#/new' }, 'Start a job'), '.'] : null)
      : problemBox(versions.reason, { heading: `Versions of ${segment}` }));
    return;
  }
  const list = page(versions.value).items.sort((a, b) => b.number - a.number);
  const aliases = aliasesOf(repo.status === 'fulfilled' ? repo.value : null, list);

  const verdict = h('div.verdict', { 'aria-live': 'polite' }, flash);
  const compareBox = h('div.compare-box', { 'aria-live': 'polite' });
  const reload = (next) => renderSegment(body, segment, next);

  const repoValue = repo.status === 'fulfilled' ? repo.value : null;
  clear(body,
    session.can('admin') && repoValue ? gateSettings(segment, repoValue, reload) : null,
    session.can('submit') ? h('div.two-col',
      aliasesCard(segment, aliases, list, reload),
      promoteCard(segment, aliases, list, verdict, reload, repo.status === 'fulfilled' ? repo.value?.gate : null)) : aliasesCard(segment, aliases, list, reload),
    versionsCard(segment, list, compareBox),
    compareBox,
    auditCard(audit));
}

const GATE_RULES = [
  ['eval_loss_no_worse', 'Eval loss no worse than the current version\'s, on the same eval set'],
  ['max_eval_loss', 'Eval loss at most a threshold'],
  ['task_metric_no_worse', 'A task metric no worse than the current version\'s, on the same eval set'],
  ['none', 'No gate: any version may take any alias'],
];

/** The repository's promotion gate (admin): the rule, its threshold or task metric, the aliases it guards. */
function gateSettings(segment, repo, reload) {
  const gate = repo.gate ?? { rule: 'eval_loss_no_worse', gated_aliases: ['production'] };
  const rule = h('select', { name: 'gate-rule' }, GATE_RULES.map(([value, label]) => h('option', { value, selected: value === gate.rule }, label)));
  const max = h('input', { type: 'number', name: 'gate-max-eval-loss', min: 0, step: 'any', value: gate.max_eval_loss ?? '' });
  const metric = h('select', { name: 'gate-task-metric' },
    TASK_METRICS.map((m) => h('option', { value: m.key, selected: m.key === (gate.task_metric ?? 'exact_match') }, `${m.label} of the adapter`)));
  const aliases = h('input', { type: 'text', name: 'gate-aliases', value: (gate.gated_aliases ?? ['production']).join(', '), autocomplete: 'off' });
  const maxField = field('Highest eval loss allowed', max);
  const metricField = field('Task metric', metric, 'From the version\'s task evaluation; a version without one cannot take a gated alias from one that has it.');
  const out = h('div', { 'aria-live': 'polite' });
  const save = h('button.button.primary', { type: 'submit' }, 'Save gate');
  const sync = () => {
    maxField.hidden = rule.value !== 'max_eval_loss';
    metricField.hidden = rule.value !== 'task_metric_no_worse';
  };
  rule.addEventListener('change', sync);
  sync();
  const form = h('form.gate-form', { novalidate: true },
    field('Rule', rule), maxField, metricField,
    field('Gated aliases', aliases, 'Comma-separated; other aliases move freely.'),
    h('div.actions', save), out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    out.replaceChildren();
    const names = aliases.value.split(',').map((a) => a.trim()).filter(Boolean);
    if (rule.value === 'max_eval_loss' && !(Number(max.value) > 0)) {
      out.append(h('p.field-error', { role: 'alert' }, 'A threshold gate needs a positive eval loss.'));
      max.focus();
      return;
    }
    save.disabled = true;
    try {
      await api.configureRepository(segment, {
        description: repo.description,
        gate: {
          rule: rule.value,
          max_eval_loss: rule.value === 'max_eval_loss' ? Number(max.value) : null,
          task_metric: rule.value === 'task_metric_no_worse' ? metric.value : null,
          gated_aliases: names,
        },
      });
      announce('Gate saved');
      await reload(h('section.success', { role: 'status' }, h('h3', 'Gate saved')));
    } catch (problem) {
      out.append(problemBox(problem, { heading: 'The gate was not saved' }));
      save.disabled = false;
    }
  });
  return h('details.card.gate-settings', h('summary', 'Gate settings'), h('p.hint', gateHint(gate)), form);
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
      session.can('submit') ? rollbackControl(segment, a, reload) : null)))
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

/**
 * Promote: the version is chosen (never defaulted to the newest), then a confirm step shows what
 * moves where, both versions' metrics and what the repository's gate will say; only "Yes" calls
 * the API, whose answer (the gate's real verdict, or its 409 problem) is shown after.
 */
function promoteCard(segment, aliases, versions, verdict, reload, gate) {
  const version = h('select', { name: 'version', required: true },
    h('option', { value: '' }, 'Choose a version…'),
    versions.map((v) => h('option', { value: v.number }, `v${v.number}${Number.isFinite(v.eval_loss) ? ` · ${evalLossText(v)}` : ''}`)));
  const alias = h('input', { type: 'text', name: 'alias', value: 'production', list: 'alias-names', required: true, pattern: '[a-z0-9][a-z0-9_-]*' });
  const names = new Set(['production', 'staging', 'candidate', ...aliases.keys()]);
  const force = h('input', { type: 'checkbox', name: 'force' });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 1000, placeholder: 'required when forcing' });
  const submit = h('button.button.primary', { type: 'submit', disabled: !versions.length }, 'Promote…');
  const confirmBox = h('div.promote-confirm', { 'aria-live': 'polite' });
  const form = h('form.card.promote', { novalidate: true, id: 'promote-form' },
    h('h2', 'Promote'),
    h('p.hint', gateHint(gate)),
    field('Version', version),
    field('Alias', alias),
    h('datalist', { id: 'alias-names' }, [...names].map((n) => h('option', { value: n }))),
    h('label.check', force, ' Force past the gate'),
    field('Reason', reason, 'Kept in the audit trail with your key\'s name.'),
    h('div.actions', submit),
    confirmBox,
    verdict);
  const byNumber = new Map(versions.map((v) => [v.number, v]));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    verdict.replaceChildren();
    confirmBox.replaceChildren();
    if (!version.value) {
      verdict.append(h('p.field-error', { role: 'alert' }, 'Choose the version to promote.'));
      version.setAttribute('aria-invalid', 'true');
      version.focus();
      return;
    }
    version.removeAttribute('aria-invalid');
    const name = alias.value.trim();
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
      verdict.append(h('p.field-error', { role: 'alert' }, 'An alias is lower-case letters, digits, - or _.'));
      alias.focus();
      return;
    }
    if (force.checked && !reason.value.trim()) {
      verdict.append(h('p.field-error', { role: 'alert' }, 'Forcing a promotion needs a reason.'));
      reason.focus();
      return;
    }
    const n = Number(version.value);
    const candidate = byNumber.get(n);
    const currentNumber = aliases.get(name)?.version ?? null;
    const current = currentNumber === null ? null : byNumber.get(currentNumber) ?? { number: currentNumber };
    const predicted = predictGate(gate, name, candidate, current);
    const yes = h('button.button.primary', { type: 'button' }, `Yes, move ${name} to v${n}`);
    const back = h('button.button.subtle', { type: 'button' }, 'Go back');
    clear(confirmBox, h('section.confirm', { role: 'group', 'aria-label': 'Confirm the promotion' },
      h('h3', current ? `Move ${name} from v${current.number} to v${n}?` : `Point ${name} at v${n}?`),
      h('div.table-wrap', h('table.confirm-table',
        h('thead', h('tr', h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, `v${n} (to promote)`),
          current ? h('th', { scope: 'col' }, `v${current.number} (${name} now)`) : null)),
        h('tbody', [
          ['Eval loss', (v) => (v && Number.isFinite(v.eval_loss) ? [formatNumber(v.eval_loss), ' ', evalSetNote(v)] : '—')],
          gate?.rule === 'task_metric_no_worse' || candidate?.task_metrics || current?.task_metrics
            ? [`${taskMetricLabel(gate?.task_metric ?? 'exact_match')} (adapter)`, (v) => percent(v?.task_metrics?.adapter?.[gate?.task_metric ?? 'exact_match'])] : null,
          ['Perplexity', (v) => formatNumber(v?.perplexity)],
          ['Method', (v) => methodLabel(typeof v?.method === 'string' ? v.method.toLowerCase() : v?.method)],
          ['Trained from job', (v) => (v?.source_job_id ? shortId(v.source_job_id) : '—')],
          ['Created', (v) => (v?.created_at ? timeAgo(v.created_at) : '—')],
        ].filter(Boolean).map(([label, cell]) => h('tr', h('th', { scope: 'row' }, label), h('td', cell(candidate)), current ? h('td', cell(current)) : null))))),
      h('p.gate-prediction', { dataset: { passes: String(predicted.passes) } }, h('strong', 'Gate: '), predicted.text,
        predicted.passes === false && !force.checked ? ' The API will refuse it unless you force it with a reason.' : ''),
      force.checked ? h('p', h('strong', 'Forced'), ` with the reason “${reason.value.trim()}”.`) : null,
      h('div.actions', yes, back)));
    yes.focus();
    back.addEventListener('click', () => {
      confirmBox.replaceChildren();
      submit.focus();
    });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      submit.disabled = true;
      try {
        const moved = await api.promote(segment, name, { version: n, force: force.checked, reason: reason.value.trim() });
        const outcome = moved?.gate_outcome ?? moved?.gate?.outcome ?? null;
        announce(`${name} now points at version ${n}`);
        await reload(h('section.success', { role: 'status' },
          h('h3', `${name} now points at v${n}`),
          moved?.forced ? h('p', 'Forced past the gate.') : null,
          outcome ? h('p', 'Gate: ', h('strong', outcome)) : null));
      } catch (problem) {
        confirmBox.replaceChildren();
        verdict.append(problemBox(problem, { heading: problem.kind === 'promotion-blocked' ? 'The gate blocked this promotion' : 'Promotion refused' }));
      } finally {
        submit.disabled = false;
      }
    });
  });
  form.prefill = (n) => {
    version.value = String(n);
    confirmBox.replaceChildren();
    version.focus();
  };
  return form;
}

function gateHint(gate) {
  const guarded = gate?.gated_aliases?.length ? gate.gated_aliases.join(', ') : 'production';
  switch (gate?.rule) {
    case 'none':
      return 'This repository has no promotion gate: any version may take any alias.';
    case 'max_eval_loss':
      return `Gated aliases (${guarded}) take a version only if its eval loss is at most ${formatNumber(gate.max_eval_loss)}, unless you force it with a reason.`;
    case 'task_metric_no_worse':
      return `Gated aliases (${guarded}) take a version only if its adapter's ${taskMetricLabel(gate.task_metric).toLowerCase()} score is no worse than the current one's on the same eval set, unless you force it with a reason.`;
    default:
      return `Gated aliases (${guarded}) take a version only if its eval loss is no worse than the current one's on the same eval set, unless you force it with a reason.`;
  }
}

/**
 * What the repository's gate will say, by the registry's own rules (PromotionGate): shown before
 * the user confirms; the API's answer after is the verdict that counts.
 */
export function predictGate(gate, alias, candidate, current) {
  const rule = gate?.rule ?? 'eval_loss_no_worse';
  const guarded = gate ? (gate.gated_aliases || []).includes(alias) : alias === 'production';
  const loss = candidate?.eval_loss;
  if (!guarded || rule === 'none') return { passes: true, text: `passes: ${alias} is not gated.` };
  if (rule === 'max_eval_loss') {
    const ok = Number.isFinite(loss) && loss <= gate.max_eval_loss;
    return { passes: ok, text: `${ok ? 'passes' : 'blocks it'}: eval loss ${formatNumber(loss)} ${ok ? '≤' : 'is not ≤'} the threshold ${formatNumber(gate.max_eval_loss)}.` };
  }
  if (!current) return { passes: true, text: `passes: ${alias} points at no version yet.` };
  if (rule === 'task_metric_no_worse') return predictTaskMetric(gate.task_metric, candidate, current);
  if (!Number.isFinite(current.eval_loss)) return { passes: true, text: `passes: v${current.number} has no eval loss to beat.` };
  if (!Number.isFinite(loss)) return { passes: false, text: `blocks it: v${candidate.number} has no eval loss, v${current.number} has ${formatNumber(current.eval_loss)}.` };
  if (!candidate.eval_set_sha256 || candidate.eval_set_sha256 !== current.eval_set_sha256) {
    return { passes: false, text: `blocks it: v${candidate.number} and v${current.number} were evaluated on different eval sets (v${candidate.number} ${evalSetText(candidate) || 'on an unrecorded eval set'}, v${current.number} ${evalSetText(current) || 'on an unrecorded eval set'}).` };
  }
  const ok = loss <= current.eval_loss;
  const words = evalSetWords(candidate);
  return { passes: ok, text: `${ok ? 'passes' : 'blocks it'}: eval loss ${formatNumber(loss)} ${ok ? '≤' : '>'} ${formatNumber(current.eval_loss)} of v${current.number} (same eval set${words ? `: ${words}` : ''}).` };
}

/** The registry's TaskMetricNoWorse: the adapter's score, at least the holder's, on the same eval set. */
function predictTaskMetric(metric, candidate, current) {
  const label = taskMetricLabel(metric).toLowerCase();
  const mine = candidate?.task_metrics?.adapter?.[metric];
  const theirs = current.task_metrics?.adapter?.[metric];
  if (!Number.isFinite(theirs)) return { passes: true, text: `passes: v${current.number} has no ${label} score to beat.` };
  if (!Number.isFinite(mine)) return { passes: false, text: `blocks it: v${candidate.number} has no ${label} score (no task evaluation), v${current.number} has ${percent(theirs)}.` };
  if (!candidate.eval_set_sha256 || candidate.eval_set_sha256 !== current.eval_set_sha256) {
    return { passes: false, text: `blocks it: v${candidate.number} and v${current.number} were evaluated on different eval sets.` };
  }
  const ok = mine >= theirs;
  const words = evalSetWords(candidate);
  return { passes: ok, text: `${ok ? 'passes' : 'blocks it'}: ${label} ${percent(mine)} ${ok ? '≥' : '<'} ${percent(theirs)} of v${current.number} (same eval set${words ? `: ${words}` : ''}).` };
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
    const details = h('div.details-box', { 'aria-live': 'polite' });
    const detailsButton = h('button.button.subtle', { type: 'button', 'aria-expanded': 'false', 'aria-label': `Task metrics of v${v.number}` }, 'Task metrics');
    detailsButton.addEventListener('click', () => toggleDetails(segment, v, details, detailsButton));
    const promote = session.can('submit') ? h('button.button.subtle', { type: 'button' }, 'Promote…') : null;
    promote?.addEventListener('click', () => document.getElementById('promote-form')?.prefill(v.number));
    return [h('tr', { dataset: { version: v.number } },
      h('td', { 'data-label': 'Compare' }, box),
      h('td', { 'data-label': 'Version' }, h('strong', `v${v.number}`), ' ', (v.aliases || []).map((a) => h('span.badge.alias', a)), ' ', h('a.button.subtle', { href: `#/playground?model=${encodeURIComponent(`${segment}/${v.number}`)}` }, 'Try it')),
      h('td', { 'data-label': 'Eval loss' }, formatNumber(v.eval_loss), Number.isFinite(v.eval_loss) ? h('div.eval-set-line', evalSetNote(v)) : null,
        v.task_metrics ? h('div.task-line', taskSummary(v)) : null),
      h('td', { 'data-label': 'Perplexity' }, formatNumber(v.perplexity)),
      h('td', { 'data-label': 'Method' }, methodLabel(typeof v.method === 'string' ? v.method.toLowerCase() : v.method)),
      h('td', { 'data-label': 'Lineage' }, lineage(v)),
      h('td', { 'data-label': 'Created' }, timeAgo(v.created_at), v.created_by ? h('span.muted', ` by ${v.created_by}`) : null),
      h('td.row-actions', { 'data-label': 'Actions' }, promote, filesButton, detailsButton)),
    h('tr.files-row.details-row', h('td', { colspan: 8 }, details)),
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

const datasetNames = new Map();
const datasetList = [];

/** "exact match 0% → 60%": the gate's metric (or exact match) of the base model and the adapter. */
function taskSummary(v) {
  const m = v.task_metrics;
  const key = TASK_METRICS.find((t) => Number.isFinite(m.adapter?.[t.key]))?.key ?? 'exact_match';
  return h('span.muted', `${taskMetricLabel(key).toLowerCase()} ${percent(m.base?.[key])} → ${percent(m.adapter?.[key])}`);
}

function lineage(v) {
  const known = v.dataset_id ? datasetList.find((d) => d.id === v.dataset_id) : datasetNames.get(v.dataset_sha256);
  const dataTitle = [v.dataset_id || known?.id ? `Dataset id ${v.dataset_id ?? known.id}` : null,
    v.dataset_sha256 ? `SHA-256 ${v.dataset_sha256}` : null].filter(Boolean).join('\n');
  const dataName = v.dataset_name ?? known?.name ?? null;
  const checkpoint = v.from_checkpoint;
  return h('div.lineage',
    v.source_job_id ? h('div', 'job ', h('a', { href: `#/jobs/${encodeURIComponent(v.source_job_id)}` }, shortId(v.source_job_id))) : null,
    h('div', 'base ', h('span.lineage-name', { title: [v.base_model_id ? `Base model id ${v.base_model_id}` : null,
      v.base_model_sha256 ? `Weights fingerprint ${v.base_model_sha256}` : null].filter(Boolean).join('\n') || null },
    v.base_model_name ?? shortId(v.base_model_id))),
    v.dataset_sha256 || dataName ? h('div', 'data ', known
      ? h('a', { href: `#/datasets/${encodeURIComponent(known.id)}`, title: dataTitle }, dataName)
      : dataName ? h('span.lineage-name', { title: dataTitle }, dataName)
        : h('code', { title: dataTitle }, v.dataset_sha256.slice(0, 12))) : null,
    checkpoint?.job_id ? h('div.from-checkpoint', 'continued from ',
      h('a', { href: `#/jobs/${encodeURIComponent(checkpoint.job_id)}`, title: checkpoint.checkpoint ? `Checkpoint ${checkpoint.checkpoint}` : null },
        `step ${formatNumber(checkpoint.step)} of job ${shortId(checkpoint.job_id)}`)) : null);
}

function toggleDetails(segment, v, box, button) {
  const open = button.getAttribute('aria-expanded') === 'true';
  button.setAttribute('aria-expanded', String(!open));
  box.closest('tr')?.classList.toggle('open', !open);
  if (open) {
    box.replaceChildren();
    return;
  }
  clear(box, taskEvaluationPanel(segment, v, datasetList));
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
