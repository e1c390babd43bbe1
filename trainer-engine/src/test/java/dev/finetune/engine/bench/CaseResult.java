package dev.finetune.engine.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one case measured. Crosses the process boundary as tab-separated {@code RESULT} lines on the
 * child's stdout, so every field is a number or a string without tabs.
 */
final class CaseResult {

    String caseId;
    int tokensPerStep;
    long loraParams;
    long frozenWeightBytes;
    long embeddingAndHeadBytes;
    long projectionBytes;
    long projectionParams;
    long idleRss;
    long loadedRss;
    long peakRss;
    long heapCommitted;
    double caseMatmulGflops;
    double caseMatmulBestGflops;
    double loadSeconds;
    String memoryMethod = "";
    List<Double> stepMillis = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    Map<String, Double> phaseMillis = new LinkedHashMap<>();

    double medianStepMillis() {
        List<Double> sorted = new ArrayList<>(stepMillis);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double bestStepMillis() {
        return stepMillis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    List<String> toLines() {
        List<String> out = new ArrayList<>();
        put(out, "caseId", caseId);
        put(out, "tokensPerStep", tokensPerStep);
        put(out, "loraParams", loraParams);
        put(out, "frozenWeightBytes", frozenWeightBytes);
        put(out, "embeddingAndHeadBytes", embeddingAndHeadBytes);
        put(out, "projectionBytes", projectionBytes);
        put(out, "projectionParams", projectionParams);
        put(out, "idleRss", idleRss);
        put(out, "loadedRss", loadedRss);
        put(out, "peakRss", peakRss);
        put(out, "heapCommitted", heapCommitted);
        put(out, "caseMatmulGflops", caseMatmulGflops);
        put(out, "caseMatmulBestGflops", caseMatmulBestGflops);
        put(out, "loadSeconds", loadSeconds);
        put(out, "memoryMethod", memoryMethod);
        stepMillis.forEach(v -> put(out, "step", v));
        losses.forEach(v -> put(out, "loss", v));
        phaseMillis.forEach((k, v) -> out.add("PHASE\t" + k + "\t" + fmt(v)));
        return out;
    }

    /** Rebuilds a result from a child's stdout; lines that are not RESULT/PHASE lines are ignored. */
    static CaseResult parse(List<String> lines) {
        CaseResult r = new CaseResult();
        for (String line : lines) {
            String[] p = line.split("\t");
            if (p.length == 3 && p[0].equals("PHASE")) {
                r.phaseMillis.put(p[1], Double.parseDouble(p[2]));
                continue;
            }
            if (p.length != 3 || !p[0].equals("RESULT")) {
                continue;
            }
            String v = p[2];
            switch (p[1]) {
                case "caseId" -> r.caseId = v;
                case "tokensPerStep" -> r.tokensPerStep = Integer.parseInt(v);
                case "loraParams" -> r.loraParams = Long.parseLong(v);
                case "frozenWeightBytes" -> r.frozenWeightBytes = Long.parseLong(v);
                case "embeddingAndHeadBytes" -> r.embeddingAndHeadBytes = Long.parseLong(v);
                case "projectionBytes" -> r.projectionBytes = Long.parseLong(v);
                case "projectionParams" -> r.projectionParams = Long.parseLong(v);
                case "idleRss" -> r.idleRss = Long.parseLong(v);
                case "loadedRss" -> r.loadedRss = Long.parseLong(v);
                case "peakRss" -> r.peakRss = Long.parseLong(v);
                case "heapCommitted" -> r.heapCommitted = Long.parseLong(v);
                case "caseMatmulGflops" -> r.caseMatmulGflops = Double.parseDouble(v);
                case "caseMatmulBestGflops" -> r.caseMatmulBestGflops = Double.parseDouble(v);
                case "loadSeconds" -> r.loadSeconds = Double.parseDouble(v);
                case "memoryMethod" -> r.memoryMethod = v;
                case "step" -> r.stepMillis.add(Double.parseDouble(v));
                case "loss" -> r.losses.add(Double.parseDouble(v));
                default -> { }
            }
        }
        if (r.caseId == null) {
            throw new IllegalStateException("child produced no RESULT lines");
        }
        return r;
    }

    private static void put(List<String> out, String key, Object value) {
        out.add("RESULT\t" + key + "\t" + (value instanceof Double d ? fmt(d) : value));
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }
}
