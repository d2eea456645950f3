package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code TimeDistributed}: applies a layer built for {@code (B, ...)} to every step of
 * a {@code (B, T, ...)} input by folding time into the batch, {@code (B*T, ...)}, so the wrapped
 * layer runs once (for Dense, one GEMM over all B*T rows). The fold is a reshape of the same
 * row-major data, so nothing is copied on the way in or out.
 *
 * <p>The parameters are the wrapped layer's (it is built for the per-step shape); the mask
 * passes through. The wrapped layer must have one input and one output and is called without a
 * mask. Not here: Keras's per-step masks for the inner layer, or nested structures.
 *
 * <pre>{@code
 * Layer perStep = new TimeDistributed(new Dense(8));   // layers.TimeDistributed(layers.Dense(8))
 * }</pre>
 */
public class TimeDistributed extends Layer {
    private final Layer layer;

    /** Wraps {@code layer}, which takes (batch, ...) inputs. */
    public TimeDistributed(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("TimeDistributed: layer must not be null");
        this.layer = layer;
    }

    /**
     * Rebuilds a layer from its {@link #getConfig()}; the inner layer is given as
     * {@code {"class_name": ..., "config": ...}} and is looked up with {@link LayerRegistry}
     * (built-in layers and registered custom ones).
     */
    public static TimeDistributed fromConfig(Map<String, Object> c) {
        Object spec = c.get("layer");
        if (!(spec instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("TimeDistributed: config 'layer' must be {class_name, config}, got " + spec);
        }
        TimeDistributed t = new TimeDistributed(LayerRegistry.deserialize(m, "TimeDistributed"));
        t.applyBaseConfig(c);
        return t;
    }

    /** The wrapped layer. */
    public Layer layer() {
        return layer;
    }

    // The parameters are the wrapped layer's: these delegate instead of registering copies.

    @Override
    public List<Param> params() {
        return layer.params();
    }

    @Override
    public long countParams() {
        return layer.countParams();
    }

    @Override
    public void zeroGrads() {
        layer.zeroGrads();
    }

    @Override
    public Layer trainable(boolean t) {
        super.trainable(t);
        layer.trainable(t);
        return this;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (in[0].length < 2) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, ...), got "
                    + LayerSupport.batchShape(in[0]));
        }
        int[][] inner = layer.outputShapes(new int[][]{stepShape(in[0])});
        if (inner.length != 1) {
            throw new IllegalArgumentException(where() + ": the wrapped " + layer.where() + " has "
                    + inner.length + " outputs; only single-output layers can be wrapped");
        }
        int[] out = new int[inner[0].length + 1];
        out[0] = in[0][0];
        System.arraycopy(inner[0], 0, out, 1, inner[0].length);
        return new int[][]{out};
    }

    private static int[] stepShape(int[] s) {
        return Arrays.copyOfRange(s, 1, s.length);
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        layer.build(new int[][]{stepShape(inputShapes[0])}, init.nextLong());
    }

    static final class TimeDistributedFrame extends Frame {
        Frame inner;
        int b, t;
        int[] innerOutShape;

        @Override
        protected Frame[] innerFrames() {
            return new Frame[]{inner};
        }
    }

    @Override
    public Frame newFrame() {
        TimeDistributedFrame f = new TimeDistributedFrame();
        f.inner = layer.newFrame();
        return f;
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        LayerSupport.checkMask(this, mask, x);
        TimeDistributedFrame fr = (TimeDistributedFrame) frame;
        int[] s = x.shape();
        int nb = s[0], nt = s[1];
        int[] folded = new int[s.length - 1];
        folded[0] = nb * nt;
        System.arraycopy(s, 2, folded, 1, s.length - 2);
        Tensor[] out = layer.forward(new Tensor[]{x.reshape(folded)}, null, fr.inner, training);
        int[] os = out[0].shape();
        int[] unfolded = new int[os.length + 1];
        unfolded[0] = nb;
        unfolded[1] = nt;
        System.arraycopy(os, 1, unfolded, 2, os.length - 1);
        fr.b = nb;
        fr.t = nt;
        fr.innerOutShape = os;
        return new Tensor[]{out[0].reshape(unfolded)};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        TimeDistributedFrame fr = (TimeDistributedFrame) frame;
        Tensor dy = gradOutputs[0];
        Tensor dyInner = null;
        if (dy != null) {
            if (dy.rank() < 2 || dy.dim(0) != fr.b || dy.dim(1) != fr.t
                    || dy.size() != Tensor.size(fr.innerOutShape)) {
                throw new IllegalArgumentException(where() + ": gradient has shape " + dy.shapeString()
                        + ", the output had batch " + fr.b + ", time " + fr.t + " and per-step shape "
                        + Arrays.toString(Arrays.copyOfRange(fr.innerOutShape, 1, fr.innerOutShape.length)));
            }
            dyInner = dy.reshape(fr.innerOutShape);
        }
        Tensor[] dIn = layer.backward(new Tensor[]{dyInner}, fr.inner);
        if (dIn[0] == null) return new Tensor[]{null};
        int[] is = dIn[0].shape();
        int[] unfolded = new int[is.length + 1];
        unfolded[0] = fr.b;
        unfolded[1] = fr.t;
        System.arraycopy(is, 1, unfolded, 2, is.length - 1);
        return new Tensor[]{dIn[0].reshape(unfolded)};
    }

    /** Per-step by construction, if the wrapped layer is. */
    @Override
    public boolean supportsStep() {
        return layer.supportsStep();
    }

    @Override
    public void reseed(long seed) {
        super.reseed(seed);
        layer.reseed(seed * 31 + 17);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("class_name", layer.className());
        inner.put("config", layer.getConfig());
        c.put("layer", inner);
        return c;
    }
}
