package io.github.rnn4j.training;

import java.util.Map;

/**
 * The part that {@link BinaryCrossentropy} and {@link CategoricalCrossentropy} share: the
 * {@code from_logits} and {@code label_smoothing} arguments, their validation and accessors, and
 * the Keras config keys they write ({@code from_logits}, {@code label_smoothing}, {@code axis}).
 *
 * <p>Deliberately not public and not a loss of its own: each subclass keeps its own row formula,
 * its own smoothing rule (towards 0.5 for binary, towards 1/C for categorical), its Keras names
 * and its public constructors. {@link SparseCategoricalCrossentropy} is not one: Keras gives it no
 * label smoothing and a different config.
 */
abstract class SmoothedCrossentropy extends Loss {
    final boolean fromLogits;
    final double labelSmoothing;

    SmoothedCrossentropy(boolean fromLogits, double labelSmoothing) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        this.fromLogits = fromLogits;
        this.labelSmoothing = labelSmoothing;
    }

    /** Whether predictions are logits rather than probabilities. */
    public boolean fromLogits() {
        return fromLogits;
    }

    /** The label smoothing factor in [0, 1] (0: none). */
    public double labelSmoothing() {
        return labelSmoothing;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("from_logits", fromLogits);
        c.put("label_smoothing", labelSmoothing);
        c.put("axis", -1);
        return c;
    }

    /** Rows are independent: a large prediction's rows may run on several threads. */
    @Override
    protected boolean parallelRows() {
        return true;
    }
}
