package dev.finetune.engine.recipe;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.finetune.engine.checkpoint.HfCheckpoint;
import dev.finetune.data.ChatTemplate;
import dev.finetune.data.Role;
import dev.finetune.data.Turn;
import dev.finetune.engine.model.GenerationTiming;
import dev.finetune.engine.model.Generator;
import dev.finetune.engine.model.LlamaModel;
import dev.finetune.engine.model.ModelLoader;
import dev.finetune.engine.model.ModelOptions;
import dev.finetune.engine.model.SamplingOptions;
import dev.finetune.engine.method.AdapterMethods;
import dev.finetune.engine.peft.AdapterMethod;
import dev.finetune.engine.peft.TrainableAdapter;
import dev.finetune.engine.runtime.EngineRuntime;
import dev.finetune.data.tokenizer.HfTokenizer;
import dev.finetune.data.tokenizer.TextTokenizer;
import dev.finetune.engine.model.WeightStorage;
import dev.finetune.engine.peft.AdapterJson;
import dev.finetune.settings.FineTuningMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A base model with an optional trained adapter, for trying out what a fine-tune learned. The
 * adapter directory's layout picks the method that loads it ({@link AdapterMethods#detect}: PEFT LoRA
 * or AdapterHub bottleneck); an adapter made for another base model is refused by the loaders'
 * weight fingerprint check.
 */
public final class AdapterInference implements AutoCloseable {

    /**
     * What one call produced: the prompt as given, the generated continuation, its token ids, and how
     * long prefill and decode took.
     */
    public record Generation(String prompt, String completion, int[] tokenIds, boolean stoppedAtEos,
                             GenerationTiming timing) {

        /** The prompt followed by the continuation, as a reader expects to see it. */
        public String text() {
            return prompt + completion;
        }
    }

    /**
     * How the frozen base is held for generation, and why: {@code weights} as the caller asked, or as the adapter
     * was trained ({@code qlora} trains on NF4, so its adapter is evaluated on NF4, not on the dense base).
     */
    public record BaseWeights(WeightStorage weights, String reason) {

        /** {@code nf4 weights (the adapter was trained with qlora)}. */
        public String describe() {
            return weights.name() + " weights (" + reason + ")";
        }
    }

    private final TextTokenizer tokenizer;
    private final NDManager manager;
    private final LlamaModel model;
    private final TrainableAdapter adapter;
    private final BaseWeights baseWeights;

    private AdapterInference(TextTokenizer tokenizer, NDManager manager, LlamaModel model, TrainableAdapter adapter,
                             BaseWeights baseWeights) {
        this.tokenizer = tokenizer;
        this.manager = manager;
        this.model = model;
        this.adapter = adapter;
        this.baseWeights = baseWeights;
    }

    /**
     * The base-weight storage an adapter was trained on, from the {@code training_summary.json} this engine
     * writes next to it ({@code method: qlora} means NF4, as {@link AdapterMethods} pairs it); dense for the base
     * alone and for adapters without a summary (PEFT's, AdapterHub's).
     */
    public static BaseWeights trainedBaseWeights(Path adapterDirOrNull) {
        if (adapterDirOrNull == null) {
            return new BaseWeights(WeightStorage.DENSE, "no adapter");
        }
        Path summary = adapterDirOrNull.resolve(TRAINING_SUMMARY);
        if (Files.isRegularFile(summary)) {
            String method = AdapterJson.read(summary).path("method").asText("");
            for (FineTuningMethod m : FineTuningMethod.values()) {
                if (m.wireName().equals(method)) {
                    return new BaseWeights(AdapterMethods.of(m).baseWeights(), "the adapter was trained with " + method);
                }
            }
        }
        return new BaseWeights(WeightStorage.DENSE, "no " + TRAINING_SUMMARY + " says otherwise");
    }

    static final String TRAINING_SUMMARY = "training_summary.json";

    /**
     * @param modelDir the base checkpoint
     * @param adapterDirOrNull a PEFT or AdapterHub directory, or null for the base model alone
     * @param device cpu, cuda or cuda:N (float16 compute on a GPU)
     */
    public static AdapterInference open(Path modelDir, Path adapterDirOrNull, String device) {
        return open(modelDir, adapterDirOrNull, device, null);
    }

