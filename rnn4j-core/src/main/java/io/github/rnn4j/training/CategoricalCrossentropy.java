package io.github.rnn4j.training;

/**
 * Keras's {@code CategoricalCrossentropy} loss, one-hot (or soft) targets over the last axis:
 * <pre>
 *   probabilities: q = p / Σp;  c = clip(q, eps, 1 - eps);  l = -Σ_i y_i·log c_i
 *   logits z:      l = Σ_i y_i·(logsumexp(z) - z_i)                 (max-shifted, stable)
 * </pre>
 * With label smoothing s over C classes, {@code y = y·(1 - s) + s/C} first, as Keras does. The
 * probability path renormalises its input and clips like Keras's backends (eps = 1e-7 as float32),
 * and its gradient flows through the renormalisation; the logit path's gradient is
 * {@code softmax(z)·Σy - y}.
 *
 * <pre>{@code
 * Loss cce = new CategoricalCrossentropy(true, 0.1);   // from_logits=True, label_smoothing=0.1
 * }</pre>
 */
public final class CategoricalCrossentropy extends SmoothedCrossentropy {

    /** Keras's defaults: probabilities, no label smoothing. */
    public CategoricalCrossentropy() {
        this(false, 0);
    }

    public CategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, 0);
    }

    /** @param labelSmoothing in [0, 1] */
    public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
        super(fromLogits, labelSmoothing);
    }

    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    @Override
    public String className() {
        return "CategoricalCrossentropy";
    }

    private double target(float[] y, int i, int width) {
        double t = y[i];
        return labelSmoothing == 0 ? t : t * (1 - labelSmoothing) + labelSmoothing / width;
    }

    @Override
    protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
        if (fromLogits) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < width; i++) max = Math.max(max, p[po + i]);
            double se = 0;
            for (int i = 0; i < width; i++) se += Math.exp(p[po + i] - max);
            double lse = max + Math.log(se), sumY = 0, l = 0;
            for (int i = 0; i < width; i++) {
                double t = target(y, yo + i, width);
                sumY += t;
                l += t * (lse - p[po + i]);
            }
            if (g != null) {
                for (int i = 0; i < width; i++) {
                    double sm = Math.exp(p[po + i] - lse);
                    g[go + i] = (float) (gScale * (sm * sumY - target(y, yo + i, width)));
                }
            }
            return l;
        }
        double sum = 0;
        for (int i = 0; i < width; i++) sum += p[po + i];
        double l = 0, dot = 0;
        for (int i = 0; i < width; i++) {
            double q = p[po + i] / sum, t = target(y, yo + i, width);
            l -= t * Math.log(clipProb(q));
            // dL/dq_i, zero where the clip is active; dot = Σ_i dL/dq_i · q_i
            if (insideClip(q)) dot += -t / q * q;
        }
        if (g != null) {
            // q = p/S  =>  dL/dp_j = (dL/dq_j - Σ_i dL/dq_i·q_i) / S
            for (int i = 0; i < width; i++) {
                double q = p[po + i] / sum, t = target(y, yo + i, width);
                double gq = insideClip(q) ? -t / q : 0;
                g[go + i] = (float) (gScale * (gq - dot) / sum);
            }
        }
        return l;
    }
}
