package io.github.rnn4j.training;

/**
 * Keras's {@code BinaryCrossentropy} loss: per element, with target {@code y} (optionally
 * smoothed to {@code y·(1 - s) + 0.5·s}),
 * <pre>
 *   probabilities: c = clip(p, eps, 1 - eps);  l = -(y·log c + (1 - y)·log(1 - c))
 *   logits x:      l = max(x, 0) - x·y + log(1 + exp(-|x|))       (stable for any x)
 * </pre>
 * averaged over the last axis, then over rows. eps = 1e-7 in float32 as Keras uses; the clip
 * passes no gradient outside its range, like Keras's. With logits the gradient is
 * {@code sigmoid(x) - y}.
 *
 * <pre>{@code
 * Loss bce = new BinaryCrossentropy(true);   // keras.losses.BinaryCrossentropy(from_logits=True)
 * }</pre>
 */
public final class BinaryCrossentropy extends SmoothedCrossentropy {

    /** Keras's defaults: probabilities, no label smoothing. */
    public BinaryCrossentropy() {
        this(false, 0);
    }

    public BinaryCrossentropy(boolean fromLogits) {
        this(fromLogits, 0);
    }

    /** @param labelSmoothing in [0, 1]: targets are squeezed towards 0.5 */
    public BinaryCrossentropy(boolean fromLogits, double labelSmoothing) {
        super(fromLogits, labelSmoothing);
    }

    @Override
    public String name() {
        return "binary_crossentropy";
    }

    @Override
    public String className() {
        return "BinaryCrossentropy";
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        double s = 0, k = gScale / width;
        for (int i = 0; i < width; i++) {
            double t = y[yo + i];
            if (labelSmoothing != 0) t = t * (1 - labelSmoothing) + 0.5 * labelSmoothing;
            double x = p[po + i];
            if (fromLogits) {
                s += Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
                if (g != null) {
                    double sig = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
                    g[go + i] = (float) (k * (sig - t));
                }
            } else {
                double c = clipProb(x);
                s -= t * Math.log(c) + (1 - t) * Math.log(1 - c);
                if (g != null) g[go + i] = insideClip(x) ? (float) (k * (-t / c + (1 - t) / (1 - c))) : 0f;
            }
        }
        return s / width;
    }
}
