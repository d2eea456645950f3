package io.github.rnn4j.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Looks optimizers up by the strings Keras's {@code compile(optimizer=...)} accepts and rebuilds
 * them from Keras-shaped configs. Not a registry for user optimizers.
 *
 * <pre>{@code
 * Optimizer a = Optimizers.get("adam");                 // Adam with Keras's defaults
 * Map<String, Object> json = Optimizers.serialize(a);   // {"module", "class_name", "config", ...}
 * Optimizer b = Optimizers.deserialize(json);
 * }</pre>
 */
public final class Optimizers {
    private Optimizers() {
    }

    /** {@code adam}, {@code adamw}, {@code sgd}, {@code rmsprop} (any case) with Keras's defaults. */
    public static Optimizer get(String name) {
        return switch (Losses.normalize(name)) {
            case "adam" -> new Adam();
            case "adamw" -> new AdamW();
            case "sgd" -> new SGD();
            case "rmsprop" -> new RMSprop();
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: adam, adamw, sgd, rmsprop");
        };
    }

    /** Keras's {@code serialize}: module, class_name, config, registered_name. */
    public static Map<String, Object> serialize(Optimizer o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("module", "keras.optimizers");
        m.put("class_name", o.className());
        m.put("config", o.getConfig());
        m.put("registered_name", null);
        return m;
    }

    /** Inverse of {@link #serialize}; a bare string is looked up with {@link #get}. */
    @SuppressWarnings("unchecked")
    public static Optimizer deserialize(Object o) {
        if (o instanceof String s) return get(s);
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("not a serialized optimizer: " + o);
        Object cfg = m.get("config");
        return fromConfig(String.valueOf(m.get("class_name")), cfg == null ? Map.of() : (Map<String, Object>) cfg);
    }

    /** Rebuilds an optimizer from its Keras class name and config. */
    public static Optimizer fromConfig(String className, Map<String, Object> config) {
        return switch (className) {
            case "Adam" -> Adam.fromConfig(config);
            case "AdamW" -> AdamW.fromConfig(config);
            case "SGD" -> SGD.fromConfig(config);
            case "RMSprop" -> RMSprop.fromConfig(config);
            default -> throw new IllegalArgumentException("unknown optimizer class '" + className
                    + "'; known: Adam, AdamW, SGD, RMSprop");
        };
    }

    static double num(Map<String, Object> c, String key, double dflt) {
        Object v = c.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Number n)) throw new IllegalArgumentException("optimizer config: '" + key + "' must be a number, got " + v);
        return n.doubleValue();
    }

    @SuppressWarnings("unchecked")
    static LearningRateSchedule schedule(Object lr) {
        return LearningRateSchedule.deserialize((Map<String, Object>) lr);
    }
}
