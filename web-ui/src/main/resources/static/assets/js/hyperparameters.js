// The job's hyperparameters as the API names them, a one-line explanation each, the methods each
// applies to, and the presets the New job page offers. Their defaults are not written here: the
// API serves them (GET /fine-tuning/hyperparameters, the shared training settings' defaults, the
// same the CLI uses) and loadDefaults() puts them on each entry. Only fields that differ from
// these defaults are sent, so the server's own defaults decide everything else.

import { api } from './api.js';

export const METHODS = [
  {
    value: 'lora',
    label: 'LoRA',
    summary: 'Small low-rank matrices next to the frozen full-precision weights. The default choice.',
  },
  {
    value: 'qlora',
    label: 'QLoRA',
    summary: 'LoRA on a base model quantised to 4-bit NF4: about a quarter of the memory for the base weights, '
      + 'a little slower per step. Choose it when the model does not fit in memory.',
  },
  {
    value: 'adapter',
    label: 'Bottleneck adapter',
    summary: 'Small bottleneck layers inserted after attention/FFN (Pfeiffer or Houlsby). They add latency at '
      + 'inference unless merged or served by an adapter-aware server.',
  },
];

const ALL = ['lora', 'qlora', 'adapter'];
const LORA = ['lora', 'qlora'];

/** type: int | float | choice | bool | optional-int | modules */
export const HYPERPARAMETERS = [
  { name: 'n_epochs', label: 'Epochs', type: 'int', min: 1, methods: ALL,
    hint: 'Passes over the training set. Small datasets overfit after 2–3.' },
  { name: 'max_steps', label: 'Max steps', type: 'optional-int', min: 1, methods: ALL,
    hint: 'Stop after this many optimizer steps; empty trains for the epochs above.' },
  { name: 'batch_size', label: 'Batch size', type: 'int', min: 1, methods: ALL,
    hint: 'Examples per step. Lower it first when memory runs out.' },
  { name: 'gradient_accumulation_steps', label: 'Gradient accumulation', type: 'int', min: 1, methods: ALL,
    hint: 'Steps summed before an update: effective batch = batch size × this, without the memory.' },
  { name: 'learning_rate', label: 'Learning rate', type: 'float', min: 0, max: 1, step: 'any', methods: ALL,
    hint: '2e-4 suits LoRA; bottleneck adapters often want 1e-4 to 1e-3. A loss that jumps or turns NaN wants it lower.' },
  { name: 'lr_scheduler', label: 'LR schedule', type: 'choice', choices: ['cosine', 'linear', 'constant'], methods: ALL,
    hint: 'How the learning rate decays after warm-up.' },
  { name: 'warmup_ratio', label: 'Warm-up ratio', type: 'float', min: 0, max: 0.99, step: 'any', methods: ALL,
    hint: 'Share of steps spent ramping the learning rate up.' },
  { name: 'weight_decay', label: 'Weight decay', type: 'float', min: 0, step: 'any', methods: ALL,
    hint: 'AdamW decay on the trained weights; 0.01–0.1 can curb overfitting.' },
  { name: 'max_grad_norm', label: 'Max gradient norm', type: 'float', min: 0, step: 'any', methods: ALL,
    hint: 'Gradients are clipped to this norm.' },
  { name: 'max_seq_length', label: 'Max sequence length', type: 'int', min: 8, max: 131072, methods: ALL,
    hint: 'Tokens per example; longer examples are truncated. Memory grows with it.' },
  { name: 'packing', label: 'Pack short examples', type: 'bool', methods: ALL,
    hint: 'Concatenate short examples into full-length sequences: faster on short data.' },
  { name: 'train_on_inputs', label: 'Train on inputs', type: 'bool', methods: ALL,
    hint: 'Also learn the prompt tokens, not only the answers. Usually off.' },
  { name: 'eval_every_steps', label: 'Evaluate every (steps)', type: 'optional-int', min: 1, methods: ALL,
    hint: 'Empty evaluates at the end of every epoch and after the last step. Needs a validation file or the share of the training file held out for evaluation.' },
  { name: 'early_stopping_patience', label: 'Early stopping patience', type: 'optional-int', min: 1, methods: ALL,
    hint: 'Stop after this many evaluations without a better eval loss; empty never stops early.' },
  { name: 'lora_r', label: 'Rank (r)', type: 'int', min: 1, methods: LORA,
    hint: 'Start at 8. Try 16, 32 or 64 for specialised domains (legal, medical, code) that the base model knows little about.' },
  { name: 'lora_alpha', label: 'Alpha', type: 'int', min: 1, methods: LORA,
    hint: 'Scales the update (alpha / r). If it overfits, lower alpha or add dropout before lowering the rank.' },
  { name: 'lora_dropout', label: 'Dropout', type: 'float', min: 0, max: 0.99, step: 'any', methods: LORA,
    hint: '0.05–0.1 helps small datasets; raise it when eval loss climbs while training loss falls.' },
  { name: 'target_modules', label: 'Target modules', type: 'modules', methods: LORA,
    hint: 'Comma-separated layer names, or all-linear (more capacity, more memory).' },
  { name: 'use_rslora', label: 'Rank-stabilised LoRA', type: 'bool', methods: LORA,
    hint: 'Scale by alpha/√r instead of alpha/r: keeps high ranks (64+) learning.' },
  { name: 'use_dora', label: 'DoRA (weight-decomposed)', type: 'bool', methods: LORA,
    hint: 'Also learns a magnitude per output feature (PEFT’s use_dora): often closer to full fine-tuning at low rank, a little slower per step.' },
  { name: 'adapter_kind', label: 'Adapter placement', type: 'choice', choices: ['pfeiffer', 'houlsby'], methods: ['adapter'],
    hint: 'Pfeiffer: after the FFN only (lighter). Houlsby: after attention and the FFN.' },
  { name: 'adapter_reduction_factor', label: 'Reduction factor', type: 'int', min: 1, methods: ['adapter'],
    hint: 'Hidden size ÷ this = bottleneck width. Lower means a bigger adapter.' },
];

