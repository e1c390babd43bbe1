// Every call the dashboard makes to the platform. It talks only to the public REST API
// (/api/v1, JSON snake_case, RFC 9457 problems) with the signed-in user's API key; paths live
// here and nowhere else, so aligning them with the server is a change to this file alone.

const KEY_STORAGE = 'finetune.apiKey';
const SCOPES_STORAGE = 'finetune.scopes';
// Relative to the page, so the dashboard also works behind a path prefix.
const BASE = 'api/v1';

/** The API key of this browser tab (sessionStorage: gone when the tab closes). */
export const session = {
  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  /**
   * @param scopes what the key may do, as `GET /api-keys/self` lists it in `can` (implied scopes
   *     included); null when the server did not say, and then every control is offered
   */
  signIn(key, scopes) {
    sessionStorage.setItem(KEY_STORAGE, key.trim());
    if (scopes) sessionStorage.setItem(SCOPES_STORAGE, JSON.stringify(scopes));
    else sessionStorage.removeItem(SCOPES_STORAGE);
  },
  signOut() {
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(SCOPES_STORAGE);
  },
  /** The key's scopes (read, submit, admin, implied ones included), or null when unknown. */
  get scopes() {
    try {
      return JSON.parse(sessionStorage.getItem(SCOPES_STORAGE) || 'null');
    } catch {
      return null;
    }
  },
  /**
   * Whether the key may do what `scope` allows: the dashboard shows a write control only when
   * this is true, so a read-only key never fills in a form the API will refuse. The API still
   * checks every call; this only spares the user.
   */
  can(scope) {
    const scopes = this.scopes;
    return !scopes || scopes.includes(scope);
  },
  /** The visible part of a key, `ftk_abcd1234`, never the secret. */
  get prefix() {
    const key = this.key;
    if (!key) return null;
    const m = /^(ftk_[A-Za-z0-9]+)_/.exec(key);
    return m ? m[1] : 'ftk_…';
  },
};

/**
 * An RFC 9457 problem (or a network failure dressed as one) with the API's own words:
 * `title`, `detail`, `status`, `type` and every extension member (`errors`, `param`, ...).
 */
export class ApiProblem extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' ? body : {};
    super(b.detail || b.title || `HTTP ${status}`);
    this.status = status;
    this.type = b.type || null;
    this.title = b.title || (status ? `HTTP ${status}` : 'The API cannot be reached');
    this.detail = b.detail || null;
    this.body = b;
  }

  /** Extension members: everything but the standard five. */
  get extensions() {
    const { type, title, status, detail, instance, ...rest } = this.body;
    return rest;
  }

  /** The type's last path segment, e.g. `invalid-dataset`, `promotion-blocked`. */
  get kind() {
    return this.type ? this.type.replace(/\/+$/, '').split('/').pop() : null;
  }
}

/** Fired on window when the API answers 401, so the app can ask for a key again. */
export const UNAUTHENTICATED_EVENT = 'finetune:unauthenticated';

function url(path, query) {
  const u = new URL(`${BASE}${path}`, document.baseURI);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  }
  return u;
}

function authHeaders(extra) {
  const headers = new Headers(extra || {});
  const key = session.key;
  if (key) headers.set('Authorization', `Bearer ${key}`);
  return headers;
}

async function problemFrom(response) {
  let body = null;
  const type = response.headers.get('Content-Type') || '';
  try {
    if (type.includes('json')) body = await response.json();
    else {
      const text = await response.text();
      body = { detail: text && text.length < 500 ? text : null };
    }
  } catch {
    body = null;
  }
  if (response.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT));
  return new ApiProblem(response.status, body);
}

