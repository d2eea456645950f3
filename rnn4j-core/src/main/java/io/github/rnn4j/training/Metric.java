package io.github.rnn4j.training;

import io.github.rnn4j.tensor.Tensor;

/**
 * A stateful training metric, Keras's {@code keras.metrics.Metric}: {@link #update} folds one
 * batch in, {@link #result} reads the running value, {@link #reset} starts over (the fit loop
 * resets at the start of each epoch and of each evaluation).
 *
 * <p>What it is: running totals in double precision, no allocation per update. What it is not: a
 * loss — metrics have no gradient. Arguments come in the same order as {@link Loss#forward}
 * (prediction first, unlike Keras's {@code update_state(y_true, y_pred)}).
 *
 * <pre>{@code
 * Metric acc = Metrics.get("accuracy", loss);
 * for (batch : epoch) acc.update(yPred, yTrue);
 * System.out.println(acc.name() + " = " + acc.result());
 * acc.reset();
 * }</pre>
 */
public interface Metric {
    /** Folds one batch in (unweighted). */
    default void update(Tensor yPred, Tensor yTrue) {
        update(yPred, yTrue, null);
    }

    /**
     * Folds one batch in with per-row weights, e.g. a timestep mask: {@code sampleWeight} is
     * null, one weight per sample (length B) or one per row (B·T for a (B, T, F) output). A
     * weighted mean metric then reports {@code Σ w·v / Σ w}, as Keras's {@code Mean} does.
     * A model's fit and evaluate write the next batch's predictions into the same tensor
     * ({@link io.github.rnn4j.layers.Layer.Frame#reuseOutputs}): a metric that keeps values
     * past this call copies them.
     */
    void update(Tensor yPred, Tensor yTrue, float[] sampleWeight);

    /** The value over everything since the last reset (0 before any update, as Keras). */
    double result();

    /** Clears the running state. */
    void reset();

    /** The name shown in logs and history: the string it was asked for by, e.g. {@code "mae"}. */
    String name();
}
