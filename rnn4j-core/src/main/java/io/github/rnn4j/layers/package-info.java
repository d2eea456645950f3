/**
 * Layers: the {@link io.github.rnn4j.layers.Layer} base class with its parameters
 * ({@link io.github.rnn4j.layers.Param}), masks ({@link io.github.rnn4j.layers.Mask}) and
 * initializers, and the non-recurrent layers with Keras's semantics, names and config keys.
 * The recurrent layers, which own time, are in {@code io.github.rnn4j.layers.recurrent}.
 *
 * <p>Every layer is a forward/backward pair in one file. Shapes given to {@code build} and
 * {@code outputShapes} are per sample (no batch axis; -1 = length unknown until run time);
 * tensors given to {@code forward} are batch-first. What backward needs lives in a
 * per-call-site {@link io.github.rnn4j.layers.Layer.Frame}: saved activations (often the
 * input and output tensors themselves, by reference, so they must not be changed between
 * forward and backward) and workspaces that grow to the largest batch and are reused.
 * Backward <em>adds</em> into the parameters' gradients and returns fresh input gradients
 * ({@code null} for token ids).
 *
 * <ul>
 *   <li>Core: {@link io.github.rnn4j.layers.Dense} (2-D or per timestep on 3-D as one GEMM),
 *       {@link io.github.rnn4j.layers.Activation}, {@link io.github.rnn4j.layers.Dropout}
 *       (inverted, optional noise shape), {@link io.github.rnn4j.layers.TimeDistributed}.</li>
 *   <li>Sequences: {@link io.github.rnn4j.layers.Embedding} (maskZero),
 *       {@link io.github.rnn4j.layers.Masking}, {@link io.github.rnn4j.layers.Conv1D}
 *       (valid, same, causal; strides; dilation), {@link io.github.rnn4j.layers.MaxPooling1D},
 *       {@link io.github.rnn4j.layers.GlobalAveragePooling1D} (mask-aware),
 *       {@link io.github.rnn4j.layers.GlobalMaxPooling1D}, {@link io.github.rnn4j.layers.RepeatVector}.</li>
 *   <li>Shape and merge: {@link io.github.rnn4j.layers.Flatten}, {@link io.github.rnn4j.layers.Reshape},
 *       {@link io.github.rnn4j.layers.Concatenate}, {@link io.github.rnn4j.layers.Add}.</li>
 * </ul>
 *
 * <p>Masks: layers that keep the time axis pass a mask on (Dense, Activation, Dropout,
 * TimeDistributed; Add and Concatenate pass the first input's); Embedding(maskZero) and Masking
 * make one; GlobalAveragePooling1D consumes it; Conv1D, pooling, Flatten, Reshape and
 * RepeatVector drop it, as Keras's do.
 *
 * <p>Configs: {@code getConfig()} returns Keras's {@code get_config()} keys in snake_case
 * ({@code units}, {@code use_bias}, {@code kernel_size: [3]}, ...) and each layer's static
 * {@code fromConfig(Map)} restores it, accepting numbers or one-element lists for Keras tuples
 * and initializers as names or Keras dicts. Not here: regularizers, constraints, channels_first,
 * LoRA or quantization; model graphs and serialization to files live above this package.
 */
package io.github.rnn4j.layers;
