package io.github.rnn4j.kernels;

import java.util.Locale;

/**
 * Scalar activation functions with Keras names, each with its derivative written in terms of
 * the activation's <em>output</em> {@code y = f(x)}.
 *
 * <p>Expressing every derivative through the output lets forward passes keep only the
 * activated values for backward (half the memory of keeping both). Activations whose
 * derivative is not a function of the output (swish, gelu) are deliberately absent.
 * This is not a layer: {@code io.github.rnn4j.layers.Activation} wraps it as one.
 */
public enum Activations {
    LINEAR("linear"),
    TANH("tanh"),
    SIGMOID("sigmoid"),
    /** Keras 3's {@code hard_sigmoid}: {@code relu6(x + 3) / 6}. */
    HARD_SIGMOID("hard_sigmoid"),
    RELU("relu"),
    SOFTSIGN("softsign"),
    SOFTPLUS("softplus"),
    ELU("elu"),
    SELU("selu"),
    EXPONENTIAL("exponential");

    private static final float SELU_ALPHA = 1.6732632423543772f;
    private static final float SELU_SCALE = 1.0507009873554805f;

    private final String kerasName;

    Activations(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The Keras identifier, e.g. {@code "hard_sigmoid"}. */
    public String kerasName() {
        return kerasName;
    }

    /** Looks an activation up by its Keras name (case-insensitive; {@code null} or "none" is linear). */
    public static Activations of(String name) {
        if (name == null || name.equalsIgnoreCase("none")) return LINEAR;
        String n = name.toLowerCase(Locale.ROOT).replace("hardsigmoid", "hard_sigmoid");
        for (Activations a : values()) if (a.kerasName.equals(n)) return a;
        throw new IllegalArgumentException("unknown activation '" + name + "'; known: "
                + java.util.Arrays.stream(values()).map(Activations::kerasName).toList());
    }

    /** The logistic function, evaluated without overflow for large |x|. */
    public static float sigmoid(float x) {
        if (x >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** {@code f(x)}. */
    public float apply(float x) {
        switch (this) {
            case LINEAR: return x;
            case TANH: return (float) Math.tanh(x);
            case SIGMOID: return sigmoid(x);
            case HARD_SIGMOID: return Math.min(1f, Math.max(0f, x / 6f + 0.5f));
            case RELU: return x > 0f ? x : 0f;
            case SOFTSIGN: return x / (1f + Math.abs(x));
            case SOFTPLUS: return (float) (x > 20f ? x : Math.log1p(Math.exp(x)));
            case ELU: return x > 0f ? x : (float) Math.expm1(x);
            case SELU: return x > 0f ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * (float) Math.expm1(x);
            case EXPONENTIAL: return (float) Math.exp(x);
            default: throw new AssertionError(this);
        }
    }

    /** {@code f'(x)} given {@code y = f(x)}. */
    public float derivFromOutput(float y) {
        switch (this) {
            case LINEAR: return 1f;
            case TANH: return 1f - y * y;
            case SIGMOID: return y * (1f - y);
            case HARD_SIGMOID: return (y > 0f && y < 1f) ? 1f / 6f : 0f;
            case RELU: return y > 0f ? 1f : 0f;
            case SOFTSIGN: {
                float t = 1f - Math.abs(y);
                return t * t;
            }
            case SOFTPLUS: return (float) -Math.expm1(-y);
            case ELU: return y > 0f ? 1f : y + 1f;
            case SELU: return y > 0f ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
            case EXPONENTIAL: return y;
            default: throw new AssertionError(this);
        }
    }

    /** Applies f to {@code n} values; src and dst may be the same range. */
    public void apply(int n, float[] src, int sOff, float[] dst, int dOff) {
        switch (this) {
            case LINEAR:
                if (src != dst || sOff != dOff) System.arraycopy(src, sOff, dst, dOff, n);
                return;
            case TANH:
                Kernels.get().tanh(n, src, sOff, dst, dOff);
                return;
            case SIGMOID:
                Kernels.get().sigmoid(n, src, sOff, dst, dOff);
                return;
            default:
                for (int i = 0; i < n; i++) dst[dOff + i] = apply(src[sOff + i]);
        }
    }

    /** {@code g[i] *= f'(x_i)} where {@code y} holds the outputs {@code f(x_i)}. */
    public void backpropInPlace(int n, float[] y, int yOff, float[] g, int gOff) {
        if (this == LINEAR) return;
        for (int i = 0; i < n; i++) g[gOff + i] *= derivFromOutput(y[yOff + i]);
    }
}
