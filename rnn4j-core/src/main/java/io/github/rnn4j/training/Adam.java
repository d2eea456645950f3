package io.github.rnn4j.training;

import java.util.Map;

/**
 * Keras 3's {@code Adam} (keras/src/optimizers/adam.py {@code update_step}), slots momentum m,
 * velocity v and, with amsgrad, velocity_hat:
 * <pre>
 *   t = iterations + 1
 *   alpha = lr · sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m += (g - m)·(1 - beta1)
 *   v += (g² - v)·(1 - beta2)
 *   amsgrad:  vhat = max(vhat, v);  v := vhat
 *   w -= m·alpha / (sqrt(v) + eps)
 * </pre>
 * This is the "epsilon hat" form of Kingma &amp; Ba: the bias correction is folded into alpha and
 * eps is added to the uncorrected sqrt(v). PyTorch adds eps to the corrected {@code sqrt(v/(1 -
 * beta2^t))}, so the two agree only for eps = 0.
 *
 * <pre>{@code
 * Optimizer opt = new Adam();              // lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7
 * Optimizer ams = new Adam(3e-4, 0.9, 0.98, 1e-7, true);
 * }</pre>
 */
public class Adam extends Optimizer {
    private static final String[] PLAIN = {"momentum", "velocity"}, AMS = {"momentum", "velocity", "velocity_hat"};
    private final double beta1, beta2, epsilon;
    private final boolean amsgrad;

    /** Keras's defaults. */
    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7, false);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        this("adam", learningRate, beta1, beta2, epsilon, amsgrad);
    }

    public Adam(LearningRateSchedule learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7, false);
    }

    public Adam(LearningRateSchedule learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        this("adam", learningRate, beta1, beta2, epsilon, amsgrad);
    }

    protected Adam(String name, double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super(name, learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
        check(name, beta1, beta2, epsilon);
    }

    protected Adam(String name, LearningRateSchedule learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
        super(name, learningRate);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.amsgrad = amsgrad;
        check(name, beta1, beta2, epsilon);
    }

    private static void check(String who, double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException(who + ": beta_1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException(who + ": beta_2 must be in [0, 1), got " + beta2);
        if (!(epsilon >= 0)) throw new IllegalArgumentException(who + ": epsilon must be >= 0, got " + epsilon);
    }

    /** Rebuilds from {@link #getConfig()}. */
    public static Adam fromConfig(Map<String, Object> c) {
        double b1 = Optimizers.num(c, "beta_1", 0.9), b2 = Optimizers.num(c, "beta_2", 0.999);
        double eps = Optimizers.num(c, "epsilon", 1e-7);
        boolean ams = Boolean.TRUE.equals(c.get("amsgrad"));
        Object lr = c.getOrDefault("learning_rate", 0.001);
        Adam o = lr instanceof Map<?, ?> ? new Adam(Optimizers.schedule(lr), b1, b2, eps, ams)
                : new Adam(Optimizers.num(c, "learning_rate", 0.001), b1, b2, eps, ams);
        o.applyBaseConfig(c);
        return o;
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double epsilon() {
        return epsilon;
    }

    public boolean amsgrad() {
        return amsgrad;
    }

    @Override
    public String className() {
        return "Adam";
    }

    @Override
    protected String[] slotNames() {
        return amsgrad ? AMS : PLAIN;
    }

    @Override
    protected void update(float[] w, float[] g, int n, float[][] slots, double lr, long step) {
        double alpha = lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        double c1 = 1 - beta1, c2 = 1 - beta2;
        float[] m = slots[0], v = slots[1], vh = amsgrad ? slots[2] : null;
        for (int j = 0; j < n; j++) {
            double gj = g[j];
            float mj = (float) (m[j] + (gj - m[j]) * c1);
            float vj = (float) (v[j] + (gj * gj - v[j]) * c2);
            m[j] = mj;
            v[j] = vj;
            if (vh != null) {
                vj = Math.max(vh[j], vj);
                vh[j] = vj;
            }
            w[j] = (float) (w[j] - mj * alpha / (Math.sqrt(vj) + epsilon));
        }
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("beta_1", beta1);
        c.put("beta_2", beta2);
        c.put("epsilon", epsilon);
        c.put("amsgrad", amsgrad);
        return c;
    }
}
