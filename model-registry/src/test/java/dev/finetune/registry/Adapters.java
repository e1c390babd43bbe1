package dev.finetune.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.finetune.core.hyperparameters.Hyperparameters;
import dev.finetune.core.job.FineTuningJob;
import dev.finetune.core.job.FineTuningSucceeded;
import dev.finetune.core.job.FineTuningSucceeded.Artifact;
import dev.finetune.core.job.FineTuningSucceeded.Metrics;
import dev.finetune.core.job.JobStatus;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.Segment;
import dev.finetune.core.tenant.SegmentName;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.testing.TestData;
import dev.finetune.core.testing.TestData.Fixture;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Makes what a succeeded job leaves behind: a real job row and a small but real PEFT adapter
 * directory (adapter_config.json + adapter_model.safetensors) in the S3 server, and the event the
 * worker would publish for it.
 */
public class Adapters {

    public static final String EVAL_SET = "e".repeat(64);
    public static final String DATASET = "d".repeat(64);

    private final TestData data;
    private final SegmentRepository segments;
    private final ArtifactStore store;

    public Adapters(TestData data, SegmentRepository segments, ArtifactStore store) {
        this.data = data;
        this.segments = segments;
        this.store = store;
    }

    /** A tenant whose fixture segment is {@code segment} (created next to "default"). */
    public Fixture tenant(String name, String segment) {
        Fixture f = data.tenant(name);
        Segment s = segments.save(f.tenant().newSegment(new SegmentName(segment)));
        return new Fixture(f.tenant(), s, f.model(), f.dataset());
    }

    /** A succeeded job of {@code f} whose adapter reached {@code evalLoss} on the shared eval set. */
    public FineTuningSucceeded succeeded(Fixture f, double evalLoss) {
        return succeeded(f, evalLoss, EVAL_SET, Hyperparameters.defaults());
    }

    public FineTuningSucceeded succeeded(Fixture f, double evalLoss, String evalSet, Hyperparameters hp) {
        FineTuningJob job = data.job(f, JobStatus.SUCCEEDED);
        String prefix = ObjectKeys.adapterPrefix(f.tenant().id(), job.id());
        return new FineTuningSucceeded(job.id(), f.tenant().id(), f.segment().name(), f.model().id(), "b".repeat(64),
                DATASET, evalSet, job.method(), hp,
                new Metrics(40, 12_345, evalLoss + 1.2, evalLoss + 0.1, evalLoss + 1.0, evalLoss, evalLoss - 0.01,
                        Math.exp(evalLoss)),
                upload(f, prefix), "ft_worker", Instant.now());
    }

    /** Uploads a small PEFT adapter of {@code f}'s base model under {@code prefix}. */
    public Artifact upload(Fixture f, String prefix) {
        byte[] config = """
                {"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "%s",
                 "r": 2, "lora_alpha": 4, "lora_dropout": 0.0, "target_modules": ["q_proj"], "bias": "none"}
                """.formatted(f.model().name()).getBytes(StandardCharsets.UTF_8);
        byte[] weights = safetensors();
        put(prefix + "adapter_config.json", config);
        put(prefix + "adapter_model.safetensors", weights);
        return new Artifact(prefix, DigestUtils.sha256Hex(weights), config.length + weights.length);
    }

    private void put(String key, byte[] bytes) {
        store.put(key, new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream");
    }

    /** Two F32 LoRA matrices, A [2, 4] and B [4, 2], in the safetensors layout. */
    static byte[] safetensors() {
        String header = "{\"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight\":"
                + "{\"dtype\":\"F32\",\"shape\":[2,4],\"data_offsets\":[0,32]},"
                + "\"base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight\":"
                + "{\"dtype\":\"F32\",\"shape\":[4,2],\"data_offsets\":[32,64]}}";
        while (header.length() % 8 != 0) {
            header += " ";
        }
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            data.putFloat(0.01f * (i + 1));
        }
        for (int i = 0; i < 8; i++) {
            data.putFloat(0f);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data.array());
        return out.toByteArray();
    }

}
