package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The part {@link GlobalAveragePooling1D} and {@link GlobalMaxPooling1D} share, as Keras's
 * {@code GlobalPooling1D} base does: the {@code keepdims} option and its config keys, the
 * (B, T, F) to (B, F) / (B, 1, F) shape rule, the input checks before a forward, and the fact
 * that a pooling over the whole sequence neither steps nor passes a mask on.
 *
 * <p>Deliberately not public and not a layer of its own: the pooling itself (and whether a mask
 * is honoured) stays in each subclass, next to its backward.
 */
abstract class GlobalPooling1D extends Layer {
    private boolean keepdims;

    /** Reads the base config and this layer's {@code data_format} and {@code keepdims} into l. */
    static <L extends GlobalPooling1D> L applyConfig(L l, Map<String, Object> c) {
        l.applyBaseConfig(c);
        LayerSupport.checkChannelsLast(c, l.where());
        if (c.get("keepdims") != null) l.setKeepdims(LayerSupport.bool(c.get("keepdims"), "keepdims", l.where()));
        return l;
    }

    final void setKeepdims(boolean k) {
        checkNotBuilt("keepdims");
        this.keepdims = k;
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

    /** The shapes of the last forward's input and output. */
    static class PoolFrame extends Frame {
        int[] inShape, outShape;
    }

    /** The one input of a forward, checked against the built shape. */
    final Tensor checkedInput(Tensor[] inputs) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        return x;
    }

    /**
     * A zero output for nb samples of nf features, with the time axis of 1 under keepdims: the
     * frame's output slot 0 ({@link Layer.Frame#output}).
     */
    final Tensor newOutput(Frame fr, int nb, int nf) {
        return keepdims ? fr.output(0, false, nb, 1, nf) : fr.output(0, false, nb, nf);
    }

    /** The pooling is over the whole sequence. */
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
