/**
 * Models: the functional layer graph ({@link io.github.rnn4j.models.Model}, built from
 * {@code Input.of(...)} and {@code layer.call(...)}), {@link io.github.rnn4j.models.Sequential},
 * Keras's {@code compile}/{@code fit}/{@code evaluate}/{@code predict} with the progress bar and
 * {@link io.github.rnn4j.models.History}, single-step streaming with immutable
 * {@link io.github.rnn4j.models.ModelState}s, and Keras-shaped configs
 * ({@link io.github.rnn4j.models.ModelConfig}). Imports layers and training.
 */
package io.github.rnn4j.models;
