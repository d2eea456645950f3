package io.github.rnn4j.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code ExponentialDecay}: {@code initial · rate^(step / decaySteps)}, with the exponent
 * floored when {@code staircase}. Not a per-epoch schedule: {@code step} counts optimizer steps.
 *
 * <pre>{@code
 * new ExponentialDecay(0.1, 100000, 0.96, true);   // keras.optimizers.schedules.ExponentialDecay(...)
 * }</pre>
 */
public final class ExponentialDecay implements LearningRateSchedule {
    private final double initialLearningRate, decayRate;
    private final long decaySteps;
    private final boolean staircase;

    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase) {
        if (decaySteps <= 0) throw new IllegalArgumentException("decaySteps must be > 0, got " + decaySteps);
        this.initialLearningRate = initialLearningRate;
        this.decaySteps = decaySteps;
        this.decayRate = decayRate;
        this.staircase = staircase;
    }

    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        double p = (double) step / decaySteps;
        if (staircase) p = Math.floor(p);
        return initialLearningRate * Math.pow(decayRate, p);
    }

    @Override
    public String className() {
        return "ExponentialDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("initial_learning_rate", initialLearningRate);
        c.put("decay_steps", decaySteps);
        c.put("decay_rate", decayRate);
        c.put("staircase", staircase);
        c.put("name", "ExponentialDecay");
        return c;
    }
}
