package io.github.rnn4j.training;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * Keras's built-in metrics and its string lookup, including how {@code "accuracy"} resolves.
 *
 * <p>What it is: mean-style metrics over the rows of the prediction's last axis (for a
 * per-timestep output (B, T, F) every sample-timestep is one row), plus the lookup used by the
 * fit loop. What it deliberately is not: a home for custom metrics — implement {@link Metric}.
 * The classes are nested because their Keras names clash with the losses of the same names
 * ({@code keras.metrics.MeanSquaredError} vs {@code keras.losses.MeanSquaredError}).
 *
 * <p><b>"accuracy".</b> Keras's {@code compile} picks the accuracy from the shapes of the first
 * batch ({@code compile_utils.is_binary_or_sparse_categorical}): prediction last axis 1 → binary;
 * target rank lower than the prediction's, or target last axis 1 with prediction last axis &gt; 1
 * → sparse categorical; otherwise categorical. {@link #get}{@code ("accuracy", loss)} returns an
 * {@link Accuracy} that applies exactly that rule on its first update; {@link #accuracyFor(int[], int[])}
 * is the rule itself, and {@link #accuracyForLoss(Loss)} the usual shortcut from the loss.
 *
 * <pre>{@code
 * Metric mae = Metrics.get("mae", null);                           // name "mae"
 * Metric acc = Metrics.get("accuracy", new SparseCategoricalCrossentropy(true));
 * Metric ppl = Metrics.get("perplexity", new SparseCategoricalCrossentropy(true)); // from logits
 * }</pre>
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * A metric from its Keras string: {@code accuracy}/{@code acc}, {@code binary_accuracy},
     * {@code categorical_accuracy}, {@code sparse_categorical_accuracy}, {@code mae},
     * {@code mse}, {@code rmse}/{@code root_mean_squared_error}, {@code perplexity}, or a loss
     * name ({@code binary_crossentropy}, {@code huber}, ...) tracked as a mean. The metric's name
     * is the string given, as Keras names it.
     *
     * @param loss the compiled loss, or null; it decides {@code perplexity}'s from_logits (taken
     *             from a {@link SparseCategoricalCrossentropy} loss) and nothing else
     */
    public static Metric get(String name, Loss loss) {
        String n = Losses.normalize(name);
        switch (n) {
            case "accuracy", "acc":
                return new Accuracy(name);
            case "binaryaccuracy":
                return new BinaryAccuracy(name, 0.5);
            case "categoricalaccuracy":
                return new CategoricalAccuracy(name);
            case "sparsecategoricalaccuracy":
                return new SparseCategoricalAccuracy(name);
            case "mae", "meanabsoluteerror":
                return new MeanAbsoluteError(name);
            case "mse", "meansquarederror":
                return new MeanSquaredError(name);
            case "rmse", "rootmeansquarederror":
                return new RootMeanSquaredError(name);
            case "perplexity":
                return new Perplexity(name, loss instanceof SparseCategoricalCrossentropy s && s.fromLogits());
            default:
                Loss l;
                try {
                    l = Losses.get(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown metric '" + name + "'; known: accuracy, "
                            + "binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mae, mse, rmse, "
                            + "perplexity, or a loss name");
                }
                return new LossMean(name, l);
        }
    }

    /** Keras's accuracy rule from the target and prediction shapes (see the class comment). */
    public static Metric accuracyFor(int[] yTrueShape, int[] yPredShape, String name) {
        int tLast = yTrueShape.length == 0 ? 1 : yTrueShape[yTrueShape.length - 1];
        int pLast = yPredShape.length == 0 ? 1 : yPredShape[yPredShape.length - 1];
        if (pLast == 1) return new BinaryAccuracy(name, 0.5);
        if (yTrueShape.length < yPredShape.length || (tLast == 1 && pLast > 1)) return new SparseCategoricalAccuracy(name);
        return new CategoricalAccuracy(name);
    }

    /**
     * The accuracy matching a loss: binary for {@link BinaryCrossentropy}, categorical for
     * {@link CategoricalCrossentropy}, sparse categorical for {@link SparseCategoricalCrossentropy};
     * null for other losses (then only the shapes can tell). It agrees with Keras's shape rule
     * for the usual shapes; it differs for a multi-label binary crossentropy with several outputs,
     * where Keras picks categorical accuracy and this picks binary accuracy.
     */
    public static Metric accuracyForLoss(Loss loss) {
        if (loss instanceof BinaryCrossentropy) return new BinaryAccuracy("accuracy", 0.5);
        if (loss instanceof CategoricalCrossentropy) return new CategoricalAccuracy("accuracy");
        if (loss instanceof SparseCategoricalCrossentropy) return new SparseCategoricalAccuracy("accuracy");
        return null;
    }

    // ---- shared plumbing ------------------------------------------------------------------------

    /**
     * A weighted running mean of one value per row: {@code Σ w·v / Σ w} (Keras's
     * {@code MeanMetricWrapper}). Subclasses give the row value.
     */
    public abstract static class MeanMetric implements Metric {
        private final String name;
        protected double total;
        protected double count;

        protected MeanMetric(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void reset() {
            total = 0;
            count = 0;
        }

        @Override
        public double result() {
            return count == 0 ? 0 : total / count;
        }

        /** True if the targets are class ids (one per row) rather than the prediction's shape. */
        protected boolean sparseTargets() {
            return false;
        }

        /** One row's value; {@code y} has one entry per row when {@link #sparseTargets()}. */
        protected abstract double rowValue(float[] p, int po, float[] y, int yo, int width);

        @Override
        public void update(Tensor yPred, Tensor yTrue, float[] sampleWeight) {
            if (yPred.rank() == 0) throw new IllegalArgumentException(name + ": prediction must have a batch axis");
            int width = yPred.rank() == 1 ? 1 : yPred.dim(-1);
            int rows = width == 0 ? 0 : yPred.size() / width;
            checkShapes(yPred, yTrue, rows);
            int batch = yPred.dim(0), perSample = batch == 0 ? 1 : rows / batch;
            if (sampleWeight != null && sampleWeight.length != rows && sampleWeight.length != batch) {
                throw new IllegalArgumentException(name + ": sample weights have length " + sampleWeight.length
                        + ", expected " + batch + " or " + rows + " for prediction shape " + yPred.shapeString());
            }
            int yw = sparseTargets() ? 1 : width;
            float[] p = yPred.data(), y = yTrue.data();
            for (int r = 0; r < rows; r++) {
                double w = sampleWeight == null ? 1
                        : sampleWeight.length == rows ? sampleWeight[r] : sampleWeight[r / perSample];
                if (w == 0) continue;
                total += w * rowValue(p, r * width, y, r * yw, width);
                count += w;
            }
        }

        private void checkShapes(Tensor yPred, Tensor yTrue, int rows) {
            int[] ps = yPred.shape(), ts = yTrue.shape();
            boolean ok;
            if (sparseTargets()) {
                int[] lead = Arrays.copyOf(ps, Math.max(0, ps.length - 1));
                ok = ps.length >= 2 && yTrue.size() == rows && (Arrays.equals(ts, lead)
                        || (ts.length == lead.length + 1 && ts[ts.length - 1] == 1));
            } else {
                ok = yTrue.size() == yPred.size() && (Arrays.equals(ps, ts)
                        || (ps.length == ts.length + 1 && ps[ps.length - 1] == 1)
                        || (ts.length == ps.length + 1 && ts[ts.length - 1] == 1));
            }
            if (!ok) {
                throw new IllegalArgumentException(name + ": targets have shape " + yTrue.shapeString()
                        + ", predictions have shape " + yPred.shapeString());
            }
        }
    }

    // ---- regression -----------------------------------------------------------------------------

    /** Keras's {@code metrics.MeanSquaredError}: the mean of (yPred - yTrue)². */
    public static final class MeanSquaredError extends MeanMetric {
        public MeanSquaredError() {
            this("mean_squared_error");
        }

        public MeanSquaredError(String name) {
            super(name);
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            return meanSquare(p, po, y, yo, width);
        }
    }

    /** Keras's {@code metrics.MeanAbsoluteError}: the mean of |yPred - yTrue|. */
    public static final class MeanAbsoluteError extends MeanMetric {
        public MeanAbsoluteError() {
            this("mean_absolute_error");
        }

        public MeanAbsoluteError(String name) {
            super(name);
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            double s = 0;
            for (int i = 0; i < width; i++) s += Math.abs((double) p[po + i] - y[yo + i]);
            return s / width;
        }
    }

    /** Keras's {@code metrics.RootMeanSquaredError}: sqrt of the running mean of (yPred - yTrue)². */
    public static final class RootMeanSquaredError extends MeanMetric {
        public RootMeanSquaredError() {
            this("root_mean_squared_error");
        }

        public RootMeanSquaredError(String name) {
            super(name);
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            return meanSquare(p, po, y, yo, width);
        }

        @Override
        public double result() {
            return Math.sqrt(super.result());
        }
    }

    private static double meanSquare(float[] p, int po, float[] y, int yo, int width) {
        double s = 0;
        for (int i = 0; i < width; i++) {
            double e = (double) p[po + i] - y[yo + i];
            s += e * e;
        }
        return s / width;
    }

    // ---- accuracies -----------------------------------------------------------------------------

    /**
     * Keras's {@code BinaryAccuracy}: {@code yPred > threshold} compared with the target, averaged.
     * The threshold applies to whatever the model outputs: with a from-logits model, as in Keras,
     * pass threshold 0 yourself.
     */
    public static final class BinaryAccuracy extends MeanMetric {
        private final double threshold;

        public BinaryAccuracy() {
            this("binary_accuracy", 0.5);
        }

        public BinaryAccuracy(String name, double threshold) {
            super(name);
            this.threshold = threshold;
        }

        public double threshold() {
            return threshold;
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            int hit = 0;
            for (int i = 0; i < width; i++) {
                float pred = p[po + i] > threshold ? 1f : 0f;
                if (pred == y[yo + i]) hit++;
            }
            return (double) hit / width;
        }
    }

    /** Keras's {@code CategoricalAccuracy}: argmax of prediction equals argmax of one-hot target. */
    public static final class CategoricalAccuracy extends MeanMetric {
        public CategoricalAccuracy() {
            this("categorical_accuracy");
        }

        public CategoricalAccuracy(String name) {
            super(name);
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            return argmax(p, po, width) == argmax(y, yo, width) ? 1 : 0;
        }
    }

    /** Keras's {@code SparseCategoricalAccuracy}: argmax of prediction equals the class id. */
    public static final class SparseCategoricalAccuracy extends MeanMetric {
        public SparseCategoricalAccuracy() {
            this("sparse_categorical_accuracy");
        }

        public SparseCategoricalAccuracy(String name) {
            super(name);
        }

        @Override
        protected boolean sparseTargets() {
            return true;
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            return argmax(p, po, width) == y[yo] ? 1 : 0;
        }
    }

    /** First index of the maximum (ties go to the lower index, as numpy's argmax). */
    static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (a[off + i] > a[off + best]) best = i;
        return best;
    }

    /**
     * Keras's {@code "accuracy"}: becomes binary, sparse categorical or categorical accuracy on
     * its first update, by {@link Metrics#accuracyFor(int[], int[], String)}, and stays so.
     */
    public static final class Accuracy implements Metric {
        private final String name;
        private Metric resolved;

        public Accuracy(String name) {
            this.name = name;
        }

        /** The concrete accuracy chosen, or null before the first update. */
        public Metric resolved() {
            return resolved;
        }

        @Override
        public void update(Tensor yPred, Tensor yTrue, float[] sampleWeight) {
            if (resolved == null) resolved = accuracyFor(yTrue.shape(), yPred.shape(), name);
            resolved.update(yPred, yTrue, sampleWeight);
        }

        @Override
        public double result() {
            return resolved == null ? 0 : resolved.result();
        }

        @Override
        public void reset() {
            if (resolved != null) resolved.reset();
        }

        @Override
        public String name() {
            return name;
        }
    }

    // ---- language models ------------------------------------------------------------------------

    /**
     * Perplexity, keras_nlp's {@code Perplexity}: {@code exp} of the (weighted) mean sparse
     * categorical cross-entropy per token, over everything since the last reset. Class ids as in
     * {@link SparseCategoricalCrossentropy}, with the same label checks.
     */
    public static final class Perplexity extends MeanMetric {
        private static final SparseCategoricalCrossentropy LOGITS = new SparseCategoricalCrossentropy(true);
        private static final SparseCategoricalCrossentropy PROBS = new SparseCategoricalCrossentropy(false);
        private final boolean fromLogits;

        public Perplexity(boolean fromLogits) {
            this("perplexity", fromLogits);
        }

        public Perplexity(String name, boolean fromLogits) {
            super(name);
            this.fromLogits = fromLogits;
        }

        public boolean fromLogits() {
            return fromLogits;
        }

        /** The loss's own shape and label checks (and messages) first, then the weighted mean. */
        @Override
        public void update(Tensor yPred, Tensor yTrue, float[] sampleWeight) {
            SparseCategoricalCrossentropy shapes = fromLogits ? LOGITS : PROBS;
            int width = yPred.dim(-1), rows = width == 0 ? 0 : yPred.size() / width;
            shapes.checkTargetShape(yPred, yTrue, width);
            SparseCategoricalCrossentropy.checkLabels(name(), yTrue.data(), rows, yPred.dim(0), width);
            int batch = yPred.dim(0);
            if (sampleWeight != null && sampleWeight.length != rows && sampleWeight.length != batch) {
                throw new IllegalArgumentException(name() + ": sample weights have length " + sampleWeight.length
                        + ", expected " + batch + " or " + rows);
            }
            if (rows == 0) return; // zero classes: nothing to add (and no rows for the generic shape check)
            super.update(yPred, yTrue, sampleWeight);
        }

        @Override
        protected boolean sparseTargets() {
            return true;
        }

        @Override
        protected double rowValue(float[] p, int po, float[] y, int yo, int width) {
            return SparseCategoricalCrossentropy.rowLoss(fromLogits, p, po, (int) y[yo], width, null, 0, 0);
        }

        /** {@code exp} of the mean cross-entropy (exp(0) = 1 before any update). */
        @Override
        public double result() {
            return Math.exp(super.result());
        }
    }

    /** Any {@link Loss} tracked as a weighted mean over rows, e.g. metric {@code "binary_crossentropy"}. */
    public static final class LossMean implements Metric {
        private final String name;
        private final Loss loss;
        private double total, count;

        public LossMean(String name, Loss loss) {
            this.name = name;
            this.loss = loss;
        }

        public Loss loss() {
            return loss;
        }

        @Override
        public void update(Tensor yPred, Tensor yTrue, float[] sampleWeight) {
            int width = yPred.rank() == 1 ? 1 : yPred.dim(-1);
            int rows = width == 0 ? 0 : yPred.size() / width;
            // forward returns Σ w·l / rows; the metric wants Σ w·l / Σ w across batches
            double mean = loss.forward(yPred, yTrue, sampleWeight, null, null);
            total += mean * rows;
            if (sampleWeight == null) {
                count += rows;
            } else {
                int perSample = rows / Math.max(1, yPred.dim(0));
                for (int r = 0; r < rows; r++) count += sampleWeight.length == rows ? sampleWeight[r] : sampleWeight[r / perSample];
            }
        }

        @Override
        public double result() {
            return count == 0 ? 0 : total / count;
        }

        @Override
        public void reset() {
            total = 0;
            count = 0;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
