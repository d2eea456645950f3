package io.github.rnn4j.training;

import java.util.Map;

/**
 * Keras 3's {@code AdamW} (keras/src/optimizers/adamw.py): {@link Adam} plus the base
 * optimizer's decoupled weight decay, {@code w -= w·weightDecay·lr} applied before the Adam
 * update with the (undecayed-by-bias-correction) learning rate — Loshchilov &amp; Hutter 2019.
 * Weight decay defaults to 0.004 as in Keras 3 and cannot be turned off (use {@link Adam}).
 * PyTorch's AdamW decays the same way ({@code w *= 1 - lr·wd} first).
 *
 * <pre>{@code
 * Optimizer opt = new AdamW(1e-3, 0.01).excludeFromWeightDecay("bias");
 * }</pre>
 */
public final class AdamW extends Adam {
    /** Keras's defaults: lr 0.001, weight_decay 0.004, Adam's betas and epsilon. */
    public AdamW() {
        this(0.001, 0.004);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(learningRate, weightDecay, 0.9, 0.999, 1e-7, false);
    }

    public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super("adamw", learningRate, beta1, beta2, epsilon, amsgrad);
        weightDecay(weightDecay);
    }

    public AdamW(LearningRateSchedule learningRate, double weightDecay, double beta1, double beta2, double epsilon,
                 boolean amsgrad) {
        super("adamw", learningRate, beta1, beta2, epsilon, amsgrad);
        weightDecay(weightDecay);
    }

    /** Rebuilds from {@link #getConfig()}. */
    public static AdamW fromConfig(Map<String, Object> c) {
        double wd = Optimizers.num(c, "weight_decay", 0.004);
        double b1 = Optimizers.num(c, "beta_1", 0.9), b2 = Optimizers.num(c, "beta_2", 0.999);
        double eps = Optimizers.num(c, "epsilon", 1e-7);
        boolean ams = Boolean.TRUE.equals(c.get("amsgrad"));
        Object lr = c.getOrDefault("learning_rate", 0.001);
        AdamW o = lr instanceof Map<?, ?> ? new AdamW(Optimizers.schedule(lr), wd, b1, b2, eps, ams)
                : new AdamW(Optimizers.num(c, "learning_rate", 0.001), wd, b1, b2, eps, ams);
        o.applyBaseConfig(c);
        return o;
    }

    @Override
    public Optimizer weightDecay(Double wd) {
        if (wd == null) throw new IllegalArgumentException("AdamW: weight_decay must be a float, got null");
        return super.weightDecay(wd);
    }

    @Override
    public String className() {
        return "AdamW";
    }
}
