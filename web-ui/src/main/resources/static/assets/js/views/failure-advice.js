// What a person can do about a failed job, from its error code (and message). The message itself
// is always shown as the platform wrote it; this only adds the next step.

const ADVICE = [
  { match: /\bnan\b|diverg|non-finite|\binfinit/, advice: [
    'The loss became NaN or diverged: lower the learning rate (e.g. halve it) or raise the warm-up ratio.',
    'Keep max gradient norm at 1.0 or lower it; check the data for empty or extremely long records.'] },
  { match: /memory|oom/, advice: [
    'The worker ran out of memory: switch to QLoRA, lower the batch size (use gradient accumulation to keep the effective batch), or lower max sequence length.'] },
  { match: /dataset|record/, advice: [
    'Fix the dataset and upload it again: the New job page lists every bad record by line and field.'] },
  { match: /base.?model|checkpoint.*(missing|incomplete)|unsupported/, advice: [
    'The base model could not be loaded: check that its files are complete and that it is a supported (Llama-family) architecture.'] },
  { match: /hyperparam|rank|alpha|param/, advice: [
    'A hyperparameter does not fit this model (for example a rank larger than the hidden size): change the field named above and resubmit.'] },
  { match: /worker_lost|lease|attempt/, advice: [
    'Workers stopped repeatedly while running this job: check the workers\' logs and resources, then start a new job from the last checkpoint.'] },
  { match: /storage|s3|object/, advice: [
    'Object storage was unavailable: check the storage service, then start the job again (it can resume from the last checkpoint).'] },
];

export function failureAdvice(error) {
  const text = `${error?.code ?? ''} ${error?.param ?? ''} ${error?.message ?? ''}`.toLowerCase();
  const found = ADVICE.filter((a) => a.match.test(text)).flatMap((a) => a.advice);
  return found.length ? found.slice(0, 3) : [
    'Read the event log below for the last thing the worker did.',
    'Fix the cause and start a new job; a job can start from a checkpoint of this one.',
  ];
}
