package io.github.rnn4j.training;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Looks losses up by the strings Keras's {@code compile(loss=...)} accepts and rebuilds them from
 * Keras-shaped configs. Not a registry of user losses: a custom {@link Loss} is passed as an
 * object.
 *
 * <pre>{@code
 * Loss l = Losses.get("mse");                       // MeanSquaredError
 * Loss c = Losses.get("sparse_categorical_crossentropy");
 * Map<String, Object> json = Losses.serialize(c);   // {"class_name": ..., "config": {...}}
 * }</pre>
 */
public final class Losses {
    private Losses() {
    }

    /**
     * A loss from its Keras name, short alias or class name, with Keras's default arguments:
     * {@code mse}, {@code mean_squared_error}, {@code MeanSquaredError}, {@code mae},
     * {@code mean_absolute_error}, {@code huber}, {@code huber_loss}, {@code binary_crossentropy},
     * {@code categorical_crossentropy}, {@code sparse_categorical_crossentropy}. Matching ignores
     * case and underscores.
     */
    public static Loss get(String name) {
        switch (normalize(name)) {
            case "mse", "meansquarederror":
                return new MeanSquaredError();
            case "mae", "meanabsoluteerror":
                return new MeanAbsoluteError();
            case "huber", "huberloss":
                return new Huber();
            case "binarycrossentropy", "bce":
                return new BinaryCrossentropy();
            case "categoricalcrossentropy", "cce":
                return new CategoricalCrossentropy();
            case "sparsecategoricalcrossentropy", "scce":
                return new SparseCategoricalCrossentropy();
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "'; known: mse, mae, huber, "
                        + "binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy "
                        + "(or their Keras class names)");
        }
    }

    /** Keras's {@code serialize}: {@code {"module", "class_name", "config", "registered_name"}}. */
    public static Map<String, Object> serialize(Loss loss) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("module", "keras.losses");
        m.put("class_name", loss.className());
        m.put("config", loss.getConfig());
        m.put("registered_name", null);
        return m;
    }

    /** Inverse of {@link #serialize}; a bare string is looked up with {@link #get}. */
    @SuppressWarnings("unchecked")
    public static Loss deserialize(Object o) {
        if (o instanceof String s) return get(s);
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("not a serialized loss: " + o);
        Object cfg = m.get("config");
        return fromConfig(String.valueOf(m.get("class_name")), cfg == null ? Map.of() : (Map<String, Object>) cfg);
    }

    /** Rebuilds a loss from its class name and {@link Loss#getConfig()}. */
    public static Loss fromConfig(String className, Map<String, Object> c) {
        Object red = c.get("reduction");
        if (red != null && !"sum_over_batch_size".equals(red) && !"mean".equals(red)) {
            throw new IllegalArgumentException(className + ": only reduction 'sum_over_batch_size' is supported, got '"
                    + red + "'");
        }
        boolean logits = Boolean.TRUE.equals(c.get("from_logits"));
        double ls = c.get("label_smoothing") instanceof Number n ? n.doubleValue() : 0;
        return switch (className) {
            case "MeanSquaredError" -> new MeanSquaredError();
            case "MeanAbsoluteError" -> new MeanAbsoluteError();
            case "Huber" -> new Huber(c.get("delta") instanceof Number n ? n.doubleValue() : 1.0);
            case "BinaryCrossentropy" -> new BinaryCrossentropy(logits, ls);
            case "CategoricalCrossentropy" -> new CategoricalCrossentropy(logits, ls);
            case "SparseCategoricalCrossentropy" -> {
                if (c.get("ignore_class") != null) {
                    throw new IllegalArgumentException("SparseCategoricalCrossentropy: ignore_class is not supported");
                }
                yield new SparseCategoricalCrossentropy(logits);
            }
            default -> throw new IllegalArgumentException("unknown loss class '" + className + "'");
        };
    }

    static String normalize(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
