// Datasets of the tenant: the list (name, format, records, tokens, size, field mapping, age), and
// one dataset's page: its stats, its first records as the platform reads them (format and field
// mapping applied), the jobs that use it, download, and delete (refused by the API while a job
// that has not finished uses it). Uploading is on the New job page, next to the form that uses it.

import { api, page, session } from '../api.js';
import { announce, clear, empty, formatBytes, formatNumber, h, loading, problemBox, shortId, timeAgo } from '../dom.js';
import { downloadLink } from '../downloads.js';

export async function renderDatasets(container, id) {
  return id ? renderDataset(container, id) : renderList(container);
}

async function renderList(container) {
  const list = h('div', { 'aria-live': 'polite', 'aria-busy': 'true' }, loading('Loading datasets…'));
  const more = h('div.actions');
  container.append(
    h('div.page-head', h('h1', 'Datasets'),
      session.can('submit') ? h('a.button.primary', { href: '#/new' }, 'Upload on the New job page') : null),
    h('p', 'Every file was checked record by record when it was uploaded. Open one to see its first records as training reads them.'),
    list, more);
  let items = [];
  async function load(after) {
    const p = page(await api.listDatasets({ after, limit: 50 }));
    items = items.concat(p.items);
    list.setAttribute('aria-busy', 'false');
    clear(list, items.length ? datasetTable(items)
      : empty('No datasets yet.', session.can('submit') ? [h('a', { href: '#/new' }, 'Upload one'), ' on the New job page.'] : null));
    clear(more, p.next ? h('button.button', { type: 'button', onclick: () => load(p.next).catch(show) }, 'Load more') : null);
  }
  function show(problem) {
    list.setAttribute('aria-busy', 'false');
    clear(list, problemBox(problem, { heading: 'Datasets could not be loaded' }));
  }
  await load().catch(show);
  return null;
}

function datasetTable(items) {
  return h('div.table-wrap', h('table.datasets.responsive',
    h('caption.visually-hidden', 'Datasets, newest first'),
    h('thead', h('tr', ['Name', 'Format', 'Records', 'Est. tokens', 'Size', 'Field mapping', 'Uploaded']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', items.map((d) => h('tr', { dataset: { datasetId: d.id } },
      h('td', { 'data-label': 'Name' }, h('a', { href: `#/datasets/${encodeURIComponent(d.id)}`, title: d.id }, d.name)),
      h('td', { 'data-label': 'Format' }, d.format ?? '—'),
      h('td.num', { 'data-label': 'Records' }, formatNumber(d.rows)),
      h('td.num', { 'data-label': 'Est. tokens' }, formatNumber(d.estimated_tokens)),
      h('td.num', { 'data-label': 'Size' }, formatBytes(d.bytes)),
      h('td', { 'data-label': 'Field mapping' }, mappingText(d)),
      h('td', { 'data-label': 'Uploaded' }, timeAgo(d.created_at)))))));
}

function mappingText(d) {
  const entries = Object.entries(d.field_mapping || {});
  return entries.length ? entries.map(([field, key]) => `${field} ← ${key}`).join(', ') : 'standard keys';
}

async function renderDataset(container, id) {
  container.append(h('p.back', h('a', { href: '#/datasets' }, '← All datasets')), loading('Loading the dataset…'));
  let preview;
  try {
    preview = await api.previewDataset(id, { limit: 5 });
  } catch (problem) {
    clear(container, h('p.back', h('a', { href: '#/datasets' }, '← All datasets')),
      problemBox(problem, { heading: `Dataset ${shortId(id)}` }));
    return null;
  }
  const d = preview.dataset;
  document.title = `${d.name} · Datasets · Fine-tuning dashboard`;
  const actions = h('div.actions');
  const used = preview.unfinished_jobs + preview.finished_jobs;
  clear(container,
    h('p.back', h('a', { href: '#/datasets' }, '← All datasets')),
    h('div.page-head', h('h1', { title: d.id }, d.name), actions),
    h('section.card', h('h2', 'About'),
      h('dl.facts',
        h('dt', 'Id'), h('dd', h('code', d.id)),
        h('dt', 'Format'), h('dd', d.format ?? '—'),
        h('dt', 'Field mapping'), h('dd', mappingText(d)),
        h('dt', 'Records'), h('dd', formatNumber(d.rows)),
        h('dt', 'Estimated tokens'), h('dd', formatNumber(d.estimated_tokens)),
        h('dt', 'Size'), h('dd', formatBytes(d.bytes)),
        h('dt', 'SHA-256'), h('dd', h('code.hash', d.sha256)),
        h('dt', 'Uploaded'), h('dd', timeAgo(d.created_at)),
        h('dt', 'Used by'), h('dd', used ? `${used} job${used === 1 ? '' : 's'} (${preview.unfinished_jobs} not finished)` : 'no job yet')),
      h('p', downloadLink({ url: `api/v1/datasets/${encodeURIComponent(d.id)}/content`, path: d.name }))),
    h('section.card', h('h2', `The first ${preview.records.length} records, as training reads them`),
      preview.records.length ? h('ol.preview-records', preview.records.map((r, i) => h('li.preview-record', { dataset: { record: i + 1, line: r.line } },
        h('p.muted', `Record ${i + 1}, line ${r.line}`),
        h('ol.turns', r.turns.map((t) => h('li', { dataset: { role: t.role } }, h('strong', `${t.role}: `), t.content,
          t.truncated ? h('span.muted', ' … (cut here)') : null))))))
        : empty('No records.')));
  if (session.can('submit')) actions.append(deleteControl(d, preview.unfinished_jobs));
  return null;
}

function deleteControl(d, unfinished) {
  const box = h('div.inline-confirm');
  const ask = h('button.button.danger', { type: 'button' }, 'Delete…');
  ask.addEventListener('click', () => {
    const yes = h('button.button.danger', { type: 'button' }, 'Yes, delete it');
    const no = h('button.button.subtle', { type: 'button' }, 'Keep');
    clear(box, h('span', unfinished ? `${unfinished} unfinished job(s) use it: the platform will refuse. ` : '',
      `Delete ${d.name}? Its file is removed from storage.`), yes, no);
    yes.focus();
    no.addEventListener('click', () => { clear(box, ask); ask.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await api.deleteDataset(d.id);
        announce(`${d.name} deleted`);
        location.hash = '#/datasets';
      } catch (problem) {
        clear(box, problemBox(problem, { heading: 'Not deleted' }), ask);
      }
    });
  });
  box.append(ask);
  return box;
}
