/**
 * Keras's training callbacks: {@link io.github.rnn4j.callbacks.EarlyStopping},
 * {@link io.github.rnn4j.callbacks.ModelCheckpoint}, {@link io.github.rnn4j.callbacks.ReduceLROnPlateau}
 * and {@link io.github.rnn4j.callbacks.CSVLogger}. They sit above models and io (a checkpoint saves
 * model files). Stopping on a NaN loss (Keras's TerminateOnNaN) is built into {@code fit} itself.
 */
package io.github.rnn4j.callbacks;
