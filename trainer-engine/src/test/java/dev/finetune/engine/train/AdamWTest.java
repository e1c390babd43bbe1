package dev.finetune.engine.train;

import dev.finetune.settings.LrScheduler;
import dev.finetune.settings.TrainingSettings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.finetune.engine.peft.NamedParameter;
import dev.finetune.engine.runtime.EngineRuntime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two AdamW steps on f(w) = sum(w^2), checked against torch.optim.AdamW's update written out by hand. */
class AdamWTest {

    @Test
    void followsTorchAdamWWithDecoupledWeightDecayAndBiasCorrection() {
        double lr = 0.1;
        double wd = 0.01;
        TrainingConfig config = TrainingConfig.builder(TrainingSettings.builder().learningRate(lr).weightDecay(wd)
                .lrScheduler(LrScheduler.CONSTANT).warmupRatio(0).batchSize(1).maxGradNorm(0).nEpochs(1).maxSteps(1)
                .build()).seed(1).logEvery(1).build();
        try (NDManager m = EngineRuntime.newManager("cpu"); AdamW adam = new AdamW(config)) {
            NDArray w = m.create(new float[] {1.0f, -2.0f});
            w.setRequiresGradient(true);
            double[] expected = {1.0, -2.0};
            double[] mom = new double[2];
            double[] vel = new double[2];
            for (int t = 1; t <= 2; t++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.square().sum());
                }
                adam.step(List.of(new NamedParameter("w", w)), lr);
                for (int i = 0; i < 2; i++) {
                    double g = 2 * expected[i];
                    expected[i] *= 1 - lr * wd;
                    mom[i] = 0.9 * mom[i] + 0.1 * g;
                    vel[i] = 0.999 * vel[i] + 0.001 * g * g;
                    double mHat = mom[i] / (1 - Math.pow(0.9, t));
                    double denom = Math.sqrt(vel[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
                    expected[i] -= lr * mHat / denom;
                }
            }
            float[] actual = w.toFloatArray();
            assertThat((double) actual[0]).isCloseTo(expected[0], within(1e-6));
            assertThat((double) actual[1]).isCloseTo(expected[1], within(1e-6));
            assertThat(w.getGradient().toFloatArray()).containsOnly(0f);
            assertThat(adam.stepCount()).isEqualTo(2);
        }
    }
}
