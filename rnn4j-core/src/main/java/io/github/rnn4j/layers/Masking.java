package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Masking}: a timestep is masked when every feature equals {@code maskValue}.
 * Input (B, T, F). The output mask is {@code any(x[b, t, :] != maskValue)}; the output is the
 * input with masked steps zeroed, as Keras does ({@code x * mask}), so backward passes the
 * gradient of kept steps and zero for masked ones (the mask is a constant of the input, as in
 * Keras's graph). An incoming mask is ignored, as Keras ignores it.
 *
 * <p>Not here: masks over axes other than time (a {@link Mask} is [batch, time]).
 *
 * <pre>{@code
 * Layer m = new Masking(-1.0);   // layers.Masking(mask_value=-1.0)
 * }</pre>
 */
public class Masking extends Layer {
    private final double maskValue;

    /** Masks steps whose features are all 0 (Keras's default). */
    public Masking() {
        this(0.0);
    }

    /** Masks steps whose features all equal {@code maskValue}. */
    public Masking(double maskValue) {
        this.maskValue = maskValue;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Masking fromConfig(Map<String, Object> c) {
        Object v = c.get("mask_value");
        Masking m = new Masking(v == null ? 0.0 : LayerSupport.number(v, "mask_value", "Masking"));
        m.applyBaseConfig(c);
        return m;
    }

    public double maskValue() {
        return maskValue;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (in[0].length != 2) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got "
                    + LayerSupport.batchShape(in[0]));
        }
        return new int[][]{in[0].clone()};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class MaskingFrame extends Frame {
        boolean[] keep; // [B*T]
        int[] shape;
    }

    @Override
    public Frame newFrame() {
        return new MaskingFrame();
    }

    /** keep[b*T + t] = any feature of step (b, t) differs from maskValue. */
    private void computeKeep(Tensor x, boolean[] keep) {
        int rows = x.dim(0) * x.dim(1), f = x.dim(2);
        float mv = (float) maskValue;
        float[] xd = x.data();
        for (int r = 0; r < rows; r++) {
            boolean k = false;
            for (int j = 0; j < f && !k; j++) k = xd[r * f + j] != mv;
            keep[r] = k;
        }
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        MaskingFrame fr = (MaskingFrame) frame;
        int rows = x.dim(0) * x.dim(1), f = x.dim(2);
        fr.keep = LayerSupport.grow(fr.keep, rows);
        fr.shape = x.shape();
        computeKeep(x, fr.keep);
        Tensor y = fr.outputCopy(0, x, fr.shape);
        zeroMasked(y.data(), fr.keep, rows, f);
        return new Tensor[]{y};
    }

    private static void zeroMasked(float[] d, boolean[] keep, int rows, int f) {
        for (int r = 0; r < rows; r++) {
            if (!keep[r]) java.util.Arrays.fill(d, r * f, (r + 1) * f, 0f);
        }
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        MaskingFrame fr = (MaskingFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{fr.output(1, false, fr.shape)};
        LayerSupport.checkGrad(this, dy, fr.shape, 0);
        Tensor dx = fr.outputCopy(1, dy, fr.shape);
        zeroMasked(dx.data(), fr.keep, fr.shape[0] * fr.shape[1], fr.shape[2]);
        return new Tensor[]{dx};
    }

    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        Tensor x = inputs[0];
        if (x.rank() != 3) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got "
                    + x.shapeString());
        }
        boolean[] keep = new boolean[x.dim(0) * x.dim(1)];
        computeKeep(x, keep);
        return new Mask(x.dim(0), x.dim(1), keep);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("mask_value", maskValue);
        return c;
    }
}
