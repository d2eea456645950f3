package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code GlobalMaxPooling1D} (channels_last): the maximum over time per feature,
 * (B, T, F) to (B, F), or (B, 1, F) with {@code keepdims}. Backward routes each gradient to
 * the winning step (the first one on ties).
 *
 * <p>Like Keras, it ignores a mask: padded steps take part in the maximum. Put the padding
 * value well below the data, or use {@link GlobalAveragePooling1D}, which respects masks.
 *
 * <pre>{@code
 * Layer pool = new GlobalMaxPooling1D();   // layers.GlobalMaxPooling1D()
 * }</pre>
 */
public class GlobalMaxPooling1D extends Layer {
    private boolean keepdims;

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static GlobalMaxPooling1D fromConfig(Map<String, Object> c) {
        GlobalMaxPooling1D l = new GlobalMaxPooling1D();
        l.applyBaseConfig(c);
        LayerSupport.checkChannelsLast(c, l.where());
        if (c.get("keepdims") != null) l.keepdims(LayerSupport.bool(c.get("keepdims"), "keepdims", l.where()));
        return l;
    }

    /** Keep the time axis with length 1. */
    public GlobalMaxPooling1D keepdims(boolean k) {
        checkNotBuilt("keepdims");
        this.keepdims = k;
        return this;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (in[0].length != 2) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got "
                    + LayerSupport.batchShape(in[0]));
        }
        if (in[0][0] == 0) {
            throw new IllegalArgumentException(where() + ": the maximum of 0 steps is undefined (input shape "
                    + LayerSupport.batchShape(in[0]) + ")");
        }
        return new int[][]{keepdims ? new int[]{1, in[0][1]} : new int[]{in[0][1]}};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class GlobalMaxFrame extends Frame {
        int[] argmax; // [B*F] flat input index of the winner
        int[] inShape, outShape;
    }

    @Override
    public Frame newFrame() {
        return new GlobalMaxFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        GlobalMaxFrame fr = (GlobalMaxFrame) frame;
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        if (nt == 0) {
            throw new IllegalArgumentException(where() + ": the maximum of 0 steps is undefined (input shape "
                    + x.shapeString() + ")");
        }
        Tensor y = keepdims ? Tensor.zeros(nb, 1, nf) : Tensor.zeros(nb, nf);
        fr.argmax = LayerSupport.grow(fr.argmax, nb * nf);
        float[] xd = x.data(), yd = y.data();
        int[] am = fr.argmax;
        for (int b = 0; b < nb; b++) {
            int out = b * nf, first = b * nt * nf;
            for (int f = 0; f < nf; f++) {
                yd[out + f] = xd[first + f];
                am[out + f] = first + f;
            }
            for (int t = 1; t < nt; t++) {
                int in = (b * nt + t) * nf;
                for (int f = 0; f < nf; f++) {
                    if (xd[in + f] > yd[out + f]) {
                        yd[out + f] = xd[in + f];
                        am[out + f] = in + f;
                    }
                }
            }
        }
        fr.inShape = x.shape();
        fr.outShape = y.shape();
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        GlobalMaxFrame fr = (GlobalMaxFrame) frame;
        Tensor dx = Tensor.zeros(fr.inShape);
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{dx};
        LayerSupport.checkGrad(this, dy, fr.outShape, 0);
        float[] dxd = dx.data(), dyd = dy.data();
        for (int i = 0; i < dyd.length; i++) dxd[fr.argmax[i]] += dyd[i];
        return new Tensor[]{dx};
    }

    /** The maximum is over the whole sequence. */
    @Override
    public boolean supportsStep() {
        return false;
    }

    /** The time axis is gone: no mask. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        c.put("keepdims", keepdims);
        return c;
    }
}
