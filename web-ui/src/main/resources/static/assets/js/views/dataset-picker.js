// Chooses a dataset for a job: one already uploaded, or a new file that is uploaded and
// validated right here, showing the API's verdict (every bad record by line and field) before
// the job can be submitted.

import { api, page } from '../api.js';
import { announce, formatBytes, formatNumber, h, problemBox } from '../dom.js';

const FORMATS = ['chat', 'instruction', 'completion', 'sharegpt', 'text'];

export function datasetPicker({ role, label, required }) {
  const select = h('select', { id: `dataset-${role}`, name: `${role}_file`, required },
    h('option', { value: '' }, required ? 'Choose a dataset…' : 'None (split from the training set)'));
  const file = h('input', { type: 'file', id: `upload-${role}`, name: `upload-${role}`, accept: '.json,.jsonl,.txt,application/json,text/plain' });
  const format = h('select', { id: `format-${role}`, name: `format-${role}` },
    h('option', { value: '' }, 'Detect from the records'),
    FORMATS.map((f) => h('option', { value: f }, f)));
  const upload = h('button.button', { type: 'button', disabled: true }, 'Upload and validate');
  const result = h('div.upload-result', { 'aria-live': 'polite', id: `upload-result-${role}` });
  let disposed = false;

  file.addEventListener('change', () => {
    upload.disabled = !file.files.length;
    result.replaceChildren();
  });
  upload.addEventListener('click', async () => {
    const f = file.files[0];
    if (!f) return;
    upload.disabled = true;
    upload.textContent = 'Validating…';
    result.replaceChildren(h('p.loading', { role: 'status' }, `Uploading ${f.name} (${formatBytes(f.size)}) and checking every record…`));
    try {
      const dataset = await api.uploadDataset(f, { name: f.name, format: format.value || undefined });
      if (disposed) return;
      addOption(dataset, true);
      result.replaceChildren(datasetSummary(dataset));
      announce(`${f.name} is valid: ${dataset.rows ?? 'its'} records accepted`);
    } catch (problem) {
      if (disposed) return;
      result.replaceChildren(problemBox(problem, { heading: `${f.name} was not accepted` }));
      const count = problem.extensions?.errors?.length;
      announce(`${f.name} was rejected${count ? ` with ${count} listed problems` : ''}`);
    } finally {
      upload.disabled = !file.files.length;
      upload.textContent = 'Upload and validate';
    }
  });

  function addOption(d, selected) {
    const existing = [...select.options].find((o) => o.value === d.id);
    const text = `${d.name} · ${d.format ?? '?'} · ${d.rows ?? '?'} rows`;
    const option = existing || h('option', { value: d.id }, text);
    if (!existing) select.append(option);
    if (selected) select.value = d.id;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }

  api.listDatasets().then((body) => {
    if (disposed) return;
    for (const d of page(body).items) {
      if (!d.status || d.status === 'valid') {
        const option = h('option', { value: d.id }, `${d.name} · ${d.format ?? '?'} · ${d.rows ?? '?'} rows`);
        select.append(option);
      }
    }
  }).catch(() => { /* uploading still works */ });

  const element = h('fieldset.dataset-picker', { dataset: { role } },
    h('legend', label),
    h('div.field', h('label', { for: select.id }, 'Uploaded datasets'), select),
    h('div.upload-row',
      h('div.field', h('label', { for: file.id }, 'Or upload a file'), file),
      h('div.field', h('label', { for: format.id }, 'Format'), format),
      h('div.field.upload-button', upload)),
    result);

  return {
    element,
    /** Selects a dataset by id (added to the list when it is not among the first page). */
    choose: (d) => addOption(d, true),
    value: () => select.value || null,
    focus: () => select.focus(),
    dispose: () => { disposed = true; },
  };
}

function datasetSummary(d) {
  return h('section.success', { 'data-dataset-id': d.id },
    h('h3', `✓ ${d.name} is valid`),
    h('dl.facts',
      h('dt', 'Format'), h('dd', d.format ?? '—'),
      h('dt', 'Records'), h('dd', formatNumber(d.rows)),
      h('dt', 'Estimated tokens'), h('dd', formatNumber(d.estimated_tokens)),
      h('dt', 'Size'), h('dd', formatBytes(d.bytes ?? d.size_bytes)),
      h('dt', 'SHA-256'), h('dd', h('code.hash', d.sha256 ?? '—'))));
}
