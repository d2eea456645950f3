package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;

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
public class GlobalAveragePooling1D extends GlobalPooling1D {

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static GlobalAveragePooling1D fromConfig(Map<String, Object> c) {
        return applyConfig(new GlobalAveragePooling1D(), c);
    }

    /** Keep the time axis with length 1. */
    public GlobalAveragePooling1D keepdims(boolean k) {
        setKeepdims(k);
        return this;
    }

    static final class AvgFrame extends PoolFrame {
        float[] weight; // [B*T] 1/count for a valid step, 0 otherwise
    }

    @Override
    public Frame newFrame() {
        return new AvgFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        Tensor x = checkedInput(inputs);
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
        Tensor y = newOutput(fr, nb, nf);
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
        Tensor dx = fr.output(1, false, fr.inShape);   // zeros at masked steps
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
}
