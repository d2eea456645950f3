package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Add}: the element-wise sum of inputs of one shape (a residual connection is
 * {@code Add} of a block's input and output). Backward hands each input a copy of the output
 * gradient. No broadcasting: shapes must be equal. The mask of the first input passes
 * through (the layer API hands a layer only that one); Keras would combine the inputs' masks.
 *
 * <pre>{@code
 * Layer add = new Add();   // layers.Add()
 * }</pre>
 */
public class Add extends Layer {

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Add fromConfig(Map<String, Object> c) {
        Add l = new Add();
        l.applyBaseConfig(c);
        return l;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        if (in.length < 1) throw new IllegalArgumentException(where() + ": needs at least 1 input, got 0");
        int[] out = in[0].clone();
        for (int[] s : in) {
            boolean ok = s.length == out.length;
            for (int i = 0; ok && i < s.length; i++) {
                ok = s[i] < 0 || out[i] < 0 || s[i] == out[i];
                if (ok && out[i] < 0) out[i] = s[i];
            }
            if (!ok) {
                throw new IllegalArgumentException(where() + ": inputs must all have the same shape, got "
                        + Layer.shapesString(in));
            }
        }
        return new int[][]{out};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class AddFrame extends Frame {
        int n;
        int[] shape;
    }

    @Override
    public Frame newFrame() {
        return new AddFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        int n = builtInputShapes().length;
        checkInputCount(inputs, n, n);
        AddFrame fr = (AddFrame) frame;
        for (int k = 0; k < n; k++) {
            LayerSupport.checkInput(this, inputs[k], k);
            if (!inputs[k].hasShape(inputs[0].shape())) {
                StringBuilder sb = new StringBuilder();
                for (Tensor t : inputs) sb.append(sb.length() == 0 ? "" : ", ").append(t.shapeString());
                throw new IllegalArgumentException(where() + ": inputs must all have the same shape, got [" + sb + "]");
            }
        }
        Tensor y = fr.outputCopy(0, inputs[0], inputs[0].shape());
        Kernels kn = Kernels.get();
        for (int k = 1; k < n; k++) kn.axpy(y.size(), 1f, inputs[k].data(), 0, y.data(), 0);
        fr.n = n;
        fr.shape = y.shape();
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        AddFrame fr = (AddFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy != null) LayerSupport.checkGrad(this, dy, fr.shape, 0);
        Tensor[] dIn = new Tensor[fr.n];
        for (int k = 0; k < fr.n; k++) dIn[k] = dy == null ? fr.output(1 + k, false, fr.shape) : fr.outputCopy(1 + k, dy, fr.shape);
        return dIn;
    }
}
