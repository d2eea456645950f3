/**
 * Dense row-major float32 tensors: a shape and an array, with shape checks that name both shapes.
 * No autograd or broadcasting: layers do their own backward passes. Imports only kernels.
 */
package io.github.rnn4j.tensor;
