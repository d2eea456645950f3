package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Embedding}: turns integer ids into rows of the {@code embeddings} matrix
 * (inputDim, outputDim). Input: a float tensor of whole-number ids, usually (B, T); output:
 * the input's shape plus outputDim. Backward scatters {@code dy} rows into the embeddings
 * gradient (repeated ids add up) and returns {@code null} for the ids, which are not
 * differentiable.
 *
 * <p>Every id is checked before anything is written: an id outside {@code [0, inputDim)}, or not
 * a whole number, fails with the layer's name, the position (sample, step) and the value.
 * With {@code maskZero} the output mask is {@code ids != 0}; as Keras documents, id 0 is then
 * padding, so {@code inputDim} must be the vocabulary size plus one. maskZero needs a (B, T)
 * input because a {@link Mask} is [batch, time].
 *
 * <p>Default initializer: Keras's {@code "uniform"}, i.e. uniform in [-0.05, 0.05]
 * ({@link Initializer#RANDOM_UNIFORM}). Not here: regularizers, constraints, LoRA, quantization.
 *
 * <pre>{@code
 * Layer emb = new Embedding(10001, 64).maskZero(true);   // layers.Embedding(10001, 64, mask_zero=True)
 * }</pre>
 */
public class Embedding extends Layer {
    private final int inputDim;
    private final int outputDim;
    private Initializer embeddingsInitializer = Initializer.RANDOM_UNIFORM;
    private boolean maskZero;
    private Param embeddings;

    /** An embedding of ids in {@code [0, inputDim)} into {@code outputDim} values. */
    public Embedding(int inputDim, int outputDim) {
        if (inputDim <= 0) throw new IllegalArgumentException("Embedding: input_dim must be positive, got " + inputDim);
        if (outputDim <= 0) throw new IllegalArgumentException("Embedding: output_dim must be positive, got " + outputDim);
        this.inputDim = inputDim;
        this.outputDim = outputDim;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Embedding fromConfig(Map<String, Object> c) {
        Embedding e = new Embedding(LayerSupport.requiredInt(c, "input_dim", "Embedding"),
                LayerSupport.requiredInt(c, "output_dim", "Embedding"));
        e.applyBaseConfig(c);
        if (c.containsKey("embeddings_initializer")) {
            e.embeddingsInitializer = LayerSupport.initializer(c.get("embeddings_initializer"), "embeddings_initializer", e.where());
        }
        if (c.containsKey("mask_zero")) e.maskZero(LayerSupport.bool(c.get("mask_zero"), "mask_zero", e.where()));
        return e;
    }

    /** Initializer of {@code embeddings} ("uniform" by default, as Keras). */
    public Embedding embeddingsInitializer(String name) {
        checkNotBuilt("embeddingsInitializer");
        this.embeddingsInitializer = LayerSupport.initializer(name, "embeddings_initializer", where());
        return this;
    }

    /** Treat id 0 as padding: the output mask is {@code ids != 0}. */
    public Embedding maskZero(boolean b) {
        checkNotBuilt("maskZero");
        this.maskZero = b;
        return this;
    }

    public int inputDim() {
        return inputDim;
    }

    public int outputDim() {
        return outputDim;
    }

    public boolean maskZero() {
        return maskZero;
    }

    /** The embeddings (inputDim, outputDim). */
    public Param embeddings() {
        return embeddings;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (maskZero && in[0].length != 1) {
            throw new IllegalArgumentException(where() + ": mask_zero needs ids of shape (batch, time), got "
                    + LayerSupport.batchShape(in[0]));
        }
        int[] out = Arrays.copyOf(in[0], in[0].length + 1);
        out[in[0].length] = outputDim;
        return new int[][]{out};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        embeddings = addParam("embeddings", inputDim, outputDim);
        embeddingsInitializer.fill(embeddings.value(), 0, embeddings.shape(), init);
    }

    static final class EmbeddingFrame extends Frame {
        int[] ids;
        int n;
        int[] inShape;
    }

    @Override
    public Frame newFrame() {
        return new EmbeddingFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        EmbeddingFrame fr = (EmbeddingFrame) frame;
        float[] xd = x.data();
        int n = xd.length;
        for (int i = 0; i < n; i++) {
            float v = xd[i];
            if (!(v >= 0f && v < inputDim && v == (float) Math.rint(v))) throw badId(x, i, v);
        }
        fr.ids = LayerSupport.grow(fr.ids, n);
        for (int i = 0; i < n; i++) fr.ids[i] = (int) xd[i];
        fr.n = n;
        fr.inShape = x.shape();
        int[] outShape = Arrays.copyOf(fr.inShape, fr.inShape.length + 1);
        outShape[fr.inShape.length] = outputDim;
        Tensor y = fr.output(0, true, outShape);   // every row is copied in below
        float[] e = embeddings.value(), yd = y.data();
        for (int i = 0; i < n; i++) System.arraycopy(e, fr.ids[i] * outputDim, yd, i * outputDim, outputDim);
        return new Tensor[]{y};
    }

    private IllegalArgumentException badId(Tensor x, int flat, float v) {
        int[] idx = x.unravel(flat);
        String at;
        if (idx.length == 2) {
            at = "sample " + idx[0] + ", step " + idx[1];
        } else if (idx.length == 1) {
            at = "sample " + idx[0];
        } else {
            at = "sample " + idx[0] + ", index " + Arrays.toString(Arrays.copyOfRange(idx, 1, idx.length));
        }
        String what = Float.isNaN(v) || (v >= 0f && v < inputDim) ? "is not a whole number"
                : "is outside [0, " + inputDim + ") (input_dim " + inputDim + ")";
        String value = v == Math.rint(v) && Float.isFinite(v) ? String.valueOf((long) v) : String.valueOf(v);
        return new IllegalArgumentException(where() + ": id " + value + " at " + at + " " + what
                + " (input shape " + x.shapeString() + ")");
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        EmbeddingFrame fr = (EmbeddingFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy != null) {
            int[] outShape = Arrays.copyOf(fr.inShape, fr.inShape.length + 1);
            outShape[fr.inShape.length] = outputDim;
            LayerSupport.checkGrad(this, dy, outShape, 0);
            Kernels k = Kernels.get();
            float[] g = embeddings.grad(), dyd = dy.data();
            for (int i = 0; i < fr.n; i++) k.axpy(outputDim, 1f, dyd, i * outputDim, g, fr.ids[i] * outputDim);
        }
        return new Tensor[]{null};
    }

    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        if (!maskZero) return null;
        Tensor x = inputs[0];
        if (x.rank() != 2) {
            throw new IllegalArgumentException(where() + ": mask_zero needs ids of shape (batch, time), got " + x.shapeString());
        }
        float[] xd = x.data();
        boolean[] keep = new boolean[xd.length];
        for (int i = 0; i < xd.length; i++) keep[i] = xd[i] != 0f;
        return new Mask(x.dim(0), x.dim(1), keep);
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("input_dim", inputDim);
        c.put("output_dim", outputDim);
        c.put("embeddings_initializer", embeddingsInitializer.kerasName());
        c.put("mask_zero", maskZero);
        return c;
    }
}
