package io.github.rnn4j.callbacks;

import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.training.Optimizer;

import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored value stops improving for
 * {@code patience} epochs, Keras's {@code ReduceLROnPlateau}; never below {@code minLr}.
 * Keras's default minDelta is 1e-4 (absolute).
 */
public final class ReduceLROnPlateau implements Callback {
    private String monitor = "val_loss";
    private String mode = "auto";
    private double factor = 0.1;
    private int patience = 10;
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;
    private int verbose;
    private Monitor m;
    private Model model;
    private double best;
    private int wait;
    private int cooldownCounter;

    public ReduceLROnPlateau monitor(String name) {
        this.monitor = name;
        return this;
    }

    public ReduceLROnPlateau mode(String mode) {
        this.mode = mode;
        return this;
    }

    public ReduceLROnPlateau factor(double f) {
        if (!(f > 0 && f < 1)) throw new IllegalArgumentException("factor must be in (0, 1), got " + f);
        this.factor = f;
        return this;
    }

    public ReduceLROnPlateau patience(int p) {
        this.patience = p;
        return this;
    }

    public ReduceLROnPlateau minDelta(double d) {
        this.minDelta = d;
        return this;
    }

    public ReduceLROnPlateau cooldown(int c) {
        this.cooldown = c;
        return this;
    }

    public ReduceLROnPlateau minLr(double lr) {
        this.minLr = lr;
        return this;
    }

    /** 1 prints a line when the rate is cut (Keras's default 0 prints nothing). */
    public ReduceLROnPlateau verbose(int v) {
        this.verbose = v;
        return this;
    }

    @Override
    public void onTrainBegin(Model model) {
        this.model = model;
        this.m = new Monitor(monitor, mode, minDelta);
        this.best = m.worst();
        this.wait = 0;
        this.cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double v = m.value(logs, "ReduceLROnPlateau");
        if (v == null) return;
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (m.improves(v, best)) {
            best = v;
            wait = 0;
        } else if (cooldownCounter <= 0) {
            wait++;
            if (wait >= patience) {
                Optimizer opt = model.optimizer();
                double old = opt.learningRate();
                if (old > minLr) {
                    double lr = Math.max(old * factor, minLr);
                    opt.learningRate(lr);
                    if (verbose > 0) {
                        System.out.printf("%nEpoch %d: ReduceLROnPlateau reducing learning rate to %s.%n", epoch + 1, lr);
                    }
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }
}
