package dev.finetune.core.hyperparameters;

import dev.finetune.settings.AdapterKind;
import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TargetModules;

/** Builds {@link Hyperparameters} from the shared settings' defaults; {@link #build()} validates. */
public final class HyperparametersBuilder {

    private int nEpochs;
    private Integer maxSteps;
    private int batchSize;
    private double learningRate;
    private LrScheduler lrScheduler;
    private double warmupRatio;
    private double weightDecay;
    private double maxGradNorm;
    private int gradientAccumulationSteps;
    private int maxSeqLength;
    private Integer evalEverySteps;
    private Integer earlyStoppingPatience;
    private boolean trainOnInputs;
    private boolean packing;
    private int loraR;
    private int loraAlpha;
    private double loraDropout;
    private TargetModules targetModules;
    private boolean useRslora;
    private boolean useDora;
    private int adapterReductionFactor;
    private AdapterKind adapterKind;

    HyperparametersBuilder() {
        this(Hyperparameters.defaults());
    }

    HyperparametersBuilder(Hyperparameters h) {
        nEpochs = h.nEpochs();
        maxSteps = h.maxSteps();
        batchSize = h.batchSize();
        learningRate = h.learningRate();
        lrScheduler = h.lrScheduler();
        warmupRatio = h.warmupRatio();
        weightDecay = h.weightDecay();
        maxGradNorm = h.maxGradNorm();
        gradientAccumulationSteps = h.gradientAccumulationSteps();
        maxSeqLength = h.maxSeqLength();
        evalEverySteps = h.evalEverySteps();
        earlyStoppingPatience = h.earlyStoppingPatience();
        trainOnInputs = h.trainOnInputs();
        packing = h.packing();
        loraR = h.loraR();
        loraAlpha = h.loraAlpha();
        loraDropout = h.loraDropout();
        targetModules = h.targetModules();
        useRslora = h.useRslora();
        useDora = h.useDora();
        adapterReductionFactor = h.adapterReductionFactor();
        adapterKind = h.adapterKind();
    }

    public HyperparametersBuilder nEpochs(int v) { nEpochs = v; return this; }
    public HyperparametersBuilder maxSteps(Integer v) { maxSteps = v; return this; }
    public HyperparametersBuilder batchSize(int v) { batchSize = v; return this; }
    public HyperparametersBuilder learningRate(double v) { learningRate = v; return this; }
    public HyperparametersBuilder lrScheduler(LrScheduler v) { lrScheduler = v; return this; }
    public HyperparametersBuilder warmupRatio(double v) { warmupRatio = v; return this; }
    public HyperparametersBuilder weightDecay(double v) { weightDecay = v; return this; }
    public HyperparametersBuilder maxGradNorm(double v) { maxGradNorm = v; return this; }
    public HyperparametersBuilder gradientAccumulationSteps(int v) { gradientAccumulationSteps = v; return this; }
    public HyperparametersBuilder maxSeqLength(int v) { maxSeqLength = v; return this; }
    public HyperparametersBuilder evalEverySteps(Integer v) { evalEverySteps = v; return this; }
    public HyperparametersBuilder earlyStoppingPatience(Integer v) { earlyStoppingPatience = v; return this; }
    public HyperparametersBuilder trainOnInputs(boolean v) { trainOnInputs = v; return this; }
    public HyperparametersBuilder packing(boolean v) { packing = v; return this; }
    public HyperparametersBuilder loraR(int v) { loraR = v; return this; }
    public HyperparametersBuilder loraAlpha(int v) { loraAlpha = v; return this; }
    public HyperparametersBuilder loraDropout(double v) { loraDropout = v; return this; }
    public HyperparametersBuilder targetModules(TargetModules v) { targetModules = v; return this; }
    public HyperparametersBuilder useRslora(boolean v) { useRslora = v; return this; }
    public HyperparametersBuilder useDora(boolean v) { useDora = v; return this; }
    public HyperparametersBuilder adapterReductionFactor(int v) { adapterReductionFactor = v; return this; }
    public HyperparametersBuilder adapterKind(AdapterKind v) { adapterKind = v; return this; }

    public Hyperparameters build() {
        return new Hyperparameters(nEpochs, maxSteps, batchSize, learningRate, lrScheduler, warmupRatio,
                weightDecay, maxGradNorm, gradientAccumulationSteps, maxSeqLength, evalEverySteps,
                earlyStoppingPatience, trainOnInputs, packing, loraR, loraAlpha, loraDropout, targetModules,
                useRslora, useDora, adapterReductionFactor, adapterKind);
    }
}
