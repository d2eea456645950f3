package io.github.rnn4j.models;

import java.util.Map;

/**
 * Hooks into {@link Model#fit}, as Keras's {@code keras.callbacks.Callback}. Every method has
 * an empty default; {@code logs} maps metric names ("loss", "val_loss", "mae", ...) to values.
 *
 * <pre>{@code
 * model.fit(x, y, new FitOptions().epochs(50).callbacks(new EarlyStopping().patience(5)));
 * }</pre>
 */
public interface Callback {
    /** Called once, with the model being trained, before the first epoch. */
    default void onTrainBegin(Model model) {
    }

    default void onEpochBegin(int epoch) {
    }

    /** Called after each epoch with its training and validation logs. */
    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    /** Called after each training batch with the running logs of the epoch. */
    default void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    }

    default void onTrainEnd(Map<String, Double> logs) {
    }
}
