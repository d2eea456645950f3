package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The base of every layer: a forward/backward pair over batches, its parameters, its Keras
 * config, and the shape rules that let a model check a graph before it runs.
 *
 * <p>Shapes given to {@link #build} and {@link #outputShapes} are per sample: they leave out the
 * batch axis, and {@code -1} stands for a length not known until run time (the time axis of a
 * variable-length input). Tensors given to {@link #forward} carry the batch axis first.
 *
 * <p>A layer keeps no per-call state: everything that backward needs from forward lives in a
 * {@link Frame} that the caller owns (one per place the layer is called in a model, reused from
 * batch to batch). That is what lets one layer be shared by several call sites of a functional
 * model. Backward <em>adds</em> into the parameters' gradients and returns the gradients of the
 * inputs ({@code null} for an input that is not differentiable, such as token ids).
 *
 * <p>Options are set fluently before the layer is built ({@code new LSTM(10).recurrentDropout(0.5)})
 * and cannot change afterwards.
 */
public abstract class Layer {
    private String name;
    private boolean built;
    private boolean trainable = true;
    private final List<Param> params = new ArrayList<>();
    /** The layer's own generator, seeded at build from the model's seed. */
    protected SplittableRandom rng = new SplittableRandom(0);
    private int[][] builtInputShapes;

    /** Per-call-site saved activations and workspaces. Layers subclass it. */
    public static class Frame {
        private boolean inferenceOnly;
        private boolean[] inputGradients;

        /**
         * Promises (true) that {@code backward} is never called with this frame, as in predict,
         * evaluate and streaming steps: a layer may then keep only what its forward pass needs
         * (a recurrent layer keeps one step of gate activations instead of every step's). A
         * backward call after an inference forward on such a frame fails. Frames of wrappers
         * pass it on to the frames of the layers they hold. Default false.
         */
        public Frame inferenceOnly(boolean on) {
            this.inferenceOnly = on;
            for (Frame f : innerFrames()) f.inferenceOnly(on);
            return this;
        }

        /**
         * The frames of the layers a wrapper holds (none here): {@link #inferenceOnly},
         * {@link #weightsFixed}, {@link #weightsChanged} and {@link #reuseOutputs} are passed on
         * to them.
         */
        protected Frame[] innerFrames() {
            return NO_FRAMES;
        }

        private static final Frame[] NO_FRAMES = {};

        /** See {@link #inferenceOnly(boolean)}. */
        public boolean isInferenceOnly() {
            return inferenceOnly;
        }

        private boolean weightsFixed;
        private long weightsEpoch;

        /**
         * Promises (true) that the layer's weights stay as they are while this frame is used,
         * until {@link #weightsChanged()} says otherwise: a layer may then keep what it derives
         * from its weights from one call to the next instead of deriving it at every call (a
         * recurrent layer keeps its weights packed for the per-step product, which a stream of
         * one-step calls could not afford to pack each time). Writing the weights in place
         * while a frame promises this, and not calling {@link #weightsChanged()}, leaves the
         * frame computing with the old ones. Meant for inference and streaming frames; a
         * training step changes the weights. Frames of wrappers pass it on to the frames of the
         * layers they hold. Default false.
         */
        public Frame weightsFixed(boolean on) {
            this.weightsFixed = on;
            weightsEpoch++;
            for (Frame f : innerFrames()) f.weightsFixed(on);
            return this;
        }

        /** Tells a frame that promises {@link #weightsFixed} that the weights were changed: it derives them anew. */
        public Frame weightsChanged() {
            weightsEpoch++;
            for (Frame f : innerFrames()) f.weightsChanged();
            return this;
        }

        /** See {@link #weightsFixed(boolean)}. */
        public boolean isWeightsFixed() {
            return weightsFixed;
        }

        private boolean reuseOutputs;
        private Tensor[] kept;

        /**
         * Promises (true) that the tensors returned by forward and backward through this frame
         * are not read after the next forward call on this frame: a layer may then return
         * tensors it keeps in the frame and writes again at the next call, instead of new ones.
         * A new array of an output's size (13 MB for a character model's LSTM outputs) costs
         * its zeroing and, on a fresh part of the heap, a page fault per 4 KiB, at every batch;
         * a kept one costs nothing. Meant for loops that consume each batch's outputs before
         * the next forward (a model's fit, evaluate and predict set it on their own frames);
         * not for a caller that keeps outputs of several calls, or feeds a call's output back
         * into the same frame. Frames of wrappers pass it on. Default false.
         */
        public Frame reuseOutputs(boolean on) {
            this.reuseOutputs = on;
            if (!on) kept = null;
            for (Frame f : innerFrames()) f.reuseOutputs(on);
            return this;
        }

        /** See {@link #reuseOutputs(boolean)}. */
        public boolean isReuseOutputs() {
            return reuseOutputs;
        }

        /**
         * A tensor of {@code shape} for the value a layer returns as number {@code slot} (the
         * layer numbers its own: say 0 for its output, 1 for its input's gradient). Without
         * {@link #reuseOutputs}, a new tensor of zeros. With it, the frame's tensor for that
         * slot when it has this shape (else a new one, kept for the next call): zeros when
         * {@code overwritten} is false, else left as the last call wrote it, for a caller
         * that writes every element itself.
         */
        public Tensor output(int slot, boolean overwritten, int... shape) {
            if (!reuseOutputs) return Tensor.zeros(shape);
            if (kept == null || kept.length <= slot) kept = Arrays.copyOf(kept == null ? new Tensor[0] : kept, slot + 1);
            Tensor t = kept[slot];
            if (t != null && t.hasShape(shape)) {
                if (!overwritten) Arrays.fill(t.data(), 0f);
                return t;
            }
            kept[slot] = null;   // the old one goes before the new one is made
            return kept[slot] = Tensor.zeros(shape);
        }

        /**
         * {@link #output} for slot {@code slot} holding a copy of {@code src}'s values in the
         * given shape (of src's size): a layer that returns its input changed, or seen in
         * another shape.
         */
        public Tensor outputCopy(int slot, Tensor src, int... shape) {
            Tensor t = output(slot, true, shape);
            System.arraycopy(src.data(), 0, t.data(), 0, src.size());
            return t;
        }

        /**
         * Changes with every {@link #weightsFixed} and {@link #weightsChanged} call: what a layer
         * derived from its weights under one value is stale under another.
         */
        public long weightsEpoch() {
            return weightsEpoch;
        }

        /**
         * Which inputs' gradients {@code backward} must return, by input index (default, or
         * null: all). A model clears the entries of inputs that no gradient needs to reach (its
         * own inputs, and values made from them by layers without weights), as Keras and PyTorch
         * compute no gradient for an input that does not require one; the layer may then skip
         * that gradient and return null in its place (the recurrent layers and Dense do; others
         * make it anyway). Indices past the array are wanted. Bidirectional passes input 0's
         * entry on to both of its layers, StackedRNN to its first.
         */
        public Frame inputGradients(boolean... wanted) {
            this.inputGradients = wanted == null ? null : wanted.clone();
            return this;
        }

        /** Whether {@code backward} must return the gradient of input {@code i} (see {@link #inputGradients}). */
        public boolean wantsInputGradient(int i) {
            return inputGradients == null || i >= inputGradients.length || inputGradients[i];
        }
    }

    /** The Keras class name, e.g. {@code "LSTM"}. */
    public String className() {
        return getClass().getSimpleName();
    }

    /** The layer's name (unique within a model; assigned by the model if not set). */
    public String name() {
        return name;
    }

    /** Sets the name. */
    public Layer name(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("layer name must not be blank");
        this.name = name;
        return this;
    }

    /**
     * Restarts the layer's random generator (dropout masks) from {@code seed}. Models call it at
     * the start of every epoch with a seed derived from the model seed, the epoch and the layer's
     * position, so a run resumed at epoch k draws the same masks as an uninterrupted one.
     * Wrappers pass derived seeds on to the layers they hold.
     */
    public void reseed(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** Whether {@link #build} has run. */
    public boolean isBuilt() {
        return built;
    }

    /** Whether optimizers update this layer's weights. */
    public boolean trainable() {
        return trainable;
    }

    /** Freezes ({@code false}) or unfreezes the layer's weights. */
    public Layer trainable(boolean t) {
        this.trainable = t;
        for (Param p : params) p.trainable(t);
        return this;
    }

    /** Text like {@code LSTM 'encoder'} for error messages. */
    public String where() {
        return className() + " '" + (name == null ? "?" : name) + "'";
    }

    /** Throws if the layer is built: options are fixed then. */
    protected void checkNotBuilt(String option) {
        if (built) {
            throw new IllegalStateException(where() + ": cannot change '" + option + "' after the layer is built");
        }
    }

    /** The parameters, in Keras's weight order. */
    public List<Param> params() {
        return Collections.unmodifiableList(params);
    }

    /** Registers a parameter (during {@link #buildParams}). */
    protected Param addParam(String pname, int... shape) {
        Param p = new Param(pname, shape);
        p.trainable(trainable);
        params.add(p);
        return p;
    }

    /** Total number of parameter values. */
    public long countParams() {
        long n = 0;
        for (Param p : params) n += p.size();
        return n;
    }

    /** The per-sample input shapes the layer was built for. */
    public int[][] builtInputShapes() {
        return builtInputShapes;
    }

    /**
     * Creates the parameters for the given per-sample input shapes and initialises them from
     * {@code seed}. Building twice with the same shapes is a no-op; with other shapes, an error.
     */
    public final void build(int[][] inputShapes, long seed) {
        if (built) {
            if (!sameShapes(inputShapes, builtInputShapes)) {
                throw new IllegalArgumentException(where() + ": was built for input shapes "
                        + shapesString(builtInputShapes) + ", now called with " + shapesString(inputShapes));
            }
            return;
        }
        outputShapes(inputShapes); // validates
        this.rng = new SplittableRandom(seed);
        buildParams(inputShapes, new SplittableRandom(seed ^ 0x5DEECE66DL));
        builtInputShapes = deepCopy(inputShapes);
        built = true;
    }

    private static boolean sameShapes(int[][] a, int[][] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) return false;
            for (int j = 0; j < a[i].length; j++) {
                // an unknown (-1) dimension matches anything
                if (a[i][j] != b[i][j] && a[i][j] != -1 && b[i][j] != -1) return false;
            }
        }
        return true;
    }

    private static int[][] deepCopy(int[][] s) {
        int[][] c = new int[s.length][];
        for (int i = 0; i < s.length; i++) c[i] = s[i].clone();
        return c;
    }

    /** Shapes as text, e.g. {@code [(-1, 8)]} with None for unknown. */
    public static String shapesString(int[][] shapes) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shapes.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shapeString(shapes[i]));
        }
        return sb.append(']').toString();
    }

    /** One per-sample shape as Keras prints it: {@code (None, 8)}. */
    public static String shapeString(int[] s) {
        StringBuilder sb = new StringBuilder("(");
        for (int j = 0; j < s.length; j++) {
            if (j > 0) sb.append(", ");
            sb.append(s[j] < 0 ? "None" : String.valueOf(s[j]));
        }
        if (s.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    /** A batch shape as Keras prints it, per-sample shape behind None: {@code (None, 50, 8)}. */
    public static String batchShapeString(int[] perSample) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : perSample) sb.append(", ").append(d < 0 ? "None" : String.valueOf(d));
        return sb.append(')').toString();
    }

    /** Creates and initialises parameters; called once by {@link #build}. */
    protected abstract void buildParams(int[][] inputShapes, SplittableRandom init);

    /**
     * The per-sample output shapes for the given per-sample input shapes; throws with a message
     * naming the layer and the shapes when the inputs do not fit.
     */
    public abstract int[][] outputShapes(int[][] inputShapes);

    /** A fresh frame for one call site. */
    public Frame newFrame() {
        return new Frame();
    }

    /**
     * Runs the layer on a batch.
     *
     * @param inputs   batch-first tensors, one per input
     * @param mask     the mask of the first input, or null
     * @param frame    this call site's frame, filled with what backward needs
     * @param training whether dropout and similar training-only behaviour apply
     * @return one tensor per output
     */
    public abstract Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training);

    /**
     * Back-propagates through the last {@link #forward} made with {@code frame}: adds into the
     * parameters' gradients and returns the gradients of the inputs.
     *
     * @param gradOutputs one per output; an entry may be null when no loss depends on it
     */
    public abstract Tensor[] backward(Tensor[] gradOutputs, Frame frame);

    /** The mask of the first output, given the input mask. Default: passed through unchanged. */
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return mask;
    }

    /**
     * Whether the layer can run on one timestep at a time with the same result as on the whole
     * sequence (true for per-step layers and for unidirectional recurrent layers; false for layers
     * that look across time, such as Bidirectional, Conv1D with a kernel wider than 1 and pooling).
     */
    public boolean supportsStep() {
        return true;
    }

    /** Keras-style configuration: the constructor arguments as a flat map. */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", trainable);
        return c;
    }

    /** Reads the base fields of a config. */
    protected void applyBaseConfig(Map<String, Object> config) {
        Object n = config.get("name");
        if (n != null) name(n.toString());
        Object t = config.get("trainable");
        if (t instanceof Boolean b) trainable(b);
    }

    /** Zeroes every parameter gradient. */
    public void zeroGrads() {
        for (Param p : params) p.zeroGrad();
    }

    // ---- graph building ------------------------------------------------------------------

    /**
     * Applies the layer to symbolic inputs, as Keras's {@code layer(x)}, for building functional
     * models; shapes are checked now.
     *
     * @throws IllegalArgumentException if the layer has several outputs (use {@link #callMulti})
     */
    public SymbolicTensor call(SymbolicTensor... inputs) {
        SymbolicTensor[] out = SymbolicTensor.apply(this, inputs);
        if (out.length != 1) {
            throw new IllegalArgumentException(where() + " has " + out.length + " outputs; use callMulti");
        }
        return out[0];
    }

    /** Applies the layer to symbolic inputs and returns all its outputs (e.g. output and states). */
    public SymbolicTensor[] callMulti(SymbolicTensor... inputs) {
        return SymbolicTensor.apply(this, inputs);
    }

    // ---- shared checks -------------------------------------------------------------------

    /** Checks the number of inputs given to forward. */
    protected void checkInputCount(Tensor[] inputs, int min, int max) {
        if (inputs.length < min || inputs.length > max) {
            throw new IllegalArgumentException(where() + ": expected " + (min == max ? String.valueOf(min)
                    : min + " to " + max) + " inputs, got " + inputs.length);
        }
    }

    /**
     * Checks that a batch tensor has the per-sample shape the layer was built for (batch axis
     * first; -1 entries of the built shape accept any length).
     */
    protected void checkBatchShape(Tensor x, int inputIndex) {
        int[] want = builtInputShapes[inputIndex];
        int[] got = x.shape();
        boolean ok = got.length == want.length + 1;
        for (int i = 0; ok && i < want.length; i++) ok = want[i] < 0 || want[i] == got[i + 1];
        if (!ok) {
            throw new IllegalArgumentException(where() + ": input " + inputIndex + " has shape "
                    + Arrays.toString(got) + ", layer was built for (batch, "
                    + shapeString(want).substring(1));
        }
    }

    /** Rejects NaN and infinities in an input with a message naming the place. */
    public void checkFinite(Tensor x, String what) {
        int bad = x.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException(where() + ": " + what + " contains " + x.data()[bad]
                    + " at index " + Arrays.toString(x.unravel(bad)) + " (shape " + x.shapeString() + ")");
        }
    }

    @Override
    public String toString() {
        return where();
    }
}
