/**
 * Recurrent layers. {@link io.github.rnn4j.layers.recurrent.Recurrent} owns time (the loop,
 * masking, variational dropout, states, direction, BPTT); {@link io.github.rnn4j.layers.recurrent.SimpleRNN},
 * {@link io.github.rnn4j.layers.recurrent.LSTM} and {@link io.github.rnn4j.layers.recurrent.GRU}
 * supply one step's math, forward and backward. {@link io.github.rnn4j.layers.recurrent.Bidirectional}
 * and {@link io.github.rnn4j.layers.recurrent.StackedRNN} compose them;
 * {@link io.github.rnn4j.layers.recurrent.RecurrentWeights} moves weights in and out of PyTorch's
 * and Keras's layouts.
 */
package io.github.rnn4j.layers.recurrent;
