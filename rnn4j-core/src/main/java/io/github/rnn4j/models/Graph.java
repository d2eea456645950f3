package io.github.rnn4j.models;

import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The executable form of a model's layer graph: layer calls in topological order, an integer
 * id per symbolic tensor, and the forward and backward sweeps over them.
 *
 * <p>Forward runs each call with its own {@link Layer.Frame} and keeps every intermediate value
 * and mask for backward; backward runs the calls in reverse, summing the gradients of tensors
 * that feed several calls. This class knows nothing of losses or optimizers (that is
 * {@link Model}'s job) and is not thread-safe: a {@link Run} holds the frames of one sweep.
 */
final class Graph {
    final SymbolicTensor[] inputs;
    final SymbolicTensor[] outputs;
    final List<SymbolicTensor.Call> calls = new ArrayList<>();   // topological, inputs included
    final List<Layer> layers = new ArrayList<>();                  // unique, in first-call order
    final Map<SymbolicTensor, Integer> ids = new IdentityHashMap<>();
    final int[][] callIn;   // tensor ids per call input
    final int[][] callOut;  // tensor ids per call output
    final int[] inputIds;
    final int[] outputIds;

    Graph(SymbolicTensor[] inputs, SymbolicTensor[] outputs) {
        if (inputs.length == 0) throw new IllegalArgumentException("a model needs at least one input");
        if (outputs.length == 0) throw new IllegalArgumentException("a model needs at least one output");
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        Set<SymbolicTensor.Call> declared = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor in : inputs) {
            if (!(in.source().layer() instanceof InputLayer)) {
                throw new IllegalArgumentException("model inputs must come from Input.of(...), got " + in);
            }
            declared.add(in.source());
        }
        Set<SymbolicTensor.Call> done = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Set<SymbolicTensor.Call> onPath = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor in : inputs) visit(in.source(), done, onPath, declared);
        for (SymbolicTensor out : outputs) visit(out.source(), done, onPath, declared);
        Set<Layer> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor.Call c : calls) {
            if (seen.add(c.layer())) layers.add(c.layer());
            for (int i = 0; i < c.outputCount(); i++) ids.put(c.output(i), ids.size());
        }
        callIn = new int[calls.size()][];
        callOut = new int[calls.size()][];
        for (int k = 0; k < calls.size(); k++) {
            SymbolicTensor.Call c = calls.get(k);
            callIn[k] = new int[c.inputCount()];
            for (int i = 0; i < c.inputCount(); i++) callIn[k][i] = ids.get(c.input(i));
            callOut[k] = new int[c.outputCount()];
            for (int i = 0; i < c.outputCount(); i++) callOut[k][i] = ids.get(c.output(i));
        }
        inputIds = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) inputIds[i] = ids.get(inputs[i]);
        outputIds = new int[outputs.length];
        for (int i = 0; i < outputs.length; i++) outputIds[i] = ids.get(outputs[i]);
        assignNames();
    }

    private void visit(SymbolicTensor.Call c, Set<SymbolicTensor.Call> done, Set<SymbolicTensor.Call> onPath,
                       Set<SymbolicTensor.Call> declared) {
        if (done.contains(c)) return;
        if (!onPath.add(c)) throw new IllegalArgumentException("the layer graph has a cycle at " + c.layer().where());
        if (c.layer() instanceof InputLayer && !declared.contains(c)) {
            throw new IllegalArgumentException("graph disconnected: " + c.layer().where()
                    + " feeds the outputs but is not among the model's inputs");
        }
        for (SymbolicTensor in : c.inputs()) visit(in.source(), done, onPath, declared);
        onPath.remove(c);
        done.add(c);
        calls.add(c);
    }

    /** Gives unnamed layers Keras-style names ("lstm", "lstm_1"); rejects duplicates. */
    private void assignNames() {
        Set<String> used = new HashSet<>();
        for (Layer l : layers) {
            if (l.name() != null && !used.add(l.name())) {
                throw new IllegalArgumentException("two layers are named '" + l.name() + "'; layer names must be unique");
            }
        }
        Map<String, Integer> counters = new LinkedHashMap<>();
        for (Layer l : layers) {
            if (l.name() != null) continue;
            String base = snake(l.className());
            String n;
            do {
                int k = counters.merge(base, 1, Integer::sum) - 1;
                n = k == 0 ? base : base + "_" + k;
            } while (!used.add(n));
            l.name(n);
        }
    }

    static String snake(String cls) {
        if (cls.equals("LSTM") || cls.equals("GRU")) return cls.toLowerCase(java.util.Locale.ROOT);
        if (cls.equals("SimpleRNN")) return "simple_rnn";
        return cls.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1_$2")
                .toLowerCase(java.util.Locale.ROOT);
    }

    /** Builds every layer for its call shapes, with per-layer seeds derived from {@code seed}. */
    void build(long seed) {
        for (SymbolicTensor.Call c : calls) {
            int[][] shapes = new int[c.inputCount()][];
            for (int i = 0; i < c.inputCount(); i++) shapes[i] = c.input(i).shape();
            c.layer().build(shapes, mix(seed, layers.indexOf(c.layer())));
        }
    }

    /** SplitMix64 finalizer: decorrelates per-layer seeds. */
    static long mix(long seed, long i) {
        long z = seed + 0x9E3779B97F4A7C15L * (i + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One forward/backward sweep's frames, values, masks and gradients. */
    final class Run {
        final Layer.Frame[] frames = new Layer.Frame[calls.size()];
        final Tensor[] values = new Tensor[ids.size()];
        final Mask[] masks = new Mask[ids.size()];
        final Tensor[] grads = new Tensor[ids.size()];

        Run() {
            this(false);
        }

        /**
         * A sweep whose frames are {@link Layer.Frame#inferenceOnly marked} when it never runs
         * backward. Its frames {@link Layer.Frame#reuseOutputs reuse their outputs}: a sweep's
         * values and gradients are read only until its next forward (the model's fit and
         * evaluate consume each batch's predictions at once, predict copies them out).
         */
        Run(boolean inferenceOnly) {
            for (int k = 0; k < frames.length; k++) {
                frames[k] = calls.get(k).layer().newFrame().inferenceOnly(inferenceOnly).reuseOutputs(true);
            }
        }

        /** Runs the graph; returns the model outputs. */
        Tensor[] forward(Tensor[] xs, Mask[] inputMasks, boolean training) {
            Arrays.fill(values, null);
            Arrays.fill(masks, null);
            for (int i = 0; i < inputIds.length; i++) {
                values[inputIds[i]] = xs[i];
                masks[inputIds[i]] = inputMasks == null ? null : inputMasks[i];
            }
            for (int k = 0; k < calls.size(); k++) {
                Layer layer = calls.get(k).layer();
                if (layer instanceof InputLayer) continue;
                Tensor[] in = new Tensor[callIn[k].length];
                for (int i = 0; i < in.length; i++) in[i] = values[callIn[k][i]];
                Mask m = in.length == 0 ? null : masks[callIn[k][0]];
                if (m == null) {
                    for (int i = 1; i < in.length && m == null; i++) {
                        // multi-input layers (Add, Concatenate) pass on the first mask they see
                        if (!(layer instanceof io.github.rnn4j.layers.recurrent.Recurrent)) m = masks[callIn[k][i]];
                    }
                }
                Tensor[] out = layer.forward(in, m, frames[k], training);
                if (out.length != callOut[k].length) {
                    throw new IllegalStateException(layer.where() + " returned " + out.length + " outputs, expected "
                            + callOut[k].length);
                }
                Mask om = layer.outputMask(in, m);
                for (int i = 0; i < out.length; i++) {
                    values[callOut[k][i]] = out[i];
                    masks[callOut[k][i]] = i == 0 ? om : null;
                }
            }
            Tensor[] res = new Tensor[outputIds.length];
            for (int i = 0; i < res.length; i++) res[i] = values[outputIds[i]];
            return res;
        }

        /**
         * Back-propagates output gradients (null entries allowed) into the parameters'
         * gradients. No layer is asked for a gradient that only a model input, or a value made
         * from model inputs by layers without weights, would receive
         * ({@link Layer.Frame#inputGradients}), so the model inputs' gradients are not made.
         */
        void backward(Tensor[] dOut) {
            // a value carries a gradient somewhere useful when a layer with weights made it or
            // one of the values it was made from (model inputs carry none); calls are in order
            boolean[] carries = new boolean[values.length];
            for (int k = 0; k < calls.size(); k++) {
                boolean any = !calls.get(k).layer().params().isEmpty();
                boolean[] wanted = new boolean[callIn[k].length];
                for (int i = 0; i < wanted.length; i++) {
                    wanted[i] = carries[callIn[k][i]];
                    any |= wanted[i];
                }
                frames[k].inputGradients(wanted);
                for (int o : callOut[k]) carries[o] = any;
            }
            Arrays.fill(grads, null);
            for (int i = 0; i < outputIds.length; i++) accumulate(outputIds[i], dOut[i]);
            for (int k = calls.size() - 1; k >= 0; k--) {
                Layer layer = calls.get(k).layer();
                if (layer instanceof InputLayer) continue;
                Tensor[] g = new Tensor[callOut[k].length];
                boolean any = false;
                for (int i = 0; i < g.length; i++) {
                    g[i] = grads[callOut[k][i]];
                    any |= g[i] != null;
                }
                if (!any) continue;
                Tensor[] gIn = layer.backward(g, frames[k]);
                for (int i = 0; i < callIn[k].length && i < gIn.length; i++) accumulate(callIn[k][i], gIn[i]);
            }
        }

        private void accumulate(int id, Tensor g) {
            if (g == null) return;
            Tensor cur = grads[id];
            if (cur == null) {
                grads[id] = g;
            } else {
                Tensor sum = cur.copy();
                float[] s = sum.data(), d = g.data();
                for (int i = 0; i < s.length; i++) s[i] += d[i];
                grads[id] = sum;
            }
        }
    }
}
