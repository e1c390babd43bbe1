// The playground: one prompt, the base model and an adapter (segment@alias or segment/N) side by
// side, both streamed from the platform's OpenAI-compatible serving (/v1/chat/completions,
// /v1/completions) with the signed-in key, with the sampling settings. #/playground?model=support/3
// preselects the adapter ("Try it" on a job or a registry version).

import { session, UNAUTHENTICATED_EVENT } from '../api.js';
import { announce, clear, field, h, loading } from '../dom.js';

// Relative to the page, like the REST API's base, so the dashboard also works behind a path prefix.
const V1 = 'v1';

export async function renderPlayground(el, query) {
  const controllers = new Set();
  el.append(h('div.page-head', h('h1', 'Playground')),
    h('p', 'Ask the base model and one of your adapters the same thing and compare the answers as they stream. ',
      'This page calls the platform\'s OpenAI-compatible API (', h('code', 'POST /v1/chat/completions'),
      ') with your key, as the OpenAI SDKs do.'));
  const body = h('div', loading('Loading the models you can call…'));
  el.append(body);

  let models;
  try {
    models = await listModels();
  } catch (e) {
    clear(body, errorBox(e, 'The models cannot be listed'));
    return () => controllers.forEach((c) => c.abort());
  }
  const bases = models.filter((m) => !m.version);
  const adapters = models.filter((m) => m.version);
  const wanted = query.get('model');
  if (wanted && !models.some((m) => m.id === wanted)) {
    adapters.unshift({ id: wanted, base_model: null, version: wanted });
  }

  const baseSelect = h('select', { name: 'base' }, bases.map((m) => h('option', { value: m.id }, m.id)));
  const adapterSelect = h('select', { name: 'adapter' },
    adapters.length ? adapters.map((m) => h('option', { value: m.id, selected: m.id === wanted },
      m.id.includes('@') ? `${m.id} (now ${m.version})` : m.id))
      : h('option', { value: '' }, 'No adapters yet: train a job first'));
  adapterSelect.addEventListener('change', () => followBase());
  const followBase = () => {
    const chosen = adapters.find((m) => m.id === adapterSelect.value);
    if (chosen?.base_model && bases.some((b) => b.id === chosen.base_model)) baseSelect.value = chosen.base_model;
  };
  followBase();

  const mode = h('select', { name: 'mode' }, h('option', { value: 'chat' }, 'Chat (the base model\'s chat template)'),
    h('option', { value: 'completion' }, 'Completion (plain text continuation)'));
  const prompt = h('textarea', { name: 'prompt', rows: 4, required: true }, 'Who are you?');
  const maxTokens = h('input', { type: 'number', name: 'max_tokens', min: 1, max: 4096, value: 64 });
  const temperature = h('input', { type: 'number', name: 'temperature', min: 0, max: 2, step: 0.1, value: 0 });
  const topP = h('input', { type: 'number', name: 'top_p', min: 0.01, max: 1, step: 0.05, value: 1 });
  const seed = h('input', { type: 'number', name: 'seed', step: 1, placeholder: 'random' });
  const stop = h('input', { type: 'text', name: 'stop', placeholder: 'e.g. \\n\\n' });
  const run = h('button.button.primary', { type: 'submit' }, 'Run both');
  const outputs = h('div.playground-outputs');
  const form = h('form.card.playground', { novalidate: true },
    h('div.playground-grid',
      field('Base model', baseSelect, 'Answers without an adapter.'),
      field('Adapter', adapterSelect, 'segment@alias follows the alias; segment/N is one version.'),
      field('Mode', mode)),
    field('Prompt', prompt),
    h('details', h('summary', 'Sampling settings'),
      h('div.playground-grid',
        field('Max tokens', maxTokens),
        field('Temperature', temperature, '0 is greedy: the same prompt gives the same answer.'),
        field('Top p', topP),
        field('Seed', seed, 'Repeats a sampled answer.'),
        field('Stop', stop, 'A sequence that ends the answer (\\n for a newline).'))),
    h('div.actions', run));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    controllers.forEach((c) => c.abort());
    controllers.clear();
    const settings = {
      chat: mode.value === 'chat',
      prompt: prompt.value,
      max_tokens: Number(maxTokens.value) || undefined,
      temperature: temperature.value === '' ? undefined : Number(temperature.value),
      top_p: topP.value === '' ? undefined : Number(topP.value),
      seed: seed.value === '' ? undefined : Number(seed.value),
      stop: stop.value ? stop.value.replace(/\\n/g, '\n') : undefined,
    };
    const targets = [baseSelect.value, adapterSelect.value].filter(Boolean);
    clear(outputs, targets.map((model) => {
      const panel = outputPanel(model);
      const controller = new AbortController();
      controllers.add(controller);
      stream(model, settings, panel, controller.signal).finally(() => controllers.delete(controller));
      return panel.el;
    }));
    announce('Generating');
  });
  clear(body, form, outputs);
  return () => controllers.forEach((c) => c.abort());
}

