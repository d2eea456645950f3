package io.github.rnn4j.data.box;

/**
 * A 1-D bounding box: the steps {@code [start, end)} of a signal that an object covers, with the
 * intersection over union (IoU) that scores a predicted box against the true one, and the two
 * ways a model's output becomes a box: two fractions of the length (a regression head) or a
 * per-step probability (a tagging head, read as its longest run above a threshold).
 *
 * <p>It is a value and the arithmetic on it; it does not know signals or models.
 */
public record Box(int start, int end) {

    public Box {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("Box: need 0 <= start < end, got [" + start + ", " + end + ")");
        }
    }

    public int width() {
        return end - start;
    }

    /** |A ∩ B| / |A ∪ B| over steps: 1 for the same box, 0 for disjoint ones. */
    public double iou(Box other) {
        int inter = Math.max(0, Math.min(end, other.end) - Math.max(start, other.start));
        int union = width() + other.width() - inter;
        return (double) inter / union;
    }

    /**
     * The box a regression head predicts: {@code start = round(s·length)}, {@code end =
     * round(e·length)}, the two put in order and clamped to {@code [0, length]}, at least one
     * step wide. A head that says nothing sensible (NaN) is an error, not a box.
     */
    public static Box fromFractions(double s, double e, int length) {
        if (length <= 0) throw new IllegalArgumentException("Box.fromFractions: length must be positive, got " + length);
        if (!Double.isFinite(s) || !Double.isFinite(e)) {
            throw new IllegalArgumentException("Box.fromFractions: fractions must be finite, got " + s + ", " + e);
        }
        double lo = Math.min(s, e), hi = Math.max(s, e);
        int a = (int) Math.round(Math.min(Math.max(lo, 0), 1) * length);
        int b = (int) Math.round(Math.min(Math.max(hi, 0), 1) * length);
        if (b <= a) {
            if (a < length) b = a + 1;
            else a = b - 1;
        }
        return new Box(a, b);
    }

    /**
     * The box a tagging head predicts from its per-step probabilities {@code p[off .. off+length)}:
     * the longest run of steps above {@code threshold} (the first of equally long runs); if no
     * step is above it, the single most probable step.
     */
    public static Box fromMask(float[] p, int off, int length, double threshold) {
        if (length <= 0) throw new IllegalArgumentException("Box.fromMask: length must be positive, got " + length);
        if (off < 0 || off + length > p.length) {
            throw new IllegalArgumentException("Box.fromMask: steps [" + off + ", " + (off + length)
                    + ") outside an array of " + p.length);
        }
        int bestStart = -1, bestLen = 0, runStart = -1, argmax = 0;
        for (int t = 0; t < length; t++) {
            float v = p[off + t];
            if (v > p[off + argmax]) argmax = t;
            if (v > threshold) {
                if (runStart < 0) runStart = t;
                if (t - runStart + 1 > bestLen) {
                    bestLen = t - runStart + 1;
                    bestStart = runStart;
                }
            } else {
                runStart = -1;
            }
        }
        return bestLen > 0 ? new Box(bestStart, bestStart + bestLen) : new Box(argmax, argmax + 1);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
