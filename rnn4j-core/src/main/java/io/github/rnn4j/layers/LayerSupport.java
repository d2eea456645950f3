package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Package-private helpers shared by the non-recurrent layers: workspace growth, the shape checks
 * whose messages name the layer and both shapes, the affine map with its backward (Dense, Conv1D),
 * the max-pooling backward (MaxPooling1D, GlobalMaxPooling1D), Keras's output-length rule for
 * windows (Conv1D, MaxPooling1D), and the readers that accept the forms Keras writes into a config
 * ({@code kernel_size: [3]} as well as {@code 3}, initializers as names or as dicts).
 *
 * <p>Deliberately not public API and not a general config/JSON layer: model serialization lives
 * elsewhere and only calls each layer's {@code getConfig()} / {@code fromConfig(Map)}.
 */
final class LayerSupport {
    private LayerSupport() {
    }

    // ---- workspaces -------------------------------------------------------------------------

    /** {@code buf} if it holds at least n values, else a new array (grown, never shrunk). */
    static float[] grow(float[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new float[n];
    }

    static int[] grow(int[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new int[n];
    }

    static boolean[] grow(boolean[] buf, int n) {
        return buf != null && buf.length >= n ? buf : new boolean[n];
    }

    // ---- checks -----------------------------------------------------------------------------

    /** Throws unless the layer has been built. */
    static void requireBuilt(Layer l) {
        if (!l.isBuilt()) {
            throw new IllegalStateException(l.where() + ": is not built; call build(inputShapes, seed) first");
        }
    }

    /** A per-sample shape written with the batch axis, as in messages: {@code (batch, None, 8)}. */
    static String batchShape(int[] perSample) {
        String s = Layer.shapeString(perSample);
        return perSample.length == 0 ? "(batch,)" : "(batch, " + s.substring(1).replace(",)", ")");
    }

    /**
     * Checks a batch tensor against the per-sample shape built for input {@code index}: rank
     * first, then the last (feature) axis with a message in features, then any other known axis.
     */
    static void checkInput(Layer l, Tensor x, int index) {
        int[] want = l.builtInputShapes()[index];
        String prefix = l.builtInputShapes().length == 1 ? "input" : "input " + index;
        if (x.rank() != want.length + 1) {
            throw new IllegalArgumentException(l.where() + ": " + prefix + " has shape " + x.shapeString()
                    + " (rank " + x.rank() + "), layer was built for " + batchShape(want)
                    + " (rank " + (want.length + 1) + ")");
        }
        if (want.length > 0) {
            int wf = want[want.length - 1], gf = x.dim(-1);
            if (wf >= 0 && wf != gf) {
                throw new IllegalArgumentException(l.where() + ": " + prefix + " has " + gf
                        + " features, layer was built for " + wf + " (input shape " + x.shapeString()
                        + ", built for " + batchShape(want) + ")");
            }
        }
        for (int i = 0; i < want.length; i++) {
            if (want[i] >= 0 && want[i] != x.dim(i + 1)) {
                throw new IllegalArgumentException(l.where() + ": " + prefix + " has shape " + x.shapeString()
                        + ", layer was built for " + batchShape(want));
            }
        }
    }

    /** Checks that a mask (if any) covers the first two axes of x. */
    static void checkMask(Layer l, Mask mask, Tensor x) {
        if (mask != null && (x.rank() < 2 || mask.batch() != x.dim(0) || mask.time() != x.dim(1))) {
            throw new IllegalArgumentException(l.where() + ": mask is [" + mask.batch() + ", " + mask.time()
                    + "] but input is " + x.shapeString());
        }
    }

    /** Checks that an output gradient has the shape of the output it belongs to. */
    static void checkGrad(Layer l, Tensor grad, int[] outShape, int index) {
        if (!grad.hasShape(outShape)) {
            throw new IllegalArgumentException(l.where() + ": gradient of output " + index + " has shape "
                    + grad.shapeString() + ", the output had shape " + Arrays.toString(outShape));
        }
    }

    /** Throws unless there is exactly {@code n} per-sample input shape(s). */
    static void checkShapeCount(Layer l, int[][] in, int n) {
        if (in.length != n) {
            throw new IllegalArgumentException(l.where() + ": expected " + n + " input" + (n == 1 ? "" : "s")
                    + ", got " + in.length + " " + Layer.shapesString(in));
        }
    }

    /** Product of the dimensions, or -1 if any is unknown. */
    static int product(int[] dims, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            if (dims[i] < 0) return -1;
            p *= dims[i];
        }
        return p;
    }

    // ---- the affine map: Dense, and Conv1D after im2col ------------------------------------

    /**
     * {@code y = act(x · kernel + bias)} for {@code rows} rows of {@code in} values, {@code out}
     * outputs each; {@code bias} null for none. One GEMM over all rows.
     */
    static void affineForward(int rows, int in, int out, float[] x, Param kernel, Param bias,
                              LayerActivation act, float[] y) {
        Kernels k = Kernels.get();
        k.mult(rows, out, in, x, 0, kernel.value(), 0, y, 0);
        if (bias != null) k.addRowVector(rows, out, bias.value(), 0, y, 0, out);
        act.forward(rows, out, y, 0);
    }

    /**
     * Backward of {@link #affineForward} from its saved {@code x} and {@code y}:
     * {@code dz = dy * act'(y)} (into the workspace {@code dz}), {@code dKernel += x^T dz},
     * {@code dBias += colsum(dz)} (gradients accumulated), {@code dx = dz · kernel^T} (overwritten;
     * not made when dx is null).
     */
    static void affineBackward(int rows, int in, int out, float[] x, float[] y, float[] dy, Param kernel, Param bias,
                               LayerActivation act, float[] dz, float[] dx) {
        Kernels k = Kernels.get();
        System.arraycopy(dy, 0, dz, 0, rows * out);
        act.backward(rows, out, y, 0, dz, 0);
        k.gemm(true, false, in, out, rows, 1f, x, 0, in, dz, 0, out, 1f, kernel.grad(), 0, out);
        if (bias != null) k.sumRowsAdd(rows, out, dz, 0, out, bias.grad(), 0);
        if (dx != null) k.multTransB(rows, in, out, dz, 0, kernel.value(), 0, dx, 0);
    }

    /**
     * Backward of a max pooling (MaxPooling1D, GlobalMaxPooling1D): each output gradient added at
     * the flat input index of its winner, {@code argmax[i]}; zeros without an output gradient.
     * dx is the frame's output slot 1 ({@link Layer.Frame#output}).
     */
    static Tensor[] maxPoolBackward(Layer l, Layer.Frame frame, Tensor dy, int[] argmax, int[] inShape, int[] outShape) {
        Tensor dx = frame.output(1, false, inShape);
        if (dy == null) return new Tensor[]{dx};
        checkGrad(l, dy, outShape, 0);
        float[] dxd = dx.data(), dyd = dy.data();
        for (int i = 0; i < dyd.length; i++) dxd[argmax[i]] += dyd[i];
        return new Tensor[]{dx};
    }

    // ---- windows (Keras conv_output_length and TF "SAME" padding) ---------------------------

    /** The padding modes: {@code valid}, {@code same}, and for Conv1D only {@code causal}. */
    static String padding(String p, boolean allowCausal, String where) {
        String n = p == null ? "" : p.toLowerCase(Locale.ROOT);
        if (n.equals("valid") || n.equals("same") || (allowCausal && n.equals("causal"))) return n;
        throw new IllegalArgumentException(where + ": padding must be " + (allowCausal
                ? "'valid', 'same' or 'causal'" : "'valid' or 'same'") + ", got '" + p + "'");
    }

    /**
     * Output length of a window of effective size {@code effK} moved with {@code stride} over
     * {@code t} steps (-1 stays unknown): valid {@code floor((t-effK)/stride)+1} (0 if the input
     * is shorter than the window), same and causal {@code ceil(t/stride)}.
     */
    static int outLength(int t, int effK, int stride, String padding) {
        if (t < 0) return -1;
        if (padding.equals("valid")) return t < effK ? 0 : (t - effK) / stride + 1;
        return (t + stride - 1) / stride;
    }

    /** Steps of padding before the first input step: TF's SAME puts the odd step on the right. */
    static int padBefore(int t, int tOut, int effK, int stride, String padding) {
        switch (padding) {
            case "causal":
                return effK - 1;
            case "same":
                return Math.max((tOut - 1) * stride + effK - t, 0) / 2;
            default:
                return 0;
        }
    }

    // ---- config readers ---------------------------------------------------------------------

    /** An int written as a number or as a one-element list (Keras writes tuples as lists). */
    static int intArg(Object o, String key, String where) {
        if (o instanceof Number n) return exactInt(n, key, where);
        if (o instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Number n) return exactInt(n, key, where);
        if (o instanceof int[] a && a.length == 1) return a[0];
        throw new IllegalArgumentException(where + ": config '" + key + "' must be an integer or a one-element list, got "
                + (o instanceof int[] a ? Arrays.toString(a) : String.valueOf(o)));
    }

    private static int exactInt(Number n, String key, String where) {
        double d = n.doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": config '" + key + "' must be an integer, got " + n);
        }
        return (int) d;
    }

    /** A required int entry. */
    static int requiredInt(Map<String, Object> c, String key, String where) {
        if (!c.containsKey(key) || c.get(key) == null) {
            throw new IllegalArgumentException(where + ": config has no '" + key + "'");
        }
        return intArg(c.get(key), key, where);
    }

    static double number(Object o, String key, String where) {
        if (o instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException(where + ": config '" + key + "' must be a number, got " + o);
    }

    static boolean bool(Object o, String key, String where) {
        if (o instanceof Boolean b) return b;
        throw new IllegalArgumentException(where + ": config '" + key + "' must be true or false, got " + o);
    }

    /** A list of ints (nulls become -1, Keras's None), or a single int as a one-element list. */
    static int[] intList(Object o, String key, String where) {
        if (o instanceof Number) return new int[]{intArg(o, key, where)};
        if (o instanceof int[] a) return a.clone();
        if (o instanceof List<?> l) {
            int[] r = new int[l.size()];
            for (int i = 0; i < r.length; i++) r[i] = l.get(i) == null ? -1 : intArg(l.get(i), key, where);
            return r;
        }
        throw new IllegalArgumentException(where + ": config '" + key + "' must be a list of integers, got " + o);
    }

    /** An int array as a config list, -1 written as null (Keras's None). */
    static List<Integer> toList(int... v) {
        List<Integer> l = new ArrayList<>(v.length);
        for (int x : v) l.add(x < 0 ? null : x);
        return l;
    }

    /** Rejects a data_format other than Keras's channels_last. */
    static void checkChannelsLast(Map<String, Object> c, String where) {
        Object f = c.get("data_format");
        if (f != null && !f.toString().equals("channels_last")) {
            throw new IllegalArgumentException(where + ": only data_format 'channels_last' is supported, got '" + f + "'");
        }
    }

    /**
     * An initializer from a config value: a Keras name ({@code "glorot_uniform"}), one of Keras's
     * aliases ({@code "uniform"}, {@code "normal"}, {@code "zero"}, {@code "one"}), or a serialized
     * dict {@code {"class_name": "RandomUniform", "config": {...}}} whose config holds no
     * non-default range (other ranges are not supported and are rejected, not silently changed).
     */
    static Initializer initializer(Object o, String key, String where) {
        if (o instanceof Map<?, ?> m) {
            Object cls = m.get("class_name");
            if (cls == null) throw new IllegalArgumentException(where + ": config '" + key + "' has no class_name: " + m);
            Initializer init = initializer(cls.toString(), key, where);
            if (m.get("config") instanceof Map<?, ?> cfg) {
                checkDefault(cfg, "minval", -0.05, init, key, where);
                checkDefault(cfg, "maxval", 0.05, init, key, where);
                checkDefault(cfg, "mean", 0.0, init, key, where);
                checkDefault(cfg, "stddev", 0.05, init, key, where);
                checkDefault(cfg, "gain", 1.0, init, key, where);
            }
            return init;
        }
        if (o == null) throw new IllegalArgumentException(where + ": config '" + key + "' is null");
        String n = o.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        switch (n) {
            case "uniform": return Initializer.RANDOM_UNIFORM;
            case "normal": return Initializer.RANDOM_NORMAL;
            case "zero": return Initializer.ZEROS;
            case "one": return Initializer.ONES;
            default:
                try {
                    return Initializer.of(n);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": " + e.getMessage() + " in config '" + key + "'", e);
                }
        }
    }

    private static void checkDefault(Map<?, ?> cfg, String k, double def, Initializer init, String key, String where) {
        Object v = cfg.get(k);
        if (v instanceof Number n && n.doubleValue() != def) {
            throw new IllegalArgumentException(where + ": config '" + key + "': " + init.kerasName() + " with "
                    + k + "=" + n + " is not supported (only " + k + "=" + def + ")");
        }
    }
}
