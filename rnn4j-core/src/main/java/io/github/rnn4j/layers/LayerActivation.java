package io.github.rnn4j.layers;

import io.github.rnn4j.kernels.Activations;

/**
 * The activation of a layer's output, applied in place over rows of length n: one of the
 * element-wise {@link Activations}, or {@code softmax} over the last axis (Keras's default
 * axis), which is not element-wise and so lives here rather than in the kernels' enum.
 *
 * <p>Both kinds keep only the outputs for backward: the softmax Jacobian-vector product is
 * {@code dz = y * (dy - sum(dy * y))} per row. Package-private: used by Dense, Conv1D and
 * Activation; not a layer itself.
 */
final class LayerActivation {
    private final Activations elementwise; // null for softmax

    private LayerActivation(Activations a) {
        this.elementwise = a;
    }

    static final LayerActivation LINEAR = new LayerActivation(Activations.LINEAR);

    /** By Keras name; {@code null} or "none" is linear. */
    static LayerActivation of(String name) {
        if (name != null && name.equalsIgnoreCase("softmax")) return new LayerActivation(null);
        return new LayerActivation(Activations.of(name));
    }

    String kerasName() {
        return elementwise == null ? "softmax" : elementwise.kerasName();
    }

    boolean isLinear() {
        return elementwise == Activations.LINEAR;
    }

    /** {@code z = f(z)} over {@code rows} rows of {@code n} values starting at {@code off}. */
    void forward(int rows, int n, float[] z, int off) {
        if (elementwise != null) {
            elementwise.apply(rows * n, z, off, z, off);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int o = off + r * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) max = Math.max(max, z[o + j]);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(z[o + j] - max);
                z[o + j] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < n; j++) z[o + j] *= inv;
        }
    }

    /** Turns {@code g = dL/dy} into {@code dL/dz} in place, given the outputs {@code y}. */
    void backward(int rows, int n, float[] y, int yOff, float[] g, int gOff) {
        if (elementwise != null) {
            elementwise.backpropInPlace(rows * n, y, yOff, g, gOff);
            return;
        }
        for (int r = 0; r < rows; r++) {
            int yo = yOff + r * n, go = gOff + r * n;
            double dot = 0;
            for (int j = 0; j < n; j++) dot += (double) g[go + j] * y[yo + j];
            float d = (float) dot;
            for (int j = 0; j < n; j++) g[go + j] = y[yo + j] * (g[go + j] - d);
        }
    }
}
