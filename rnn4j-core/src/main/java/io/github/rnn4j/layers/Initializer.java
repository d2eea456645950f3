package io.github.rnn4j.layers;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Weight initializers with Keras's names and fan conventions.
 *
 * <p>Fans follow Keras: for a 2-D shape (in, out) fan_in = in, fan_out = out; for higher ranks
 * (Conv1D's (kernel, in, out)) both are multiplied by the receptive field. Orthogonal flattens
 * to (prod(shape[:-1]), shape[-1]) and uses a QR decomposition of a Gaussian matrix, as Keras
 * does. Randomness comes only from the generator passed in.
 */
public enum Initializer {
    GLOROT_UNIFORM("glorot_uniform"),
    GLOROT_NORMAL("glorot_normal"),
    HE_UNIFORM("he_uniform"),
    HE_NORMAL("he_normal"),
    LECUN_UNIFORM("lecun_uniform"),
    LECUN_NORMAL("lecun_normal"),
    ORTHOGONAL("orthogonal"),
    ZEROS("zeros"),
    ONES("ones"),
    RANDOM_NORMAL("random_normal"),
    RANDOM_UNIFORM("random_uniform");

    private final String kerasName;

    Initializer(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The Keras identifier. */
    public String kerasName() {
        return kerasName;
    }

    /** Looks up by Keras name ({@code glorot_uniform}) or camelCase ({@code glorotUniform}). */
    public static Initializer of(String name) {
        String n = name.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        for (Initializer i : values()) if (i.kerasName.equals(n)) return i;
        throw new IllegalArgumentException("unknown initializer '" + name + "'");
    }

    /** Fills {@code w[off .. off+prod(shape))} for a weight of the given shape. */
    public void fill(float[] w, int off, int[] shape, SplittableRandom rng) {
        int n = 1;
        for (int d : shape) n *= d;
        double fanIn, fanOut;
        if (shape.length == 0) {
            fanIn = fanOut = 1;
        } else if (shape.length == 1) {
            fanIn = fanOut = shape[0];
        } else {
            int receptive = 1;
            for (int i = 0; i < shape.length - 2; i++) receptive *= shape[i];
            fanIn = (double) shape[shape.length - 2] * receptive;
            fanOut = (double) shape[shape.length - 1] * receptive;
        }
        switch (this) {
            case ZEROS -> java.util.Arrays.fill(w, off, off + n, 0f);
            case ONES -> java.util.Arrays.fill(w, off, off + n, 1f);
            case GLOROT_UNIFORM -> uniform(w, off, n, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
            case HE_UNIFORM -> uniform(w, off, n, Math.sqrt(6.0 / fanIn), rng);
            case LECUN_UNIFORM -> uniform(w, off, n, Math.sqrt(3.0 / fanIn), rng);
            case GLOROT_NORMAL -> truncNormal(w, off, n, Math.sqrt(2.0 / (fanIn + fanOut)), rng);
            case HE_NORMAL -> truncNormal(w, off, n, Math.sqrt(2.0 / fanIn), rng);
            case LECUN_NORMAL -> truncNormal(w, off, n, Math.sqrt(1.0 / fanIn), rng);
            case RANDOM_NORMAL -> {
                for (int i = 0; i < n; i++) w[off + i] = (float) (0.05 * rng.nextGaussian());
            }
            case RANDOM_UNIFORM -> uniform(w, off, n, 0.05, rng);
            case ORTHOGONAL -> {
                int cols = shape.length == 0 ? 1 : shape[shape.length - 1];
                int rows = cols == 0 ? 0 : n / cols;
                orthogonal(w, off, rows, cols, rng);
            }
            default -> throw new AssertionError(this);
        }
    }

    private static void uniform(float[] w, int off, int n, double limit, SplittableRandom rng) {
        for (int i = 0; i < n; i++) w[off + i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
    }

    /** Keras's variance-scaling normal: truncated at 2 stddev, stddev corrected by 0.8796. */
    private static void truncNormal(float[] w, int off, int n, double std, SplittableRandom rng) {
        double s = std / 0.87962566103423978;
        for (int i = 0; i < n; i++) {
            double g;
            do {
                g = rng.nextGaussian();
            } while (Math.abs(g) > 2.0);
            w[off + i] = (float) (g * s);
        }
    }

    /**
     * An orthogonal (rows x cols) matrix: rows orthonormal if rows <= cols, columns otherwise.
     * Modified Gram-Schmidt on a Gaussian matrix, sign-fixed like a QR with positive diag(R).
     */
    static void orthogonal(float[] w, int off, int rows, int cols, SplittableRandom rng) {
        int big = Math.max(rows, cols), small = Math.min(rows, cols);
        if (small == 0) return;
        // q: small vectors of length big, orthonormalised
        double[][] q = new double[small][big];
        for (int i = 0; i < small; i++) for (int j = 0; j < big; j++) q[i][j] = rng.nextGaussian();
        for (int i = 0; i < small; i++) {
            for (int k = 0; k < i; k++) {
                double d = 0;
                for (int j = 0; j < big; j++) d += q[i][j] * q[k][j];
                for (int j = 0; j < big; j++) q[i][j] -= d * q[k][j];
            }
            double norm = 0;
            for (int j = 0; j < big; j++) norm += q[i][j] * q[i][j];
            norm = Math.sqrt(norm);
            for (int j = 0; j < big; j++) q[i][j] /= norm;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                w[off + r * cols + c] = (float) (rows <= cols ? q[r][c] : q[c][r]);
            }
        }
    }
}
