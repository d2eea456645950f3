/**
 * The bottom of rnn4j: numeric kernels on plain {@code float[]} with offsets and leading
 * dimensions (GEMM in its transpose/accumulate variants, element-wise operations, gate
 * activations). It imports nothing else of the library. {@link io.github.rnn4j.kernels.Kernels}
 * is the interface, {@link io.github.rnn4j.kernels.PlainKernels} the scalar reference; faster
 * implementations plug in behind the same interface.
 */
package io.github.rnn4j.kernels;
