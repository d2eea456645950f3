package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Flatten} (channels_last): (B, d1, d2, ...) to (B, d1*d2*...), a copy of the
 * same row-major values. The per-sample size may be unknown at build (-1) and is then taken
 * from each batch. Masks are dropped (Keras's Flatten does not pass them on).
 *
 * <pre>{@code
 * Layer flat = new Flatten();   // layers.Flatten()
 * }</pre>
 */
public class Flatten extends Layer {

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Flatten fromConfig(Map<String, Object> c) {
        Flatten l = new Flatten();
        l.applyBaseConfig(c);
        LayerSupport.checkChannelsLast(c, l.where());
        return l;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        return new int[][]{{LayerSupport.product(in[0], 0, in[0].length)}};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
    }

    static final class FlattenFrame extends Frame {
        int[] inShape;
    }

    @Override
    public Frame newFrame() {
        return new FlattenFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        ((FlattenFrame) frame).inShape = x.shape();
        int nb = x.dim(0);
        int per = 1;
        for (int i = 1; i < x.rank(); i++) per *= x.dim(i);
        return new Tensor[]{frame.outputCopy(0, x, nb, per)};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        int[] in = ((FlattenFrame) frame).inShape;
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{frame.output(1, false, in)};
        int per = (int) (Tensor.size(in) / Math.max(1, in[0]));
        LayerSupport.checkGrad(this, dy, new int[]{in[0], per}, 0);
        return new Tensor[]{frame.outputCopy(1, dy, in)};
    }

    /** Flattening merges the time axis into the features. */
    @Override
    public boolean supportsStep() {
        return false;
    }

    /** Keras's Flatten drops the mask. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("data_format", "channels_last");
        return c;
    }
}
