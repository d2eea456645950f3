package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-column scaling of a series, fitted on the training rows only so that nothing of the
 * validation or test period leaks into the statistics: z-score ({@code (x - mean) / std},
 * population std as numpy's and scikit-learn's) or min-max ({@code (x - min) / (max - min)}).
 * {@link #inverseTargets} brings predictions back to original units; {@link #toMap()} gives a
 * plain JSON-able map to save beside a model and {@link #fromMap} reads it back.
 *
 * <pre>{@code
 * Normalizer norm = Normalizer.zScore(series, split.train());
 * norm.transformInPlace(series);                       // every row, with training statistics
 * ... model.predict(...) ...
 * Tensor celsius = norm.inverseTargets(predictions, ds.targetColumns());
 * modelMetadata.put("normalizer", norm.toMap());
 * }</pre>
 *
 * <p>A constant column (std or range 0 on the training rows) gets scale 1, so it is shifted but
 * not divided by zero (scikit-learn does the same). Statistics are computed in double precision.
 * Not here: robust (median/IQR) scaling, log transforms, per-window normalization.
 */
public final class Normalizer {
    /** How values are scaled. */
    public enum Method {
        /** {@code (x - mean) / std}. */
        Z_SCORE("zscore"),
        /** {@code (x - min) / (max - min)}, into [0, 1] on the training rows. */
        MIN_MAX("minmax");

        private final String key;

        Method(String key) {
            this.key = key;
        }

        /** The name used in {@link #toMap()}. */
        public String key() {
            return key;
        }
    }

    private final Method method;
    /** x' = (x - center) / scale. For z-score center = mean, scale = std; for min-max center = min, scale = max - min. */
    private final double[] center;
    private final double[] scale;
    private final double[] statA;
    private final double[] statB;
    private final String[] columns;
    private final RowRange fitRows;

    private Normalizer(Method method, double[] statA, double[] statB, String[] columns, RowRange fitRows) {
        this.method = method;
        this.statA = statA;
        this.statB = statB;
        this.columns = columns;
        this.fitRows = fitRows;
        int n = statA.length;
        center = new double[n];
        scale = new double[n];
        for (int c = 0; c < n; c++) {
            center[c] = statA[c];
            double s = method == Method.Z_SCORE ? statB[c] : statB[c] - statA[c];
            scale[c] = s > 0 ? s : 1.0;
        }
    }

    /** Z-score statistics of {@code rows} of a series (shape (rows, columns) or (rows)). */
    public static Normalizer zScore(Tensor series, RowRange rows) {
        return fit(Method.Z_SCORE, series, rows, (String[]) null);
    }

    /** Min-max statistics of {@code rows} of a series. */
    public static Normalizer minMax(Tensor series, RowRange rows) {
        return fit(Method.MIN_MAX, series, rows, (String[]) null);
    }

    /**
     * Fits {@code method} on {@code rows} of the series, column by column; {@code columnNames}
     * (optional) are kept for messages and {@link #toMap()}. Throws IllegalArgumentException
     * for an empty range or a NaN/infinite value in it, naming its row and column.
     */
    public static Normalizer fit(Method method, Tensor series, RowRange rows, String... columnNames) {
        int n = series.dim(0), cols = columns(series);
        if (rows.end() > n) throw new IllegalArgumentException("fit rows " + rows + " outside the series' " + n + " rows");
        if (rows.isEmpty()) throw new IllegalArgumentException("cannot fit a normalizer on no rows " + rows);
        if (columnNames != null && columnNames.length != cols) {
            throw new IllegalArgumentException(columnNames.length + " column names for a series of " + cols + " columns");
        }
        float[] d = series.data();
        double[] a = new double[cols], b = new double[cols];
        if (method == Method.Z_SCORE) {
            // Welford's update: one pass, stable for long series with a large mean
            long k = 0;
            for (int r = rows.start(); r < rows.end(); r++) {
                k++;
                for (int c = 0; c < cols; c++) {
                    double x = check(d[r * cols + c], r, c, columnNames);
                    double delta = x - a[c];
                    a[c] += delta / k;
                    b[c] += delta * (x - a[c]);
                }
            }
            for (int c = 0; c < cols; c++) b[c] = Math.sqrt(b[c] / k);
        } else {
            Arrays.fill(a, Double.POSITIVE_INFINITY);
            Arrays.fill(b, Double.NEGATIVE_INFINITY);
            for (int r = rows.start(); r < rows.end(); r++) {
                for (int c = 0; c < cols; c++) {
                    double x = check(d[r * cols + c], r, c, columnNames);
                    a[c] = Math.min(a[c], x);
                    b[c] = Math.max(b[c], x);
                }
            }
        }
        return new Normalizer(method, a, b, columnNames == null ? null : columnNames.clone(), rows);
    }

    private static double check(float v, int row, int c, String[] names) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException("cannot fit a normalizer: " + v + " at row " + row + ", column "
                    + (names == null ? String.valueOf(c) : "'" + names[c] + "' (" + c + ")"));
        }
        return v;
    }

    private static int columns(Tensor series) {
        if (series.rank() == 1) return 1;
        if (series.rank() == 2) return series.dim(1);
        throw new IllegalArgumentException("a series must have shape (rows, columns) or (rows), got " + series.shapeString());
    }

    private void checkColumns(Tensor t) {
        if (columns(t) != center.length) {
            throw new IllegalArgumentException("normalizer fitted on " + center.length + " columns, got shape " + t.shapeString());
        }
    }

    // ---- transforms -----------------------------------------------------------------------

    /** A normalized copy of the series. */
    public Tensor transform(Tensor series) {
        Tensor out = series.copy();
        transformInPlace(out);
        return out;
    }

    /** Normalizes the series in place (no copy of a long series). */
    public void transformInPlace(Tensor series) {
        checkColumns(series);
        float[] d = series.data();
        int cols = center.length;
        for (int i = 0; i < d.length; i++) {
            int c = i % cols;
            d[i] = (float) ((d[i] - center[c]) / scale[c]);
        }
    }

    /** The original-unit copy of a normalized series. */
    public Tensor inverseTransform(Tensor series) {
        checkColumns(series);
        Tensor out = series.copy();
        float[] d = out.data();
        int cols = center.length;
        for (int i = 0; i < d.length; i++) d[i] = (float) (d[i] * scale[i % cols] + center[i % cols]);
        return out;
    }

    /** One value of column {@code column} normalized. */
    public double transform(double value, int column) {
        return (value - center[column]) / scale[column];
    }

    /** One normalized value of column {@code column} back in original units. */
    public double inverse(double value, int column) {
        return value * scale[column] + center[column];
    }

    /**
     * Predictions or targets (any shape whose last axis is laid out as a
     * {@link TimeseriesDataset}'s targets: {@code width} steps of {@code targetColumns.length}
     * values) back in original units; flat element {@code k} of each row belongs to column
     * {@code targetColumns[k % targetColumns.length]}. Returns a new tensor.
     */
    public Tensor inverseTargets(Tensor normalized, int... targetColumns) {
        if (targetColumns.length == 0) throw new IllegalArgumentException("inverseTargets needs at least one target column");
        for (int c : targetColumns) {
            if (c < 0 || c >= center.length) {
                throw new IllegalArgumentException("target column " + c + " outside the normalizer's " + center.length + " columns");
            }
        }
        int last = normalized.rank() == 0 ? 1 : normalized.dim(-1);
        if (last % targetColumns.length != 0) {
            throw new IllegalArgumentException("last axis of " + normalized.shapeString() + " is not a whole number of steps of "
                    + targetColumns.length + " target columns");
        }
        Tensor out = normalized.copy();
        float[] d = out.data();
        int k = targetColumns.length;
        for (int i = 0; i < d.length; i++) {
            int c = targetColumns[(i % last) % k];
            d[i] = (float) (d[i] * scale[c] + center[c]);
        }
        return out;
    }

    // ---- statistics -----------------------------------------------------------------------

    /** The scaling method. */
    public Method method() {
        return method;
    }

    /** Number of columns fitted. */
    public int columns() {
        return center.length;
    }

    /** The rows the statistics were computed on. */
    public RowRange fitRows() {
        return fitRows;
    }

    /** Column names given when fitting, or null. */
    public String[] columnNames() {
        return columns == null ? null : columns.clone();
    }

    /** Per-column mean (z-score only). */
    public double[] mean() {
        requireMethod(Method.Z_SCORE, "mean");
        return statA.clone();
    }

    /** Per-column population standard deviation as computed (before the 0-to-1 substitution; z-score only). */
    public double[] std() {
        requireMethod(Method.Z_SCORE, "std");
        return statB.clone();
    }

    /** Per-column minimum (min-max only). */
    public double[] min() {
        requireMethod(Method.MIN_MAX, "min");
        return statA.clone();
    }

    /** Per-column maximum (min-max only). */
    public double[] max() {
        requireMethod(Method.MIN_MAX, "max");
        return statB.clone();
    }

    /** The divisor actually used per column ({@code x' = (x - center) / scale}). */
    public double[] scale() {
        return scale.clone();
    }

    private void requireMethod(Method m, String what) {
        if (method != m) throw new IllegalStateException(what + " is a statistic of " + m.key + ", this normalizer is " + method.key);
    }

    // ---- persistence ----------------------------------------------------------------------

    /**
     * The statistics as a plain map of strings, numbers and lists (JSON-able as is), e.g.
     * {@code {"method": "zscore", "columns": ["T (degC)"], "mean": [9.45], "std": [8.42],
     * "fit_rows": [0, 200000]}}; "columns" only when names were given.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.key);
        if (columns != null) m.put("columns", List.of(columns));
        m.put(method == Method.Z_SCORE ? "mean" : "min", toList(statA));
        m.put(method == Method.Z_SCORE ? "std" : "max", toList(statB));
        m.put("fit_rows", List.of(fitRows.start(), fitRows.end()));
        return m;
    }

    /** Reads {@link #toMap()}'s map back (e.g. after a JSON round trip, where numbers may come back as any Number). */
    public static Normalizer fromMap(Map<String, ?> m) {
        Object methodName = m.get("method");
        Method method = null;
        for (Method x : Method.values()) if (x.key.equals(methodName)) method = x;
        if (method == null) throw new IllegalArgumentException("normalizer map: method must be 'zscore' or 'minmax', got " + methodName);
        String ka = method == Method.Z_SCORE ? "mean" : "min", kb = method == Method.Z_SCORE ? "std" : "max";
        double[] a = doubles(m, ka), b = doubles(m, kb);
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("normalizer map: '" + ka + "' has " + a.length + " values, '" + kb + "' has " + b.length);
        }
        String[] names = null;
        if (m.get("columns") != null) {
            if (!(m.get("columns") instanceof List<?> l) || l.size() != a.length) {
                throw new IllegalArgumentException("normalizer map: 'columns' must be a list of " + a.length + " names, got "
                        + m.get("columns"));
            }
            names = new String[a.length];
            for (int i = 0; i < names.length; i++) names[i] = String.valueOf(l.get(i));
        }
        RowRange rows = new RowRange(0, 0);
        if (m.get("fit_rows") instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number s && l.get(1) instanceof Number e) {
            rows = new RowRange(s.intValue(), e.intValue());
        }
        return new Normalizer(method, a, b, names, rows);
    }

    private static List<Double> toList(double[] v) {
        List<Double> l = new ArrayList<>(v.length);
        for (double x : v) l.add(x);
        return l;
    }

    private static double[] doubles(Map<String, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("normalizer map: '" + key + "' must be a list of numbers, got " + m.get(key));
        }
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(l.get(i) instanceof Number x) || !Double.isFinite(x.doubleValue())) {
                throw new IllegalArgumentException("normalizer map: '" + key + "'[" + i + "] is not a finite number: " + l.get(i));
            }
            v[i] = x.doubleValue();
        }
        return v;
    }

    @Override
    public String toString() {
        return "Normalizer[" + method.key + ", " + center.length + " columns, fitted on rows " + fitRows + "]";
    }
}
