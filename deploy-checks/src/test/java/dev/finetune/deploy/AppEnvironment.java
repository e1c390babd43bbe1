package dev.finetune.deploy;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The environment variables the applications read, as agreed with the API and worker modules
 * (deploy/README.md keeps the same list for people). One place, so the chart, the compose file
 * and the docs are checked against the same names.
 */
final class AppEnvironment {

    static final List<String> DATABASE = List.of(
            "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD");

    static final List<String> STORAGE = List.of(
            "FINETUNE_STORAGE_ENDPOINT", "FINETUNE_STORAGE_REGION", "FINETUNE_STORAGE_BUCKET",
            "FINETUNE_STORAGE_ACCESS_KEY", "FINETUNE_STORAGE_SECRET_KEY");

    static final List<String> API_ONLY = List.of("FINETUNE_BOOTSTRAP_KEY");

    static final List<String> WORKER_ONLY = List.of(
            "FINETUNE_WORKER_DEVICE", "FINETUNE_QUEUE_LEASE", "FINETUNE_WORKER_SLICE_STEPS",
            "FINETUNE_WORKER_WORK_DIR", "DJL_CACHE_DIR", "DJL_OFFLINE", "FINETUNE_WORKER_SHUTDOWN_TIMEOUT");

    /** Set in the GPU image only: DJL loads the CUDA libtorch shipped inside it. */
    static final List<String> GPU_IMAGE = List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR");

    /** Credentials: only ever from a Secret (Kubernetes) or a documented local-only default (compose). */
    static final Set<String> CREDENTIALS = Set.of(
            "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD",
            "FINETUNE_STORAGE_ACCESS_KEY", "FINETUNE_STORAGE_SECRET_KEY", "FINETUNE_BOOTSTRAP_KEY");

    private AppEnvironment() {
    }

    static List<String> api() {
        return Stream.of(DATABASE, STORAGE, API_ONLY).flatMap(List::stream).toList();
    }

    static List<String> worker() {
        return Stream.of(DATABASE, STORAGE, WORKER_ONLY).flatMap(List::stream).toList();
    }

    static List<String> all() {
        return Stream.of(DATABASE, STORAGE, API_ONLY, WORKER_ONLY, GPU_IMAGE).flatMap(List::stream).toList();
    }
}
