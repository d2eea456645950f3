/**
 * The model file format ({@link io.github.rnn4j.io.ModelFile}): Keras-shaped JSON architecture,
 * float32 weights, optional optimizer state, magic number, version and checksum; atomic saves.
 * Sits on top of models.
 */
package io.github.rnn4j.io;
