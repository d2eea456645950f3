package io.github.rnn4j.models;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;

/**
 * A {@link Dataset} over in-memory tensors (first axis = samples), optionally a contiguous range
 * of their rows. What {@code fit(Tensor x, Tensor y, ...)} uses; no copy is made until a batch
 * is gathered.
 */
public final class TensorDataset implements Dataset {
    private final Tensor[] xs;
    private final Tensor[] ys;
    private final int from;
    private final int to;

    /** All samples of the tensors; {@code ys} may be null (inputs only). */
    public TensorDataset(Tensor[] xs, Tensor[] ys) {
        this(xs, ys, 0, xs.length == 0 ? 0 : xs[0].dim(0));
    }

    /** Samples {@code [from, to)} of the tensors. */
    public TensorDataset(Tensor[] xs, Tensor[] ys, int from, int to) {
        if (xs.length == 0) throw new IllegalArgumentException("a dataset needs at least one input tensor");
        int n = xs[0].dim(0);
        for (int i = 0; i < xs.length; i++) {
            if (xs[i].rank() == 0) throw new IllegalArgumentException("input " + i + " has no sample axis (shape [])");
            if (xs[i].dim(0) != n) {
                throw new IllegalArgumentException("input " + i + " has " + xs[i].dim(0) + " samples, input 0 has " + n);
            }
        }
        if (ys != null) {
            for (int i = 0; i < ys.length; i++) {
                if (ys[i].rank() == 0 || ys[i].dim(0) != n) {
                    throw new IllegalArgumentException("target " + i + " has shape " + ys[i].shapeString() + "; inputs have "
                            + n + " samples");
                }
            }
        }
        if (from < 0 || to > n || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") outside " + n + " samples");
        }
        this.xs = xs.clone();
        this.ys = ys == null ? null : ys.clone();
        this.from = from;
        this.to = to;
    }

    /** The samples {@code [a, b)} of this dataset (no copy). */
    public TensorDataset range(int a, int b) {
        if (a < 0 || b > size() || a > b) throw new IllegalArgumentException("range [" + a + ", " + b + ") outside " + size() + " samples");
        return new TensorDataset(xs, ys, from + a, from + b);
    }

    @Override
    public int size() {
        return to - from;
    }

    private static int[][] perSample(Tensor[] ts) {
        if (ts == null) return new int[0][];
        int[][] s = new int[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            int[] full = ts[i].shape();
            s[i] = Arrays.copyOfRange(full, 1, full.length);
        }
        return s;
    }

    @Override
    public int[][] inputShapes() {
        return perSample(xs);
    }

    @Override
    public int[][] targetShapes() {
        return perSample(ys);
    }

    @Override
    public void gather(int[] indices, int a, int b, Tensor[] xOut, Tensor[] yOut) {
        copyRows(xs, indices, a, b, xOut);
        if (yOut != null) copyRows(ys, indices, a, b, yOut);
    }

    private void copyRows(Tensor[] src, int[] indices, int a, int b, Tensor[] dst) {
        for (int i = 0; i < src.length; i++) {
            int row = src[i].dim(0) == 0 ? 0 : src[i].size() / src[i].dim(0);
            float[] s = src[i].data(), d = dst[i].data();
            for (int k = a; k < b; k++) {
                int idx = indices == null ? k : indices[k];
                System.arraycopy(s, (from + idx) * row, d, (k - a) * row, row);
            }
        }
    }

    /** Rejects NaN and infinities, naming the tensor and the index. */
    @Override
    public void validate() {
        check(xs, "input");
        if (ys != null) check(ys, "target");
    }

    private void check(Tensor[] ts, String what) {
        for (int i = 0; i < ts.length; i++) {
            int row = ts[i].dim(0) == 0 ? 0 : ts[i].size() / ts[i].dim(0);
            float[] d = ts[i].data();
            for (int k = from * row; k < to * row; k++) {
                if (!Float.isFinite(d[k])) {
                    throw new IllegalArgumentException(what + " " + i + " contains " + d[k] + " at index "
                            + Arrays.toString(ts[i].unravel(k)) + " (shape " + ts[i].shapeString() + ")");
                }
            }
        }
    }
}
