package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Bidirectional} wrapper: runs a copy of a recurrent layer forward in time and
 * another copy backward in time over the same input, and merges their outputs.
 *
 * <p>Shape letters: B batch, T time, F features, H units of the wrapped layer, S its number of
 * states (1, or 2 for LSTM).
 * <pre>
 *   yf = forward_layer(x, states[0..S))          (B, T, H) or (B, H)
 *   yb = backward_layer(x, states[S..2S))        goBackwards flipped; with returnSequences its
 *                                                output is reversed in time again, so yb[:, t] is
 *                                                the state after consuming x[T-1..t]
 *   concat: [yf, yb] on the last axis (2H)   sum: yf + yb   mul: yf * yb   ave: (yf + yb) / 2
 *   none (Keras merge_mode=None): two outputs yf, yb
 *   returnState: outputs are [merged (or yf, yb), forward states..., backward states...]
 * </pre>
 * As in Keras, both copies are made from the wrapped layer's {@code getConfig()} (the wrapped
 * layer itself is not used afterwards; wrap it before it is built), named {@code forward_<name>}
 * and {@code backward_<name>}, and when the layer returns sequences both copies get
 * {@code zeroOutputForMask} so that masked steps of the backward sequence line up as zeros. The
 * mask goes to both copies. Parameters are the forward copy's then the backward copy's, in
 * Keras's weight order (forward kernel, recurrent_kernel, bias, backward kernel, ...).
 *
 * <pre>{@code
 * Layer enc = new Bidirectional(new LSTM(64).returnSequences(true));         // concat: 128 features
 * Layer sum = new Bidirectional(new GRU(32), "sum");
 * }</pre>
 *
 * <p>Not here: Keras's optional separate {@code backward_layer} argument and constants; a stack
 * of layers (call them one after another). PyTorch's {@code bidirectional=True} weights map onto
 * it through {@link RecurrentWeights}.
 */
public class Bidirectional extends Layer {
    /** How the two directions' outputs are combined. */
    public enum MergeMode {
        CONCAT("concat"), SUM("sum"), MUL("mul"), AVE("ave"), NONE(null);

        private final String kerasName;

        MergeMode(String kerasName) {
            this.kerasName = kerasName;
        }

        /** Keras's name; null for {@link #NONE} (Keras's {@code merge_mode=None}). */
        public String kerasName() {
            return kerasName;
        }

        /** Parses "concat", "sum", "mul", "ave", or null / "none". */
        public static MergeMode of(String name) {
            if (name == null) return NONE;
            for (MergeMode m : values()) {
                if (m.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) return m;
            }
            throw new IllegalArgumentException("Bidirectional: merge mode must be one of concat, sum, mul, ave, "
                    + "or null / none, got '" + name + "'");
        }
    }

    private final Recurrent forwardLayer;
    private final Recurrent backwardLayer;
    private final String wrappedClassName;
    private final Map<String, Object> wrappedConfig;
    private final boolean returnSequences;
    private final boolean returnState;
    private final int stateCount;
    private MergeMode mergeMode = MergeMode.CONCAT;

    /** Wraps {@code layer} with merge mode "concat". */
    public Bidirectional(Recurrent layer) {
        this(layer, "concat");
    }

    /**
     * Wraps {@code layer} (which must not be built yet).
     *
     * @param mergeMode "concat", "sum", "mul", "ave", or null / "none" for two separate outputs
     */
    public Bidirectional(Recurrent layer, String mergeMode) {
        if (layer == null) throw new IllegalArgumentException("Bidirectional: the wrapped layer must not be null");
        if (layer.isBuilt()) {
            throw new IllegalArgumentException("Bidirectional: " + layer.where() + " is already built; wrap a layer "
                    + "before building it (the forward and backward copies are made from its config)");
        }
        this.mergeMode = MergeMode.of(mergeMode);
        this.wrappedClassName = layer.className();
        this.wrappedConfig = new LinkedHashMap<>(layer.getConfig());
        this.returnSequences = layer.returnSequences();
        this.returnState = layer.returnState();
        this.stateCount = layer.stateCount();
        String base = layer.name() != null ? layer.name() : layer.className().toLowerCase(Locale.ROOT);
        Map<String, Object> f = new LinkedHashMap<>(wrappedConfig);
        f.put("name", "forward_" + base);
        f.put("zero_output_for_mask", returnSequences);
        Map<String, Object> b = new LinkedHashMap<>(wrappedConfig);
        b.put("name", "backward_" + base);
        b.put("zero_output_for_mask", returnSequences);
        b.put("go_backwards", !layer.goBackwards());
        this.forwardLayer = recreate(layer.getClass(), f);
        this.backwardLayer = recreate(layer.getClass(), b);
    }

