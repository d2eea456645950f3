package io.github.rnn4j.layers;

import java.util.Arrays;

/**
 * One trainable (or frozen) weight of a layer: its Keras name, shape, values and the
 * gradient accumulated for it.
 *
 * <p>Values and gradient are twin flat arrays of the same layout, so optimizers and
 * global-norm clipping are one flat loop per parameter. Backward passes <em>add</em> into
 * {@link #grad()}; {@link #zeroGrad()} is a separate step (llm.c's convention).
 */
public final class Param {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;
    private boolean trainable = true;

    /** A zero-filled parameter. */
    public Param(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) n *= d;
        this.value = new float[Math.toIntExact(n)];
        this.grad = new float[value.length];
    }

    /** Keras's name for it: {@code kernel}, {@code recurrent_kernel}, {@code bias}, ... */
    public String name() {
        return name;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of values. */
    public int size() {
        return value.length;
    }

    /** The values (row-major); written in place by optimizers and loaders. */
    public float[] value() {
        return value;
    }

    /** The accumulated gradient, same layout as {@link #value()}. */
    public float[] grad() {
        return grad;
    }

    /** Clears the gradient. */
    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }

    /** Whether optimizers update it. */
    public boolean trainable() {
        return trainable;
    }

    /** Freezes or unfreezes it. */
    public void trainable(boolean t) {
        trainable = t;
    }

    /**
     * Copies values in, checking the shape first.
     *
     * @param where names the layer for the error message
     */
    public void set(float[] src, int[] srcShape, String where) {
        if (!Arrays.equals(srcShape, shape)) {
            throw new IllegalArgumentException(where + ": weight '" + name + "' has shape "
                    + Arrays.toString(shape) + ", got " + Arrays.toString(srcShape));
        }
        System.arraycopy(src, 0, value, 0, value.length);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
