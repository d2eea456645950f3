package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Conv1D} (channels_last): a cross-correlation over time.
 * <pre>
 *   y[b, o, :] = act( sum_k x[b, o*s - p + k*d, :] · kernel[k] + bias )
 *   x (B, T, F)   kernel (K, F, C)   y (B, To, C)     s stride, d dilation, p padding before
 * </pre>
 * Effective kernel size {@code E = (K-1)*d + 1}. Output length (Keras's rule): valid
 * {@code floor((T-E)/s)+1}; same and causal {@code ceil(T/s)}. Padding before the first step:
 * same {@code floor(max((To-1)*s + E - T, 0) / 2)} (TF's convention, odd step on the right);
 * causal {@code E-1}, so output o sees only inputs up to o*s.
 *
 * <p>Done as im2col plus one GEMM: the rows {@code cols[b*To + o] = (x[t_0], ..., x[t_K-1])}
 * (zeros where padded) form a (B*To, K*F) matrix, and the kernel in Keras's layout is already
 * the (K*F, C) matrix. Backward: {@code dKernel += cols^T dz}, {@code dcols = dz · kernel^T},
 * then col2im adds dcols back onto dx. The cols matrix is kept in the frame for backward.
 *
 * <p>Masks are dropped: Keras's Conv1D does not support masking. As in Keras, strides > 1
 * together with dilation_rate > 1 is rejected. Not here: groups, channels_first,
 * regularizers and constraints.
 *
 * <pre>{@code
 * Layer conv = new Conv1D(32, 3).padding("causal").dilationRate(2).activation("relu");
 * }</pre>
 */
public class Conv1D extends Layer {
    private final int filters;
    private final int kernelSize;
    private int strides = 1;
    private String padding = "valid";
    private int dilationRate = 1;
    private LayerActivation activation = LayerActivation.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
    private Initializer biasInitializer = Initializer.ZEROS;

    private Param kernel;
    private Param bias;
    private int inputDim;

    /** {@code filters} output channels, a window of {@code kernelSize} steps. */
    public Conv1D(int filters, int kernelSize) {
        if (filters <= 0) throw new IllegalArgumentException("Conv1D: filters must be positive, got " + filters);
        if (kernelSize <= 0) throw new IllegalArgumentException("Conv1D: kernel_size must be positive, got " + kernelSize);
        this.filters = filters;
        this.kernelSize = kernelSize;
    }

    /** Rebuilds a layer from its {@link #getConfig()} (tuples may be numbers or one-element lists). */
    public static Conv1D fromConfig(Map<String, Object> c) {
        Conv1D l = new Conv1D(LayerSupport.requiredInt(c, "filters", "Conv1D"),
                LayerSupport.requiredInt(c, "kernel_size", "Conv1D"));
        l.applyBaseConfig(c);
        String w = l.where();
        LayerSupport.checkChannelsLast(c, w);
        if (c.get("groups") != null && LayerSupport.intArg(c.get("groups"), "groups", w) != 1) {
            throw new IllegalArgumentException(w + ": only groups=1 is supported, got " + c.get("groups"));
        }
        if (c.get("strides") != null) l.strides(LayerSupport.intArg(c.get("strides"), "strides", w));
        if (c.get("padding") != null) l.padding(c.get("padding").toString());
        if (c.get("dilation_rate") != null) l.dilationRate(LayerSupport.intArg(c.get("dilation_rate"), "dilation_rate", w));
        if (c.containsKey("activation")) l.activation(c.get("activation") == null ? null : c.get("activation").toString());
        if (c.containsKey("use_bias")) l.useBias(LayerSupport.bool(c.get("use_bias"), "use_bias", w));
        if (c.containsKey("kernel_initializer")) {
            l.kernelInitializer = LayerSupport.initializer(c.get("kernel_initializer"), "kernel_initializer", w);
        }
        if (c.containsKey("bias_initializer")) {
            l.biasInitializer = LayerSupport.initializer(c.get("bias_initializer"), "bias_initializer", w);
        }
        return l;
    }

    // ---- options ------------------------------------------------------------------------------

    /** Step between window positions (1 by default). */
    public Conv1D strides(int s) {
        checkNotBuilt("strides");
        if (s <= 0) throw new IllegalArgumentException(where() + ": strides must be positive, got " + s);
        this.strides = s;
        return this;
    }

    /** "valid" (default), "same" or "causal". */
    public Conv1D padding(String p) {
        checkNotBuilt("padding");
        this.padding = LayerSupport.padding(p, true, where());
        return this;
    }

    /** Spacing between the kernel's taps (1 by default). */
    public Conv1D dilationRate(int d) {
        checkNotBuilt("dilationRate");
        if (d <= 0) throw new IllegalArgumentException(where() + ": dilation_rate must be positive, got " + d);
        this.dilationRate = d;
        return this;
    }

    /** The activation by Keras name ("linear" by default). */
    public Conv1D activation(String name) {
        checkNotBuilt("activation");
        this.activation = LayerActivation.of(name);
        return this;
    }

    /** Whether the layer has a bias (true by default). */
    public Conv1D useBias(boolean b) {
        checkNotBuilt("useBias");
        this.useBias = b;
        return this;
    }

    /** Initializer of {@code kernel} ("glorot_uniform" by default). */
    public Conv1D kernelInitializer(String name) {
        checkNotBuilt("kernelInitializer");
        this.kernelInitializer = LayerSupport.initializer(name, "kernel_initializer", where());
        return this;
    }

    /** Initializer of {@code bias} ("zeros" by default). */
    public Conv1D biasInitializer(String name) {
        checkNotBuilt("biasInitializer");
        this.biasInitializer = LayerSupport.initializer(name, "bias_initializer", where());
        return this;
    }

    public int filters() {
        return filters;
    }

    public int kernelSize() {
        return kernelSize;
    }

    /** The kernel (kernelSize, inFeatures, filters). */
    public Param kernel() {
        return kernel;
    }

    /** The bias (filters), or null without one. */
    public Param bias() {
        return bias;
    }

    private int effectiveKernel() {
        return (kernelSize - 1) * dilationRate + 1;
    }

    // ---- shapes and build -----------------------------------------------------------------

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (strides > 1 && dilationRate > 1) {
            throw new IllegalArgumentException(where() + ": strides > 1 is not supported together with dilation_rate > 1"
                    + " (strides " + strides + ", dilation_rate " + dilationRate + "), as in Keras");
        }
        int[] s = in[0];
        if (s.length != 2 || s[1] <= 0) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features) with a known"
                    + " feature count, got " + LayerSupport.batchShape(s));
        }
        int out = LayerSupport.outLength(s[0], effectiveKernel(), strides, padding);
        if (s[0] >= 0 && out <= 0) throw tooShort(s[0], LayerSupport.batchShape(s));
        return new int[][]{{out, filters}};
    }

    private IllegalArgumentException tooShort(int t, String shape) {
        return new IllegalArgumentException(where() + ": input of " + t + " steps is shorter than the effective kernel size "
                + effectiveKernel() + " (kernel_size " + kernelSize + ", dilation_rate " + dilationRate
                + ") with padding '" + padding + "' (input shape " + shape + ")");
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        inputDim = inputShapes[0][1];
        kernel = addParam("kernel", kernelSize, inputDim, filters);
        kernelInitializer.fill(kernel.value(), 0, kernel.shape(), init);
        if (useBias) {
            bias = addParam("bias", filters);
            biasInitializer.fill(bias.value(), 0, bias.shape(), init);
        }
    }

    // ---- forward / backward -------------------------------------------------------------------

    static final class Conv1DFrame extends Frame {
        int b, t, tOut, padBefore;
        float[] cols;   // [B*To, K*F]
        float[] dz;     // [B*To, C]
        float[] dcols;  // [B*To, K*F]
        Tensor y;
    }

    @Override
    public Frame newFrame() {
        return new Conv1DFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        Conv1DFrame fr = (Conv1DFrame) frame;
        int nb = x.dim(0), nt = x.dim(1), nf = inputDim, e = effectiveKernel();
        int tOut = LayerSupport.outLength(nt, e, strides, padding);
        if (tOut <= 0) throw tooShort(nt, x.shapeString());
        int pb = LayerSupport.padBefore(nt, tOut, e, strides, padding);
        int rows = nb * tOut, kf = kernelSize * nf;
        fr.b = nb;
        fr.t = nt;
        fr.tOut = tOut;
        fr.padBefore = pb;
        fr.cols = LayerSupport.grow(fr.cols, rows * kf);
        float[] cols = fr.cols, xd = x.data();
        for (int b = 0; b < nb; b++) {
            for (int o = 0; o < tOut; o++) {
                int row = (b * tOut + o) * kf;
                for (int k = 0; k < kernelSize; k++) {
                    int t = o * strides - pb + k * dilationRate;
                    if (t >= 0 && t < nt) {
                        System.arraycopy(xd, (b * nt + t) * nf, cols, row + k * nf, nf);
                    } else {
                        Arrays.fill(cols, row + k * nf, row + (k + 1) * nf, 0f);
                    }
                }
            }
        }
        Tensor y = fr.output(0, true, nb, tOut, filters);   // the GEMM overwrites every element
        LayerSupport.affineForward(rows, kf, filters, cols, kernel, useBias ? bias : null, activation, y.data());
        fr.y = y;
        return new Tensor[]{y};
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        Conv1DFrame fr = (Conv1DFrame) frame;
        int nb = fr.b, nt = fr.t, tOut = fr.tOut, nf = inputDim, pb = fr.padBefore;
        Tensor dx = fr.output(1, false, nb, nt, nf);   // zeros: the taps are added into it
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{dx};
        LayerSupport.checkGrad(this, dy, fr.y.shape(), 0);
        int rows = nb * tOut, kf = kernelSize * nf;
        fr.dz = LayerSupport.grow(fr.dz, rows * filters);
        fr.dcols = LayerSupport.grow(fr.dcols, rows * kf);
        float[] dcols = fr.dcols;
        LayerSupport.affineBackward(rows, kf, filters, fr.cols, fr.y.data(), dy.data(), kernel,
                useBias ? bias : null, activation, fr.dz, dcols);
        Kernels kn = Kernels.get();
        float[] dxd = dx.data();
        for (int b = 0; b < nb; b++) {
            for (int o = 0; o < tOut; o++) {
                int row = (b * tOut + o) * kf;
                for (int k = 0; k < kernelSize; k++) {
                    int t = o * strides - pb + k * dilationRate;
                    if (t >= 0 && t < nt) kn.axpy(nf, 1f, dcols, row + k * nf, dxd, (b * nt + t) * nf);
                }
            }
        }
        return new Tensor[]{dx};
    }

    /** Only a one-tap, stride-1 convolution gives per-step results without looking across time. */
    @Override
    public boolean supportsStep() {
        return kernelSize == 1 && strides == 1;
    }

    /** Keras's Conv1D does not support masking: the mask stops here. */
    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return null;
    }

    // ---- config -------------------------------------------------------------------------------

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("filters", filters);
        c.put("kernel_size", List.of(kernelSize));
        c.put("strides", List.of(strides));
        c.put("padding", padding);
        c.put("data_format", "channels_last");
        c.put("dilation_rate", List.of(dilationRate));
        c.put("groups", 1);
        c.put("activation", activation.kerasName());
        c.put("use_bias", useBias);
        c.put("kernel_initializer", kernelInitializer.kerasName());
        c.put("bias_initializer", biasInitializer.kerasName());
        return c;
    }
}
