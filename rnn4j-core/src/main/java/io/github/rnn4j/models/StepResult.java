package io.github.rnn4j.models;

import io.github.rnn4j.tensor.Tensor;

/**
 * What {@link Model#step} returns: the outputs for this timestep and the state to pass to the
 * next call. Immutable.
 */
public final class StepResult {
    private final Tensor[] outputs;
    private final ModelState state;

    StepResult(Tensor[] outputs, ModelState state) {
        this.outputs = outputs;
        this.state = state;
    }

    /** The first (usually only) output, shape (B, ...) without a time axis. */
    public Tensor output() {
        return outputs[0];
    }

    /** Output {@code i}. */
    public Tensor output(int i) {
        return outputs[i];
    }

    /** Number of outputs. */
    public int outputCount() {
        return outputs.length;
    }

    /** The state after this step. */
    public ModelState state() {
        return state;
    }
}