async function request(method, path, { query, json, body, headers, signal, key } = {}) {
  const h = authHeaders(headers);
  if (key) h.set('Authorization', `Bearer ${key}`);
  h.set('Accept', 'application/json, application/problem+json');
  let payload = body;
  if (json !== undefined) {
    h.set('Content-Type', 'application/json');
    payload = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(url(path, query), { method, headers: h, body: payload, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiProblem(0, { title: 'The API cannot be reached', detail: `${method} ${BASE}${path}: ${e.message}` });
  }
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** A list page as the API shapes it: `{data, has_more, last_id}`; the registry's `{items, next_cursor}` too. */
export function page(body) {
  if (Array.isArray(body)) return { items: body, next: null };
  const items = body?.data ?? body?.items ?? [];
  let next = null;
  if (body?.next_cursor) next = body.next_cursor;
  else if (body?.has_more) next = body.last_id ?? items.at(-1)?.id ?? null;
  return { items, next };
}

const seg = encodeURIComponent;

/**
 * Whether `href` is a URL of this API (the same origin and under `api/v1/`), i.e. one that needs
 * the key. A presigned object-store URL is not: it carries its own signature, and the key must
 * never be sent anywhere but the API.
 */
export function isApiUrl(href) {
  try {
    const target = new URL(href, document.baseURI);
    const base = new URL(`${BASE}/`, document.baseURI);
    return target.origin === base.origin && target.pathname.startsWith(base.pathname);
  } catch {
    return false;
  }
}

/** GET with the key, as a Blob; a problem from the API is thrown as an ApiProblem. */
async function fetchBlob(target) {
  let response;
  try {
    response = await fetch(target, { headers: authHeaders(), cache: 'no-store' });
  } catch (e) {
    throw new ApiProblem(0, { title: 'The API cannot be reached', detail: `GET ${target.pathname}: ${e.message}` });
  }
  if (!response.ok) throw await problemFrom(response);
  return response.blob();
}

/** UUID v4; `crypto.randomUUID` exists only on https or localhost, getRandomValues everywhere. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const api = {
  /** Checks a key before it is kept: any read the key's scopes allow. */
  checkKey: (key) => request('GET', '/segments', { key }),
  /** The key's own prefix and scopes (`can`: every scope it holds, implied ones included); needs no scope. */
  keySelf: (key) => request('GET', '/api-keys/self', { key }),

  // segments
  listSegments: () => request('GET', '/segments'),

  // fine-tuning jobs
  listJobs: ({ status, segment, after, limit = 20 } = {}) =>
    request('GET', '/fine-tuning/jobs', { query: { status, segment, after, limit } }),
  getJob: (id) => request('GET', `/fine-tuning/jobs/${seg(id)}`),
  createJob: (body, idempotencyKey) =>
    request('POST', '/fine-tuning/jobs', { json: body, headers: { 'Idempotency-Key': idempotencyKey } }),
  hyperparameterDefaults: () => request('GET', '/fine-tuning/hyperparameters'),
  /** Each hyperparameter's type, minimum/maximum (or exclusive_*), nullable and choices, as the API checks them. */
  hyperparameterBounds: () => request('GET', '/fine-tuning/hyperparameters/bounds'),
  cancelJob: (id) => request('POST', `/fine-tuning/jobs/${seg(id)}/cancel`),
  jobEvents: (id, { after, limit = 200 } = {}) =>
    request('GET', `/fine-tuning/jobs/${seg(id)}/events`, { query: { after, limit } }),
  jobMetrics: (id, { after } = {}) => request('GET', `/fine-tuning/jobs/${seg(id)}/metrics`, { query: { after } }),
  jobCheckpoints: (id) => request('GET', `/fine-tuning/jobs/${seg(id)}/checkpoints`),
  jobEventStreamUrl: (id) => url(`/fine-tuning/jobs/${seg(id)}/events`),

  // datasets
  /** @param fieldMapping standard field name → the records' key, e.g. {prompt: 'question', completion: 'answer'} */
  uploadDataset: (file, { name, format, fieldMapping } = {}) => {
    const form = new FormData();
    if (name) form.append('name', name);
    if (format) form.append('format', format);
    if (fieldMapping) form.append('field_mapping', JSON.stringify(fieldMapping));
    form.append('file', file, file.name);
    return request('POST', '/datasets', { body: form });
  },
  listDatasets: ({ after, limit = 100 } = {}) => request('GET', '/datasets', { query: { after, limit } }),
  getDataset: (id) => request('GET', `/datasets/${seg(id)}`),
  /** The first records as the platform reads them (field mapping applied), and the dataset's stats. */
  previewDataset: (id, { limit = 5 } = {}) => request('GET', `/datasets/${seg(id)}/preview`, { query: { limit } }),
  deleteDataset: (id) => request('DELETE', `/datasets/${seg(id)}`),

  // segments
  createSegment: (name) => request('POST', '/segments', { json: { name } }),

  // base models
  listBaseModels: () => request('GET', '/base-models'),

  // API keys
  listKeys: () => request('GET', '/api-keys'),
  createKey: ({ name, scopes }) => request('POST', '/api-keys', { json: { name, scopes } }),
  revokeKey: (id) => request('DELETE', `/api-keys/${seg(id)}`),

  // model registry: one adapter repository per segment
  listRepositories: () => request('GET', '/registry/repositories'),
  getRepository: (segment) => request('GET', `/registry/repositories/${seg(segment)}`),
  /** Gate settings and description (admin): `{description, gate: {rule, max_eval_loss, task_metric, gated_aliases}}`. */
  configureRepository: (segment, { description, gate }) =>
    request('PUT', `/registry/repositories/${seg(segment)}`, { json: { description: description ?? null, gate } }),
  listVersions: (segment, { after, limit = 50 } = {}) =>
    request('GET', `/registry/repositories/${seg(segment)}/versions`, { query: { after, limit } }),
  getVersion: (segment, n) => request('GET', `/registry/repositories/${seg(segment)}/versions/${n}`),
  versionFiles: (segment, n) => request('GET', `/registry/repositories/${seg(segment)}/versions/${n}/files`),
  compareVersions: (segment, a, b) =>
    request('GET', `/registry/repositories/${seg(segment)}/compare`, { query: { a, b } }),
  aliasHistory: (segment) => request('GET', `/registry/repositories/${seg(segment)}/audit`),
  promote: (segment, alias, { version, force, reason }) =>
    request('PUT', `/registry/repositories/${seg(segment)}/aliases/${seg(alias)}`, {
      json: { version, force: !!force, reason: reason || null },
    }),
  rollback: (segment, alias, reason) =>
    request('POST', `/registry/repositories/${seg(segment)}/aliases/${seg(alias)}/rollback`, { json: { reason } }),
  /** The on-demand task evaluations of one version (a plain array, newest last). */
  listTaskEvaluations: (segment, n) =>
    request('GET', `/registry/repositories/${seg(segment)}/versions/${n}/task-evaluations`),
  /** Queues a task evaluation of a version on one of the tenant's datasets (202; a worker runs it). */
  requestTaskEvaluation: (segment, n, { dataset, max_examples, max_new_tokens, extractor }) =>
    request('POST', `/registry/repositories/${seg(segment)}/versions/${n}/task-evaluations`, {
      json: { dataset, max_examples, max_new_tokens, extractor },
    }),
  getTaskEvaluation: (id) => request('GET', `/registry/task-evaluations/${seg(id)}`),
  /** A succeeded evaluation's answers: JSON Lines, one prompt per line with both models' answers and scores. */
  taskEvaluationExamples: (id) => fetchBlob(url(`/registry/task-evaluations/${seg(id)}/examples`)),
  /** The bytes of one artifact file, from the registry's download endpoint (for a file listed without a url). */
  downloadFile: (segment, n, path) =>
    fetchBlob(url(`/registry/repositories/${seg(segment)}/versions/${n}/download`, { file: path })),
  /** The bytes behind a `url` the API listed; only ever called for URLs of this API (see `isApiUrl`). */
  downloadUrl: (href) => {
    if (!isApiUrl(href)) throw new Error(`not a URL of this API: ${href}`);
    return fetchBlob(new URL(href, document.baseURI));
  },
};

/**
 * Follows a job's Server-Sent Events. EventSource cannot send an Authorization header, so this
 * reads the stream with fetch and parses the SSE framing itself. Reconnects with Last-Event-ID
 * until `signal` aborts or `shouldStop()` says the job is over. Calls `onMessage({event, data,
 * id})` (data parsed as JSON when it is JSON) and `onState('open'|'retrying'|'closed'|'unsupported', problem)`.
 */
export async function followEvents(jobId, { onMessage, onState, signal, shouldStop, lastEventId }) {
  let lastId = lastEventId === undefined || lastEventId === null ? null : String(lastEventId);
  let delay = 1000;
  while (!signal.aborted) {
    let response;
    try {
      const headers = authHeaders({ Accept: 'text/event-stream' });
      if (lastId) headers.set('Last-Event-ID', lastId);
      response = await fetch(api.jobEventStreamUrl(jobId), { headers, signal, cache: 'no-store' });
    } catch (e) {
      if (signal.aborted) return;
      onState('retrying', new ApiProblem(0, { detail: e.message }));
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 15000);
      continue;
    }
    const type = response.headers.get('Content-Type') || '';
    if (!response.ok || !type.includes('text/event-stream')) {
      // no stream here (an older server, a proxy that buffers): the caller polls instead
      onState('unsupported', response.ok ? null : await problemFrom(response));
      return;
    }
    onState('open');
    delay = 1000;
    try {
      for await (const message of sseMessages(response.body, signal)) {
        if (message.id) lastId = message.id;
        onMessage(message);
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    if (shouldStop && shouldStop()) {
      onState('closed');
      return;
    }
    onState('retrying');
    await sleep(delay, signal);
  }
}

/** Parses `text/event-stream` framing (WHATWG HTML §9.2.6) from a byte stream. */
export async function* sseMessages(stream, signal) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort);
  let buffer = '';
  let event = { event: 'message', data: [], id: null };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (event.data.length) {
            const text = event.data.join('\n');
            let data = text;
            try {
              data = JSON.parse(text);
            } catch {
              // plain text data stays a string
            }
            yield { event: event.event, data, id: event.id };
          }
          event = { event: 'message', data: [], id: event.id };
          continue;
        }
        if (line.startsWith(':')) continue; // comment / keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value2 = colon < 0 ? '' : line.slice(colon + 1);
        if (value2.startsWith(' ')) value2 = value2.slice(1);
        if (field === 'data') event.data.push(value2);
        else if (field === 'event') event.event = value2 || 'message';
        else if (field === 'id' && !value2.includes('\0')) event.id = value2;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
