package io.github.rnn4j.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: a shape and a row-major {@code float[]} that starts at index 0.
 *
 * <p>Deliberately plain (EJML's style): the data array is public to the library so layers hand
 * it straight to the kernels; there is no autograd, no strides, no views and no broadcasting.
 * The shape is fixed; the values are mutable. Shapes are checked with messages that name the
 * place and both shapes.
 *
 * <pre>{@code
 * Tensor x = Tensor.zeros(32, 50, 8);   // batch 32, 50 timesteps, 8 features
 * x.set(1f, 0, 0, 3);
 * }</pre>
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** A tensor of zeros. */
    public static Tensor zeros(int... shape) {
        int[] s = checkShape(shape);
        return new Tensor(s, new float[Math.toIntExact(size(s))]);
    }

    /**
     * Wraps {@code data} (not copied) with the given shape.
     *
     * @throws IllegalArgumentException if the shape's size differs from the array's length
     */
    public static Tensor of(float[] data, int... shape) {
        int[] s = checkShape(shape);
        if (size(s) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " holds " + size(s)
                    + " values but the data has " + data.length);
        }
        return new Tensor(s, data);
    }

    /** A 2-D tensor copied from rows of equal length. */
    public static Tensor of(float[][] rows) {
        int m = rows.length, n = m == 0 ? 0 : rows[0].length;
        float[] d = new float[m * n];
        for (int i = 0; i < m; i++) {
            if (rows[i].length != n) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " values, row 0 has " + n);
            }
            System.arraycopy(rows[i], 0, d, i * n, n);
        }
        return new Tensor(new int[]{m, n}, d);
    }

    /** A 3-D tensor [batch, time, features] copied from nested arrays. */
    public static Tensor of(float[][][] v) {
        int b = v.length, t = b == 0 ? 0 : v[0].length, f = t == 0 ? 0 : v[0][0].length;
        float[] d = new float[b * t * f];
        for (int i = 0; i < b; i++) {
            if (v[i].length != t) {
                throw new IllegalArgumentException("sample " + i + " has " + v[i].length
                        + " timesteps, sample 0 has " + t);
            }
            for (int j = 0; j < t; j++) {
                if (v[i][j].length != f) {
                    throw new IllegalArgumentException("sample " + i + " step " + j + " has "
                            + v[i][j].length + " features, expected " + f);
                }
                System.arraycopy(v[i][j], 0, d, (i * t + j) * f, f);
            }
        }
        return new Tensor(new int[]{b, t, f}, d);
    }

    private static int[] checkShape(int[] shape) {
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        return shape.clone();
    }

    /** Number of elements of a shape. */
    public static long size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The backing array (row-major, offset 0). */
    public float[] data() {
        return data;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}; negative i counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** A deep copy. */
    public Tensor copy() {
        return new Tensor(shape.clone(), data.clone());
    }

    /** The same data seen with another shape of equal size (no copy). */
    public Tensor reshape(int... newShape) {
        return of(data, newShape);
    }

    private int index(int... idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(idx) + " for shape " + Arrays.toString(shape));
        }
        int off = 0;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(idx) + " out of shape " + Arrays.toString(shape));
            }
            off = off * shape[i] + idx[i];
        }
        return off;
    }

    /** The element at a full index. */
    public float get(int... idx) {
        return data[index(idx)];
    }

    /** Sets the element at a full index. */
    public void set(float v, int... idx) {
        data[index(idx)] = v;
    }

    /** Fills with a constant. */
    public Tensor fill(float v) {
        Arrays.fill(data, v);
        return this;
    }

    /** True if the shape equals {@code s}. */
    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    /** The shape as text, e.g. {@code [32, 50, 8]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The first index holding NaN or an infinity, or -1. */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) return i;
        }
        return -1;
    }

    /** Converts a flat index back to a multi-index, for messages. */
    public int[] unravel(int flat) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = shape[i] == 0 ? 0 : flat % shape[i];
            flat = shape[i] == 0 ? 0 : flat / shape[i];
        }
        return idx;
    }

    /** The rows {@code [from, to)} of the first axis, copied. */
    public Tensor slice0(int from, int to) {
        int row = shape.length == 0 ? 1 : data.length / Math.max(1, shape[0]);
        int[] s = shape.clone();
        s[0] = to - from;
        float[] d = Arrays.copyOfRange(data, from * row, to * row);
        return new Tensor(s, d);
    }

    /** Gathers rows of the first axis by index into a new tensor. */
    public Tensor gather0(int[] rows, int from, int to) {
        int row = shape[0] == 0 ? 0 : data.length / shape[0];
        int[] s = shape.clone();
        s[0] = to - from;
        float[] d = new float[(to - from) * row];
        for (int i = from; i < to; i++) System.arraycopy(data, rows[i] * row, d, (i - from) * row, row);
        return new Tensor(s, d);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append(' ');
        int n = Math.min(data.length, 10);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(data[i]);
        }
        if (data.length > n) sb.append(", ...");
        return sb.append(']').toString();
    }
}
