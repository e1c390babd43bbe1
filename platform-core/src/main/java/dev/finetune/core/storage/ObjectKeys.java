package dev.finetune.core.storage;

import java.util.regex.Pattern;

import dev.finetune.core.common.Checks;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.job.JobId;
import dev.finetune.core.tenant.TenantId;

/**
 * The object layout. Everything a tenant owns is under {@code tenants/{tenant}/}; global base
 * models are under {@code base-models/}. Names and file names are checked so that no key can
 * climb out of its prefix ({@code ..}, leading '/', or odd characters).
 */
public final class ObjectKeys {

    /** The sub-folder of a checkpoint that holds its adapter files. */
    public static final String CHECKPOINT_ADAPTER_DIR = "adapter";

    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9._-][A-Za-z0-9._/-]{0,254}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private ObjectKeys() {
    }

    public static String tenantPrefix(TenantId tenant) {
        return "tenants/" + Checks.notNull(tenant, "tenant_id") + "/";
    }

    public static String dataset(TenantId tenant, DatasetId dataset, String fileName) {
        return tenantPrefix(tenant) + "datasets/" + dataset + "/" + file(fileName);
    }

    public static String jobPrefix(TenantId tenant, JobId job) {
        return tenantPrefix(tenant) + "jobs/" + job + "/";
    }

    public static String checkpointPrefix(TenantId tenant, JobId job, int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0");
        }
        return jobPrefix(tenant, job) + "checkpoints/step-" + step + "/";
    }

    /**
     * The adapter a checkpoint carries beside its training state, in its method's layout (PEFT or
     * AdapterHub), so that serving can load the checkpoint exactly like a published adapter.
     */
    public static String checkpointAdapterPrefix(TenantId tenant, JobId job, int step) {
        return checkpointPrefix(tenant, job, step) + CHECKPOINT_ADAPTER_DIR + "/";
    }

    public static String checkpointFile(TenantId tenant, JobId job, int step, String fileName) {
        return checkpointPrefix(tenant, job, step) + file(fileName);
    }

    public static String adapterPrefix(TenantId tenant, JobId job) {
        return tenantPrefix(tenant) + "adapters/" + job + "/";
    }

    public static String adapterFile(TenantId tenant, JobId job, String fileName) {
        return adapterPrefix(tenant, job) + file(fileName);
    }

    public static String tenantBaseModelPrefix(TenantId tenant, String modelName) {
        return tenantPrefix(tenant) + "base-models/" + Checks.matches(modelName, NAME, "model") + "/";
    }

    public static String globalBaseModelPrefix(String modelName) {
        return "base-models/" + Checks.matches(modelName, NAME, "model") + "/";
    }

    private static String file(String fileName) {
        Checks.matches(fileName, FILE, "file_name");
        if (fileName.contains("..") || fileName.contains("//")) {
            throw new IllegalArgumentException("file_name must not contain '..' or '//' but was '" + fileName + "'");
        }
        return fileName;
    }
}
