package dev.finetune.engine.peft;

import ai.djl.ndarray.NDArray;
import dev.finetune.engine.model.DecoderLayer;
import dev.finetune.engine.model.LlamaModel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Which base model an adapter belongs to: the name users know it by and a fingerprint of the
 * weights themselves (sha256 over the architecture and every norm vector, which differ between
 * any two trained checkpoints). The fingerprint travels in the safetensors metadata so an
 * adapter is never applied to a different base, even one with the same shapes.
 */
public record BaseModelRef(String nameOrPath, String fingerprint) {

    public static final String METADATA_KEY = "finetune.base_model_fingerprint";

    /** The safetensors metadata of an adapter's weights: PyTorch format, and the base it was trained on. */
    public Map<String, String> weightsMetadata() {
        return Map.of("format", "pt", METADATA_KEY, fingerprint);
    }

    public static BaseModelRef of(String nameOrPath, LlamaModel model) {
        return new BaseModelRef(nameOrPath, fingerprint(model));
    }

    public static String fingerprint(LlamaModel model) {
        MessageDigest sha = DigestUtils.getSha256Digest();
        var c = model.config();
        sha.update((c.modelType() + "/" + c.hiddenSize() + "/" + c.numHiddenLayers() + "/" + c.numAttentionHeads()
                + "/" + c.numKeyValueHeads() + "/" + c.intermediateSize() + "/" + c.vocabSize())
                .getBytes(StandardCharsets.UTF_8));
        for (DecoderLayer layer : model.layers()) {
            update(sha, layer.inputNorm().weight());
            update(sha, layer.postAttentionNorm().weight());
        }
        update(sha, model.finalNorm().weight());
        return Hex.encodeHexString(sha.digest());
    }

    private static void update(MessageDigest sha, NDArray array) {
        float[] values = array.toFloatArray();
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4);
        buffer.asFloatBuffer().put(values);
        sha.update(buffer.array());
    }
}
