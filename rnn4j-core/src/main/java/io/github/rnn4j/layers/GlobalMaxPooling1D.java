package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;

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
public class GlobalMaxPooling1D extends GlobalPooling1D {

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static GlobalMaxPooling1D fromConfig(Map<String, Object> c) {
        return applyConfig(new GlobalMaxPooling1D(), c);
    }

    /** Keep the time axis with length 1. */
    public GlobalMaxPooling1D keepdims(boolean k) {
        setKeepdims(k);
        return this;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        int[][] out = super.outputShapes(in);
        if (in[0][0] == 0) {
            throw new IllegalArgumentException(where() + ": the maximum of 0 steps is undefined (input shape "
                    + LayerSupport.batchShape(in[0]) + ")");
        }
        return out;
    }

    static final class GlobalMaxFrame extends PoolFrame {
        int[] argmax; // [B*F] flat input index of the winner
    }

    @Override
    public Frame newFrame() {
        return new GlobalMaxFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        Tensor x = checkedInput(inputs);
        GlobalMaxFrame fr = (GlobalMaxFrame) frame;
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        if (nt == 0) {
            throw new IllegalArgumentException(where() + ": the maximum of 0 steps is undefined (input shape "
                    + x.shapeString() + ")");
        }
        Tensor y = newOutput(fr, nb, nf);
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
        return LayerSupport.maxPoolBackward(this, fr, gradOutputs[0], fr.argmax, fr.inShape, fr.outShape);
    }
}
