/**
 * Task metrics from generation: scoring generated answers against reference answers (exact match,
 * contains, an answer extractor such as GSM8K's, ROUGE-L), beyond the eval loss.
 */
package dev.finetune.worker.taskeval;
