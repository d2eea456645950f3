package io.github.rnn4j.callbacks;

import java.util.Map;

/**
 * The "monitor a logged value" logic shared by {@link EarlyStopping}, {@link ModelCheckpoint} and
 * {@link ReduceLROnPlateau}: which value, whether lower or higher is better (Keras's mode
 * "auto" picks max for accuracy-like names, min otherwise), and the improvement test with
 * {@code minDelta}.
 */
final class Monitor {
    final String name;
    final boolean maximize;
    final double minDelta;

    Monitor(String name, String mode, double minDelta) {
        this.name = name;
        this.maximize = switch (mode) {
            case "min" -> false;
            case "max" -> true;
            case "auto" -> name.endsWith("acc") || name.endsWith("accuracy") || name.startsWith("fmeasure")
                    || name.endsWith("auc");
            default -> throw new IllegalArgumentException("mode must be auto, min or max, got '" + mode + "'");
        };
        if (minDelta < 0) throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
        this.minDelta = minDelta;
    }

    /** The monitored value, or null (with a warning) when the logs lack it. */
    Double value(Map<String, Double> logs, String who) {
        Double v = logs.get(name);
        if (v == null) System.err.println(who + ": monitored value '" + name + "' is not in the logs " + logs.keySet());
        return v;
    }

    /** The initial "best" value. */
    double worst() {
        return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** Whether {@code v} improves on {@code best} by more than minDelta. */
    boolean improves(double v, double best) {
        return maximize ? v - minDelta > best : v + minDelta < best;
    }
}
