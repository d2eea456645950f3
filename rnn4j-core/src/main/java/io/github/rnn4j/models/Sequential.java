package io.github.rnn4j.models;

import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A linear stack of single-output layers, Keras's {@code Sequential}. The input shape comes from
 * a leading {@link InputLayer}, or from the first data given to fit/predict (the time axis then
 * left unknown, so later batches may have other lengths).
 *
 * <pre>{@code
 * Sequential model = new Sequential(
 *         new InputLayer(-1, 1),
 *         new LSTM(10).recurrentDropout(0.5),
 *         new Dense(1));
 * }</pre>
 */
public class Sequential extends Model {
    private final List<Layer> stack = new ArrayList<>();

    /** A model of these layers, in order. */
    public Sequential(Layer... layers) {
        name("sequential");
        for (Layer l : layers) add(l);
    }

    /** Appends a layer (before the model is built). */
    public Sequential add(Layer layer) {
        if (graph != null && isBuilt()) throw new IllegalStateException("sequential: cannot add layers after building");
        if (layer instanceof InputLayer && !stack.isEmpty()) {
            throw new IllegalArgumentException("sequential: an InputLayer may only be the first layer");
        }
        stack.add(layer);
        graph = null;
        if (stack.get(0) instanceof InputLayer in) makeGraph(in);
        return this;
    }

    private void makeGraph(InputLayer in) {
        SymbolicTensor x = in.output();
        for (int i = 1; i < stack.size(); i++) {
            Layer l = stack.get(i);
            SymbolicTensor[] out = l.callMulti(x);
            if (out.length != 1) {
                throw new IllegalArgumentException("sequential: " + l.where() + " has " + out.length
                        + " outputs (returnState?); a Sequential model needs single-output layers");
            }
            x = out[0];
        }
        graph = new Graph(new SymbolicTensor[]{in.output()}, new SymbolicTensor[]{x});
    }

    @Override
    void ensureGraph(Tensor[] xs) {
        if (graph != null) return;
        if (stack.isEmpty()) throw new IllegalStateException("sequential: the model has no layers");
        if (xs.length != 1) throw new IllegalArgumentException("sequential: expects 1 input, got " + xs.length);
        int[] s = xs[0].shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("sequential: input must have a batch axis and at least one more, got "
                    + Arrays.toString(s));
        }
        int[] per = Arrays.copyOfRange(s, 1, s.length);
        if (per.length >= 2) {
            // leave the time axis open when every layer allows it (later batches may be longer);
            // layers that need the length (Flatten before Dense) get the data's
            int[] open = per.clone();
            open[0] = -1;
            InputLayer in = new InputLayer(open);
            try {
                stack.add(0, in);
                makeGraph(in);
                return;
            } catch (IllegalArgumentException e) {
                stack.remove(0);
                graph = null;
            }
        }
        stack.add(0, new InputLayer(per));
        makeGraph((InputLayer) stack.get(0));
    }

    @Override
    int outputCount() {
        return graph == null ? 1 : super.outputCount();
    }

    /** The layers, without the input layer (as Keras's {@code model.layers}). */
    @Override
    public List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        for (Layer l : stack) if (!(l instanceof InputLayer)) out.add(l);
        return out;
    }

    /** The layers including a leading InputLayer if there is one. */
    List<Layer> stack() {
        return stack;
    }
}
