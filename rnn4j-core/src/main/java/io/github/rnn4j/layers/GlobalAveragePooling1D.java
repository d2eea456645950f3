package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code GlobalAveragePooling1D} (channels_last): the mean over time, (B, T, F) to
 * (B, F), or (B, 1, F) with {@code keepdims}. With a mask only the valid steps are averaged,
 * {@code y[b] = sum_t m[b,t] x[b,t] / sum_t m[b,t]}, as Keras does.
 *
 * <p>One deliberate difference: a sample whose steps are all masked gives zeros (and a zero
 * gradient) here, where Keras divides 0 by 0 and gives NaN. The output has no mask.
 *
 * <pre>{@code
 * Layer avg = new GlobalAveragePooling1D();   // layers.GlobalAveragePooling1D()
 * }</pre>
 */
public class GlobalAveragePooling1D extends Layer {
    private boolean keepdims;

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static GlobalAveragePooling1D fromConfig(Map<String, Object> c) {
        GlobalAveragePooling1D l = new GlobalAveragePooling1D();
        l.applyBaseConfig(c);
        LayerSupport.checkChannelsLast(c, l.where());
        if (c.get("keepdims") != null) l.keepdims(LayerSupport.bool(c.get("keepdims"), "keepdims", l.where()));
        return l;
    }

    /** Keep the time axis with length 1. */
    public GlobalAveragePooling1D keepdims(boolean k) {
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
        return new int[][]{keepdims ? new int[]{1, in[0][1]} : new int[]{in[0][1]}};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class AvgFrame extends Frame {
        float[] weight; // [B*T] 1/count for a valid step, 0 otherwise
        int[] inShape, outShape;
    }

    @Override
    public Frame newFrame() {
        return new AvgFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        LayerSupport.checkMask(this, mask, x);
        AvgFrame fr = (AvgFrame) frame;
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        fr.weight = LayerSupport.grow(fr.weight, nb * nt);
        float[] w = fr.weight;
        for (int b = 0; b < nb; b++) {
            int count = 0;
            for (int t = 0; t < nt; t++) if (mask == null || mask.keep(b, t)) count++;
            float inv = count == 0 ? 0f : 1f / count;
            for (int t = 0; t < nt; t++) w[b * nt + t] = mask == null || mask.keep(b, t) ? inv : 0f;
        }
        Tensor y = keepdims ? Tensor.zeros(nb, 1, nf) : Tensor.zeros(nb, nf);
        float[] xd = x.data(), yd = y.data();
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < nt; t++) {
                float wt = w[b * nt + t];
                if (wt == 0f) continue;
                int in = (b * nt + t) * nf;
                for (int f = 0; f < nf; f++) yd[b * nf + f] += wt * xd[in + f];
            }
        }
        fr.inShape = x.shape();
        fr.outShape = y.shape();
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        AvgFrame fr = (AvgFrame) frame;
        Tensor dx = Tensor.zeros(fr.inShape);
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{dx};
        LayerSupport.checkGrad(this, dy, fr.outShape, 0);
        int nb = fr.inShape[0], nt = fr.inShape[1], nf = fr.inShape[2];
        float[] dxd = dx.data(), dyd = dy.data(), w = fr.weight;
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < nt; t++) {
                float wt = w[b * nt + t];
                if (wt == 0f) continue;
                int in = (b * nt + t) * nf;
                for (int f = 0; f < nf; f++) dxd[in + f] = wt * dyd[b * nf + f];
            }
        }
        return new Tensor[]{dx};
    }

    /** The average is over the whole sequence. */
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
