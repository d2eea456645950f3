package io.github.rnn4j.models;

import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.LayerRegistry;
import io.github.rnn4j.layers.SymbolicTensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's architecture as a Keras-shaped config (Keras 2's {@code get_config()} of Sequential
 * and functional models: {@code layers} with {@code class_name}, {@code config} and
 * {@code inbound_nodes}; {@code input_layers}; {@code output_layers}), and back.
 *
 * <p>Values are plain maps, lists, strings, numbers and booleans, ready for any JSON writer. This
 * class holds no weights (the model file does).
 */
public final class ModelConfig {
    private ModelConfig() {
    }

    /** {@code {"class_name": "Sequential"|"Functional", "config": {...}}} for a model. */
    public static Map<String, Object> toConfig(Model model) {
        model.build();
        Map<String, Object> top = new LinkedHashMap<>();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("name", model.name());
        cfg.put("seed", model.seed());
        if (model instanceof Sequential s) {
            top.put("class_name", "Sequential");
            List<Object> layers = new ArrayList<>();
            for (Layer l : s.stack()) layers.add(layerEntry(l));
            cfg.put("layers", layers);
        } else {
            top.put("class_name", "Functional");
            Graph g = model.graph();
            Map<SymbolicTensor.Call, Integer> nodeIndex = new IdentityHashMap<>();
            Map<Layer, Integer> callsSoFar = new IdentityHashMap<>();
            for (SymbolicTensor.Call c : g.calls) nodeIndex.put(c, callsSoFar.merge(c.layer(), 1, Integer::sum) - 1);
            List<Object> layers = new ArrayList<>();
            for (Layer l : g.layers) {
                Map<String, Object> e = layerEntry(l);
                List<Object> inbound = new ArrayList<>();
                for (SymbolicTensor.Call c : g.calls) {
                    if (c.layer() != l || l instanceof InputLayer) continue;
                    List<Object> args = new ArrayList<>();
                    for (SymbolicTensor in : c.inputs()) args.add(ref(in, nodeIndex, true));
                    inbound.add(args);
                }
                e.put("inbound_nodes", inbound);
                layers.add(e);
            }
            cfg.put("layers", layers);
            List<Object> ins = new ArrayList<>();
            for (SymbolicTensor t : g.inputs) ins.add(ref(t, nodeIndex, false));
            List<Object> outs = new ArrayList<>();
            for (SymbolicTensor t : g.outputs) outs.add(ref(t, nodeIndex, false));
            cfg.put("input_layers", ins);
            cfg.put("output_layers", outs);
        }
        top.put("config", cfg);
        return top;
    }

