package dev.finetune.engine.train;

/** Token-weighted mean next-token loss over the whole eval split, and its perplexity. */
public record EvalResult(int step, double loss, double perplexity, int tokens) {

    static EvalResult of(int step, double nllSum, int tokens) {
        double loss = tokens == 0 ? Double.NaN : nllSum / tokens;
        return new EvalResult(step, loss, Math.exp(loss), tokens);
    }
}
