package io.github.rnn4j.training;

import java.util.Map;

/**
 * Keras 3's {@code SGD} (keras/src/optimizers/sgd.py {@code update_step}), velocity v per
 * parameter:
 * <pre>
 *   momentum = 0:   w -= lr·g
 *   momentum > 0:   v = momentum·v - lr·g;   w += v
 *   nesterov:       v = momentum·v - lr·g;   w += momentum·v - lr·g
 * </pre>
 * The learning rate sits inside the velocity. PyTorch keeps {@code buf = momentum·buf + g} and
 * multiplies by lr afterwards: the two agree while lr is constant and differ once a schedule
 * changes it.
 *
 * <pre>{@code
 * Optimizer opt = new SGD(0.01, 0.9, true);    // keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True)
 * }</pre>
 */
public final class SGD extends Optimizer {
    private static final String[] MOMENTUM = {"momentum"}, NONE = {};
    private final double momentum;
    private final boolean nesterov;

    /** Keras's defaults: lr 0.01, no momentum. */
    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0, false);
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        super("SGD", learningRate);
        this.momentum = checkMomentum(momentum);
        this.nesterov = nesterov;
    }

    public SGD(LearningRateSchedule learningRate, double momentum, boolean nesterov) {
        super("SGD", learningRate);
        this.momentum = checkMomentum(momentum);
        this.nesterov = nesterov;
    }

    private static double checkMomentum(double m) {
        if (!(m >= 0 && m <= 1)) throw new IllegalArgumentException("SGD momentum must be in [0, 1], got " + m);
        return m;
    }

    /** Rebuilds from {@link #getConfig()}. */
    public static SGD fromConfig(Map<String, Object> c) {
        double m = Optimizers.num(c, "momentum", 0.0);
        boolean n = Boolean.TRUE.equals(c.get("nesterov"));
        Object lr = c.getOrDefault("learning_rate", 0.01);
        SGD o = lr instanceof Map<?, ?> ? new SGD(Optimizers.schedule(lr), m, n) : new SGD(Optimizers.num(c, "learning_rate", 0.01), m, n);
        o.applyBaseConfig(c);
        return o;
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    public String className() {
        return "SGD";
    }

    @Override
    protected String[] slotNames() {
        return momentum != 0 ? MOMENTUM : NONE;
    }

    @Override
    protected void update(float[] w, float[] g, int n, float[][] slots, double lr, long step) {
        if (momentum == 0) {
            for (int j = 0; j < n; j++) w[j] = (float) (w[j] - g[j] * lr);
            return;
        }
        float[] v = slots[0];
        for (int j = 0; j < n; j++) {
            double gl = g[j] * lr;
            float vj = (float) (v[j] * momentum - gl);
            v[j] = vj;
            w[j] = nesterov ? (float) (w[j] + (vj * momentum - gl)) : w[j] + vj;
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("momentum", momentum);
        c.put("nesterov", nesterov);
        return c;
    }
}