    private static Map<String, Object> layerEntry(Layer l) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("class_name", l.className());
        e.put("name", l.name());
        e.put("config", l.getConfig());
        return e;
    }

    private static List<Object> ref(SymbolicTensor t, Map<SymbolicTensor.Call, Integer> nodeIndex, boolean kwargs) {
        List<Object> r = new ArrayList<>();
        r.add(t.source().layer().name());
        r.add(nodeIndex.get(t.source()));
        r.add(t.index());
        if (kwargs) r.add(new LinkedHashMap<>());
        return r;
    }

    /** Rebuilds an unbuilt model from {@link #toConfig}'s output. */
    @SuppressWarnings("unchecked")
    public static Model fromConfig(Map<String, Object> top) {
        String cls = String.valueOf(top.get("class_name"));
        Map<String, Object> cfg = (Map<String, Object>) top.get("config");
        if (cfg == null) throw new IllegalArgumentException("model config has no 'config'");
        List<Object> layers = (List<Object>) cfg.get("layers");
        if (layers == null) throw new IllegalArgumentException("model config has no 'layers'");
        Model model;
        if (cls.equals("Sequential")) {
            Sequential s = new Sequential();
            for (Object o : layers) {
                Map<String, Object> e = (Map<String, Object>) o;
                s.add(LayerRegistry.fromConfig((String) e.get("class_name"), (Map<String, Object>) e.get("config")));
            }
            model = s;
        } else if (cls.equals("Functional") || cls.equals("Model")) {
            model = functionalFromConfig(cfg, layers);
        } else {
            throw new IllegalArgumentException("unknown model class '" + cls + "'");
        }
        if (cfg.get("name") != null) model.name(cfg.get("name").toString());
        if (cfg.get("seed") instanceof Number n) model.seed(n.longValue());
        return model;
    }

    @SuppressWarnings("unchecked")
    private static Model functionalFromConfig(Map<String, Object> cfg, List<Object> layers) {
        Map<String, Layer> byName = new LinkedHashMap<>();
        Map<String, List<SymbolicTensor[]>> produced = new LinkedHashMap<>();
        List<Object[]> pending = new ArrayList<>(); // {layerName, inboundArgs}
        for (Object o : layers) {
            Map<String, Object> e = (Map<String, Object>) o;
            String cn = (String) e.get("class_name");
            Layer l = LayerRegistry.fromConfig(cn, (Map<String, Object>) e.get("config"));
            String n = e.get("name") != null ? e.get("name").toString() : l.name();
            if (l.name() == null) l.name(n);
            byName.put(n, l);
            produced.put(n, new ArrayList<>());
            if (l instanceof InputLayer il) {
                produced.get(n).add(new SymbolicTensor[]{il.output()});
            } else {
                for (Object node : (List<Object>) e.getOrDefault("inbound_nodes", List.of())) {
                    pending.add(new Object[]{n, node});
                }
            }
        }
        // process calls when their inputs exist, in passes (shared layers may wait for later ones)
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (int i = 0; i < pending.size(); i++) {
                Object[] p = pending.get(i);
                String ln = (String) p[0];
                List<Object> args = (List<Object>) p[1];
                SymbolicTensor[] ins = new SymbolicTensor[args.size()];
                boolean ready = true;
                for (int a = 0; a < args.size() && ready; a++) {
                    ins[a] = resolve((List<Object>) args.get(a), produced);
                    ready = ins[a] != null;
                }
                if (!ready) continue;
                // calls of one layer must happen in node order
                if (!isNextCall(pending, i, ln)) continue;
                produced.get(ln).add(byName.get(ln).callMulti(ins));
                pending.remove(i);
                i--;
                progress = true;
            }
        }
        if (!pending.isEmpty()) {
            throw new IllegalArgumentException("model config: cannot connect layer '" + pending.get(0)[0]
                    + "' (its inputs are never produced)");
        }
        List<Object> ins = (List<Object>) cfg.get("input_layers");
        List<Object> outs = (List<Object>) cfg.get("output_layers");
        SymbolicTensor[] in = new SymbolicTensor[ins.size()];
        for (int i = 0; i < in.length; i++) in[i] = resolve((List<Object>) ins.get(i), produced);
        SymbolicTensor[] out = new SymbolicTensor[outs.size()];
        for (int i = 0; i < out.length; i++) out[i] = resolve((List<Object>) outs.get(i), produced);
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null || (i < in.length && in[i] == null)) {
                throw new IllegalArgumentException("model config: an input or output refers to a missing layer node");
            }
        }
        return Model.of(in, out);
    }

    private static boolean isNextCall(List<Object[]> pending, int i, String ln) {
        for (int j = 0; j < i; j++) if (pending.get(j)[0].equals(ln)) return false;
        return true;
    }

    private static SymbolicTensor resolve(List<Object> ref, Map<String, List<SymbolicTensor[]>> produced) {
        String ln = ref.get(0).toString();
        int node = ((Number) ref.get(1)).intValue();
        int idx = ((Number) ref.get(2)).intValue();
        List<SymbolicTensor[]> calls = produced.get(ln);
        if (calls == null) throw new IllegalArgumentException("model config refers to unknown layer '" + ln + "'");
        if (node >= calls.size()) return null;
        SymbolicTensor[] outs = calls.get(node);
        if (idx >= outs.length) {
            throw new IllegalArgumentException("model config refers to output " + idx + " of layer '" + ln + "', which has "
                    + outs.length);
        }
        return outs[idx];
    }
}
