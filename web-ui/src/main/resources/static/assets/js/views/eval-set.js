// Which eval set a version's eval loss was measured on, in words: "held-out 10% of identity-demo"
// or "validation file support-eval.jsonl", with the hashes that identify it on hover. The registry's
// gate compares eval losses (and task metrics) only between versions with the same eval set.

import { formatNumber, h } from '../dom.js';

/** "held-out 10% of identity-demo" / "validation file eval.jsonl" / null when the version does not say. */
export function evalSetWords(v) {
  const e = v?.eval_set;
  if (!e) return null;
  const name = e.dataset_name || (e.dataset_sha256 ? `data ${e.dataset_sha256.slice(0, 8)}…` : 'an unnamed dataset');
  if (e.source === 'validation_file') return `validation file ${name}`;
  const share = Number.isFinite(e.fraction) ? `${formatNumber(Math.round(e.fraction * 1000) / 10)}% ` : '';
  return `held-out ${share}of ${name}`;
}

/** The eval set's identity, short: "5779…", or null. */
function shortSha(v) {
  const sha = v?.eval_set?.sha256 ?? v?.eval_set_sha256;
  return sha ? `${sha.slice(0, 4)}…` : null;
}

/** Everything the version records about its eval set, for a title (hover). */
export function evalSetDetails(v) {
  const e = v?.eval_set;
  const sha = e?.sha256 ?? v?.eval_set_sha256;
  if (!e) return sha ? `Eval set SHA-256 ${sha}` : 'The version does not record its eval set.';
  return [
    `Eval set SHA-256 ${sha ?? '—'}`,
    e.source === 'validation_file' ? 'Source: the job\'s validation file' : `Source: ${Number.isFinite(e.fraction) ? `${formatNumber(e.fraction * 100)}% ` : 'a share '}held out of the training file`,
    e.dataset_name ? `Dataset: ${e.dataset_name}${e.dataset_id ? ` (id ${e.dataset_id})` : ''}` : null,
    e.dataset_sha256 ? `Dataset SHA-256 ${e.dataset_sha256}` : null,
    e.tokenizer_sha256 ? `Tokenizer SHA-256 ${e.tokenizer_sha256}` : null,
    Number.isFinite(e.max_seq_length) ? `Max sequence length ${e.max_seq_length}` : null,
    e.train_on_inputs ? 'Loss counted on prompts and answers' : 'Loss counted on answers only',
    Number.isFinite(e.examples) ? `${e.examples} example${e.examples === 1 ? '' : 's'}` : null,
  ].filter(Boolean).join('\n');
}

/** Plain text: "on held-out 10% of identity-demo (sha 5779…)"; "" when nothing is recorded. */
export function evalSetText(v) {
  const words = evalSetWords(v);
  const sha = shortSha(v);
  if (words) return `on ${words}${sha ? ` (sha ${sha})` : ''}`;
  return sha ? `on eval set sha ${sha}` : '';
}

/** The same as an element, with the full identity on hover. */
export function evalSetNote(v, { prefix = '' } = {}) {
  const text = evalSetText(v);
  if (!text) return h('span.eval-set.muted', prefix ? `${prefix} ` : '', 'eval set not recorded');
  return h('span.eval-set', { title: evalSetDetails(v), dataset: { evalSet: v?.eval_set?.sha256 ?? v?.eval_set_sha256 ?? '' } },
    prefix ? `${prefix} ` : '', text);
}

/** "eval loss 6.97 on held-out 10% of identity-demo (sha 5779…)" as text. */
export function evalLossText(v) {
  if (!Number.isFinite(v?.eval_loss)) return 'no eval loss';
  const on = evalSetText(v);
  return `eval loss ${formatNumber(v.eval_loss)}${on ? ` ${on}` : ''}`;
}
