package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Reshape}: gives each sample the per-sample {@code targetShape} (the batch axis
 * is kept), with at most one -1 entry inferred from the size. Values keep their row-major
 * order (a copy). Masks are dropped.
 *
 * <pre>{@code
 * Layer r = new Reshape(4, -1);   // layers.Reshape((4, -1))
 * }</pre>
 */
public class Reshape extends Layer {
    private final int[] targetShape;

    /** The per-sample target shape; one entry may be -1. */
    public Reshape(int... targetShape) {
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) unknown++;
            else if (d <= 0) throw new IllegalArgumentException("Reshape: target_shape entries must be positive or -1, got "
                    + Arrays.toString(targetShape));
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape: target_shape may have at most one -1, got " + Arrays.toString(targetShape));
        }
        this.targetShape = targetShape.clone();
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Reshape fromConfig(Map<String, Object> c) {
        if (c.get("target_shape") == null) throw new IllegalArgumentException("Reshape: config has no 'target_shape'");
        Reshape l = new Reshape(LayerSupport.intList(c.get("target_shape"), "target_shape", "Reshape"));
        l.applyBaseConfig(c);
        return l;
    }

    /** A copy of the target shape. */
    public int[] targetShape() {
        return targetShape.clone();
    }

    /** The target with its -1 resolved for {@code size} values per sample (size -1: unknown). */
    private int[] resolve(int size, String inShape) {
        int[] out = targetShape.clone();
        int known = 1, at = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) at = i;
            else known *= out[i];
        }
        if (size < 0) return out;
        if (at >= 0 ? size % known != 0 : size != known) {
            throw new IllegalArgumentException(where() + ": cannot reshape input " + inShape + " (" + size
                    + " values per sample) to target_shape " + LayerSupport.batchShape(targetShape));
        }
        if (at >= 0) out[at] = size / known;
        return out;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        return new int[][]{resolve(LayerSupport.product(in[0], 0, in[0].length), LayerSupport.batchShape(in[0]))};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class ReshapeFrame extends Frame {
        int[] inShape, outShape;
    }

    @Override
    public Frame newFrame() {
        return new ReshapeFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        ReshapeFrame fr = (ReshapeFrame) frame;
        int nb = x.dim(0);
        int per = 1;
        for (int i = 1; i < x.rank(); i++) per *= x.dim(i);
        int[] t = resolve(per, x.shapeString());
        int[] out = new int[t.length + 1];
        out[0] = nb;
        System.arraycopy(t, 0, out, 1, t.length);
        fr.inShape = x.shape();
        fr.outShape = out;
        return new Tensor[]{fr.outputCopy(0, x, out)};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        ReshapeFrame fr = (ReshapeFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{fr.output(1, false, fr.inShape)};
        LayerSupport.checkGrad(this, dy, fr.outShape, 0);
        return new Tensor[]{fr.outputCopy(1, dy, fr.inShape)};
    }

    /** A reshape may move values across the time axis. */
    @Override
    public boolean supportsStep() {
        return false;
    }

    /** Keras's Reshape drops the mask. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("target_shape", Arrays.stream(targetShape).boxed().toList()); // Keras keeps -1 as -1
        return c;
    }
}
