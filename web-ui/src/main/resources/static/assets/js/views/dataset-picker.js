// Chooses a dataset for a job: one already uploaded, or a new file that is uploaded and
// validated right here, showing the API's verdict (every bad record by line and field) before
// the job can be submitted.

import { api, page } from '../api.js';
import { announce, clear, formatBytes, formatNumber, h, problemBox } from '../dom.js';

const FORMATS = ['chat', 'instruction', 'completion', 'sharegpt', 'text'];

/** The top-level keys each format reads, the ones a field mapping can rename (dataset-formats' FieldMapping). */
const MAPPABLE = {
  completion: [['prompt', 'the prompt (user turn)'], ['completion', 'the answer (assistant turn)']],
  instruction: [['instruction', 'the instruction'], ['input', 'its input (optional)'], ['output', 'the answer'], ['system', 'a system prompt (optional)']],
  chat: [['messages', 'the list of {role, content} messages'], ['tools', 'tool definitions (optional)']],
  sharegpt: [['conversations', 'the list of {from, value} turns'], ['system', 'a system prompt (optional)'], ['tools', 'tool definitions (optional)']],
  text: [['text', 'the text']],
};
const PREVIEW_RECORDS = 3;
const PREVIEW_BYTES = 256 * 1024;

export function datasetPicker({ role, label, required }) {
  const select = h('select', { id: `dataset-${role}`, name: `${role}_file`, required },
    h('option', { value: '' }, required ? 'Choose a dataset…' : 'None (split from the training set)'));
  const file = h('input', { type: 'file', id: `upload-${role}`, name: `upload-${role}`, accept: '.json,.jsonl,.txt,application/json,text/plain' });
  const format = h('select', { id: `format-${role}`, name: `format-${role}` },
    h('option', { value: '' }, 'Detect from the records'),
    FORMATS.map((f) => h('option', { value: f }, f)));
  const upload = h('button.button', { type: 'button', disabled: true }, 'Upload and validate');
  const result = h('div.upload-result', { 'aria-live': 'polite', id: `upload-result-${role}` });
  const mappingBox = h('fieldset.field-mapping', { hidden: true, dataset: { role } });
  const mappingInputs = new Map();
  let sampleRecords = [];
  let disposed = false;

  file.addEventListener('change', async () => {
    upload.disabled = !file.files.length;
    result.replaceChildren();
    sampleRecords = file.files.length ? await firstRecords(file.files[0]) : [];
    drawMapping();
  });
  format.addEventListener('change', drawMapping);

  /**
   * The mapping control: for the chosen format, which of the records' keys holds each field, with
   * the keys of the file's first record to pick from and a preview of its first records mapped.
   */
  function drawMapping() {
    const f = format.value;
    const keys = [...new Set(sampleRecords.flatMap((r) => (r && typeof r === 'object' && !Array.isArray(r) ? Object.keys(r) : [])))];
    const isText = file.files[0]?.name?.toLowerCase().endsWith('.txt');
    mappingInputs.clear();
    if (!file.files.length || isText) {
      mappingBox.hidden = true;
      mappingBox.replaceChildren();
      return;
    }
    mappingBox.hidden = false;
    if (!f) {
      const known = keys.some((k) => Object.values(MAPPABLE).flat().some(([field]) => field === k));
      clear(mappingBox, h('legend', 'Field mapping'),
        h('p.hint', keys.length ? `The first record's keys: ${keys.join(', ')}. ` : '',
          known ? 'The format is detected from them. ' : 'None of them is a key the platform knows: ',
          'choose a format above to map your keys onto its fields.'));
      return;
    }
    const listId = `mapping-keys-${role}`;
    const rows = MAPPABLE[f].map(([field, what]) => {
      const input = h('input', {
        type: 'text', name: `map-${field}`, id: `map-${role}-${field}`, list: listId, autocomplete: 'off',
        placeholder: field, value: keys.includes(field) ? '' : guess(field, keys),
      });
      input.addEventListener('input', drawPreview);
      mappingInputs.set(field, input);
      return h('div.field.mapping-row', h('label', { for: input.id }, h('code', field), ` — ${what}`), input);
    });
    clear(mappingBox, h('legend', 'Field mapping (optional)'),
      h('p.hint', 'Which key of your records holds each field. Empty: the field\'s own name. ',
        keys.length ? `The first record's keys: ${keys.join(', ')}.` : ''),
      h('datalist', { id: listId }, keys.map((k) => h('option', { value: k }))),
      h('div.mapping-grid', rows),
      h('div.mapping-preview', { 'aria-live': 'polite' }));
    drawPreview();
  }

  /** The mapped first records, as the platform will read them (the upload's verdict still decides). */
  function drawPreview() {
    const box = mappingBox.querySelector('.mapping-preview');
    if (!box) return;
    const f = format.value;
    const m = mapping();
    const key = (field) => m[field] ?? field;
    const shown = sampleRecords.slice(0, PREVIEW_RECORDS).map((r, i) => {
      const turns = [];
      const text = (v) => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));
      if (f === 'completion') turns.push(['user', text(r?.[key('prompt')])], ['assistant', text(r?.[key('completion')])]);
      else if (f === 'instruction') {
        if (r?.[key('system')]) turns.push(['system', text(r[key('system')])]);
        const input = text(r?.[key('input')]);
        turns.push(['user', [text(r?.[key('instruction')]), input].filter(Boolean).join('\n\n') || null], ['assistant', text(r?.[key('output')])]);
      } else if (f === 'text') turns.push(['text', text(r?.[key('text')])]);
      else {
        const list = r?.[key(f === 'chat' ? 'messages' : 'conversations')];
        if (Array.isArray(list)) for (const t of list) turns.push([t?.role ?? t?.from ?? '?', text(t?.content ?? t?.value)]);
        else turns.push(['?', null]);
      }
      return h('li.mapped-record', { dataset: { record: i + 1 } }, h('ol.turns', turns.map(([who, content]) =>
        h('li', h('strong', `${who}: `), content === null ? h('span.field-error', 'missing') : clip(content)))));
    });
    clear(box, h('h4', `The first ${shown.length} record${shown.length === 1 ? '' : 's'} as mapped`),
      shown.length ? h('ol.mapped-records', shown) : h('p.hint', 'No record could be read from the start of the file.'));
  }

  /** The mapping typed in: field → key, only where a key other than the field's own name is given. */
  function mapping() {
    const out = {};
    for (const [field, input] of mappingInputs) {
      const v = input.value.trim();
      if (v && v !== field) out[field] = v;
    }
    return out;
  }
  upload.addEventListener('click', async () => {
    const f = file.files[0];
    if (!f) return;
    upload.disabled = true;
    upload.textContent = 'Validating…';
    result.replaceChildren(h('p.loading', { role: 'status' }, `Uploading ${f.name} (${formatBytes(f.size)}) and checking every record…`));
    try {
      const m = mapping();
      const dataset = await api.uploadDataset(f, { name: f.name, format: format.value || undefined,
        fieldMapping: Object.keys(m).length ? m : undefined });
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
    mappingBox,
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

/** A likely key of the records for a field, e.g. question for prompt, answer for completion. */
function guess(field, keys) {
  const like = {
    prompt: ['question', 'query', 'input', 'instruction', 'source'],
    completion: ['answer', 'response', 'output', 'target', 'solution'],
    instruction: ['question', 'prompt', 'query'],
    output: ['answer', 'response', 'completion', 'solution'],
    text: ['content', 'body', 'document'],
    messages: ['conversation', 'chat', 'dialog'],
    conversations: ['conversation', 'messages', 'dialog'],
  }[field] || [];
  return like.find((k) => keys.includes(k)) ?? '';
}

/** The first records of a JSON Lines file or a JSON array, from its start only (what the preview needs). */
async function firstRecords(f) {
  try {
    const text = await f.slice(0, PREVIEW_BYTES).text();
    const start = text.trimStart();
    if (start.startsWith('[')) {
      try {
        return JSON.parse(start).slice(0, PREVIEW_RECORDS);
      } catch {
        // cut off inside the array: take the complete objects before the cut
        const out = [];
        let depth = 0;
        let from = -1;
        let inString = false;
        for (let i = 1; i < start.length && out.length < PREVIEW_RECORDS; i++) {
          const c = start[i];
          if (inString) {
            if (c === '\\') i++;
            else if (c === '"') inString = false;
          } else if (c === '"') inString = true;
          else if (c === '{') {
            if (depth++ === 0) from = i;
          } else if (c === '}' && --depth === 0) {
            try { out.push(JSON.parse(start.slice(from, i + 1))); } catch { /* skip it */ }
          }
        }
        return out;
      }
    }
    return text.split('\n').filter((l) => l.trim()).slice(0, PREVIEW_RECORDS).map((l) => {
      try { return JSON.parse(l); } catch { return null; }
    }).filter(Boolean);
  } catch {
    return [];
  }
}

function clip(text) {
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

function datasetSummary(d) {
  const mapped = Object.entries(d.field_mapping || {});
  return h('section.success', { 'data-dataset-id': d.id },
    h('h3', `✓ ${d.name} is valid`),
    h('dl.facts',
      h('dt', 'Format'), h('dd', d.format ?? '—'),
      mapped.length ? [h('dt', 'Field mapping'), h('dd', mapped.map(([field, key]) => `${field} ← ${key}`).join(', '))] : null,
      h('dt', 'Records'), h('dd', formatNumber(d.rows)),
      h('dt', 'Estimated tokens'), h('dd', formatNumber(d.estimated_tokens)),
      h('dt', 'Size'), h('dd', formatBytes(d.bytes ?? d.size_bytes)),
      h('dt', 'SHA-256'), h('dd', h('code.hash', d.sha256 ?? '—'))),
    h('p', h('a', { href: `#/datasets/${encodeURIComponent(d.id)}` }, 'Preview its records as the platform reads them')));
}
