/**
 * What a running job reports: free-text events with a level and optional JSON data (append-only,
 * read back after a cursor id), per-step training metrics (one row per job and step, so a
 * re-reported step replaces nothing and a resumed attempt can skip steps it already has), and the
 * checkpoints a job saved to the artifact store, the newest of which a taken-over job resumes from.
 */
package dev.finetune.core.progress;
