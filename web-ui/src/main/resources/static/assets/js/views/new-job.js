// New job: upload (and validate) the data, choose base model, method and hyperparameters with
// their defaults in view, pick the segment the adapter is for, submit once (Idempotency-Key).

import { api, newIdempotencyKey, page, session } from '../api.js';
import { announce, clear, field, h, problemBox } from '../dom.js';
import { checkValue, defaultsOf, formatDefault, HYPERPARAMETERS, loadDefaults, METHODS, PRESETS, sameValue } from '../hyperparameters.js';
import { datasetPicker } from './dataset-picker.js';

export async function renderNewJob(container, query) {
  if (!session.can('submit')) {
    container.append(h('div.page-head', h('h1', 'New fine-tuning job')),
      h('p.notice', { role: 'status' }, `This key (${session.prefix}) can only read: uploading data and starting jobs need `,
        'a key with the submit scope. ', h('a', { href: '#/jobs' }, 'Back to the jobs'), '.'));
    return null;
  }
  // the defaults shown, compared against and reset to are the server's
  await loadDefaults();
  const form = h('form.new-job', { novalidate: true, 'aria-labelledby': 'new-job-title' });
  container.append(h('div.page-head', h('h1', { id: 'new-job-title' }, 'New fine-tuning job')), form);

  // 1. data
  const training = datasetPicker({ role: 'training', label: 'Training dataset', required: true });
  const validation = datasetPicker({ role: 'validation', label: 'Validation dataset (optional)', required: false });
  form.append(h('section.card',
    h('h2', '1. Data'),
    h('p.hint', 'Upload a file (JSONL or a JSON array; chat, instruction/Alpaca, completion, ShareGPT, or plain .txt). ',
      'The platform checks every record before anything is stored and lists each bad one by line and field.'),
    training.element,
    validation.element));

  // 2. base model and method
  const modelSelect = h('select', { name: 'model', required: true }, h('option', { value: '' }, 'Loading base models…'));
  const methodInputs = METHODS.map((m) => h('input', { type: 'radio', name: 'method', value: m.value, checked: m.value === 'lora' }));
  const methodFieldset = h('fieldset.methods',
    h('legend', 'Method'),
    METHODS.map((m, i) => h('label.method-option',
      methodInputs[i],
      h('span.method-text', h('strong', m.label), h('span.hint', m.summary)))));
  form.append(h('section.card',
    h('h2', '2. Base model and method'),
    field('Base model', modelSelect, 'A Hugging Face-format checkpoint registered with the platform.'),
    methodFieldset));

  // 3. hyperparameters
  const controls = new Map();
  const presetButtons = PRESETS.map((p) => h('button.button.preset', {
    type: 'button', 'aria-describedby': `preset-${p.id}`, dataset: { preset: p.id },
    onclick: () => applyPreset(p),
  }, p.label));
  const presetHelp = h('ul.preset-help', PRESETS.map((p) => h('li', { id: `preset-${p.id}` }, h('strong', `${p.label}: `), p.description)));
  const errorsByParam = new Map();
  const paramsGrid = h('div.params-grid', HYPERPARAMETERS.map((p) => {
    const control = hyperparameterControl(p);
    controls.set(p.name, control);
    const error = h('p.field-error', { id: `${control.id}-error`, role: 'alert', hidden: true, dataset: { errorFor: p.name } });
    errorsByParam.set(p.name, error);
    const wrapper = h('div.field.param', { dataset: { param: p.name, methods: p.methods.join(' ') } },
      h('label', { for: control.id }, p.label, ' ', h('code.param-name', p.name)),
      control,
      error,
      h('p.hint', { id: `${control.id}-hint` }, h('span.default', `Default: ${formatDefault(p)}. `), p.hint));
    control.setAttribute('aria-describedby', `${control.id}-error ${control.id}-hint`);
    // checked as it is typed, by the API's own bounds
    control.addEventListener('input', () => showParamError(p.name, checkValue(p, control.value)));
    return wrapper;
  }));

  /** Shows (or, with no message, clears) the error under one hyperparameter's field. */
  function showParamError(name, message) {
    const error = errorsByParam.get(name);
    const control = controls.get(name);
    if (!error || !control) return;
    error.textContent = message || '';
    error.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }

  /** Every visible hyperparameter checked again; the names of those in error, in form order. */
  function checkAllParams() {
    const m = method();
    const bad = [];
    for (const p of HYPERPARAMETERS) {
      if (!p.methods.includes(m)) {
        showParamError(p.name, null);
        continue;
      }
      const message = checkValue(p, controls.get(p.name).value);
      showParamError(p.name, message);
      if (message) bad.push(p.name);
    }
    return bad;
  }
  const changedSummary = h('p.changed', { 'aria-live': 'polite' });
  form.append(h('section.card',
    h('h2', '3. Hyperparameters'),
    h('div.presets', { role: 'group', 'aria-label': 'Presets' }, h('span.presets-label', 'Presets:'), presetButtons),
    presetHelp,
    paramsGrid,
    h('div.actions', h('button.button.subtle', { type: 'button', onclick: () => applyPreset(PRESETS[0]) }, 'Reset all to defaults'),
      changedSummary)));

  // 4. where the result goes
  const segmentSelect = h('select', { name: 'segment' }, h('option', { value: 'default' }, 'default'));
  const suffix = h('input', { type: 'text', name: 'suffix', maxlength: 64, pattern: '[A-Za-z0-9_\\-]{1,64}', autocomplete: 'off', placeholder: 'e.g. support-v2' });
  // the suffix is checked as it is typed too, by the API's rule (CreateJobRequest: [A-Za-z0-9_-]{1,64})
  const suffixError = h('p.field-error', { role: 'alert', hidden: true, dataset: { errorFor: 'suffix' } });
  const checkSuffix = () => {
    const v = suffix.value.trim();
    const message = v && !/^[A-Za-z0-9_-]{1,64}$/.test(v) ? 'Only letters, digits, _ and - (up to 64).' : '';
    suffixError.textContent = message;
    suffixError.hidden = !message;
    if (message) suffix.setAttribute('aria-invalid', 'true');
    else suffix.removeAttribute('aria-invalid');
    return !message;
  };
  suffix.addEventListener('input', checkSuffix);
  form.append(h('section.card',
    h('h2', '4. Result'),
    field('Segment', segmentSelect, 'The customer segment this adapter is for. A succeeded job becomes a new version in that segment\'s registry.'),
    field('Suffix (optional)', suffix, 'Up to 64 letters, digits, _ or -; added to the adapter\'s name so you can tell runs apart.'),
    suffixError));

  const submit = h('button.button.primary', { type: 'submit' }, 'Start fine-tuning');
  const result = h('div.result', { 'aria-live': 'polite' });
  form.append(h('div.submit-bar', submit, result));

  // the same key for every submit of the same form: a double click or a retry makes one job
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener('input', () => {
    idempotencyKey = newIdempotencyKey();
    updateChanged();
  });
  form.addEventListener('change', () => {
    idempotencyKey = newIdempotencyKey();
    updateMethod();
    updateChanged();
  });

  function method() {
    return methodInputs.find((i) => i.checked)?.value || 'lora';
  }

  function updateMethod() {
    const m = method();
    for (const el of paramsGrid.querySelectorAll('.param')) el.hidden = !el.dataset.methods.split(' ').includes(m);
  }

  function values() {
    const out = {};
    for (const p of HYPERPARAMETERS) out[p.name] = readControl(p, controls.get(p.name));
    return out;
  }

  function changed() {
    const defaults = defaultsOf();
    const m = method();
    const v = values();
    return Object.fromEntries(HYPERPARAMETERS
      .filter((p) => p.methods.includes(m) && !sameValue(v[p.name], defaults[p.name]))
      .map((p) => [p.name, v[p.name]]));
  }

  function updateChanged() {
    const c = Object.keys(changed());
    changedSummary.textContent = c.length ? `Changed from the defaults: ${c.join(', ')}` : 'All hyperparameters at their defaults.';
  }

  function applyPreset(preset) {
    const v = { ...defaultsOf(), ...preset.values };
    for (const p of HYPERPARAMETERS) writeControl(p, controls.get(p.name), v[p.name]);
    if (preset.method) methodInputs.forEach((i) => { i.checked = i.value === preset.method; });
    idempotencyKey = newIdempotencyKey();
    updateMethod();
    updateChanged();
    checkAllParams();
    announce(`Preset ${preset.label} applied`);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    result.replaceChildren();
    const bad = checkAllParams();
    if (!checkSuffix()) bad.push('suffix');
    if (bad.length) {
      result.append(h('p.field-error', { role: 'alert' },
        `Fix the ${bad.length === 1 ? 'field' : `${bad.length} fields`} marked above before starting: ${bad.join(', ')}.`));
      (controls.get(bad[0]) || suffix).focus();
      return;
    }
    const trainingFile = training.value();
    if (!trainingFile) {
      result.append(h('p.field-error', { role: 'alert' }, 'Choose or upload a training dataset first.'));
      training.focus();
      return;
    }
    if (!modelSelect.value) {
      result.append(h('p.field-error', { role: 'alert' }, 'Choose a base model.'));
      modelSelect.focus();
      return;
    }
    const body = {
      model: modelSelect.value,
      training_file: trainingFile,
      validation_file: validation.value() || undefined,
      method: method(),
      hyperparameters: changed(),
      segment: segmentSelect.value || undefined,
      suffix: suffix.value.trim() || undefined,
    };
    submit.disabled = true;
    submit.textContent = 'Submitting…';
    try {
      const job = await api.createJob(body, idempotencyKey);
      announce('Job created');
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (problem) {
      result.append(problemBox(problem, { heading: 'The job was not created' }));
      markParam(problem);
    } finally {
      submit.disabled = false;
      submit.textContent = 'Start fine-tuning';
    }
  });

  /** Each field the API named (every entry of `errors`, else `param`) gets its message next to it; the first is focused. */
  function markParam(problem) {
    const ext = problem.extensions || {};
    const listed = Array.isArray(ext.errors) ? ext.errors.filter((x) => x && (x.param || x.field)) : [];
    const named = listed.length ? listed.map((x) => ({ param: x.param || x.field, message: x.message }))
      : ext.param || ext.field ? [{ param: ext.param || ext.field, message: problem.detail }] : [];
    let first = null;
    for (const { param, message } of named) {
      const name = String(param).replace(/^hyperparameters\./, '');
      const control = controls.get(name) || form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!control) continue;
      if (controls.has(name)) showParamError(name, message);
      else if (name === 'suffix') {
        suffixError.textContent = message || 'Refused by the platform.';
        suffixError.hidden = false;
        control.setAttribute('aria-invalid', 'true');
      } else control.setAttribute('aria-invalid', 'true');
      control.closest('.param')?.removeAttribute('hidden');
      first = first || control;
    }
    first?.focus();
  }

  updateMethod();
  updateChanged();

  // lists the form needs; each failure is shown where it matters, the form stays usable
  const [models, segments] = await Promise.allSettled([api.listBaseModels(), api.listSegments()]);
  if (models.status === 'fulfilled') {
    const items = page(models.value).items;
    clear(modelSelect, items.length ? null : h('option', { value: '' }, 'No base models registered'),
      items.map((m, i) => h('option', { value: m.name ?? m.id, selected: i === 0 },
        m.name ?? m.id, modelNote(m))));
  } else {
    clear(modelSelect, h('option', { value: '' }, 'Base models could not be loaded'));
    modelSelect.after(problemBox(models.reason, { heading: 'Base models' }));
  }
  if (segments.status === 'fulfilled') {
    const items = page(segments.value).items;
    if (items.length) clear(segmentSelect, items.map((s) => h('option', { value: s.name, selected: s.name === 'default' }, s.name)));
  }
  const from = query?.get('from');
  if (from) await cloneFrom(from);

  /** Fills the form from an earlier job (#/new?from=<job id>): data, model, method, every hyperparameter, segment. */
  async function cloneFrom(jobId) {
    const note = h('div.clone-note', { 'aria-live': 'polite' });
    form.before(note);
    try {
      const job = await api.getJob(jobId);
      const datasets = await Promise.allSettled([job.training_file, job.validation_file]
        .map((d) => (d ? api.getDataset(d) : Promise.resolve(null))));
      if (datasets[0].status === 'fulfilled' && datasets[0].value) training.choose(datasets[0].value);
      if (datasets[1].status === 'fulfilled' && datasets[1].value) validation.choose(datasets[1].value);
      if ([...modelSelect.options].some((o) => o.value === job.model)) modelSelect.value = job.model;
      methodInputs.forEach((i) => { i.checked = i.value === job.method; });
      const hp = job.hyperparameters || {};
      for (const p of HYPERPARAMETERS) if (p.name in hp) writeControl(p, controls.get(p.name), hp[p.name]);
      if (job.segment && [...segmentSelect.options].some((o) => o.value === job.segment)) segmentSelect.value = job.segment;
      suffix.value = job.suffix ?? '';
      idempotencyKey = newIdempotencyKey();
      updateMethod();
      updateChanged();
      checkAllParams();
      clear(note, h('p.notice', { role: 'status' }, 'Cloned from job ',
        h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, title: job.id }, job.suffix || job.id.slice(0, 8)),
        ': its data, base model, method, hyperparameters and segment. Change what you want, then start.'));
    } catch (problem) {
      clear(note, problemBox(problem, { heading: `Job ${jobId} could not be cloned` }));
    }
  }
  return () => {
    training.dispose();
    validation.dispose();
  };
}

