package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Dense}: a fully connected layer on the last axis.
 * <pre>
 *   y = act(x · kernel + bias)       x (R, F), kernel (F, H), bias (H), y (R, H)
 * </pre>
 * where R is every row of the input seen as a matrix: B for a (B, F) input, B*T for a
 * (B, T, F) input, so a sequence is one GEMM over all timesteps (Keras applies Dense to the last
 * axis of any rank; so does this). Backward: {@code dz = dy * act'(y)}, {@code dKernel += x^T dz},
 * {@code dBias += colsum(dz)}, {@code dx = dz · kernel^T}: one GEMM each.
 *
 * <p>A mask passes through unchanged (Keras's Dense supports masking). The activation may be
 * any of {@link io.github.rnn4j.kernels.Activations} or {@code softmax} (over the last axis).
 * Not here: regularizers, constraints, LoRA.
 *
 * <pre>{@code
 * Layer head = new Dense(10).activation("softmax");   // layers.Dense(10, activation="softmax")
 * }</pre>
 */
public class Dense extends Layer {
    private final int units;
    private LayerActivation activation = LayerActivation.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
    private Initializer biasInitializer = Initializer.ZEROS;

    private Param kernel;
    private Param bias;
    private int inputDim;

    /** A layer of {@code units} outputs with Keras's defaults (linear, with bias). */
    public Dense(int units) {
        if (units <= 0) throw new IllegalArgumentException("Dense: units must be positive, got " + units);
        this.units = units;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Dense fromConfig(Map<String, Object> c) {
        Dense d = new Dense(LayerSupport.requiredInt(c, "units", "Dense"));
        d.applyBaseConfig(c);
        String w = d.where();
        if (c.containsKey("activation")) d.activation(c.get("activation") == null ? null : c.get("activation").toString());
        if (c.containsKey("use_bias")) d.useBias(LayerSupport.bool(c.get("use_bias"), "use_bias", w));
        if (c.containsKey("kernel_initializer")) {
            d.kernelInitializer = LayerSupport.initializer(c.get("kernel_initializer"), "kernel_initializer", w);
        }
        if (c.containsKey("bias_initializer")) {
            d.biasInitializer = LayerSupport.initializer(c.get("bias_initializer"), "bias_initializer", w);
        }
        return d;
    }

    // ---- options ------------------------------------------------------------------------------

    /** The activation by Keras name ("linear" by default; "softmax" works on the last axis). */
    public Dense activation(String name) {
        checkNotBuilt("activation");
        this.activation = LayerActivation.of(name);
        return this;
    }

    /** Whether the layer has a bias (true by default). */
    public Dense useBias(boolean b) {
        checkNotBuilt("useBias");
        this.useBias = b;
        return this;
    }

    /** Initializer of {@code kernel} ("glorot_uniform" by default). */
    public Dense kernelInitializer(String name) {
        checkNotBuilt("kernelInitializer");
        this.kernelInitializer = LayerSupport.initializer(name, "kernel_initializer", where());
        return this;
    }

    /** Initializer of {@code bias} ("zeros" by default). */
    public Dense biasInitializer(String name) {
        checkNotBuilt("biasInitializer");
        this.biasInitializer = LayerSupport.initializer(name, "bias_initializer", where());
        return this;
    }

    public int units() {
        return units;
    }

    /** The kernel (F, units). */
    public Param kernel() {
        return kernel;
    }

    /** The bias (units), or null without one. */
    public Param bias() {
        return bias;
    }

    // ---- shapes and build -----------------------------------------------------------------

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        int[] s = in[0];
        if (s.length < 1 || s[s.length - 1] <= 0) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, ..., features) with a known"
                    + " feature count, got " + LayerSupport.batchShape(s));
        }
        int[] out = s.clone();
        out[out.length - 1] = units;
        return new int[][]{out};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        int[] s = inputShapes[0];
        inputDim = s[s.length - 1];
        kernel = addParam("kernel", inputDim, units);
        kernelInitializer.fill(kernel.value(), 0, kernel.shape(), init);
        if (useBias) {
            bias = addParam("bias", units);
            biasInitializer.fill(bias.value(), 0, bias.shape(), init);
        }
    }

    // ---- forward / backward -------------------------------------------------------------------

    /** The input and output of the last forward, and the dz workspace. */
    static final class DenseFrame extends Frame {
        Tensor x;
        Tensor y;
        int rows;
        float[] dz;
    }

    @Override
    public Frame newFrame() {
        return new DenseFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        DenseFrame fr = (DenseFrame) frame;
        int rows = x.size() / inputDim;
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = units;
        Tensor y = fr.output(0, true, outShape);   // the GEMM overwrites every element
        LayerSupport.affineForward(rows, inputDim, units, x.data(), kernel, useBias ? bias : null, activation, y.data());
        fr.x = x;
        fr.y = y;
        fr.rows = rows;
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        DenseFrame fr = (DenseFrame) frame;
        boolean wantDx = frame.wantsInputGradient(0);
        Tensor dy = gradOutputs[0];
        // without dy, dx is zeros; else the GEMM overwrites every element
        Tensor dx = wantDx ? fr.output(1, dy != null, fr.x.shape()) : null;
        if (dy == null) return new Tensor[]{dx};
        LayerSupport.checkGrad(this, dy, fr.y.shape(), 0);
        int rows = fr.rows;
        fr.dz = LayerSupport.grow(fr.dz, rows * units);
        LayerSupport.affineBackward(rows, inputDim, units, fr.x.data(), fr.y.data(), dy.data(), kernel,
                useBias ? bias : null, activation, fr.dz, wantDx ? dx.data() : null);
        return new Tensor[]{dx};
    }

    // ---- config -------------------------------------------------------------------------------

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", units);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        c.put("kernel_initializer", kernelInitializer.kerasName());
        c.put("bias_initializer", biasInitializer.kerasName());
        return c;
    }
}
