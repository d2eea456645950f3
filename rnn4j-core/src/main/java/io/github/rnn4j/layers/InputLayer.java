package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The entry of a model graph, Keras's {@code InputLayer}: declares the per-sample shape of one
 * model input ({@code -1} for an unknown length, usually time). It computes nothing; the model
 * checks batches against its shape.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(-1, 8);   // Keras: keras.Input(shape=(None, 8))
 * }</pre>
 */
public final class InputLayer extends Layer {
    private final int[] shape;
    private SymbolicTensor output;

    /** An input of the given per-sample shape. */
    public InputLayer(int... shape) {
        if (shape.length == 0) throw new IllegalArgumentException("InputLayer: shape must have at least one dimension");
        for (int d : shape) {
            if (d == 0 || d < -1) {
                throw new IllegalArgumentException("InputLayer: dimensions must be positive or -1 (unknown), got "
                        + java.util.Arrays.toString(shape));
            }
        }
        this.shape = shape.clone();
    }

    /** Rebuilds from {@link #getConfig()}. */
    public static InputLayer fromConfig(Map<String, Object> c) {
        @SuppressWarnings("unchecked")
        List<Object> s = (List<Object>) c.get("batch_shape");
        int[] shape = new int[s.size() - 1];
        for (int i = 1; i < s.size(); i++) shape[i - 1] = s.get(i) == null ? -1 : ((Number) s.get(i)).intValue();
        InputLayer l = new InputLayer(shape);
        l.applyBaseConfig(c);
        return l;
    }

    /** The per-sample shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The symbolic tensor this input stands for (one per InputLayer). */
    public SymbolicTensor output() {
        if (output == null) output = SymbolicTensor.apply(this, new SymbolicTensor[0])[0];
        return output;
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    @Override
    public int[][] outputShapes(int[][] inputShapes) {
        return new int[][]{shape.clone()};
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        return inputs;
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        return new Tensor[0];
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Object> s = new ArrayList<>();
        s.add(null);
        for (int d : shape) s.add(d < 0 ? null : d);
        c.put("batch_shape", s);
        return c;
    }
}
