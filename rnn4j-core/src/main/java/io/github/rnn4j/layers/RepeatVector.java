package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code RepeatVector}: (B, F) to (B, n, F), the input repeated n times along a new
 * time axis; backward sums the n step gradients. The usual bridge in a seq2seq autoencoder
 * from an encoder's last state to a decoder that runs n steps. No mask in or out.
 *
 * <pre>{@code
 * Layer rep = new RepeatVector(20);   // layers.RepeatVector(20)
 * }</pre>
 */
public class RepeatVector extends Layer {
    private final int n;

    /** Repeats the input {@code n} times. */
    public RepeatVector(int n) {
        if (n <= 0) throw new IllegalArgumentException("RepeatVector: n must be positive, got " + n);
        this.n = n;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static RepeatVector fromConfig(Map<String, Object> c) {
        RepeatVector l = new RepeatVector(LayerSupport.requiredInt(c, "n", "RepeatVector"));
        l.applyBaseConfig(c);
        return l;
    }

    public int n() {
        return n;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (in[0].length != 1) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, features), got "
                    + LayerSupport.batchShape(in[0]));
        }
        return new int[][]{{n, in[0][0]}};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class RepeatFrame extends Frame {
        int b, f;
    }

    @Override
    public Frame newFrame() {
        return new RepeatFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        RepeatFrame fr = (RepeatFrame) frame;
        int nb = x.dim(0), nf = x.dim(1);
        fr.b = nb;
        fr.f = nf;
        Tensor y = fr.output(0, true, nb, n, nf);   // every step is a copy of x's row
        float[] xd = x.data(), yd = y.data();
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < n; t++) System.arraycopy(xd, b * nf, yd, (b * n + t) * nf, nf);
        }
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        RepeatFrame fr = (RepeatFrame) frame;
        Tensor dx = fr.output(1, false, fr.b, fr.f);   // zeros: the steps' gradients are added in
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{dx};
        LayerSupport.checkGrad(this, dy, new int[]{fr.b, n, fr.f}, 0);
        Kernels k = Kernels.get();
        for (int b = 0; b < fr.b; b++) k.sumRowsAdd(n, fr.f, dy.data(), b * n * fr.f, fr.f, dx.data(), b * fr.f);
        return new Tensor[]{dx};
    }

    /** The output is a whole sequence made from one vector. */
    @Override
    public boolean supportsStep() {
        return false;
    }

    /** The new time axis has no mask. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("n", n);
        return c;
    }
}
