package io.github.rnn4j.models;

import io.github.rnn4j.tensor.Tensor;

/**
 * A source of samples that {@link Model#fit}, {@code evaluate} and {@code predict} read batch by
 * batch, so that data larger than memory (or windows over one long series, never copied) can be
 * trained on. Each sample has one tensor per model input and one per model output (target).
 *
 * <p>The model allocates the batch tensors once per batch size and asks the dataset to fill them
 * ({@link #gather}), so a training run allocates no per-batch memory for data. Implementations
 * must be deterministic: the same indices give the same values.
 *
 * <pre>{@code
 * Dataset windows = TimeseriesDataset.builder(series).sequenceLength(48).build();   // io.github.rnn4j.data
 * model.fit(windows, new FitOptions().epochs(10));
 * }</pre>
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** Per-sample shapes (no batch axis) of each input. */
    int[][] inputShapes();

    /** Per-sample shapes (no batch axis) of each target; an empty array when there are no targets. */
    int[][] targetShapes();

    /**
     * Writes samples {@code indices[from..to)} into rows {@code 0..to-from} of the given batch
     * tensors (shape (to-from, per-sample shape...)); when {@code indices} is null, samples
     * {@code from..to} in order. {@code ys} is null when only inputs are wanted (predict).
     */
    void gather(int[] indices, int from, int to, Tensor[] xs, Tensor[] ys);

    /**
     * Checks every sample once, before training changes anything: throws
     * IllegalArgumentException naming the first bad value (NaN, infinity) and where it is. The
     * default does nothing; datasets that can check cheaply should.
     */
    default void validate() {
    }
}
