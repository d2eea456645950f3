package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Activations;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Weight adapters for the recurrent layers: PyTorch's {@code nn.RNN / nn.LSTM / nn.GRU}
 * {@code state_dict} layout and Keras's layout, in and out.
 *
 * <p>PyTorch names and shapes (G = 1 RNN, 4 LSTM, 3 GRU; H units; F input size of layer k;
 * suffix {@code _reverse} for the backward direction of {@code bidirectional=True}):
 * <pre>
 *   weight_ih_l{k}  (G*H, F)     Keras kernel           (F, G*H)  = weight_ih^T
 *   weight_hh_l{k}  (G*H, H)     Keras recurrent_kernel (H, G*H)  = weight_hh^T
 *   bias_ih_l{k}    (G*H)        Keras bias: SimpleRNN/LSTM (G*H) = bias_ih + bias_hh
 *   bias_hh_l{k}    (G*H)                    GRU (2, G*H) = [bias_ih; bias_hh]
 *   gate blocks: LSTM i,f,g,o = Keras i,f,c,o (same order); GRU r,z,n -> Keras z,r,h
 * </pre>
 * A PyTorch GRU applies the reset gate after the recurrent matmul; only a GRU with
 * {@code resetAfter(true)} (the default) computes the same function, so the adapter rejects a
 * GRU with resetAfter=false rather than load weights that would compute something else. For the
 * same reason it rejects activations PyTorch's modules do not have (LSTM/GRU need tanh and
 * sigmoid; nn.RNN has tanh or relu).
 *
 * <p><b>Reading back</b> ({@link #getTorch}): SimpleRNN and LSTM keep only the sum of the two
 * PyTorch biases, so they come back as {@code bias_ih = Keras bias} and {@code bias_hh = 0}; a
 * PyTorch module loaded with them computes exactly the same outputs. A GRU keeps both biases,
 * so its round trip returns the original tensors. {@link #getTorchGradients} gives the
 * accumulated gradients in the same layout; there {@code d bias_ih = d bias_hh = d bias} for
 * SimpleRNN and LSTM, which is what PyTorch computes for two biases that only appear summed.
 *
 * <p>Layers: a {@link Recurrent} layer is PyTorch layer {@code l0}; a {@link Bidirectional}
 * layer's forward copy is {@code l0} and its backward copy {@code l0_reverse}; a list of such
 * layers (a stack, as PyTorch's {@code num_layers}) is {@code l0, l1, ...}. Layers must be built
 * first (their input size fixes the shapes).
 *
 * <pre>{@code
 * Bidirectional enc = new Bidirectional(new LSTM(6).returnSequences(true));
 * enc.build(new int[][]{{-1, 4}}, 0);
 * RecurrentWeights.setTorch(enc, stateDict);        // weight_ih_l0, ..., bias_hh_l0_reverse
 * List<Tensor> keras = RecurrentWeights.getKeras(enc); // as Keras get_weights()
 * }</pre>
 *
 * <p>Not here: reading files (.pt, .h5, .keras); the caller supplies tensors by name. ONNX's
 * layout (gate order i,o,f,c; z,r,h) is not handled.
 */
public final class RecurrentWeights {
    private static final String[] KERAS_NAMES = {"kernel", "recurrent_kernel", "bias"};

    private RecurrentWeights() {
    }

    // ---- PyTorch: set ----------------------------------------------------------------------

    /** Sets one layer (Recurrent or Bidirectional) from PyTorch weights named {@code ..._l0[_reverse]}. */
    public static void setTorch(Layer layer, Map<String, Tensor> weights) {
        setTorch(List.of(layer), weights);
    }

    /**
     * Sets a stack of layers from one PyTorch module's weights: layer k from {@code ..._l{k}}.
     *
     * @throws IllegalArgumentException naming the layer, the weight and both shapes when a
     *     weight is missing, extra or of the wrong shape, or when the layer cannot represent the
     *     PyTorch module exactly
     */
    public static void setTorch(List<? extends Layer> layers, Map<String, Tensor> weights) {
        Set<String> used = new TreeSet<>();
        for (int k = 0; k < layers.size(); k++) {
            Layer l = layers.get(k);
            for (Direction d : directions(l)) setTorchCell(d.cell, k, d.suffix, weights, used);
        }
        Set<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("unexpected PyTorch weights " + extra + " for " + describe(layers)
                    + " (used: " + used + ")");
        }
    }

    private static void setTorchCell(Recurrent r, int k, String sfx, Map<String, Tensor> w, Set<String> used) {
        checkBuilt(r);
        checkTorchCompatible(r);
        int h = r.units, f = r.inputDim, g = r.gates(), gh = g * h;
        int[] src = torchBlockOf(r);
        String wi = "weight_ih_l" + k + sfx, wh = "weight_hh_l" + k + sfx;
        String bi = "bias_ih_l" + k + sfx, bh = "bias_hh_l" + k + sfx;
        float[] ih = require(r, w, wi, new int[]{gh, f}, "kernel", r.kernel.shape()).data();
        float[] hh = require(r, w, wh, new int[]{gh, h}, "recurrent_kernel", r.recurrentKernel.shape()).data();
        float[] bIh = null, bHh = null;
        if (r.useBias) {
            bIh = require(r, w, bi, new int[]{gh}, "bias", r.bias.shape()).data();
            bHh = require(r, w, bh, new int[]{gh}, "bias", r.bias.shape()).data();
        } else if (w.containsKey(bi) || w.containsKey(bh)) {
            throw new IllegalArgumentException(r.where() + ": the layer has no bias (useBias=false) but the PyTorch "
                    + "weights contain '" + (w.containsKey(bi) ? bi : bh) + "'; load them into a layer with useBias(true)");
        }
        used.add(wi);
        used.add(wh);
        if (r.useBias) {
            used.add(bi);
            used.add(bh);
        }
        // everything checked: now write
        transposeBlocks(ih, gh, f, h, src, r.kernel.value());
        transposeBlocks(hh, gh, h, h, src, r.recurrentKernel.value());
        if (r.useBias) {
            float[] b = r.bias.value();
            boolean twoRows = r.bias.size() == 2 * gh;
            for (int kb = 0; kb < g; kb++) {
                for (int j = 0; j < h; j++) {
                    int from = src[kb] * h + j, to = kb * h + j;
                    if (twoRows) {
                        b[to] = bIh[from];
                        b[gh + to] = bHh[from];
                    } else {
                        b[to] = bIh[from] + bHh[from];
                    }
                }
            }
        }
    }

    /** dst (F, G*H), Keras block kb = PyTorch rows of block src[kb] of m (G*H, F), transposed. */
    private static void transposeBlocks(float[] m, int gh, int f, int h, int[] src, float[] dst) {
        for (int kb = 0; kb < src.length; kb++) {
            for (int j = 0; j < h; j++) {
                int row = src[kb] * h + j, col = kb * h + j;
                for (int c = 0; c < f; c++) dst[c * gh + col] = m[row * f + c];
            }
        }
    }

    private static Tensor require(Recurrent r, Map<String, Tensor> w, String name, int[] shape,
                                  String kerasName, int[] kerasShape) {
        Tensor t = w.get(name);
        if (t == null) {
            throw new IllegalArgumentException(r.where() + ": PyTorch weight '" + name + "' is missing (expected shape "
                    + Arrays.toString(shape) + "; given: " + new TreeSet<>(w.keySet()) + ")");
        }
        if (!t.hasShape(shape)) {
            throw new IllegalArgumentException(r.where() + ": PyTorch weight '" + name + "' has shape " + t.shapeString()
                    + ", expected " + Arrays.toString(shape) + " (for Keras " + kerasName + " "
                    + Arrays.toString(kerasShape) + "; " + r.gates() + " gate(s) x " + r.units + " units, input size "
                    + r.inputDim + ")");
        }
        return t;
    }

    // ---- PyTorch: get ----------------------------------------------------------------------

    /** The weights of one layer under PyTorch names {@code ..._l0[_reverse]} (see the class notes on biases). */
    public static Map<String, Tensor> getTorch(Layer layer) {
        return getTorch(List.of(layer));
    }

    /** The weights of a stack under PyTorch names, layer k as {@code ..._l{k}}. */
    public static Map<String, Tensor> getTorch(List<? extends Layer> layers) {
        return toTorch(layers, false);
    }

    /**
     * The accumulated parameter gradients of a stack in PyTorch's layout and names (for
     * comparing with PyTorch's {@code .grad}): d bias_ih = d bias_hh = d bias for SimpleRNN/LSTM.
     */
    public static Map<String, Tensor> getTorchGradients(List<? extends Layer> layers) {
        return toTorch(layers, true);
    }

    /** {@link #getTorchGradients(List)} for one layer. */
    public static Map<String, Tensor> getTorchGradients(Layer layer) {
        return getTorchGradients(List.of(layer));
    }

    private static Map<String, Tensor> toTorch(List<? extends Layer> layers, boolean grads) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int k = 0; k < layers.size(); k++) {
            for (Direction d : directions(layers.get(k))) {
                Recurrent r = d.cell;
                checkBuilt(r);
                checkTorchCompatible(r);
                int h = r.units, f = r.inputDim, g = r.gates(), gh = g * h;
                int[] src = torchBlockOf(r);
                String sfx = k + d.suffix;
                out.put("weight_ih_l" + sfx, untransposeBlocks(pick(r.kernel, grads), gh, f, h, src));
                out.put("weight_hh_l" + sfx, untransposeBlocks(pick(r.recurrentKernel, grads), gh, h, h, src));
                if (r.useBias) {
                    float[] b = pick(r.bias, grads);
                    boolean twoRows = r.bias.size() == 2 * gh;
                    float[] bIh = new float[gh], bHh = new float[gh];
                    for (int kb = 0; kb < g; kb++) {
                        for (int j = 0; j < h; j++) {
                            int to = src[kb] * h + j, from = kb * h + j;
                            bIh[to] = b[from];
                            // one summed bias: its gradient reaches both PyTorch biases; its value is all in bias_ih
                            bHh[to] = twoRows ? b[gh + from] : (grads ? b[from] : 0f);
                        }
                    }
                    out.put("bias_ih_l" + sfx, Tensor.of(bIh, gh));
                    out.put("bias_hh_l" + sfx, Tensor.of(bHh, gh));
                }
            }
        }
        return out;
    }

    private static float[] pick(Param p, boolean grads) {
        return grads ? p.grad() : p.value();
    }

    private static Tensor untransposeBlocks(float[] k, int gh, int f, int h, int[] src) {
        float[] m = new float[gh * f];
        for (int kb = 0; kb < src.length; kb++) {
            for (int j = 0; j < h; j++) {
                int row = src[kb] * h + j, col = kb * h + j;
                for (int c = 0; c < f; c++) m[row * f + c] = k[c * gh + col];
            }
        }
        return Tensor.of(m, gh, f);
    }

    /** For each Keras gate block, the PyTorch block it comes from (GRU: z<-1, r<-0, h<-2). */
    private static int[] torchBlockOf(Recurrent r) {
        if (r instanceof GRU) return new int[]{1, 0, 2};
        int[] id = new int[r.gates()];
        for (int i = 0; i < id.length; i++) id[i] = i;
        return id;
    }

    private static void checkTorchCompatible(Recurrent r) {
        if (r instanceof GRU gru) {
            if (!gru.resetAfter()) {
                throw new IllegalArgumentException(r.where() + ": PyTorch's GRU applies the reset gate after the "
                        + "recurrent matmul, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); this GRU has "
                        + "resetAfter=false (r applied to h before the matmul), which cannot represent it exactly. "
                        + "Use a GRU with resetAfter(true)");
            }
            checkActivations(r, "GRU");
        } else if (r instanceof LSTM) {
            checkActivations(r, "LSTM");
        } else if (r instanceof SimpleRNN) {
            if (r.activation != Activations.TANH && r.activation != Activations.RELU) {
                throw new IllegalArgumentException(r.where() + ": PyTorch's RNN has nonlinearity tanh or relu; this "
                        + "layer has activation '" + r.activation.kerasName() + "'");
            }
        } else {
            throw new IllegalArgumentException(r.where() + ": no PyTorch counterpart for " + r.className());
        }
    }

    private static void checkActivations(Recurrent r, String torchName) {
        if (r.activation != Activations.TANH || r.recurrentActivation != Activations.SIGMOID) {
            throw new IllegalArgumentException(r.where() + ": PyTorch's " + torchName + " uses sigmoid gates and tanh; "
                    + "this layer has activation '" + r.activation.kerasName() + "' and recurrentActivation '"
                    + r.recurrentActivation.kerasName() + "', so PyTorch weights would compute something else");
        }
    }

    // ---- Keras ---------------------------------------------------------------------------

    /**
     * Sets a layer from Keras's {@code get_weights()} list: kernel, recurrent_kernel[, bias] for
     * a recurrent layer; the forward layer's then the backward layer's for a Bidirectional one.
     */
    public static void setKeras(Layer layer, List<Tensor> weights) {
        List<Direction> dirs = directions(layer);
        int per = 0;
        for (Direction d : dirs) {
            checkBuilt(d.cell);
            per = d.cell.params().size();
        }
        if (weights.size() != per * dirs.size()) {
            throw new IllegalArgumentException(layer.where() + ": expected " + per * dirs.size() + " Keras weights ("
                    + (dirs.size() == 2 ? "forward then backward: " : "") + String.join(", ",
                    Arrays.copyOf(KERAS_NAMES, per)) + "), got " + weights.size());
        }
        // check all before writing any
        for (int i = 0; i < weights.size(); i++) checkKeras(dirs.get(i / per).cell, dirs.get(i / per).cell.params().get(i % per),
                weights.get(i));
        for (int i = 0; i < weights.size(); i++) {
            Param p = dirs.get(i / per).cell.params().get(i % per);
            System.arraycopy(weights.get(i).data(), 0, p.value(), 0, p.size());
        }
    }

    /** Keras's {@code get_weights()} of a recurrent or Bidirectional layer (copies). */
    public static List<Tensor> getKeras(Layer layer) {
        List<Tensor> out = new ArrayList<>();
        for (Direction d : directions(layer)) {
            checkBuilt(d.cell);
            for (Param p : d.cell.params()) out.add(Tensor.of(p.value().clone(), p.shape()));
        }
        return out;
    }

    /** Sets a recurrent layer from Keras weights by name: {@code kernel}, {@code recurrent_kernel}, {@code bias}. */
    public static void setKeras(Recurrent layer, Map<String, Tensor> weights) {
        checkBuilt(layer);
        List<Tensor> list = new ArrayList<>();
        Set<String> extra = new TreeSet<>(weights.keySet());
        for (Param p : layer.params()) {
            Tensor t = weights.get(p.name());
            if (t == null) {
                throw new IllegalArgumentException(layer.where() + ": Keras weight '" + p.name() + "' is missing (expected shape "
                        + Arrays.toString(p.shape()) + "; given: " + new TreeSet<>(weights.keySet()) + ")");
            }
            extra.remove(p.name());
            list.add(t);
        }
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(layer.where() + ": unexpected Keras weights " + extra
                    + (layer.useBias ? "" : " (the layer has no bias)"));
        }
        setKeras(layer, list);
    }

    /** A recurrent layer's Keras weights by name (copies). */
    public static Map<String, Tensor> getKerasMap(Recurrent layer) {
        checkBuilt(layer);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : layer.params()) out.put(p.name(), Tensor.of(p.value().clone(), p.shape()));
        return out;
    }

    private static void checkKeras(Recurrent r, Param p, Tensor t) {
        if (!t.hasShape(p.shape())) {
            String hint = "";
            if (r instanceof GRU gru && p == r.bias) {
                hint = gru.resetAfter()
                        ? " (a GRU with resetAfter=true has bias (2, 3*units): row 0 input, row 1 recurrent)"
                        : " (a GRU with resetAfter=false has bias (3*units); a (2, 3*units) bias needs resetAfter=true)";
            }
            throw new IllegalArgumentException(r.where() + ": Keras weight '" + p.name() + "' has shape " + t.shapeString()
                    + ", expected " + Arrays.toString(p.shape()) + hint);
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private record Direction(Recurrent cell, String suffix) {
    }

    private static List<Direction> directions(Layer l) {
        if (l instanceof Bidirectional bi) {
            return List.of(new Direction(bi.forwardLayer(), ""), new Direction(bi.backwardLayer(), "_reverse"));
        }
        if (l instanceof Recurrent r) return List.of(new Direction(r, ""));
        throw new IllegalArgumentException((l == null ? "null" : l.where())
                + ": not a recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional)");
    }

    private static void checkBuilt(Recurrent r) {
        if (!r.isBuilt()) {
            throw new IllegalArgumentException(r.where() + ": build the layer before setting or reading weights "
                    + "(its input size fixes the weight shapes)");
        }
    }

    private static String describe(List<? extends Layer> layers) {
        StringBuilder sb = new StringBuilder(layers.size() == 1 ? "1 layer [" : layers.size() + " layers [");
        for (int i = 0; i < layers.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(layers.get(i).where());
        }
        return sb.append(']').toString();
    }
}
