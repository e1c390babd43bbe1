package dev.finetune.registry;

/**
 * What registering a job's adapter did: {@code created} is false when the job had already been
 * registered (a repeated completion event), and {@code version} is then the existing version.
 */
public record Registration(AdapterVersion version, boolean created) {
}
