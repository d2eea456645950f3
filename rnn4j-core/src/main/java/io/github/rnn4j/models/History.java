package io.github.rnn4j.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Model#fit} returns, as Keras's {@code History}: per-epoch values of every logged
 * metric ({@code history.get("val_loss")}), and why training stopped if it stopped early.
 */
public final class History {
    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    private String stopReason;

    void record(int epoch, Map<String, Double> logs) {
        epochs.add(epoch);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
    }

    void stopReason(String reason) {
        this.stopReason = reason;
    }

    /** The values of one metric, one per completed epoch. */
    public List<Double> get(String metric) {
        List<Double> v = values.get(metric);
        if (v == null) throw new IllegalArgumentException("no metric '" + metric + "' in history; have " + values.keySet());
        return Collections.unmodifiableList(v);
    }

    /** All metrics. */
    public Map<String, List<Double>> history() {
        return Collections.unmodifiableMap(values);
    }

    /** Indices of the completed epochs. */
    public List<Integer> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** The last value of a metric. */
    public double last(String metric) {
        List<Double> v = get(metric);
        return v.get(v.size() - 1);
    }

    /** Why training ended before the requested epochs (NaN loss, early stopping), or null. */
    public String stopReason() {
        return stopReason;
    }
}
