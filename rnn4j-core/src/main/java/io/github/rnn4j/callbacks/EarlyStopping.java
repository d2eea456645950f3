package io.github.rnn4j.callbacks;

import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Stops training when a monitored value has stopped improving, Keras's {@code EarlyStopping}.
 *
 * <pre>{@code
 * new EarlyStopping().monitor("val_loss").patience(5).restoreBestWeights(true)
 * }</pre>
 *
 * With restoreBestWeights the model ends with the weights of its best epoch (Keras restores
 * them when training stops early or when it ends, whichever comes first).
 */
public final class EarlyStopping implements Callback {
    private String monitor = "val_loss";
    private String mode = "auto";
    private double minDelta;
    private int patience;
    private boolean restoreBestWeights;
    private Double baseline;
    private int startFromEpoch;

    private Monitor m;
    private Model model;
    private double best;
    private int wait;
    private int bestEpoch = -1;
    private int stoppedEpoch = -1;
    private List<Tensor> bestWeights;

    public EarlyStopping monitor(String name) {
        this.monitor = name;
        return this;
    }

    public EarlyStopping mode(String mode) {
        this.mode = mode;
        return this;
    }

    public EarlyStopping minDelta(double d) {
        this.minDelta = Math.abs(d);
        return this;
    }

    public EarlyStopping patience(int p) {
        if (p < 0) throw new IllegalArgumentException("patience must be >= 0, got " + p);
        this.patience = p;
        return this;
    }

    public EarlyStopping restoreBestWeights(boolean b) {
        this.restoreBestWeights = b;
        return this;
    }

    /** Stop unless the monitored value beats this baseline. */
    public EarlyStopping baseline(double b) {
        this.baseline = b;
        return this;
    }

    /** Epochs to wait before starting to monitor (warm-up). */
    public EarlyStopping startFromEpoch(int e) {
        this.startFromEpoch = e;
        return this;
    }

    @Override
    public void onTrainBegin(Model model) {
        this.model = model;
        this.m = new Monitor(monitor, mode, minDelta);
        this.best = m.worst();
        this.wait = 0;
        this.bestEpoch = -1;
        this.stoppedEpoch = -1;
        this.bestWeights = null;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double v = m.value(logs, "EarlyStopping");
        if (v == null || epoch < startFromEpoch) return;
        if (restoreBestWeights && bestWeights == null) bestWeights = model.getWeights();
        wait++;
        if (m.improves(v, best)) {
            best = v;
            bestEpoch = epoch;
            if (restoreBestWeights) bestWeights = model.getWeights();
            if (baseline == null || m.improves(v, baseline)) wait = 0;
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (restoreBestWeights && bestWeights != null) model.setWeights(bestWeights);
    }

    /** The epoch training stopped at, or -1. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch with the best monitored value, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value seen. */
    public double best() {
        return best;
    }
}