async function listModels() {
  const r = await fetch(new URL(`${V1}/models`, document.baseURI), { headers: headers() });
  if (!r.ok) throw await openAiError(r);
  return (await r.json()).data || [];
}

function headers(extra) {
  const hd = new Headers(extra || {});
  if (session.key) hd.set('Authorization', `Bearer ${session.key}`);
  return hd;
}

function outputPanel(model) {
  const text = h('pre.playground-text', { 'aria-live': 'polite' });
  const meta = h('p.muted', 'Waiting…');
  const el = h('section.card.playground-output', h('h2', model), text, meta);
  return { el, text, meta };
}

/** One streamed completion into its panel: text as it arrives, then version, finish reason and usage. */
async function stream(model, s, panel, signal) {
  const request = { model, stream: true, stream_options: { include_usage: true }, max_tokens: s.max_tokens,
    temperature: s.temperature, top_p: s.top_p, seed: s.seed, stop: s.stop };
  if (s.chat) request.messages = [{ role: 'user', content: s.prompt }];
  else request.prompt = s.prompt;
  const started = performance.now();
  try {
    const r = await fetch(new URL(`${V1}/${s.chat ? 'chat/completions' : 'completions'}`, document.baseURI), {
      method: 'POST', headers: headers({ 'Content-Type': 'application/json' }), body: JSON.stringify(request), signal });
    if (!r.ok) throw await openAiError(r);
    const version = r.headers.get('X-Adapter-Version');
    let finish = null;
    let usage = null;
    let fingerprint = null;
    clear(panel.meta, 'Streaming…');
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = event.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data || data === '[DONE]') continue;
        const chunk = JSON.parse(data);
        if (chunk.error) throw Object.assign(new Error(chunk.error.message), { code: chunk.error.code });
        fingerprint = chunk.system_fingerprint || fingerprint;
        if (chunk.usage) usage = chunk.usage;
        for (const c of chunk.choices || []) {
          const piece = s.chat ? c.delta?.content : c.text;
          if (piece) panel.text.append(piece);
          if (c.finish_reason) finish = c.finish_reason;
        }
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    clear(panel.meta, version ? h('span.badge.alias', version) : h('span.badge', fingerprint || 'base'), ' ',
      `finished: ${finish || '?'}`, usage ? ` · ${usage.completion_tokens} tokens (prompt ${usage.prompt_tokens})` : '',
      ` · ${seconds} s`);
  } catch (e) {
    if (e.name === 'AbortError') return;
    clear(panel.meta, errorBox(e, 'No answer'));
  }
}

async function openAiError(response) {
  // a revoked or unknown key signs the tab out here as on every other page (api.js does it for /api/v1)
  if (response.status === 401) window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT));
  let message = `HTTP ${response.status}`;
  let code = null;
  let param = null;
  try {
    const body = await response.json();
    message = body?.error?.message || message;
    code = body?.error?.code || null;
    param = body?.error?.param || null;
  } catch {
    // not JSON: the status says enough
  }
  return Object.assign(new Error(message), { status: response.status, code, param });
}

function errorBox(e, heading) {
  return h('div.problem', { role: 'alert' }, h('strong', `${heading}: `), e.message || String(e),
    e.code ? h('span.muted', ` (${e.code}${e.param ? `, ${e.param}` : ''})`) : null);
}
