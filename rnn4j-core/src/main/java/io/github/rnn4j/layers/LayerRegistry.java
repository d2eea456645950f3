package io.github.rnn4j.layers;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Maps Keras class names ("LSTM", "Dense") to factories that rebuild a layer from its config,
 * for loading models. Built-in layers are found by name in {@code io.github.rnn4j.layers} and
 * {@code io.github.rnn4j.layers.recurrent} (each has a static {@code fromConfig(Map)});
 * user-defined layers are added with {@link #register}.
 */
public final class LayerRegistry {
    private static final String[] PACKAGES = {"io.github.rnn4j.layers.", "io.github.rnn4j.layers.recurrent."};
    private static final Map<String, Function<Map<String, Object>, Layer>> CUSTOM = new ConcurrentHashMap<>();

    private LayerRegistry() {
    }

    /** Registers a factory for a custom layer class name. */
    public static void register(String className, Function<Map<String, Object>, Layer> factory) {
        CUSTOM.put(className, factory);
    }

    /** Rebuilds a layer from Keras's {@code {"class_name": ..., "config": {...}}} form. */
    @SuppressWarnings("unchecked")
    public static Layer deserialize(Map<?, ?> spec, String where) {
        Object cls = spec.get("class_name");
        Object cfg = spec.get("config");
        if (cls == null || !(cfg instanceof Map)) {
            throw new IllegalArgumentException(where + ": a nested layer needs 'class_name' and a 'config' map, got " + spec);
        }
        return fromConfig(cls.toString(), (Map<String, Object>) cfg);
    }

    /** Rebuilds a layer (unbuilt) from its class name and config. */
    public static Layer fromConfig(String className, Map<String, Object> config) {
        Function<Map<String, Object>, Layer> f = CUSTOM.get(className);
        if (f != null) return f.apply(config);
        for (String p : PACKAGES) {
            Class<?> c;
            try {
                c = Class.forName(p + className);
            } catch (ClassNotFoundException e) {
                continue;
            }
            if (!Layer.class.isAssignableFrom(c)) continue;
            try {
                Method m = c.getMethod("fromConfig", Map.class);
                if (!Modifier.isStatic(m.getModifiers())) continue;
                return (Layer) m.invoke(null, config);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("layer class '" + className + "' has no static fromConfig(Map)", e);
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                if (t instanceof RuntimeException re) throw re;
                throw new IllegalArgumentException("cannot rebuild layer '" + className + "': " + t, t);
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot rebuild layer '" + className + "': " + e, e);
            }
        }
        throw new IllegalArgumentException("unknown layer class '" + className + "' (register custom layers with "
                + "LayerRegistry.register)");
    }
}
