package io.github.rnn4j.training;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;

/**
 * Keras's {@code SparseCategoricalCrossentropy} loss: targets are class ids (stored as floats),
 * one per row, shaped like the prediction without its class axis — (B) for (B, C), (B, T) for
 * (B, T, C) — or with a trailing axis of 1. Per row, with class k:
 * <pre>
 *   probabilities: l = -log clip(p_k / Σp, eps, 1 - eps)     (Keras's torch/numpy backends)
 *   logits z:      l = logsumexp(z) - z_k                     (max-shifted, stable)
 * </pre>
 * Every label is checked before anything is written: a label that is not an integer in
 * [0, C) fails with the sample (and timestep) index, the value and the number of classes.
 * Not a metric; {@link Metrics.Perplexity} and {@link Metrics.SparseCategoricalAccuracy} are.
 *
 * <pre>{@code
 * Loss l = new SparseCategoricalCrossentropy(true);   // from_logits=True, e.g. a char-RNN
 * }</pre>
 */
public final class SparseCategoricalCrossentropy extends Loss {
    private final boolean fromLogits;

    /** Keras's default: probabilities. */
    public SparseCategoricalCrossentropy() {
        this(false);
    }

    public SparseCategoricalCrossentropy(boolean fromLogits) {
        this.fromLogits = fromLogits;
    }

    public boolean fromLogits() {
        return fromLogits;
    }

    @Override
    public String name() {
        return "sparse_categorical_crossentropy";
    }

    @Override
    public String className() {
        return "SparseCategoricalCrossentropy";
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("from_logits", fromLogits);
        c.put("ignore_class", null);
        return c;
    }

    @Override
    protected int targetWidth(int width) {
        return 1;
    }

    @Override
    protected void checkTargetShape(Tensor yPred, Tensor yTrue, int width) {
        int[] ps = yPred.shape(), ts = yTrue.shape();
        if (ps.length < 2) {
            throw new IllegalArgumentException(name() + ": predictions need a class axis, got shape " + yPred.shapeString());
        }
        int[] lead = Arrays.copyOf(ps, ps.length - 1);
        boolean ok = (Arrays.equals(ts, lead)
                || (ts.length == lead.length + 1 && ts[ts.length - 1] == 1 && Arrays.equals(Arrays.copyOf(ts, lead.length), lead)));
        if (!ok) {
            throw new IllegalArgumentException(name() + ": class-id targets must have shape " + Arrays.toString(lead)
                    + " (or with a trailing 1) for predictions of shape " + yPred.shapeString() + ", got "
                    + yTrue.shapeString());
        }
    }

    @Override
    protected void validateTargets(Tensor yPred, Tensor yTrue, int width, int rows) {
        checkLabels(name(), yTrue.data(), rows, yPred.dim(0), width);
    }

    /** Throws if a label is not an integer class id in [0, classes); names sample and timestep. */
    static void checkLabels(String who, float[] y, int rows, int batch, int classes) {
        int perSample = batch == 0 ? 1 : rows / batch;
        for (int r = 0; r < rows; r++) {
            float v = y[r];
            if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                String where = "sample " + r / perSample + (perSample > 1 ? ", timestep " + r % perSample : "");
                throw new IllegalArgumentException(who + ": label " + v + " at " + where
                        + " is not a class id: expected an integer in [0, " + classes + ") (" + classes + " classes)");
            }
        }
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        return rowLoss(fromLogits, p, po, (int) y[yo], width, g, go, gScale);
    }

    /** Per-thread exps of one row of logits (grown to the widest row seen). */
    private static final ThreadLocal<double[]> EXPS = ThreadLocal.withInitial(() -> new double[0]);

    /** The per-row loss shared with {@link Metrics.Perplexity}; writes the gradient if g != null. */
    static double rowLoss(boolean fromLogits, float[] p, int po, int k, int width, float[] g, int go, double gScale) {
        if (fromLogits) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < width; i++) max = Math.max(max, p[po + i]);
            double se = 0;
            if (g == null) {
                for (int i = 0; i < width; i++) se += Math.exp(p[po + i] - max);
                return max + Math.log(se) - p[po + k];
            }
            // the gradient is softmax - onehot: each exp is taken once, kept in double, then divided by their sum
            double[] e = EXPS.get();
            if (e.length < width) EXPS.set(e = new double[width]);
            for (int i = 0; i < width; i++) se += e[i] = Math.exp(p[po + i] - max);
            for (int i = 0; i < width; i++) g[go + i] = (float) (gScale * (e[i] / se - (i == k ? 1 : 0)));
            return max + Math.log(se) - p[po + k];
        }
        double sum = 0;
        for (int i = 0; i < width; i++) sum += p[po + i];
        double q = p[po + k] / sum;
        if (g != null) {
            // L = -log q_k, q = p/S: dL/dp_j = (δ_jk·(-1/q_k) + 1) / S ... only while the clip passes
            boolean pass = insideClip(q);
            for (int i = 0; i < width; i++) {
                double gq = pass ? (i == k ? -1 / q : 0) : 0;
                double dot = pass ? -1 : 0;
                g[go + i] = (float) (gScale * (gq - dot) / sum);
            }
        }
        return -Math.log(clipProb(q));
    }

    /** Rows are independent: a large prediction's rows may run on several threads. */
    @Override
    protected boolean parallelRows() {
        return true;
    }
}