function modelNote(m) {
  const c = m.config || {};
  const parts = [c.model_type, c.num_hidden_layers ? `${c.num_hidden_layers} layers` : null,
    c.hidden_size ? `hidden ${c.hidden_size}` : null, m.scope === 'global' ? 'shared' : null].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

let controlSeq = 0;

function hyperparameterControl(p) {
  const id = `hp-${p.name}-${++controlSeq}`;
  switch (p.type) {
    case 'bool':
      return h('input', { type: 'checkbox', id, name: p.name, checked: p.default });
    case 'choice':
      return h('select', { id, name: p.name }, p.choices.map((c) => h('option', { value: c, selected: c === p.default }, c)));
    case 'modules':
      return h('input', { type: 'text', id, name: p.name, value: p.default.join(', '), autocomplete: 'off' });
    default:
      return h('input', {
        type: 'number', id, name: p.name, inputmode: p.type === 'float' ? 'decimal' : 'numeric',
        min: p.min, max: p.max, step: p.step || 1, value: p.default ?? '', placeholder: p.default === null ? 'none' : null,
      });
  }
}

function readControl(p, el) {
  switch (p.type) {
    case 'bool':
      return el.checked;
    case 'choice':
      return el.value;
    case 'modules': {
      const text = el.value.trim();
      if (text === 'all-linear') return 'all-linear';
      return text.split(/[\s,]+/).filter(Boolean);
    }
    case 'optional-int':
      return el.value === '' ? null : Number(el.value);
    default:
      return el.value === '' ? p.default : Number(el.value);
  }
}

function writeControl(p, el, v) {
  if (p.type === 'bool') el.checked = !!v;
  else if (p.type === 'modules') el.value = Array.isArray(v) ? v.join(', ') : v;
  else el.value = v === null || v === undefined ? '' : v;
}
