package io.github.rnn4j.layers;

/**
 * Keras's {@code keras.Input(shape=...)}: a new model input as a symbolic tensor.
 *
 * <pre>{@code
 * SymbolicTensor tokens = Input.of(-1);        // (None,)  token ids of any length
 * SymbolicTensor series = Input.of(30, 4);     // (30, 4)  30 steps of 4 features
 * }</pre>
 */
public final class Input {
    private Input() {
    }

    /** A new input with this per-sample shape ({@code -1} for unknown). */
    public static SymbolicTensor of(int... shape) {
        return new InputLayer(shape).output();
    }

    /** A named new input. */
    public static SymbolicTensor of(String name, int... shape) {
        InputLayer l = new InputLayer(shape);
        l.name(name);
        return l.output();
    }
}
