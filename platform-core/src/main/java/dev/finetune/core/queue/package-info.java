/**
 * The job queue, kept in the jobs table itself. A worker claims the oldest claimable job with
 * {@code SELECT ... FOR UPDATE SKIP LOCKED} (so concurrent workers never get the same job and
 * never wait on each other) and holds it under a lease it renews by heartbeat. A job whose lease
 * expired (its worker died) is claimable again and its attempt count goes up; after
 * {@code max-attempts} such losses it is failed instead. Every operation is one short statement
 * in its own transaction.
 */
package dev.finetune.core.queue;
