package io.github.rnn4j.training;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training loss: its value, reduced the way Keras 3 reduces by default
 * ({@code reduction="sum_over_batch_size"}), and its gradient with respect to the prediction.
 *
 * <p>What it is: the shared shape checks and the reduction. A loss sees {@code yPred} as rows of
 * its last axis: (B, F) is B rows of F, (B, T, F) is B·T rows of F (a per-timestep output), a
 * rank-1 (B) is B rows of 1. Each subclass computes one row's loss (Keras's per-sample
 * {@code call()}, which already averages or sums over the last axis) and the row's gradient; this
 * class averages the rows, so for (B, T, F) the result is the mean over samples <em>and</em>
 * timesteps, as Keras gives. Large predictions of a loss whose rows are independent (the
 * built-in ones, {@link #parallelRows}) are cut among the kernels' threads, with the same result
 * bits. What it deliberately is not: a graph node. There is no autograd; the gradient is written
 * into a tensor the caller passes; a call allocates nothing proportional to the data (only the
 * few small shape arrays of its checks, and once per thread the slots of a cut call's row losses).
 *
 * <p>Reduction, with optional weights (Keras's {@code reduce_weighted_values}):
 * <pre>
 *   loss = Σ_r w_r·m_r·l_r / N        N = rows, or Σ_r m_r when a mask is given (0 if Σ m = 0)
 *   dloss/dyPred[r, :] = w_r·m_r·dl_r/dyPred[r, :] / N
 * </pre>
 * {@code w} is a per-sample weight (length B, shared by a sample's timesteps, or length rows) and
 * {@code m} a timestep mask of length rows (1 = counts, 0 = padding). Rows whose weight is 0 are
 * skipped entirely, so padded steps holding garbage cannot turn the loss into NaN.
 *
 * <pre>{@code
 * Loss loss = Losses.get("sparse_categorical_crossentropy");     // or new SparseCategoricalCrossentropy(true)
 * Tensor grad = Tensor.zeros(yPred.shape());
 * double value = loss.forward(yPred, yTrue, grad);                // grad now holds dLoss/dyPred
 * }</pre>
 */
public abstract class Loss {
    /** Keras's {@code backend.epsilon()}, used to clip probabilities, as float32 (its dtype). */
    public static final double EPSILON = 1e-7f;
    /** {@code 1 - epsilon} rounded to float32, as Keras's float32 clip computes it. */
    public static final double ONE_MINUS_EPSILON = (float) (1.0 - 1e-7);

    /** Keras's default instance name, e.g. {@code mean_squared_error}. */
    public abstract String name();

    /** Keras's class name, e.g. {@code MeanSquaredError}. */
    public abstract String className();

    /** Keras-shaped {@code get_config()}: name, reduction and the constructor arguments. */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name());
        c.put("reduction", "sum_over_batch_size");
        return c;
    }

    /**
     * Mean loss over all rows; writes dLoss/dyPred into {@code gradOut} (overwritten, not
     * accumulated). {@code gradOut} may be null when only the value is wanted.
     */
    public final double forward(Tensor yPred, Tensor yTrue, Tensor gradOut) {
        return forward(yPred, yTrue, null, null, gradOut);
    }

    /**
     * Weighted and/or masked mean loss (see the class comment for the formula).
     *
     * @param sampleWeight null, or one weight per sample (length B) or per row (length rows)
     * @param mask         null, or one entry per row (B·T for a (B, T, F) prediction), 0 or 1
     * @param gradOut      null, or a tensor of yPred's shape that receives dLoss/dyPred
     * @throws IllegalArgumentException on a shape mismatch or a bad target, before gradOut is
     *                                  touched
     */
    public final double forward(Tensor yPred, Tensor yTrue, float[] sampleWeight, float[] mask, Tensor gradOut) {
        if (yPred.rank() == 0) throw new IllegalArgumentException(name() + ": prediction must have a batch axis, got shape []");
        int width = yPred.rank() == 1 ? 1 : yPred.dim(-1);
        int rows = width == 0 ? 0 : yPred.size() / width;
        int batch = yPred.dim(0);
        checkTargetShape(yPred, yTrue, width);
        if (gradOut != null && !Arrays.equals(gradOut.shape(), yPred.shape())) {
            throw new IllegalArgumentException(name() + ": gradient tensor has shape " + gradOut.shapeString()
                    + ", prediction has shape " + yPred.shapeString());
        }
        if (sampleWeight != null && sampleWeight.length != batch && sampleWeight.length != rows) {
            throw new IllegalArgumentException(name() + ": sample weights have length " + sampleWeight.length
                    + ", expected " + batch + " (one per sample) or " + rows + " (one per row) for prediction shape "
                    + yPred.shapeString());
        }
        if (mask != null && mask.length != rows) {
            throw new IllegalArgumentException(name() + ": mask has length " + mask.length + ", expected " + rows
                    + " (one per row) for prediction shape " + yPred.shapeString());
        }
        validateTargets(yPred, yTrue, width, rows);

        double denom = rows;
        if (mask != null) {
            double valid = 0;
            for (float m : mask) valid += m;
            denom = valid;
        }
        float[] p = yPred.data(), y = yTrue.data(), g = gradOut == null ? null : gradOut.data();
        int yWidth = targetWidth(width);
        int perSample = batch == 0 ? 0 : rows / batch;
        double dn = denom;
        boolean perRowWeights = sampleWeight != null && sampleWeight.length == rows;
        Kernels k = Kernels.get();
        int parts = parallelRows() && (long) rows * width >= parallelMinValues ? Math.min(k.threads(), rows) : 1;
        double sum = 0;
        if (parts > 1) {
            // each row's weighted loss into its own slot, summed in row order after: the bits of
            // the one-thread sum below, whichever thread ran which rows
            double[] rowLoss = ROW_LOSSES.get();
            if (rowLoss.length < rows) ROW_LOSSES.set(rowLoss = new double[rows]);
            double[] out = rowLoss;
            if (k.parallel(parts, part -> rows((int) ((long) rows * part / parts), (int) ((long) rows * (part + 1) / parts),
                    p, y, yWidth, width, sampleWeight, perRowWeights, perSample, mask, dn, g, out))) {
                for (int r = 0; r < rows; r++) sum += rowLoss[r];
                parallelCalls++;
                return denom == 0 ? 0 : sum / denom;
            }
        }
        sum = rows(0, rows, p, y, yWidth, width, sampleWeight, perRowWeights, perSample, mask, dn, g, null);
        return denom == 0 ? 0 : sum / denom;
    }

    /** Per-thread slots of {@link #forward}'s row losses when its rows run on several threads (kept, grown as needed). */
    private static final ThreadLocal<double[]> ROW_LOSSES = ThreadLocal.withInitial(() -> new double[0]);

    /**
     * From this many prediction values (rows x width) on, a loss whose rows are independent
     * ({@link #parallelRows}) cuts them among the kernels' threads (a charlm batch, 6,400 rows of
     * 65 logits, took 7-10 ms on one thread).
     */
    static final long PARALLEL_MIN_VALUES = 1L << 15;
    /** The threshold in use: {@link #PARALLEL_MIN_VALUES}, raised by tests to keep every row on one thread. */
    static long parallelMinValues = PARALLEL_MIN_VALUES;
    /** Calls whose rows ran on several threads (for tests). */
    static volatile int parallelCalls;

    /**
     * Rows [r0, r1) of {@link #forward}: returns the sum of their weighted losses in row order
     * (a row weighted 0 adds nothing and gets a zero gradient) and, when out is not null, also
     * puts each one's (0 for a row weighted 0) in out[r].
     */
    private double rows(int r0, int r1, float[] p, float[] y, int yWidth, int width, float[] sampleWeight,
                        boolean perRowWeights, int perSample, float[] mask, double denom, float[] g, double[] out) {
        double sum = 0;
        for (int r = r0; r < r1; r++) {
            double w = 1;
            if (sampleWeight != null) w = perRowWeights ? sampleWeight[r] : sampleWeight[r / perSample];
            if (mask != null) w *= mask[r];
            if (w == 0 || denom == 0) {
                if (g != null) Arrays.fill(g, r * width, (r + 1) * width, 0f);
                if (out != null) out[r] = 0;
                continue;
            }
            double l = w * row(p, r * width, y, r * yWidth, width, g, r * width, w / denom);
            if (out != null) out[r] = l;
            sum += l;
        }
        return sum;
    }

    /**
     * Whether {@link #row} may run for different rows on different threads at once (it keeps no
     * state between rows): the built-in losses say yes; a subclass says so by overriding this.
     */
    protected boolean parallelRows() {
        return false;
    }

    /**
     * One row's loss (Keras's per-sample value, already reduced over the last axis). When
     * {@code g} is not null, writes {@code gScale · d(rowLoss)/dp} into {@code g[go .. go+width)}.
     */
    protected abstract double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale);

    /** Number of target values per row: the row width, or 1 for class-id targets. */
    protected int targetWidth(int width) {
        return width;
    }

    /** Hook for checking target values before anything is written (sparse labels). */
    protected void validateTargets(Tensor yPred, Tensor yTrue, int width, int rows) {
    }

    /**
     * Targets must have yPred's shape; like Keras's {@code squeeze_or_expand_to_same_rank}, a
     * trailing axis of 1 on either side is tolerated ((B) against (B, 1)).
     */
    protected void checkTargetShape(Tensor yPred, Tensor yTrue, int width) {
        int[] ps = yPred.shape(), ts = yTrue.shape();
        if (Arrays.equals(ps, ts)) return;
        if (ps.length == ts.length + 1 && ps[ps.length - 1] == 1 && Arrays.equals(Arrays.copyOf(ps, ts.length), ts)) return;
        if (ts.length == ps.length + 1 && ts[ts.length - 1] == 1 && Arrays.equals(Arrays.copyOf(ts, ps.length), ps)) return;
        throw new IllegalArgumentException(name() + ": targets have shape " + yTrue.shapeString()
                + ", predictions have shape " + yPred.shapeString());
    }

    /** Clips a probability to [epsilon, 1 - epsilon] as Keras does before taking its log. */
    protected static double clipProb(double q) {
        return q < EPSILON ? EPSILON : Math.min(q, ONE_MINUS_EPSILON);
    }

    /** Whether the clip passes the gradient (inclusive bounds, as TF's and torch's clip do). */
    protected static boolean insideClip(double q) {
        return q >= EPSILON && q <= ONE_MINUS_EPSILON;
    }

    @Override
    public String toString() {
        return className() + getConfig();
    }
}
