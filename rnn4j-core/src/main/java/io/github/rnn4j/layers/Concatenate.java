package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Concatenate}: joins its inputs along {@code axis}, which counts the batch axis
 * as Keras does ({@code -1}, the default, is the last axis; {@code 1} the first per-sample
 * axis; the batch axis itself cannot be joined). All other axes must agree.
 *
 * <p>Seen as (outer, size_k * inner) blocks, forward copies each input's block into its slot of
 * every output row and backward copies the slots back out. The mask of the first input passes
 * through (the layer API hands a layer only that one); Keras would combine the inputs' masks.
 *
 * <pre>{@code
 * Layer cat = new Concatenate();          // layers.Concatenate()
 * Tensor y = cat.forward(new Tensor[]{a, b}, null, cat.newFrame(), false)[0];
 * }</pre>
 */
public class Concatenate extends Layer {
    private final int axis;

    /** Joins along the last axis. */
    public Concatenate() {
        this(-1);
    }

    /** Joins along {@code axis} (Keras's numbering, batch axis = 0). */
    public Concatenate(int axis) {
        if (axis == 0) throw new IllegalArgumentException("Concatenate: cannot join along the batch axis (axis 0)");
        this.axis = axis;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Concatenate fromConfig(Map<String, Object> c) {
        Concatenate l = new Concatenate(c.get("axis") == null ? -1 : LayerSupport.intArg(c.get("axis"), "axis", "Concatenate"));
        l.applyBaseConfig(c);
        return l;
    }

    public int axis() {
        return axis;
    }

    /** The per-sample axis (0-based, without batch) for per-sample rank r. */
    private int sampleAxis(int r) {
        int a = axis < 0 ? axis + r + 1 : axis;
        if (a < 1 || a > r) {
            throw new IllegalArgumentException(where() + ": axis " + axis + " is outside the inputs' per-sample axes"
                    + " (inputs of rank " + (r + 1) + " including batch)");
        }
        return a - 1;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        if (in.length < 1) throw new IllegalArgumentException(where() + ": needs at least 1 input, got 0");
        int r = in[0].length;
        for (int[] s : in) {
            if (s.length != r) throw mismatch(Layer.shapesString(in));
        }
        int a = sampleAxis(r);
        int[] out = in[0].clone();
        for (int k = 1; k < in.length; k++) {
            for (int i = 0; i < r; i++) {
                if (i == a) continue;
                if (in[k][i] >= 0 && out[i] >= 0 && in[k][i] != out[i]) throw mismatch(Layer.shapesString(in));
                if (out[i] < 0) out[i] = in[k][i];
            }
            out[a] = out[a] < 0 || in[k][a] < 0 ? -1 : out[a] + in[k][a];
        }
        return new int[][]{out};
    }

    private IllegalArgumentException mismatch(String shapes) {
        return new IllegalArgumentException(where() + ": inputs must have the same rank and match on every axis"
                + " except axis " + axis + ", got shapes " + shapes);
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class ConcatFrame extends Frame {
        int[][] inShapes;
        int[] outShape;
        int outer, inner;
    }

    @Override
    public Frame newFrame() {
        return new ConcatFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        int n = builtInputShapes().length;
        checkInputCount(inputs, n, n);
        ConcatFrame fr = (ConcatFrame) frame;
        int rank = inputs[0].rank(), a = sampleAxis(rank - 1) + 1;
        int[] out = inputs[0].shape();
        fr.inShapes = new int[n][];
        for (int k = 0; k < n; k++) {
            Tensor x = inputs[k];
            LayerSupport.checkInput(this, x, k);
            boolean ok = x.rank() == rank;
            for (int i = 0; ok && i < rank; i++) ok = i == a || x.dim(i) == out[i];
            if (!ok) {
                StringBuilder sb = new StringBuilder();
                for (Tensor t : inputs) sb.append(sb.length() == 0 ? "" : ", ").append(t.shapeString());
                throw mismatch("[" + sb + "]");
            }
            if (k > 0) out[a] += x.dim(a);
            fr.inShapes[k] = x.shape();
        }
        int outer = 1, inner = 1;
        for (int i = 0; i < a; i++) outer *= out[i];
        for (int i = a + 1; i < rank; i++) inner *= out[i];
        fr.outShape = out;
        fr.outer = outer;
        fr.inner = inner;
        Tensor y = fr.output(0, true, out);   // the inputs' blocks cover every element
        float[] yd = y.data();
        int row = out[a] * inner, at = 0;
        for (int k = 0; k < n; k++) {
            int block = inputs[k].dim(a) * inner;
            float[] xd = inputs[k].data();
            for (int o = 0; o < outer; o++) System.arraycopy(xd, o * block, yd, o * row + at, block);
            at += block;
        }
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        ConcatFrame fr = (ConcatFrame) frame;
        int n = fr.inShapes.length;
        Tensor[] dIn = new Tensor[n];
        Tensor dy = gradOutputs[0];
        // zeros without dy; else dy's blocks cover every element
        for (int k = 0; k < n; k++) dIn[k] = fr.output(1 + k, dy != null, fr.inShapes[k]);
        if (dy == null) return dIn;
        LayerSupport.checkGrad(this, dy, fr.outShape, 0);
        int a = sampleAxis(fr.outShape.length - 1) + 1;
        int row = fr.outShape[a] * fr.inner, at = 0;
        float[] dyd = dy.data();
        for (int k = 0; k < n; k++) {
            int block = fr.inShapes[k][a] * fr.inner;
            float[] dxd = dIn[k].data();
            for (int o = 0; o < fr.outer; o++) System.arraycopy(dyd, o * row + at, dxd, o * block, block);
            at += block;
        }
        return dIn;
    }

    /** Joining along the time axis (the first per-sample axis of a sequence) looks across time. */
    @Override
    public boolean supportsStep() {
        if (!isBuilt()) return axis != 1;
        int r = builtInputShapes()[0].length;
        return r < 2 || sampleAxis(r) != 0;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("axis", axis);
        return c;
    }
}
