package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;

/**
 * The linear baseline: ridge-regularized least squares from the flattened window (all steps
 * and features, D = sequenceLength * features values, plus a bias) to the flattened target,
 * solved in closed form. With X the (N, D+1) windows (last column 1) and Y the (N, K) targets
 * of the training dataset:
 * <pre>
 *   (XᵀX + λ·I') W = XᵀY        I' = identity without the bias entry (the bias is not shrunk)
 * </pre>
 * XᵀX and XᵀY are accumulated in double precision batch by batch through
 * {@link TimeseriesDataset#gather} (the windows are never all in memory), and the system is
 * solved by a Cholesky factorization. Cost: O(N·D²) to accumulate, O(D³) to solve, so keep
 * D = lookback * features in the hundreds or low thousands.
 *
 * <pre>{@code
 * LinearBaseline lin = LinearBaseline.fit(parts.train(), 1e-3);
 * double mae = ForecastMetrics.mae(lin.predict(parts.test()), parts.test().targetTensor());
 * }</pre>
 *
 * <p>Not here: feature scaling (normalize the series first so that one λ suits every column),
 * choosing λ by validation, or iterative solvers for very wide windows.
 */
public final class LinearBaseline implements Baseline {
    private static final int BATCH = 256;

    private final int sequenceLength;
    private final int features;
    private final int outputs;
    private final double ridge;
    /** (D+1, K) row-major; the last row is the bias. */
    private final double[] w;

    private LinearBaseline(int sequenceLength, int features, int outputs, double ridge, double[] w) {
        this.sequenceLength = sequenceLength;
        this.features = features;
        this.outputs = outputs;
        this.ridge = ridge;
        this.w = w;
    }

    /**
     * Fits on every sample of {@code train}. {@code ridge} = λ ≥ 0; 0 is plain least squares,
     * which fails (with a message saying so) when the windows are collinear, e.g. on a constant
     * column.
     */
    public static LinearBaseline fit(TimeseriesDataset train, double ridge) {
        if (!(ridge >= 0) || Double.isInfinite(ridge)) throw new IllegalArgumentException("ridge must be >= 0, got " + ridge);
        if (!train.hasTargets()) throw new IllegalArgumentException("the linear baseline needs a dataset with targets");
        if (train.size() == 0) throw new IllegalArgumentException("the training dataset has no windows");
        int len = train.sequenceLength(), nf = train.features().length;
        int d = len * nf, d1 = d + 1, k = train.targetShapes()[0][0];
        double[] xtx = new double[d1 * d1];
        double[] xty = new double[d1 * k];
        int bs = Math.min(BATCH, train.size());
        Tensor xb = Tensor.zeros(bs, len, nf), yb = Tensor.zeros(bs, k);
        Tensor[] xs = {xb}, ys = {yb};
        float[] x = xb.data(), y = yb.data();
        for (int from = 0; from < train.size(); from += bs) {
            int to = Math.min(train.size(), from + bs);
            train.gather(null, from, to, xs, ys);
            for (int r = 0; r < to - from; r++) {
                int xo = r * d, yo = r * k;
                // upper triangle of XᵀX (the bias column is the constant 1 at index d)
                for (int i = 0; i < d; i++) {
                    double xi = x[xo + i];
                    int row = i * d1;
                    for (int j = i; j < d; j++) xtx[row + j] += xi * x[xo + j];
                    xtx[row + d] += xi;
                    for (int c = 0; c < k; c++) xty[i * k + c] += xi * y[yo + c];
                }
                xtx[d * d1 + d] += 1;
                for (int c = 0; c < k; c++) xty[d * k + c] += y[yo + c];
            }
        }
        for (int i = 0; i < d1; i++) for (int j = 0; j < i; j++) xtx[i * d1 + j] = xtx[j * d1 + i];
        for (int i = 0; i < d; i++) xtx[i * d1 + i] += ridge;
        if (!choleskyInPlace(xtx, d1)) {
            throw new IllegalArgumentException("the linear baseline's normal equations are singular (collinear windows, e.g. a "
                    + "constant column, or fewer samples (" + train.size() + ") than inputs (" + d1 + ")); use a ridge > 0"
                    + (ridge > 0 ? " larger than " + ridge : ""));
        }
        choleskySolve(xtx, d1, xty, k);
        return new LinearBaseline(len, nf, k, ridge, xty);
    }

