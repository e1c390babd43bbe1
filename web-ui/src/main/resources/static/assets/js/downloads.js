// File links that download instead of navigating away from the dashboard.
//
// A presigned object-store URL is a plain link: the store answers it with
// `Content-Disposition: attachment`, and `download` names the file where the browser honours it
// (same-origin links only). A URL of the API itself (the local platform streams files through the
// API) needs the API key, which a link cannot send: the click fetches it with the key and saves
// the bytes from a Blob. The key only ever goes to the API (`isApiUrl`).

import { api, isApiUrl } from './api.js';
import { h, problemBox } from './dom.js';

/**
 * A link that downloads one file. `url` is what the API listed (presigned, or the API's own
 * streaming endpoint), or null; then `fetchFile()` gets the bytes.
 */
export function downloadLink({ url, path, fetchFile }) {
  const name = path.split('/').pop();
  if (url && !isApiUrl(url)) {
    return h('a', { href: url, download: name, rel: 'noopener noreferrer' }, path);
  }
  const link = h('a', { href: url || '#', download: name }, path);
  const fetchBytes = url ? () => api.downloadUrl(url) : fetchFile;
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    if (link.getAttribute('aria-busy') === 'true') return;
    link.setAttribute('aria-busy', 'true');
    if (link.nextElementSibling?.classList.contains('problem')) link.nextElementSibling.remove();
    try {
      saveBlob(await fetchBytes(), name);
    } catch (problem) {
      link.after(problemBox(problem, { heading: `Download of ${path}` }));
    } finally {
      link.removeAttribute('aria-busy');
    }
  });
  return link;
}

/** Hands a Blob to the browser as a file download named `name`. */
export function saveBlob(blob, name) {
  const href = URL.createObjectURL(blob);
  const a = h('a', { href, download: name, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(href);
    a.remove();
  }, 1000);
}
