package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.LayerRegistry;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Several recurrent layers applied one after another as one layer, optionally with residual
 * connections between them (the lecture's point that gated and residual paths carry information
 * through depth as well as through time):
 * <pre>
 *   y0 = layer0(x)
 *   yi = layer_i(y(i-1)) + y(i-1)     for i >= 1 when residual (shapes must match)
 *   yi = layer_i(y(i-1))              otherwise
 * </pre>
 * Every layer but the last must return sequences; the mask goes through every layer. Layers are
 * SimpleRNN, LSTM, GRU or Bidirectional; their own states are not returned (call them one by
 * one in a functional model for that). It is the same as writing the layers out in a Sequential
 * (plus the Add layers when residual); it exists so that depth and residual connections are one
 * option. Not for single-step streaming ({@code Model.step}): call the layers separately there.
 *
 * <pre>{@code
 * Layer deep = new StackedRNN(new LSTM(64).returnSequences(true),
 *                             new LSTM(64).returnSequences(true),
 *                             new LSTM(64)).residual(true);   // residual needs matching shapes
 * }</pre>
 */
public class StackedRNN extends Layer {
    private final List<Layer> layers;
    private boolean residual;

    /** Stacks the layers (unbuilt), first to last. */
    public StackedRNN(Layer... layers) {
        if (layers.length == 0) throw new IllegalArgumentException("StackedRNN: needs at least one layer");
        for (int i = 0; i < layers.length; i++) {
            Layer l = layers[i];
            if (!(l instanceof Recurrent) && !(l instanceof Bidirectional)) {
                throw new IllegalArgumentException("StackedRNN: layer " + i + " is " + l.where()
                        + "; only SimpleRNN, LSTM, GRU and Bidirectional can be stacked");
            }
            if (returnsState(l)) {
                throw new IllegalArgumentException("StackedRNN: layer " + i + " (" + l.where() + ") has returnState; "
                        + "a stack returns one output");
            }
            if (i < layers.length - 1 && !returnsSequences(l)) {
                throw new IllegalArgumentException("StackedRNN: layer " + i + " (" + l.where() + ") must have "
                        + "returnSequences(true) to feed the next layer");
            }
        }
        this.layers = List.of(layers);
    }

    private static boolean returnsState(Layer l) {
        return l instanceof Recurrent r ? r.returnState() : ((Bidirectional) l).returnState();
    }

    private static boolean returnsSequences(Layer l) {
        return l instanceof Recurrent r ? r.returnSequences() : ((Bidirectional) l).returnSequences();
    }

    /** Add each layer's input to its output, for every layer after the first. */
    public StackedRNN residual(boolean b) {
        checkNotBuilt("residual");
        this.residual = b;
        return this;
    }

    public boolean residual() {
        return residual;
    }

    /** The stacked layers. */
    public List<Layer> layers() {
        return layers;
    }

    @Override
    public void reseed(long seed) {
        super.reseed(seed);
        for (int i = 0; i < layers.size(); i++) layers.get(i).reseed(seed * 31 + i + 1);
    }

    @Override
    public boolean supportsStep() {
        return false;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        if (in.length != 1) throw new IllegalArgumentException(where() + ": expects 1 input, got " + in.length);
        int[] s = in[0];
        for (int i = 0; i < layers.size(); i++) {
            int[] o = layers.get(i).outputShapes(new int[][]{s})[0];
            if (residual && i > 0 && !Arrays.equals(o, s)) {
                throw new IllegalArgumentException(where() + ": residual connection around layer " + i + " ("
                        + layers.get(i).where() + ") needs equal input and output shapes, got "
                        + batchShapeString(s) + " -> " + batchShapeString(o)
                        + " (give every layer the same units and returnSequences(true), or turn residual off)");
            }
            s = o;
        }
        return new int[][]{s};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        int[] s = inputShapes[0];
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l.name() == null) l.name((name() == null ? "stacked_rnn" : name()) + "_" + i);
            l.build(new int[][]{s}, init.nextLong());
            s = l.outputShapes(new int[][]{s})[0];
        }
    }

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        for (Layer l : layers) all.addAll(l.params());
        return all;
    }

    @Override
    public long countParams() {
        long n = 0;
        for (Layer l : layers) n += l.countParams();
        return n;
    }

    @Override
    public void zeroGrads() {
        for (Layer l : layers) l.zeroGrads();
    }

    @Override
    public Layer trainable(boolean t) {
        super.trainable(t);
        if (layers != null) for (Layer l : layers) l.trainable(t);
        return this;
    }

    /** Per-call frames of the stacked layers, and the masks between them. */
    private static final class StackFrame extends Frame {
        Frame[] frames;
        Mask[] masks;

        @Override
        protected Frame[] innerFrames() {
            return frames;
        }

        /** Passes the entry of the stack's input on to the first layer (the others' inputs are always wanted). */
        @Override
        public Frame inputGradients(boolean... wanted) {
            frames[0].inputGradients(wanted == null || wanted.length == 0 || wanted[0]);
            return super.inputGradients(wanted);
        }
    }

    @Override
    public Frame newFrame() {
        StackFrame f = new StackFrame();
        f.frames = new Frame[layers.size()];
        for (int i = 0; i < f.frames.length; i++) f.frames[i] = layers.get(i).newFrame();
        f.masks = new Mask[layers.size()];
        return f;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        checkInputCount(inputs, 1, 1);
        StackFrame f = (StackFrame) frame;
        Tensor x = inputs[0];
        Mask m = mask;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            f.masks[i] = m;
            Tensor[] in = {x};
            Tensor y = l.forward(in, m, f.frames[i], training)[0];
            if (residual && i > 0) {
                Tensor sum = y.copy();
                Kernels.get().axpy(sum.size(), 1f, x.data(), 0, sum.data(), 0);
                y = sum;
            }
            m = l.outputMask(in, m);
            x = y;
        }
        return new Tensor[]{x};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        StackFrame f = (StackFrame) frame;
        Tensor g = gradOutputs[0];
        for (int i = layers.size() - 1; i >= 0; i--) {
            Tensor gIn = layers.get(i).backward(new Tensor[]{g}, f.frames[i])[0];
            if (residual && i > 0) {
                Tensor sum = gIn.copy();
                Kernels.get().axpy(sum.size(), 1f, g.data(), 0, sum.data(), 0);
                gIn = sum;
            }
            g = gIn;
        }
        return new Tensor[]{g};
    }

    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return returnsSequences(layers.get(layers.size() - 1)) ? mask : null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        List<Object> ls = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("class_name", l.className());
            e.put("config", l.getConfig());
            ls.add(e);
        }
        c.put("layers", ls);
        c.put("residual", residual);
        return c;
    }

    /** Rebuilds from {@link #getConfig()}. */
    @SuppressWarnings("unchecked")
    public static StackedRNN fromConfig(Map<String, Object> c) {
        List<Object> ls = (List<Object>) c.get("layers");
        if (ls == null) throw new IllegalArgumentException("StackedRNN config needs \"layers\"");
        Layer[] layers = new Layer[ls.size()];
        for (int i = 0; i < layers.length; i++) {
            Map<String, Object> e = (Map<String, Object>) ls.get(i);
            layers[i] = LayerRegistry.deserialize(e, "StackedRNN");
        }
        StackedRNN s = new StackedRNN(layers);
        s.applyBaseConfig(c);
        if (Boolean.TRUE.equals(c.get("residual"))) s.residual(true);
        return s;
    }
}
