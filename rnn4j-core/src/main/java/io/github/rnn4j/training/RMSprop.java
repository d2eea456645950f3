package io.github.rnn4j.training;

import java.util.Map;

/**
 * Keras 3's {@code RMSprop} (keras/src/optimizers/rmsprop.py {@code update_step}), slots
 * velocity v, optional momentum m and average gradient a:
 * <pre>
 *   v = rho·v + (1 - rho)·g²
 *   centered:  a = rho·a + (1 - rho)·g;   d = v - a² + eps      else  d = v + eps
 *   inc = lr·g / sqrt(d)
 *   momentum > 0:  m = momentum·m + inc;  w -= m               else  w -= inc
 * </pre>
 * Epsilon sits <em>inside</em> the square root; PyTorch adds it outside ({@code sqrt(v) + eps}),
 * so the two agree only for eps = 0.
 *
 * <pre>{@code
 * Optimizer opt = new RMSprop(1e-3);                          // Keras defaults: rho 0.9, eps 1e-7
 * Optimizer c = new RMSprop(1e-3, 0.9, 0.5, 1e-7, true);      // momentum 0.5, centered
 * }</pre>
 */
public final class RMSprop extends Optimizer {
    private final double rho, momentum, epsilon;
    private final boolean centered;
    private final String[] slotNames;

    /** Keras's defaults: lr 0.001, rho 0.9, no momentum, epsilon 1e-7, not centered. */
    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 0.0, 1e-7, false);
    }

    public RMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
        super("rmsprop", learningRate);
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
        this.slotNames = names();
    }

    public RMSprop(LearningRateSchedule learningRate, double rho, double momentum, double epsilon, boolean centered) {
        super("rmsprop", learningRate);
        this.rho = rho;
        this.momentum = momentum;
        this.epsilon = epsilon;
        this.centered = centered;
        this.slotNames = names();
    }

    private String[] names() {
        if (!(rho >= 0 && rho <= 1)) throw new IllegalArgumentException("RMSprop rho must be in [0, 1], got " + rho);
        if (!(momentum >= 0)) throw new IllegalArgumentException("RMSprop momentum must be >= 0, got " + momentum);
        if (!(epsilon >= 0)) throw new IllegalArgumentException("RMSprop epsilon must be >= 0, got " + epsilon);
        if (momentum > 0 && centered) return new String[]{"velocity", "momentum", "average_gradient"};
        if (momentum > 0) return new String[]{"velocity", "momentum"};
        if (centered) return new String[]{"velocity", "average_gradient"};
        return new String[]{"velocity"};
    }

    /** Rebuilds from {@link #getConfig()}. */
    public static RMSprop fromConfig(Map<String, Object> c) {
        double rho = Optimizers.num(c, "rho", 0.9), m = Optimizers.num(c, "momentum", 0.0);
        double eps = Optimizers.num(c, "epsilon", 1e-7);
        boolean centered = Boolean.TRUE.equals(c.get("centered"));
        Object lr = c.getOrDefault("learning_rate", 0.001);
        RMSprop o = lr instanceof Map<?, ?> ? new RMSprop(Optimizers.schedule(lr), rho, m, eps, centered)
                : new RMSprop(Optimizers.num(c, "learning_rate", 0.001), rho, m, eps, centered);
        o.applyBaseConfig(c);
        return o;
    }

    public double rho() {
        return rho;
    }

    public double momentum() {
        return momentum;
    }

    public double epsilon() {
        return epsilon;
    }

    public boolean centered() {
        return centered;
    }

    @Override
    public String className() {
        return "RMSprop";
    }

    @Override
    protected String[] slotNames() {
        return slotNames;
    }

    @Override
    protected void update(float[] w, float[] g, int n, float[][] slots, double lr, long step) {
        float[] v = slots[0];
        float[] m = momentum > 0 ? slots[1] : null;
        float[] a = centered ? slots[slots.length - 1] : null;
        for (int j = 0; j < n; j++) {
            double gj = g[j];
            float vj = (float) (rho * v[j] + (1 - rho) * gj * gj);
            v[j] = vj;
            double d;
            if (centered) {
                float aj = (float) (rho * a[j] + (1 - rho) * gj);
                a[j] = aj;
                d = vj - (double) aj * aj + epsilon;
            } else {
                d = vj + epsilon;
            }
            double inc = lr * gj / Math.sqrt(d);
            if (m != null) {
                float mj = (float) (momentum * m[j] + inc);
                m[j] = mj;
                w[j] = w[j] - mj;
            } else {
                w[j] = (float) (w[j] - inc);
            }
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rho", rho);
        c.put("momentum", momentum);
        c.put("epsilon", epsilon);
        c.put("centered", centered);
        return c;
    }
}
