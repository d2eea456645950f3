package io.github.rnn4j.training;

import java.util.Map;

/**
 * Keras's {@code Huber} loss (name {@code "huber_loss"}): with {@code e = yPred - yTrue},
 * <pre>
 *   l(e) = 0.5·e²                 if |e| <= delta
 *        = delta·|e| - 0.5·delta² otherwise
 * </pre>
 * averaged over the last axis, then over rows. Quadratic near zero, linear (robust to outliers)
 * beyond {@code delta}. Not a metric.
 *
 * <pre>{@code
 * Loss huber = new Huber(1.0);      // keras.losses.Huber(delta=1.0)
 * }</pre>
 */
public final class Huber extends Loss {
    private final double delta;

    /** Keras's default, delta = 1.0. */
    public Huber() {
        this(1.0);
    }

    /** @param delta where the loss turns from quadratic to linear; must be positive */
    public Huber(double delta) {
        if (!(delta > 0)) throw new IllegalArgumentException("Huber delta must be positive, got " + delta);
        this.delta = delta;
    }

    public double delta() {
        return delta;
    }

    @Override
    public String name() {
        return "huber_loss";
    }

    @Override
    public String className() {
        return "Huber";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("delta", delta);
        return c;
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        double s = 0, k = gScale / width;
        for (int i = 0; i < width; i++) {
            double e = (double) p[po + i] - y[yo + i], a = Math.abs(e);
            if (a <= delta) {
                s += 0.5 * e * e;
                if (g != null) g[go + i] = (float) (k * e);
            } else {
                s += delta * a - 0.5 * delta * delta;
                if (g != null) g[go + i] = (float) (k * delta * Math.signum(e));
            }
        }
        return s / width;
    }

    /** Rows are independent: a large prediction's rows may run on several threads. */
    @Override
    protected boolean parallelRows() {
        return true;
    }
}
