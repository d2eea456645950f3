package io.github.rnn4j.data.box;

import java.util.Arrays;
import java.util.List;

/**
 * What a learned 1-D box detector must beat: the <em>mean box</em> (always predict the training
 * boxes' average start and end; what a model that ignores its input scores) and a classical
 * <em>matched filter</em> with no training at all: subtract the signal's median, smooth it with a
 * centred moving average as wide as the narrowest object (widened by one step if that is even, so
 * that it is centred; a spike of one or two steps is then
 * damped to a fraction of its height), take the highest smoothed step and report the run of
 * steps around it where the smoothed signal stays above half that peak (the full width at half
 * maximum: for a rectangle it lands on the object's edges). Baselines only; no learning.
 */
public final class BoxBaselines {
    private BoxBaselines() {
    }

    /** The box from the mean start and mean end of {@code train}, rounded. */
    public static Box meanBox(List<Box> train) {
        if (train.isEmpty()) throw new IllegalArgumentException("BoxBaselines.meanBox: no training boxes");
        double s = 0, e = 0;
        for (Box b : train) {
            s += b.start();
            e += b.end();
        }
        int a = (int) Math.round(s / train.size()), b = (int) Math.round(e / train.size());
        return new Box(a, Math.max(b, a + 1));
    }

    /**
     * The matched filter's box for the signal {@code x[off .. off+length)}, smoothing over
     * {@code window} steps ({@code window + 1} if even); beyond the signal's ends the window sees the background
     * (0, once the median is subtracted).
     */
    public static Box matchedFilter(float[] x, int off, int length, int window) {
        if (length <= 0 || off < 0 || off + length > x.length) {
            throw new IllegalArgumentException("BoxBaselines.matchedFilter: steps [" + off + ", " + (off + length)
                    + ") outside an array of " + x.length);
        }
        if (window < 1 || window > length) {
            throw new IllegalArgumentException("BoxBaselines.matchedFilter: window must be in 1.." + length + ", got " + window);
        }
        float[] v = Arrays.copyOfRange(x, off, off + length);
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        float median = (sorted[(length - 1) / 2] + sorted[length / 2]) / 2;
        double[] prefix = new double[length + 1];
        for (int t = 0; t < length; t++) prefix[t + 1] = prefix[t] + (v[t] - median);
        // an odd width centres the window on its step (an even one would shift the edges by half a step)
        int half = window / 2;
        double[] s = new double[length];
        int peak = 0;
        for (int t = 0; t < length; t++) {
            int a = Math.max(0, t - half), b = Math.min(length, t + half + 1);
            s[t] = (prefix[b] - prefix[a]) / (2 * half + 1); // beyond the ends: the background, 0 after the median
            if (s[t] > s[peak]) peak = t;
        }
        double level = s[peak] / 2;
        int a = peak, b = peak + 1;
        while (a > 0 && s[a - 1] > level) a--;
        while (b < length && s[b] > level) b++;
        return new Box(a, b);
    }
}
