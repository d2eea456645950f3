package io.github.rnn4j.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code CosineDecay} with optional linear warmup (SGDR, Loshchilov &amp; Hutter 2016):
 * <pre>
 *   no warmup:  s = min(step, decaySteps);  lr = initial · ((1 - alpha)·0.5·(1 + cos(π·s/decaySteps)) + alpha)
 *   warmup:     s = min(step, warmupSteps + decaySteps)
 *               s &lt; warmupSteps:  lr = initial + (warmupTarget - initial) · s / warmupSteps
 *               otherwise:        the cosine above from warmupTarget, at s - warmupSteps
 * </pre>
 * No restarts (that is Keras's {@code CosineDecayRestarts}, not provided).
 *
 * <pre>{@code
 * new CosineDecay(0.0, 1000, 0.0, 0.1, 100);   // warm up to 0.1 over 100 steps, then decay over 1000
 * }</pre>
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double initialLearningRate, alpha;
    private final Double warmupTarget;
    private final long decaySteps, warmupSteps;

    /** No warmup. */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
        this(initialLearningRate, decaySteps, alpha, null, 0);
    }

    /** @param warmupTarget null for no warmup, as Keras's {@code warmup_target=None} */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha, Double warmupTarget, long warmupSteps) {
        if (decaySteps <= 0) throw new IllegalArgumentException("decaySteps must be > 0, got " + decaySteps);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.alpha = alpha;
        this.warmupTarget = warmupTarget;
        this.warmupSteps = warmupSteps;
    }

    private double decay(double s, double from) {
        double cos = 0.5 * (1 + Math.cos(Math.PI * s / decaySteps));
        return from * ((1 - alpha) * cos + alpha);
    }

    @Override
    public double at(long step) {
        if (warmupTarget == null) return decay(Math.min(step, decaySteps), initialLearningRate);
        double s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) return (warmupTarget - initialLearningRate) * (s / warmupSteps) + initialLearningRate;
        return decay(s - warmupSteps, warmupTarget);
    }

    @Override
    public String className() {
        return "CosineDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("alpha", alpha);
        c.put("name", "CosineDecay");
        c.put("warmup_target", warmupTarget);
        c.put("warmup_steps", warmupSteps);
        return c;
    }
}
