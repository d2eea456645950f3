package io.github.rnn4j.models;

import io.github.rnn4j.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keyword arguments of Keras's {@code fit}, as a fluent options object.
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions()
 *         .epochs(20).batchSize(32).validationSplit(0.2)
 *         .callbacks(new EarlyStopping().patience(3).restoreBestWeights(true)));
 * }</pre>
 */
public final class FitOptions {
    int epochs = 1;
    int batchSize = 32;
    double validationSplit;
    Tensor[] validationX;
    Tensor[] validationY;
    Dataset validationData;
    boolean shuffle = true;
    int verbose = 1;
    int initialEpoch;
    int tbpttSteps;
    final List<Callback> callbacks = new ArrayList<>();
    PrintStream out = System.out;

    /** Number of epochs (default 1). */
    public FitOptions epochs(int n) {
        if (n <= 0) throw new IllegalArgumentException("epochs must be positive, got " + n);
        this.epochs = n;
        return this;
    }

    /** Samples per gradient step (default 32). */
    public FitOptions batchSize(int n) {
        if (n <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + n);
        this.batchSize = n;
        return this;
    }

    /** Fraction of the data, taken from the end before shuffling, held out for validation. */
    public FitOptions validationSplit(double f) {
        if (!(f >= 0 && f < 1)) throw new IllegalArgumentException("validationSplit must be in [0, 1), got " + f);
        this.validationSplit = f;
        return this;
    }

    /** Explicit validation data for a single-input, single-output model. */
    public FitOptions validationData(Tensor x, Tensor y) {
        return validationData(new Tensor[]{x}, new Tensor[]{y});
    }

    /** Explicit validation data, one tensor per model input and output. */
    public FitOptions validationData(Tensor[] x, Tensor[] y) {
        this.validationX = x.clone();
        this.validationY = y.clone();
        return this;
    }

    /** Explicit validation data as a dataset. */
    public FitOptions validationData(Dataset data) {
        this.validationData = data;
        return this;
    }

    /** Shuffle the training samples each epoch (default true; seeded from the model seed). */
    public FitOptions shuffle(boolean b) {
        this.shuffle = b;
        return this;
    }

    /** 0 silent, 1 progress bar (default), 2 one line per epoch. */
    public FitOptions verbose(int v) {
        if (v < 0 || v > 2) throw new IllegalArgumentException("verbose must be 0, 1 or 2, got " + v);
        this.verbose = v;
        return this;
    }

    /** The epoch to start counting from (to resume a run). */
    public FitOptions initialEpoch(int e) {
        if (e < 0) throw new IllegalArgumentException("initialEpoch must be >= 0, got " + e);
        this.initialEpoch = e;
        return this;
    }

    /**
     * Truncated backpropagation through time: split each batch's sequences into chunks of this
     * many steps; states flow forward across chunks, gradients stop at chunk borders. 0 = off.
     */
    public FitOptions truncatedBptt(int steps) {
        if (steps < 0) throw new IllegalArgumentException("truncatedBptt steps must be >= 0, got " + steps);
        this.tbpttSteps = steps;
        return this;
    }

    /** Callbacks, called in order. */
    public FitOptions callbacks(Callback... cbs) {
        this.callbacks.addAll(Arrays.asList(cbs));
        return this;
    }

    /** Where the progress output goes (default System.out). */
    public FitOptions out(PrintStream out) {
        this.out = out;
        return this;
    }
}
