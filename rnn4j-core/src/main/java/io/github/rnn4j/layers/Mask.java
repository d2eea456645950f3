package io.github.rnn4j.layers;

/**
 * Which timesteps of a batch of sequences are real ({@code true}) and which are padding,
 * as Keras's boolean mask of shape [batch, time].
 *
 * <p>Produced by {@code Masking} and by {@code Embedding(maskZero)}, consumed by the recurrent
 * layers and passed on by layers that keep the time axis. Immutable once made.
 */
public final class Mask {
    private final int batch;
    private final int time;
    private final boolean[] keep;

    /** Wraps {@code keep} (row-major [batch, time], not copied: do not change it afterwards). */
    public Mask(int batch, int time, boolean[] keep) {
        if (keep.length != batch * time) {
            throw new IllegalArgumentException("mask of [" + batch + ", " + time + "] needs "
                    + batch * time + " entries, got " + keep.length);
        }
        this.batch = batch;
        this.time = time;
        this.keep = keep;
    }

    /** Batch size. */
    public int batch() {
        return batch;
    }

    /** Number of timesteps. */
    public int time() {
        return time;
    }

    /** Whether step t of sample b is real. */
    public boolean keep(int b, int t) {
        return keep[b * time + t];
    }

    /** A mask with every step of sequence b real for {@code lengths[b]} steps from the start. */
    public static Mask fromLengths(int time, int... lengths) {
        boolean[] k = new boolean[lengths.length * time];
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > time) {
                throw new IllegalArgumentException("sequence " + b + " has length " + lengths[b]
                        + ", outside [0, " + time + "]");
            }
            for (int t = 0; t < lengths[b]; t++) k[b * time + t] = true;
        }
        return new Mask(lengths.length, time, k);
    }

    /** The mask of rows {@code rows[from..to)} (for batching). */
    public Mask gather(int[] rows, int from, int to) {
        boolean[] k = new boolean[(to - from) * time];
        for (int i = from; i < to; i++) System.arraycopy(keep, rows[i] * time, k, (i - from) * time, time);
        return new Mask(to - from, time, k);
    }
}
