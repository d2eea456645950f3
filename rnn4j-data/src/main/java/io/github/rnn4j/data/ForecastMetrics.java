package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;

/**
 * Forecast errors over whole prediction tensors, in double precision: mean absolute error and
 * root mean squared error, overall or per target column, optionally in original units (both
 * tensors inverse-transformed with the {@link Normalizer} first). Not the training metrics of
 * the core ({@code io.github.rnn4j.training.Metrics}), which run per batch in float.
 *
 * <pre>{@code
 * double mae = ForecastMetrics.mae(pred, test.targetTensor(), norm, test.targetColumns());  // e.g. in degC
 * }</pre>
 */
public final class ForecastMetrics {
    private ForecastMetrics() {
    }

    /** Mean absolute error over all elements. */
    public static double mae(Tensor predicted, Tensor actual) {
        check(predicted, actual);
        float[] p = predicted.data(), a = actual.data();
        double s = 0;
        for (int i = 0; i < p.length; i++) s += Math.abs((double) p[i] - a[i]);
        return s / p.length;
    }

    /** Root mean squared error over all elements. */
    public static double rmse(Tensor predicted, Tensor actual) {
        check(predicted, actual);
        float[] p = predicted.data(), a = actual.data();
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double e = (double) p[i] - a[i];
            s += e * e;
        }
        return Math.sqrt(s / p.length);
    }

    /** MAE in original units: both tensors (laid out as a dataset's targets) inverse-transformed first. */
    public static double mae(Tensor predicted, Tensor actual, Normalizer normalizer, int... targetColumns) {
        return mae(normalizer.inverseTargets(predicted, targetColumns), normalizer.inverseTargets(actual, targetColumns));
    }

    /** RMSE in original units. */
    public static double rmse(Tensor predicted, Tensor actual, Normalizer normalizer, int... targetColumns) {
        return rmse(normalizer.inverseTargets(predicted, targetColumns), normalizer.inverseTargets(actual, targetColumns));
    }

    /**
     * MAE per position of the last axis (e.g. per forecast step and target column, in the
     * dataset's step-major layout): element {@code k} averages column {@code k} over all rows.
     */
    public static double[] maePerOutput(Tensor predicted, Tensor actual) {
        check(predicted, actual);
        int k = predicted.rank() == 0 ? 1 : predicted.dim(-1);
        double[] s = new double[k];
        float[] p = predicted.data(), a = actual.data();
        for (int i = 0; i < p.length; i++) s[i % k] += Math.abs((double) p[i] - a[i]);
        int rows = p.length / Math.max(1, k);
        for (int j = 0; j < k; j++) s[j] /= Math.max(1, rows);
        return s;
    }

    private static void check(Tensor p, Tensor a) {
        if (!p.hasShape(a.shape())) {
            throw new IllegalArgumentException("predictions have shape " + p.shapeString() + ", actual values " + a.shapeString());
        }
        if (p.size() == 0) throw new IllegalArgumentException("no values to compare (shape " + p.shapeString() + ")");
    }
}