    /**
     * Factors the symmetric positive definite {@code a} (n, n) as L·Lᵀ in place (L in the lower
     * triangle); false when a pivot is not positive (up to rounding), i.e. the matrix is singular.
     */
    static boolean choleskyInPlace(double[] a, int n) {
        double maxDiag = 0;
        for (int i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
        double tiny = maxDiag * n * 1e-14;
        for (int j = 0; j < n; j++) {
            double s = a[j * n + j];
            for (int p = 0; p < j; p++) s -= a[j * n + p] * a[j * n + p];
            if (!(s > tiny)) return false;
            double l = Math.sqrt(s);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++) {
                double t = a[i * n + j];
                for (int p = 0; p < j; p++) t -= a[i * n + p] * a[j * n + p];
                a[i * n + j] = t / l;
            }
        }
        return true;
    }

    /** Solves L·Lᵀ·X = B in place in {@code b} (n, k), with L from {@link #choleskyInPlace}. */
    static void choleskySolve(double[] l, int n, double[] b, int k) {
        for (int i = 0; i < n; i++) {          // forward: L·Z = B
            for (int p = 0; p < i; p++) {
                double lip = l[i * n + p];
                if (lip != 0) for (int c = 0; c < k; c++) b[i * k + c] -= lip * b[p * k + c];
            }
            double d = l[i * n + i];
            for (int c = 0; c < k; c++) b[i * k + c] /= d;
        }
        for (int i = n - 1; i >= 0; i--) {     // backward: Lᵀ·X = Z
            for (int p = i + 1; p < n; p++) {
                double lpi = l[p * n + i];
                if (lpi != 0) for (int c = 0; c < k; c++) b[i * k + c] -= lpi * b[p * k + c];
            }
            double d = l[i * n + i];
            for (int c = 0; c < k; c++) b[i * k + c] /= d;
        }
    }

    @Override
    public String name() {
        return "linear (ridge " + ridge + ")";
    }

    /** Forecasts for every sample of {@code windows}, which must have the training windows' shape. */
    @Override
    public Tensor predict(TimeseriesDataset windows) {
        int len = windows.sequenceLength(), nf = windows.features().length;
        if (len != sequenceLength || nf != features) {
            throw new IllegalArgumentException("the linear baseline was fitted on windows of " + sequenceLength + " steps x "
                    + features + " features, got " + len + " x " + nf);
        }
        int n = windows.size(), d = len * nf;
        Tensor out = Tensor.zeros(n, outputs);
        if (n == 0) return out;
        float[] o = out.data();
        int bs = Math.min(BATCH, n);
        Tensor xb = Tensor.zeros(bs, len, nf);
        Tensor[] xs = {xb};
        float[] x = xb.data();
        double[] acc = new double[outputs];
        for (int from = 0; from < n; from += bs) {
            int to = Math.min(n, from + bs);
            windows.gather(null, from, to, xs, null);
            for (int r = 0; r < to - from; r++) {
                for (int c = 0; c < outputs; c++) acc[c] = w[d * outputs + c];
                for (int i = 0; i < d; i++) {
                    double xi = x[r * d + i];
                    for (int c = 0; c < outputs; c++) acc[c] += xi * w[i * outputs + c];
                }
                for (int c = 0; c < outputs; c++) o[(from + r) * outputs + c] = (float) acc[c];
            }
        }
        return out;
    }

    /** The weight of window value {@code (step, feature)} for output {@code output}. */
    public double weight(int step, int feature, int output) {
        return w[(step * features + feature) * outputs + output];
    }

    /** The bias of output {@code output}. */
    public double bias(int output) {
        return w[sequenceLength * features * outputs + output];
    }

    /** λ used when fitting. */
    public double ridge() {
        return ridge;
    }
}
