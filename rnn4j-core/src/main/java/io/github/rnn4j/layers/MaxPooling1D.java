package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code MaxPooling1D} (channels_last): the maximum over windows of {@code poolSize}
 * steps, per feature. Input (B, T, F), output (B, To, F) with To = floor((T-P)/S)+1 for valid
 * padding and ceil(T/S) for same (TF's convention: padded positions are ignored, the odd pad
 * step goes on the right). Strides default to the pool size, as in Keras.
 *
 * <p>Forward records, per output, the flat input index of the winner (the first one on ties);
 * backward routes each output gradient there. Masks are dropped (Keras's pooling layers do not
 * support masking). Not here: average pooling over windows, channels_first.
 *
 * <pre>{@code
 * Layer pool = new MaxPooling1D(2);   // layers.MaxPooling1D(pool_size=2)
 * }</pre>
 */
public class MaxPooling1D extends Layer {
    private final int poolSize;
    private int strides = -1; // -1: as poolSize
    private String padding = "valid";

    /** Windows of {@code poolSize} steps, stride {@code poolSize}. */
    public MaxPooling1D(int poolSize) {
        if (poolSize <= 0) throw new IllegalArgumentException("MaxPooling1D: pool_size must be positive, got " + poolSize);
        this.poolSize = poolSize;
    }

    /** Keras's default pool_size of 2. */
    public MaxPooling1D() {
        this(2);
    }

    /** Rebuilds a layer from its {@link #getConfig()} (tuples may be numbers or one-element lists). */
    public static MaxPooling1D fromConfig(Map<String, Object> c) {
        Object ps = c.get("pool_size");
        MaxPooling1D l = new MaxPooling1D(ps == null ? 2 : LayerSupport.intArg(ps, "pool_size", "MaxPooling1D"));
        l.applyBaseConfig(c);
        LayerSupport.checkChannelsLast(c, l.where());
        if (c.get("strides") != null) l.strides(LayerSupport.intArg(c.get("strides"), "strides", l.where()));
        if (c.get("padding") != null) l.padding(c.get("padding").toString());
        return l;
    }

    /** Step between windows (the pool size by default). */
    public MaxPooling1D strides(int s) {
        checkNotBuilt("strides");
        if (s <= 0) throw new IllegalArgumentException(where() + ": strides must be positive, got " + s);
        this.strides = s;
        return this;
    }

    /** "valid" (default) or "same". */
    public MaxPooling1D padding(String p) {
        checkNotBuilt("padding");
        this.padding = LayerSupport.padding(p, false, where());
        return this;
    }

    public int poolSize() {
        return poolSize;
    }

    /** The effective stride. */
    public int strides() {
        return strides < 0 ? poolSize : strides;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        int[] s = in[0];
        if (s.length != 2) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got "
                    + LayerSupport.batchShape(s));
        }
        int out = LayerSupport.outLength(s[0], poolSize, strides(), padding);
        if (s[0] >= 0 && out <= 0) throw tooShort(s[0], LayerSupport.batchShape(s));
        return new int[][]{{out, s[1]}};
    }

    private IllegalArgumentException tooShort(int t, String shape) {
        return new IllegalArgumentException(where() + ": input of " + t + " steps is shorter than pool_size "
                + poolSize + " with padding 'valid' (input shape " + shape + ")");
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class MaxPoolFrame extends Frame {
        int[] argmax;   // [B*To*F] flat input index of each output's winner
        int[] inShape, outShape;
    }

    @Override
    public Frame newFrame() {
        return new MaxPoolFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        MaxPoolFrame fr = (MaxPoolFrame) frame;
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2), s = strides();
        int tOut = LayerSupport.outLength(nt, poolSize, s, padding);
        if (tOut <= 0) throw tooShort(nt, x.shapeString());
        int pb = LayerSupport.padBefore(nt, tOut, poolSize, s, padding);
        Tensor y = fr.output(0, true, nb, tOut, nf);   // every element is set from its window below
        fr.argmax = LayerSupport.grow(fr.argmax, y.size());
        fr.inShape = x.shape();
        fr.outShape = y.shape();
        float[] xd = x.data(), yd = y.data();
        int[] am = fr.argmax;
        for (int b = 0; b < nb; b++) {
            for (int o = 0; o < tOut; o++) {
                int t0 = Math.max(o * s - pb, 0), t1 = Math.min(o * s - pb + poolSize, nt);
                int out = (b * tOut + o) * nf;
                int first = (b * nt + t0) * nf;
                for (int f = 0; f < nf; f++) {
                    yd[out + f] = xd[first + f];
                    am[out + f] = first + f;
                }
                for (int t = t0 + 1; t < t1; t++) {
                    int in = (b * nt + t) * nf;
                    for (int f = 0; f < nf; f++) {
                        if (xd[in + f] > yd[out + f]) {
                            yd[out + f] = xd[in + f];
                            am[out + f] = in + f;
                        }
                    }
                }
            }
        }
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        MaxPoolFrame fr = (MaxPoolFrame) frame;
        return LayerSupport.maxPoolBackward(this, fr, gradOutputs[0], fr.argmax, fr.inShape, fr.outShape);
    }

    /** Pooling looks across time unless its window is one step. */
    @Override
    public boolean supportsStep() {
        return poolSize == 1 && strides() == 1;
    }

    /** Keras's pooling layers do not support masking: the mask stops here. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("pool_size", List.of(poolSize));
        c.put("padding", padding);
        c.put("strides", List.of(strides()));
        c.put("data_format", "channels_last");
        return c;
    }
}
