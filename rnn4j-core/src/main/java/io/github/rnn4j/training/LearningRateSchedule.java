package io.github.rnn4j.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A learning rate that depends on the optimizer step, Keras's
 * {@code keras.optimizers.schedules.LearningRateSchedule}. The optimizer asks for
 * {@code at(iterations())} once per {@link Optimizer#step}, before the step is counted, exactly as
 * Keras evaluates {@code schedule(optimizer.iterations)} — so the first update uses {@code at(0)}.
 *
 * <p>What it is: a pure function of the step with a Keras-shaped config. What it is not: a
 * callback — epoch-level schedules ({@code ReduceLROnPlateau}) live with the fit loop. Values are
 * computed in double precision; Keras computes them in float32, so they agree to ~1e-7 relative.
 *
 * <pre>{@code
 * LearningRateSchedule lr = new ExponentialDecay(0.01, 1000, 0.96, true);
 * Optimizer opt = new Adam(lr);
 * Map<String, Object> json = LearningRateSchedule.serialize(lr);
 * }</pre>
 */
public interface LearningRateSchedule {
    /** The learning rate for optimizer step {@code step} (0-based). */
    double at(long step);

    /** Keras's class name, e.g. {@code ExponentialDecay}. */
    String className();

    /** Keras-shaped {@code get_config()}. */
    Map<String, Object> getConfig();

    /** Keras's {@code schedules.serialize}: module, class_name, config, registered_name. */
    static Map<String, Object> serialize(LearningRateSchedule s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("module", "keras.optimizers.schedules");
        m.put("class_name", s.className());
        m.put("config", s.getConfig());
        m.put("registered_name", null);
        return m;
    }

    /** Inverse of {@link #serialize} for the built-in schedules. */
    @SuppressWarnings("unchecked")
    static LearningRateSchedule deserialize(Map<String, Object> m) {
        String cls = String.valueOf(m.get("class_name"));
        Map<String, Object> c = (Map<String, Object>) m.get("config");
        if (c == null) throw new IllegalArgumentException("schedule '" + cls + "' has no config");
        return switch (cls) {
            case "ExponentialDecay" -> new ExponentialDecay(num(c, "initial_learning_rate"),
                    (long) num(c, "decay_steps"), num(c, "decay_rate"), Boolean.TRUE.equals(c.get("staircase")));
            case "PiecewiseConstantDecay" -> new PiecewiseConstantDecay(nums(c, "boundaries"), nums(c, "values"));
            case "CosineDecay" -> new CosineDecay(num(c, "initial_learning_rate"), (long) num(c, "decay_steps"),
                    c.get("alpha") == null ? 0 : num(c, "alpha"),
                    c.get("warmup_target") == null ? null : num(c, "warmup_target"),
                    c.get("warmup_steps") == null ? 0 : (long) num(c, "warmup_steps"));
            default -> throw new IllegalArgumentException("unknown learning rate schedule '" + cls
                    + "'; known: ExponentialDecay, PiecewiseConstantDecay, CosineDecay");
        };
    }

    private static double num(Map<String, Object> c, String key) {
        if (!(c.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("schedule config: '" + key + "' must be a number, got " + c.get(key));
        }
        return n.doubleValue();
    }

    private static double[] nums(Map<String, Object> c, String key) {
        if (!(c.get(key) instanceof List<?> l)) {
            throw new IllegalArgumentException("schedule config: '" + key + "' must be a list, got " + c.get(key));
        }
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) d[i] = ((Number) l.get(i)).doubleValue();
        return d;
    }

    /** A number for a config: integral values as Long, so JSON shows {@code 1000} not {@code 1000.0}. */
    static Object configNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }
}
