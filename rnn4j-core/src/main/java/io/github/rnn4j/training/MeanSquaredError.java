package io.github.rnn4j.training;

/**
 * Keras's {@code MeanSquaredError} loss ({@code "mse"}): per row {@code mean((yPred - yTrue)^2)}
 * over the last axis, then the mean over rows. Not a metric: see {@link Metrics.MeanSquaredError}.
 *
 * <pre>{@code
 * double l = new MeanSquaredError().forward(yPred, yTrue, grad);
 * }</pre>
 */
public final class MeanSquaredError extends Loss {
    @Override
    public String name() {
        return "mean_squared_error";
    }

    @Override
    public String className() {
        return "MeanSquaredError";
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        double s = 0, k = 2.0 / width * gScale;
        for (int i = 0; i < width; i++) {
            double e = (double) p[po + i] - y[yo + i];
            s += e * e;
            if (g != null) g[go + i] = (float) (k * e);
        }
        return s / width;
    }

    /** Rows are independent: a large prediction's rows may run on several threads. */
    @Override
    protected boolean parallelRows() {
        return true;
    }
}