export const PRESETS = [
  { id: 'defaults', label: 'Defaults', description: 'The platform defaults, the values shown under each field.', values: {} },
  { id: 'quick', label: 'Quick check', description: 'A few steps to see the pipeline work end to end before a real run.',
    values: { max_steps: 20, n_epochs: 1, eval_every_steps: 10 } },
  { id: 'domain', label: 'Specialised domain', description: 'More capacity for a domain far from the base model’s data: r=32, alpha=64.',
    values: { lora_r: 32, lora_alpha: 64, n_epochs: 3 } },
  { id: 'overfit', label: 'Overfitting fix', description: 'Eval loss rises while training loss falls: lower alpha, more dropout, weight decay, early stopping.',
    values: { lora_alpha: 8, lora_dropout: 0.1, weight_decay: 0.01, eval_every_steps: 50, early_stopping_patience: 3 } },
  { id: 'low-memory', label: 'Short on memory', description: 'QLoRA, batch 1 with accumulation 4, shorter sequences.',
    values: { batch_size: 1, gradient_accumulation_steps: 4, max_seq_length: 256 }, method: 'qlora' },
];

/**
 * Fetches the server's defaults and bounds and sets each entry's `default` (null where it has
 * none) and `bounds` (the API's rule for the field; null from a server that does not serve them).
 */
export async function loadDefaults() {
  const [served, bounds] = await Promise.all([api.hyperparameterDefaults(), api.hyperparameterBounds().catch(() => ({}))]);
  for (const p of HYPERPARAMETERS) {
    p.default = served[p.name] ?? null;
    p.bounds = bounds?.[p.name] ?? null;
  }
}

/**
 * What is wrong with a field's typed text by the API's bounds, in words, or null. Checked as the
 * user types, so the form shows every error next to its field before anything is sent.
 */
export function checkValue(p, text) {
  const b = p.bounds;
  if (!b || (b.type !== 'integer' && b.type !== 'number')) return null;
  const raw = String(text ?? '').trim();
  if (raw === '') return null; // empty: the default, or none where the field may be empty
  const v = Number(raw);
  if (!Number.isFinite(v)) return 'Must be a number.';
  if (b.type === 'integer' && !Number.isInteger(v)) return 'Must be a whole number.';
  if (b.minimum !== undefined && b.minimum !== null && v < b.minimum) return `Must be at least ${b.minimum} (was ${raw}).`;
  if (b.exclusive_minimum !== undefined && b.exclusive_minimum !== null && v <= b.exclusive_minimum) return `Must be more than ${b.exclusive_minimum} (was ${raw}).`;
  if (b.maximum !== undefined && b.maximum !== null && v > b.maximum) return `Must be at most ${b.maximum.toLocaleString('en')} (was ${raw}).`;
  if (b.exclusive_maximum !== undefined && b.exclusive_maximum !== null && v >= b.exclusive_maximum) return `Must be less than ${b.exclusive_maximum} (was ${raw}).`;
  return null;
}

export function defaultsOf() {
  return Object.fromEntries(HYPERPARAMETERS.map((p) => [p.name, p.default]));
}

export function formatDefault(p) {
  if (p.default === null) return 'none';
  if (Array.isArray(p.default)) return p.default.join(', ');
  if (typeof p.default === 'boolean') return p.default ? 'on' : 'off';
  return String(p.default);
}

export function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
