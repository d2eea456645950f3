package io.github.rnn4j.layers;


/**
 * A placeholder for a tensor in a model graph, as Keras's {@code KerasTensor}: which layer call
 * produces it, which of that call's outputs it is, and its per-sample shape (no batch axis;
 * -1 for an unknown length). It holds no values.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(-1, 8);              // (None, 8)
 * SymbolicTensor h = new LSTM(32).call(in);          // (32,)
 * SymbolicTensor y = new Dense(1).call(h);
 * Model model = Model.of(in, y);
 * }</pre>
 *
 * Graph execution lives in {@code io.github.rnn4j.models}; this is only the node record.
 */
public final class SymbolicTensor {
    /** One application of a layer to symbolic inputs. */
    public static final class Call {
        private final Layer layer;
        private final SymbolicTensor[] inputs;
        private final SymbolicTensor[] outputs;

        Call(Layer layer, SymbolicTensor[] inputs, int[][] outShapes) {
            this.layer = layer;
            this.inputs = inputs.clone();
            this.outputs = new SymbolicTensor[outShapes.length];
            for (int i = 0; i < outShapes.length; i++) outputs[i] = new SymbolicTensor(this, i, outShapes[i]);
        }

        public Layer layer() {
            return layer;
        }

        public SymbolicTensor[] inputs() {
            return inputs.clone();
        }

        public SymbolicTensor[] outputs() {
            return outputs.clone();
        }

        public int inputCount() {
            return inputs.length;
        }

        public SymbolicTensor input(int i) {
            return inputs[i];
        }

        public int outputCount() {
            return outputs.length;
        }

        public SymbolicTensor output(int i) {
            return outputs[i];
        }
    }

    private final Call source;
    private final int index;
    private final int[] shape;

    private SymbolicTensor(Call source, int index, int[] shape) {
        this.source = source;
        this.index = index;
        this.shape = shape.clone();
    }

    /** Applies {@code layer} to symbolic inputs, checking shapes now; returns the call's outputs. */
    static SymbolicTensor[] apply(Layer layer, SymbolicTensor[] inputs) {
        int[][] in = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) in[i] = inputs[i].shape;
        int[][] out = layer.outputShapes(in);
        return new Call(layer, inputs, out).outputs;
    }

    /** The call that produces this tensor. */
    public Call source() {
        return source;
    }

    /** Which output of its call this is. */
    public int index() {
        return index;
    }

    /** Per-sample shape (copy). */
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return "SymbolicTensor" + Layer.shapeString(shape) + " from " + source.layer.where()
                + (source.outputs.length > 1 ? " output " + index : "");
    }
}
