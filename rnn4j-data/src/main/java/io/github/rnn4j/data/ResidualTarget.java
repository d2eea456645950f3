package io.github.rnn4j.data;

import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Residual (delta) forecasting, as TensorFlow's time-series tutorial does with its
 * {@code ResidualWrapper}: the model learns the change of each target column from its value at
 * the window's last step, and the forecast is that last value plus the predicted change. A model
 * whose output is zero is therefore exactly the persistence forecast; with a zero-initialized
 * output layer an untrained model starts there.
 *
 * <p>The arithmetic, per target column {@code k} (target row {@code t}, window's last row
 * {@code last}, all values in the units of the dataset's arrays, i.e. normalized when the series
 * was normalized first):
 * <pre>
 *   delta = (y[t, k] - y[last, k]) / scale[k]        (what the model is trained on)
 *   level = y[last, k] + scale[k] * delta            (what it forecasts)
 * </pre>
 * {@code scale} is a constant per target column, not a centering: 0 stays 0, so a zero output
 * is persistence and not persistence plus the training drift. {@link #fit} takes the root mean
 * square of the training deltas (over every window and target step), which puts the deltas the
 * model learns at about unit size whatever the horizon; {@link #unscaled} keeps them in the
 * arrays' units (scale 1, exactly TensorFlow's wrapper on normalized data). Both directions are
 * computed in double and stored in float tensors, so a round trip is exact up to float rounding.
 *
 * <pre>{@code
 * ResidualTarget residual = ResidualTarget.fit(train);                 // scale from training windows only
 * model.fit(residual.wrap(train), new FitOptions().validationData(residual.wrap(val)));
 * Tensor forecast = residual.toLevels(test, model.predict(test, 256)[0]);   // same units as test.targetTensor()
 * }</pre>
 *
 * <p>Forecasting-mode datasets only (the last observed value must be on the inputs' time axis).
 * Not here: differencing of the inputs (the windows are unchanged), or seasonal differences.
 */
public final class ResidualTarget {
    private final double[] scale;

    private ResidualTarget(double[] scale) {
        if (scale.length == 0) throw new IllegalArgumentException("a residual target needs at least one column scale");
        for (int k = 0; k < scale.length; k++) {
            if (!(scale[k] > 0) || !Double.isFinite(scale[k])) {
                throw new IllegalArgumentException("residual scale of target column " + k + " must be positive and finite, got " + scale[k]);
            }
        }
        this.scale = scale;
    }

    /** Given scales, one per target column of the datasets it will be used with (in their order). */
    public static ResidualTarget of(double... scale) {
        return new ResidualTarget(scale.clone());
    }

    /** Scale 1 for each of {@code targetColumns} columns: deltas in the arrays' own units. */
    public static ResidualTarget unscaled(int targetColumns) {
        if (targetColumns <= 0) throw new IllegalArgumentException("targetColumns must be positive, got " + targetColumns);
        double[] s = new double[targetColumns];
        java.util.Arrays.fill(s, 1);
        return new ResidualTarget(s);
    }

    /**
     * Scales from the training windows: per target column, the root mean square of
     * {@code y[t] - y[last]} over every window and target step (1 where that is 0, e.g. a
     * constant column).
     */
    public static ResidualTarget fit(TimeseriesDataset train) {
        requireForecasting(train);
        int[] cols = train.targetColumns();
        double[] sum = new double[cols.length];
        long count = (long) train.size() * train.width();
        if (count == 0) throw new IllegalArgumentException("cannot fit residual scales on a dataset without windows");
        for (int s = 0; s < train.size(); s++) {
            int last = train.lastInputRow(s);
            for (int j = 0; j < train.width(); j++) {
                int t = train.targetRow(s, j);
                for (int k = 0; k < cols.length; k++) {
                    double d = (double) train.targetValue(t, cols[k]) - train.targetValue(last, cols[k]);
                    sum[k] += d * d;
                }
            }
        }
        double[] scale = new double[cols.length];
        for (int k = 0; k < cols.length; k++) {
            double rms = Math.sqrt(sum[k] / count);
            scale[k] = rms > 0 && Double.isFinite(rms) ? rms : 1;
        }
        return new ResidualTarget(scale);
    }

    /** Target columns this was made for. */
    public int columns() {
        return scale.length;
    }

    /** The per-column scales (a copy). */
    public double[] scale() {
        return scale.clone();
    }

    /** The change the model learns for target column {@code k}: {@code (level - last) / scale[k]}. */
    public double delta(double last, double level, int k) {
        return (level - last) / scale[k];
    }

    /** The forecast from a predicted change of target column {@code k}: {@code last + scale[k] * delta}. */
    public double level(double last, double delta, int k) {
        return last + scale[k] * delta;
    }

    /**
     * The value of every target column at each window's last step, shape (size, targetColumns):
     * what the deltas are relative to (and {@link Baseline#persistence()}'s forecast for step 0).
     */
    public Tensor lastValues(TimeseriesDataset ds) {
        int[] cols = check(ds);
        Tensor out = Tensor.zeros(ds.size(), cols.length);
        float[] d = out.data();
        for (int s = 0, o = 0; s < ds.size(); s++) {
            int last = ds.lastInputRow(s);
            for (int c : cols) d[o++] = ds.targetValue(last, c);
        }
        return out;
    }

    /**
     * Forecasts from predicted changes: {@code deltas} of shape (n, width * targetColumns)
     * (step-major, a dataset's target layout) and {@code last} of shape (n, targetColumns) give
     * levels of the deltas' shape.
     */
    public Tensor toLevels(Tensor deltas, Tensor last) {
        return convert(deltas, last, true);
    }

    /** The changes that {@link #toLevels(Tensor, Tensor)} turns back into {@code levels}. */
    public Tensor toDeltas(Tensor levels, Tensor last) {
        return convert(levels, last, false);
    }

    /** Forecasts for the samples of {@code ds} (in its order) from the model's predicted changes. */
    public Tensor toLevels(TimeseriesDataset ds, Tensor deltas) {
        return toLevels(deltas, lastValues(ds));
    }

    /** The changes of {@code ds}'s own targets: what {@link #wrap}'s dataset gives as targets. */
    public Tensor toDeltas(TimeseriesDataset ds, Tensor levels) {
        return toDeltas(levels, lastValues(ds));
    }

    /**
     * The same windows with the changes as targets (for {@code fit}, {@code evaluate} and
     * validation data). Nothing is copied; each batch's deltas are computed in {@code gather}.
     */
    public Dataset wrap(TimeseriesDataset levels) {
        return new Deltas(levels, check(levels), scale);
    }

    /** {@code {"scale": [..]}}, JSON-able as is (e.g. a saved model's metadata). */
    public Map<String, Object> toMap() {
        List<Double> l = new ArrayList<>(scale.length);
        for (double s : scale) l.add(s);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", l);
        return m;
    }

    /** Reads {@link #toMap()} back (numbers may come back as any Number after a JSON round trip). */
    public static ResidualTarget fromMap(Map<String, ?> m) {
        if (m == null || !(m.get("scale") instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalArgumentException("residual map: 'scale' must be a non-empty list of numbers, got " + (m == null ? null : m.get("scale")));
        }
        double[] s = new double[l.size()];
        for (int i = 0; i < s.length; i++) {
            if (!(l.get(i) instanceof Number x)) throw new IllegalArgumentException("residual map: 'scale'[" + i + "] is not a number: " + l.get(i));
            s[i] = x.doubleValue();
        }
        return new ResidualTarget(s);
    }

    @Override
    public String toString() {
        return "ResidualTarget" + java.util.Arrays.toString(scale);
    }

    private Tensor convert(Tensor values, Tensor last, boolean toLevels) {
        int nc = scale.length;
        if (values.rank() != 2 || values.dim(1) % nc != 0) {
            throw new IllegalArgumentException((toLevels ? "deltas" : "levels") + " must have shape (n, width * " + nc + "), got " + values.shapeString());
        }
        int n = values.dim(0), w = values.dim(1) / nc;
        if (last.rank() != 2 || last.dim(0) != n || last.dim(1) != nc) {
            throw new IllegalArgumentException("last values must have shape [" + n + ", " + nc + "], got " + last.shapeString());
        }
        Tensor out = Tensor.zeros(n, w * nc);
        float[] v = values.data(), l = last.data(), o = out.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                for (int k = 0; k < nc; k++) {
                    int at = (i * w + j) * nc + k;
                    double lv = l[i * nc + k];
                    o[at] = (float) (toLevels ? level(lv, v[at], k) : delta(lv, v[at], k));
                }
            }
        }
        return out;
    }

    private int[] check(TimeseriesDataset ds) {
        requireForecasting(ds);
        int[] cols = ds.targetColumns();
        if (cols.length != scale.length) {
            throw new IllegalArgumentException("residual target has " + scale.length + " column scale(s), the dataset has "
                    + cols.length + " target column(s)");
        }
        return cols;
    }

    private static void requireForecasting(TimeseriesDataset ds) {
        if (!ds.hasTargets() || !ds.targetsAligned()) {
            throw new IllegalArgumentException("residual targets need a forecasting dataset with targets (targets on the inputs' "
                    + "time axis), got " + ds);
        }
    }

    /** Windows of a forecasting dataset whose targets are the scaled changes from the last step. */
    private static final class Deltas implements Dataset {
        private final TimeseriesDataset ds;
        private final int[] cols;
        private final double[] scale;

        Deltas(TimeseriesDataset ds, int[] cols, double[] scale) {
            this.ds = ds;
            this.cols = cols;
            this.scale = scale;
        }

        @Override
        public int size() {
            return ds.size();
        }

        @Override
        public int[][] inputShapes() {
            return ds.inputShapes();
        }

        @Override
        public int[][] targetShapes() {
            return ds.targetShapes();
        }

        @Override
        public void gather(int[] indices, int from, int to, Tensor[] xs, Tensor[] ys) {
            ds.gather(indices, from, to, xs, ys);
            if (ys == null) return;
            float[] y = ys[0].data();
            int nc = cols.length, w = ds.width();
            for (int b = 0; b < to - from; b++) {
                int last = ds.lastInputRow(indices == null ? from + b : indices[from + b]);
                for (int j = 0; j < w; j++) {
                    for (int k = 0; k < nc; k++) {
                        int at = (b * w + j) * nc + k;
                        y[at] = (float) ((y[at] - (double) ds.targetValue(last, cols[k])) / scale[k]);
                    }
                }
            }
        }

        @Override
        public void validate() {
            ds.validate();
        }

        @Override
        public String toString() {
            return "residual " + ds;
        }
    }
}