    /** Rebuilds a layer from its {@link #getConfig()} (the wrapped layer's config under "layer"). */
    @SuppressWarnings("unchecked")
    public static Bidirectional fromConfig(Map<String, Object> config) {
        Object l = config.get("layer");
        if (!(l instanceof Map<?, ?> lm) || !(lm.get("config") instanceof Map<?, ?>) || lm.get("class_name") == null) {
            throw new IllegalArgumentException("Bidirectional config needs \"layer\": {\"class_name\": ..., \"config\": {...}}, got "
                    + l);
        }
        String cls = lm.get("class_name").toString();
        Class<? extends Recurrent> type = switch (cls) {
            case "SimpleRNN" -> SimpleRNN.class;
            case "LSTM" -> LSTM.class;
            case "GRU" -> GRU.class;
            default -> throw new IllegalArgumentException("Bidirectional: cannot wrap a layer of class '" + cls
                    + "' (known: SimpleRNN, LSTM, GRU)");
        };
        Recurrent inner = recreate(type, (Map<String, Object>) lm.get("config"));
        Object mm = config.containsKey("merge_mode") ? config.get("merge_mode") : "concat";
        Bidirectional bi = new Bidirectional(inner, mm == null ? null : mm.toString());
        bi.applyBaseConfig(config);
        return bi;
    }

    /** A fresh layer of exactly {@code type} from {@code config}, through its static {@code fromConfig(Map)}. */
    private static Recurrent recreate(Class<?> type, Map<String, Object> config) {
        Object made;
        try {
            Method m = type.getMethod("fromConfig", Map.class);
            made = m.invoke(null, config);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("Bidirectional: " + type.getSimpleName()
                    + " has no public static fromConfig(Map), so it cannot be copied", e);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            throw new IllegalStateException("Bidirectional: copying " + type.getSimpleName() + " failed", c);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Bidirectional: cannot call " + type.getSimpleName() + ".fromConfig", e);
        }
        if (made == null || made.getClass() != type) {
            throw new IllegalArgumentException("Bidirectional: " + type.getSimpleName() + ".fromConfig made "
                    + (made == null ? "null" : made.getClass().getSimpleName()) + ", not a " + type.getSimpleName()
                    + " (a subclass needs its own fromConfig)");
        }
        return (Recurrent) made;
    }

    // ---- options and parts --------------------------------------------------------------

    /** Sets the merge mode: "concat", "sum", "mul", "ave", or null / "none". */
    public Bidirectional mergeMode(String mode) {
        checkNotBuilt("mergeMode");
        this.mergeMode = MergeMode.of(mode);
        return this;
    }

    public MergeMode mergeMode() {
        return mergeMode;
    }

    /** The copy that reads the sequence in the wrapped layer's direction. */
    public Recurrent forwardLayer() {
        return forwardLayer;
    }

    /** The copy with goBackwards flipped. */
    public Recurrent backwardLayer() {
        return backwardLayer;
    }

    public boolean returnSequences() {
        return returnSequences;
    }

    public boolean returnState() {
        return returnState;
    }

    /** States per direction (1, or 2 for LSTM); the layer takes and returns twice as many. */
    public int stateCount() {
        return stateCount;
    }

    /** Forgets the carried states of stateful copies. */
    public void resetStates() {
        forwardLayer.resetStates();
        backwardLayer.resetStates();
    }

    // ---- parameters: the two copies' -----------------------------------------------------

    @Override
    public List<Param> params() {
        List<Param> all = new ArrayList<>(forwardLayer.params());
        all.addAll(backwardLayer.params());
        return Collections.unmodifiableList(all);
    }

    @Override
    public long countParams() {
        return forwardLayer.countParams() + backwardLayer.countParams();
    }

    @Override
    public void zeroGrads() {
        forwardLayer.zeroGrads();
        backwardLayer.zeroGrads();
    }

    @Override
    public Layer trainable(boolean t) {
        super.trainable(t);
        forwardLayer.trainable(t);
        backwardLayer.trainable(t);
        return this;
    }

    // ---- shapes and build --------------------------------------------------------------

    private void checkCount(int n) {
        if (n != 1 && n != 1 + 2 * stateCount) {
            throw new IllegalArgumentException(where() + ": expected 1 input (plus " + 2 * stateCount
                    + " optional initial states: " + stateCount + " for the forward layer, then " + stateCount
                    + " for the backward layer), got " + n + " inputs");
        }
    }

