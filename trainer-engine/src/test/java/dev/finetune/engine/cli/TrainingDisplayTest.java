package dev.finetune.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.engine.train.TrainingProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingDisplayTest {

    static TrainingProgress step(int step, int total, Double evalLoss) {
        return new TrainingProgress(step, total, step / 10.0, 5.0 - step / 10.0, evalLoss, 2e-3, 1.5, 3000,
                step * 100L, Duration.ofSeconds(total - step));
    }

    @Test
    void aTerminalGetsTheBarAndAnythingElseTheLines() {
        // given
        PrintWriter out = new PrintWriter(new StringWriter());

        // when
        TrainingDisplay onTerminal = TrainingDisplay.choose(() -> true, out, 10);
        TrainingDisplay piped = TrainingDisplay.choose(() -> false, out, 10);

        // then
        assertThat(onTerminal).isInstanceOf(ProgressBarDisplay.class);
        assertThat(piped).isInstanceOf(ProgressLines.class);
    }

    @Test
    void linesComeEveryNStepsAtEvaluationsAndAtTheLastStep() {
        // given
        StringWriter text = new StringWriter();
        TrainingDisplay lines = new ProgressLines(new PrintWriter(text), 2);

        // when
        lines.start(0, 5);
        List<TrainingProgress> steps = List.of(step(1, 5, null), step(2, 5, null), step(3, 5, 4.25), step(4, 5, null),
                step(5, 5, null));
        steps.forEach(lines::onStep);
        lines.println("checkpoint: runs/x/checkpoints/step-5");
        lines.close();

        // then
        assertThat(text.toString().lines()).containsExactly(
                "step 2/5 | epoch 0.20 | loss 4.8000 | lr 2.00e-03 | grad_norm 1.500 | 3000 tok/s | eta 0m03s",
                "step 3/5 | epoch 0.30 | loss 4.7000 | eval_loss 4.2500 | lr 2.00e-03 | grad_norm 1.500 | 3000 tok/s | eta 0m02s",
                "step 4/5 | epoch 0.40 | loss 4.6000 | lr 2.00e-03 | grad_norm 1.500 | 3000 tok/s | eta 0m01s",
                "step 5/5 | epoch 0.50 | loss 4.5000 | lr 2.00e-03 | grad_norm 1.500 | 3000 tok/s | eta 0m00s",
                "checkpoint: runs/x/checkpoints/step-5");
    }

    @Test
    void theBarShowsStepsElapsedEtaAndTheLatestLossWithEvaluationsAndCheckpointsAboveIt() {
        // given a bar 100 columns wide (no terminal needed)
        StringWriter text = new StringWriter();
        TrainingDisplay bar = new ProgressBarDisplay(new PrintWriter(text), 100);

        // when
        bar.start(0, 4);
        bar.onStep(step(1, 4, null));
        bar.onStep(step(2, 4, 4.25));
        bar.println("checkpoint: runs/x/checkpoints/step-2");
        bar.onStep(step(3, 4, null));
        bar.onStep(step(4, 4, null));
        bar.close();

        // then every drawing returns to the line start; the last one is complete
        String shown = text.toString();
        String[] drawings = shown.split("\r");
        String last = drawings[drawings.length - 1];
        assertThat(last).startsWith("train 100%").contains(" 4/4 ")
                .containsPattern("\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\)")
                .contains("loss 4.6000 | lr 2.00e-03 | 3000 tok/s").endsWith("\n");
        assertThat(last.stripTrailing().length()).isLessThan(100);
        assertThat(shown).contains("\u001b[2Kstep 2/4 | epoch 0.20 | loss 4.8000 | eval_loss 4.2500")
                .contains("\u001b[2Kcheckpoint: runs/x/checkpoints/step-2\n");
    }

    @Test
    void aResumedRunsBarStartsAtItsCheckpointStep() {
        // given
        StringWriter text = new StringWriter();
        TrainingDisplay bar = new ProgressBarDisplay(new PrintWriter(text), 100);

        // when
        bar.start(6, 8);
        bar.onStep(step(7, 8, null));
        bar.onStep(step(8, 8, null));
        bar.close();

        // then
        assertThat(text.toString()).doesNotContain(" 0/8 ").contains(" 8/8 ");
    }
}
