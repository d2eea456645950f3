package io.github.rnn4j.data.text;

import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.tensor.Tensor;

/**
 * Sliding windows over an encoded text for a language model: sample {@code i} is the
 * {@code length} ids starting at {@code from + i·stride} as input and the same window shifted
 * by one as target (each position predicts the next character), the layout of char-rnn and of
 * TensorFlow's text-generation tutorial. Windows are read from the one id array when a batch is
 * gathered, never copied; a window and its target stay inside {@code [from, to)}, so a
 * training range and a validation range never share a character they predict.
 *
 * <p>Inputs are ids as floats, shape (length), for an {@code Embedding}; targets are ids, shape
 * (length), for {@code SparseCategoricalCrossentropy}. It does not shuffle or batch ({@code fit}
 * does).
 */
public final class CharWindows implements Dataset {
    private final int[] ids;
    private final int from, length, stride, size;

    /**
     * @param ids    the encoded text
     * @param from   first id of the range (inclusive)
     * @param to     end of the range (exclusive)
     * @param length steps per window
     * @param stride ids between the starts of two windows ({@code length} for windows that do not overlap)
     */
    public CharWindows(int[] ids, int from, int to, int length, int stride) {
        if (from < 0 || to > ids.length || from >= to) {
            throw new IllegalArgumentException("CharWindows: range [" + from + ", " + to + ") is not inside the text's "
                    + ids.length + " characters");
        }
        if (length <= 0 || stride <= 0) {
            throw new IllegalArgumentException("CharWindows: length and stride must be positive, got " + length + " and " + stride);
        }
        if (to - from < length + 1) {
            throw new IllegalArgumentException("CharWindows: range [" + from + ", " + to + ") has " + (to - from)
                    + " characters; a window of " + length + " and its next character need " + (length + 1));
        }
        this.ids = ids;
        this.from = from;
        this.length = length;
        this.stride = stride;
        this.size = (to - from - 1 - length) / stride + 1;
    }

    @Override
    public int size() {
        return size;
    }

    /** Where window {@code i} starts in the id array. */
    public int start(int i) {
        return from + i * stride;
    }

    @Override
    public int[][] inputShapes() {
        return new int[][]{{length}};
    }

    @Override
    public int[][] targetShapes() {
        return new int[][]{{length}};
    }

    @Override
    public void gather(int[] indices, int lo, int hi, Tensor[] xs, Tensor[] ys) {
        float[] x = xs[0].data(), y = ys == null ? null : ys[0].data();
        for (int r = 0; r < hi - lo; r++) {
            int s = start(indices == null ? lo + r : indices[lo + r]), o = r * length;
            for (int t = 0; t < length; t++) {
                x[o + t] = ids[s + t];
                if (y != null) y[o + t] = ids[s + t + 1];
            }
        }
    }
}