    /** The inputs of one direction: x, then that direction's half of the initial states. */
    private <T> T[] half(T[] in, T[] dst, boolean backward) {
        dst[0] = in[0];
        if (in.length > 1) System.arraycopy(in, 1 + (backward ? stateCount : 0), dst, 1, stateCount);
        return dst;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        checkCount(in.length);
        int n = in.length == 1 ? 1 : 1 + stateCount;
        int[][] fo = forwardLayer.outputShapes(half(in, new int[n][], false));
        int[][] bo = backwardLayer.outputShapes(half(in, new int[n][], true));
        int nMerged = mergeMode == MergeMode.NONE ? 2 : 1;
        int[][] out = new int[nMerged + (returnState ? 2 * stateCount : 0)][];
        if (mergeMode == MergeMode.NONE) {
            out[0] = fo[0].clone();
            out[1] = bo[0].clone();
        } else {
            out[0] = fo[0].clone();
            if (mergeMode == MergeMode.CONCAT) out[0][out[0].length - 1] *= 2;
        }
        for (int i = 0; returnState && i < stateCount; i++) {
            out[nMerged + i] = fo[1 + i].clone();
            out[nMerged + stateCount + i] = bo[1 + i].clone();
        }
        return out;
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        int n = inputShapes.length == 1 ? 1 : 1 + stateCount;
        // independent initial weights for the two directions, as Keras initialises them
        forwardLayer.build(half(inputShapes, new int[n][], false), init.nextLong());
        backwardLayer.build(half(inputShapes, new int[n][], true), init.nextLong());
    }

    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return returnSequences ? mask : null;
    }

    /** The backward direction reads the whole sequence first: no step-at-a-time execution. */
    @Override
    public void reseed(long seed) {
        super.reseed(seed);
        forwardLayer.reseed(seed * 31 + 1);
        backwardLayer.reseed(seed * 31 + 2);
    }

    @Override
    public boolean supportsStep() {
        return false;
    }

    // ---- the frame ------------------------------------------------------------------------

    /** The two copies' frames and the outputs that the mul merge differentiates through. */
    private static final class BiFrame extends Frame {
        Frame fwd;
        Frame bwd;
        Tensor yf; // forward output
        Tensor yb; // backward output, time-aligned with yf
        boolean withInitialState;

        @Override
        protected Frame[] innerFrames() {
            return new Frame[]{fwd, bwd};
        }

        /** Passes input 0's entry (the sequence) on to both layers; their initial states stay wanted. */
        @Override
        public Frame inputGradients(boolean... wanted) {
            boolean x = wanted == null || wanted.length == 0 || wanted[0];
            fwd.inputGradients(x);
            bwd.inputGradients(x);
            return super.inputGradients(wanted);
        }
    }

    @Override
    public Frame newFrame() {
        BiFrame f = new BiFrame();
        f.fwd = forwardLayer.newFrame();
        f.bwd = backwardLayer.newFrame();
        return f;
    }

    // ---- forward / backward ------------------------------------------------------------

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        BiFrame fr = (BiFrame) frame;
        checkCount(inputs.length);
        int n = inputs.length == 1 ? 1 : 1 + stateCount;
        Tensor[] fo = forwardLayer.forward(half(inputs, new Tensor[n], false), mask, fr.fwd, training);
        Tensor[] bo = backwardLayer.forward(half(inputs, new Tensor[n], true), mask, fr.bwd, training);
        Tensor yf = fo[0];
        // the frame's slots (Frame.output): 0 merged output, 1 yb in time order, 2 and 3 the
        // halves of the output gradient, 4 dyb in the backward layer's order, 5 dx
        Tensor yb = returnSequences ? reverseTime(bo[0], fr.output(1, true, bo[0].shape())) : bo[0];
        fr.yf = yf;
        fr.yb = yb;
        fr.withInitialState = inputs.length > 1;

        int nMerged = mergeMode == MergeMode.NONE ? 2 : 1;
        Tensor[] out = new Tensor[nMerged + (returnState ? 2 * stateCount : 0)];
        if (mergeMode == MergeMode.NONE) {
            out[0] = yf;
            out[1] = yb;
        } else {
            out[0] = merge(yf, yb, fr);
        }
        for (int i = 0; returnState && i < stateCount; i++) {
            out[nMerged + i] = fo[1 + i];
            out[nMerged + stateCount + i] = bo[1 + i];
        }
        return out;
    }

    private Tensor merge(Tensor yf, Tensor yb, Frame fr) {
        float[] f = yf.data(), b = yb.data();
        if (mergeMode == MergeMode.CONCAT) {
            int h = yf.dim(-1), rows = f.length / h;
            int[] shape = yf.shape();
            shape[shape.length - 1] = 2 * h;
            Tensor y = fr.output(0, true, shape);   // every element is written below
            float[] d = y.data();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(f, r * h, d, r * 2 * h, h);
                System.arraycopy(b, r * h, d, r * 2 * h + h, h);
            }
            return y;
        }
        Tensor y = fr.output(0, true, yf.shape());
        float[] d = y.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (mergeMode) {
                case SUM -> f[i] + b[i];
                case MUL -> f[i] * b[i];
                case AVE -> 0.5f * (f[i] + b[i]);
                default -> throw new IllegalStateException(mergeMode.toString());
            };
        }
        return y;
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        BiFrame fr = (BiFrame) frame;
        int nMerged = mergeMode == MergeMode.NONE ? 2 : 1;
        Tensor dyf;
        Tensor dyb;
        if (mergeMode == MergeMode.NONE) {
            dyf = gradOutputs[0];
            dyb = gradOutputs.length > 1 ? gradOutputs[1] : null;
        } else if (gradOutputs[0] == null) {
            dyf = null;
            dyb = null;
        } else {
            float[] dy = gradOutputs[0].data();
            dyf = fr.output(2, true, fr.yf.shape());   // every element is written below
            dyb = fr.output(3, true, fr.yb.shape());
            float[] gf = dyf.data(), gb = dyb.data();
            if (mergeMode == MergeMode.CONCAT) {
                int h = fr.yf.dim(-1), rows = gf.length / h;
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(dy, r * 2 * h, gf, r * h, h);
                    System.arraycopy(dy, r * 2 * h + h, gb, r * h, h);
                }
            } else {
                float[] f = fr.yf.data(), b = fr.yb.data();
                for (int i = 0; i < gf.length; i++) {
                    switch (mergeMode) {
                        case SUM -> {
                            gf[i] = dy[i];
                            gb[i] = dy[i];
                        }
                        case MUL -> {
                            gf[i] = dy[i] * b[i];
                            gb[i] = dy[i] * f[i];
                        }
                        case AVE -> {
                            gf[i] = 0.5f * dy[i];
                            gb[i] = 0.5f * dy[i];
                        }
                        default -> throw new IllegalStateException(mergeMode.toString());
                    }
                }
            }
        }
        if (returnSequences && dyb != null) dyb = reverseTime(dyb, fr.output(4, true, dyb.shape()));

        int nSub = returnState ? 1 + stateCount : 1;
        Tensor[] gf = new Tensor[nSub];
        Tensor[] gb = new Tensor[nSub];
        gf[0] = dyf;
        gb[0] = dyb;
        for (int i = 0; returnState && i < stateCount; i++) {
            int fi = nMerged + i, bi = nMerged + stateCount + i;
            gf[1 + i] = fi < gradOutputs.length ? gradOutputs[fi] : null;
            gb[1 + i] = bi < gradOutputs.length ? gradOutputs[bi] : null;
        }
        Tensor[] df = forwardLayer.backward(gf, fr.fwd);
        Tensor[] db = backwardLayer.backward(gb, fr.bwd);

        Tensor dx = null;
        if (df[0] != null && db[0] != null) {
            dx = fr.output(5, true, df[0].shape());
            float[] d = dx.data(), f = df[0].data(), e = db[0].data();
            for (int i = 0; i < d.length; i++) d[i] = f[i] + e[i];
        }
        Tensor[] grads = new Tensor[fr.withInitialState ? 1 + 2 * stateCount : 1];
        grads[0] = dx;
        for (int i = 0; fr.withInitialState && i < stateCount; i++) {
            grads[1 + i] = df[1 + i];
            grads[1 + stateCount + i] = db[1 + i];
        }
        return grads;
    }

    /** {@code r} (of y's shape) = the (B, T, H) tensor y with the time axis reversed; returns r. */
    private static Tensor reverseTime(Tensor y, Tensor r) {
        int nb = y.dim(0), nt = y.dim(1), h = y.dim(2);
        float[] s = y.data(), d = r.data();
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < nt; t++) System.arraycopy(s, (b * nt + t) * h, d, (b * nt + nt - 1 - t) * h, h);
        }
        return r;
    }

    // ---- config ---------------------------------------------------------------------------

    /** Keras's shape: {@code {name, trainable, layer: {class_name, config}, merge_mode}}. */
    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("class_name", wrappedClassName);
        layer.put("config", new LinkedHashMap<>(wrappedConfig));
        c.put("layer", layer);
        c.put("merge_mode", mergeMode.kerasName());
        return c;
    }
}
