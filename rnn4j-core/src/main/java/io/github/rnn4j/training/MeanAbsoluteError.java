package io.github.rnn4j.training;

/**
 * Keras's {@code MeanAbsoluteError} loss ({@code "mae"}): per row {@code mean(|yPred - yTrue|)}
 * over the last axis, then the mean over rows. The gradient at an exact tie is 0 (sign(0), as
 * TensorFlow and PyTorch give). Not a metric: see {@link Metrics.MeanAbsoluteError}.
 *
 * <pre>{@code
 * double l = new MeanAbsoluteError().forward(yPred, yTrue, grad);
 * }</pre>
 */
public final class MeanAbsoluteError extends Loss {
    @Override
    public String name() {
        return "mean_absolute_error";
    }

    @Override
    public String className() {
        return "MeanAbsoluteError";
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        double s = 0, k = gScale / width;
        for (int i = 0; i < width; i++) {
            double e = (double) p[po + i] - y[yo + i];
            s += Math.abs(e);
            if (g != null) g[go + i] = (float) (k * Math.signum(e));
        }
        return s / width;
    }

    /** Rows are independent: a large prediction's rows may run on several threads. */
    @Override
    protected boolean parallelRows() {
        return true;
    }
}