    /**
     * @param baseWeightsOrNull how to hold the frozen base ({@code WeightStorage.DENSE}, {@code Nf4Storage.DEFAULT});
     *     null holds it as the adapter was trained ({@link #trainedBaseWeights}): NF4 for a QLoRA adapter
     */
    public static AdapterInference open(Path modelDir, Path adapterDirOrNull, String device, WeightStorage baseWeightsOrNull) {
        EngineRuntime.init();
        BaseWeights base = baseWeightsOrNull == null ? trainedBaseWeights(adapterDirOrNull)
                : new BaseWeights(baseWeightsOrNull, "as asked");
        String dev = device == null || device.isBlank() ? "cpu" : device;
        AdapterMethod method = adapterDirOrNull == null ? null : AdapterMethods.detect(adapterDirOrNull);
        TextTokenizer tokenizer = HfTokenizer.load(modelDir);
        NDManager manager = null;
        LlamaModel model = null;
        try {
            manager = EngineRuntime.newManager(dev);
            ModelOptions options = dev.startsWith("cuda") ? ModelOptions.of(base.weights()).withComputeType(DataType.FLOAT16)
                    : ModelOptions.of(base.weights());
            try (HfCheckpoint checkpoint = HfCheckpoint.open(modelDir)) {
                model = ModelLoader.load(checkpoint, manager, options);
            }
            TrainableAdapter adapter = method == null ? null : method.load(adapterDirOrNull, model);
            if (adapter != null) {
                adapter.setTraining(false);
            }
            return new AdapterInference(tokenizer, manager, model, adapter, base);
        } catch (RuntimeException e) {
            if (model != null) {
                model.close();
            }
            if (manager != null) {
                manager.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    /** How the base's frozen weights are held (dense or NF4) and why. */
    public BaseWeights baseWeights() {
        return baseWeights;
    }

    public LlamaModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The attached adapter, or null when generating with the base model alone. */
    public TrainableAdapter adapter() {
        return adapter;
    }

    /**
     * Continues {@code prompt}. An empty prompt starts from BOS alone and the result is only the
     * generated text. With {@code chat}, the prompt is sent as a user turn through the checkpoint's
     * chat template followed by its generation prompt (as conversational data was trained).
     */
    public Generation generate(String prompt, SamplingOptions options, boolean chat) {
        String text = prompt == null ? "" : prompt;
        int[] promptIds = promptIds(text, chat);
        Generator.Result result = new Generator(model, tokenizer.eosId()).generateTimed(promptIds, options);
        int[] generated = result.tokenIds();
        boolean eos = generated.length > 0 && generated[generated.length - 1] == tokenizer.eosId();
        int[] all = Arrays.copyOf(promptIds, promptIds.length + generated.length);
        System.arraycopy(generated, 0, all, promptIds.length, generated.length);
        // decode prompt + continuation together so a word-initial space of the first new token survives
        String full = tokenizer.decode(all, true);
        String head = tokenizer.decode(promptIds, true);
        String completion = full.startsWith(head) ? full.substring(head.length()) : tokenizer.decode(generated, true);
        // in chat mode the answer follows the template's generation prompt ("Assistant:"): no leading space to show
        return new Generation(chat ? "" : text, chat ? completion.stripLeading() : completion, generated, eos,
                result.timing());
    }

    /** {@link #generate(String, SamplingOptions, boolean)} without the chat template. */
    public Generation generate(String prompt, SamplingOptions options) {
        return generate(prompt, options, false);
    }

    private int[] promptIds(String prompt, boolean chat) {
        return promptIds(tokenizer, prompt, chat);
    }

    /**
     * The ids {@link #generate(String, SamplingOptions, boolean)} feeds the model: with {@code chat}, the prompt
     * as one user turn through the chat template; otherwise the text itself (an empty prompt is BOS alone).
     */
    public static int[] promptIds(TextTokenizer tokenizer, String prompt, boolean chat) {
        if (chat) {
            return chatPromptIds(tokenizer, List.of(new Turn(Role.USER, prompt)));
        }
        return prompt.isEmpty() ? withBos(tokenizer, new int[0]) : withBos(tokenizer, tokenizer.encode(prompt, true));
    }

    /** A conversation through the checkpoint's chat template with its generation prompt, BOS first as training has it. */
    public static int[] chatPromptIds(TextTokenizer tokenizer, List<Turn> messages) {
        String rendered = ChatTemplate.forTokenizer(tokenizer).render(messages, true);
        return withBos(tokenizer, tokenizer.encode(rendered, false));
    }

    private static int[] withBos(TextTokenizer tokenizer, int[] ids) {
        int bos = tokenizer.bosId();
        if (bos < 0 || (ids.length > 0 && ids[0] == bos)) {
            if (ids.length == 0) {
                throw new IllegalArgumentException("the prompt is empty and this tokenizer has no BOS token to start from");
            }
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    @Override
    public void close() {
        if (adapter != null) {
            adapter.close();
        }
        model.close();
        manager.close();
        tokenizer.close();
    }
}
