package io.github.rnn4j.training;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference checks of every loss's gradient, through the mean reduction (so a missing
 * 1/N or 1/width shows up), with and without weights and masks, on (B, F), (B, T, F) and (B)
 * predictions. The loss value is a double computed from float inputs, so central differences with
 * h = 1e-3 on the float input (using the exactly represented step) are accurate to ~1e-6 here;
 * tolerance {@code 2e-5 + 1e-3·|g|}. A wrong factor is off by 10% or more.
 */
class LossGradientTest {
    private static final double H = 1e-3;

    @Test
    void regressionLosses() {
        for (int[] shape : new int[][]{{3, 4}, {2, 3, 2}, {5}}) {
            check(new MeanSquaredError(), randn(shape, 1, 1), randn(shape, 1, 2), null, null);
            check(new MeanAbsoluteError(), randn(shape, 1, 3), randn(shape, 1, 4), null, null);
            check(new Huber(), randn(shape, 2, 5), randn(shape, 2, 6), null, null);
            check(new Huber(0.3), randn(shape, 1, 7), randn(shape, 1, 8), null, null);
        }
    }

    @Test
    void binaryCrossentropy() {
        for (int[] shape : new int[][]{{4, 3}, {2, 3, 1}}) {
            Tensor y = labels01(shape, 9);
            check(new BinaryCrossentropy(false), probs(shape, 10), y, null, null);
            check(new BinaryCrossentropy(false, 0.2), probs(shape, 11), y, null, null);
            check(new BinaryCrossentropy(true), randn(shape, 3, 12), y, null, null);
            check(new BinaryCrossentropy(true, 0.1), randn(shape, 3, 13), y, null, null);
        }
    }

    @Test
    void categoricalCrossentropy() {
        for (int[] shape : new int[][]{{4, 5}, {2, 3, 4}}) {
            Tensor y = oneHot(shape, 14);
            check(new CategoricalCrossentropy(true), randn(shape, 3, 15), y, null, null);
            check(new CategoricalCrossentropy(true, 0.1), randn(shape, 3, 16), y, null, null);
            // unnormalised probabilities: the gradient must flow through the renormalisation
            check(new CategoricalCrossentropy(false), probs(shape, 17), y, null, null);
            check(new CategoricalCrossentropy(false, 0.2), probs(shape, 18), y, null, null);
        }
    }

    @Test
    void sparseCategoricalCrossentropy() {
        check(new SparseCategoricalCrossentropy(true), randn(new int[]{4, 5}, 3, 19), ids(new int[]{4}, 5, 20), null, null);
        check(new SparseCategoricalCrossentropy(false), probs(new int[]{4, 5}, 21), ids(new int[]{4, 1}, 5, 22), null, null);
        check(new SparseCategoricalCrossentropy(true), randn(new int[]{2, 3, 4}, 3, 23), ids(new int[]{2, 3}, 4, 24), null, null);
        check(new SparseCategoricalCrossentropy(false), probs(new int[]{2, 3, 4}, 25), ids(new int[]{2, 3, 1}, 4, 26), null, null);
    }

    @Test
    void weightsAndMasks() {
        int[] shape = {2, 3, 4};
        float[] perSample = {0.5f, 2f};
        float[] perRow = {1f, 0f, 3f, 0.25f, 1f, 2f};
        float[] mask = {1f, 1f, 0f, 1f, 0f, 0f};
        Loss[] losses = {new MeanSquaredError(), new Huber(), new CategoricalCrossentropy(true, 0.1),
                new BinaryCrossentropy(true)};
        for (Loss l : losses) {
            Tensor y = l instanceof CategoricalCrossentropy ? oneHot(shape, 27) : labels01(shape, 27);
            check(l, randn(shape, 2, 28), y, perSample, null);
            check(l, randn(shape, 2, 29), y, perRow, null);
            check(l, randn(shape, 2, 30), y, null, mask);
            check(l, randn(shape, 2, 31), y, perSample, mask);
        }
        check(new SparseCategoricalCrossentropy(true), randn(shape, 2, 32), ids(new int[]{2, 3}, 4, 33), perSample, mask);
    }

    @Test
    void clippedProbabilitiesHaveZeroGradientLikeKeras() {
        // p below epsilon: the clip is active, the loss is flat there, and so is the gradient
        Tensor p = Tensor.of(new float[]{1e-9f, 0.5f}, 2, 1);
        Tensor y = Tensor.of(new float[]{1f, 1f}, 2, 1);
        Tensor g = Tensor.zeros(2, 1);
        new BinaryCrossentropy().forward(p, y, g);
        assertEquals(0f, g.data()[0]);
        assertEquals(-1.0 / 0.5 / 2, g.data()[1], 1e-6);
        // and the loss really is flat there: moving p within the clipped range changes nothing
        double before = new BinaryCrossentropy().forward(p, y, null);
        p.data()[0] = 5e-8f;
        assertEquals(before, new BinaryCrossentropy().forward(p, y, null));
    }

    // ---- the check ------------------------------------------------------------------------------

    static void check(Loss loss, Tensor pred, Tensor y, float[] w, float[] mask) {
        Tensor g = Tensor.zeros(pred.shape()).fill(123f);   // must be overwritten everywhere
        loss.forward(pred, y, w, mask, g);
        float[] p = pred.data();
        for (int i = 0; i < p.length; i++) {
            float keep = p[i];
            float up = (float) (keep + H), dn = (float) (keep - H);
            p[i] = up;
            double lp = loss.forward(pred, y, w, mask, null);
            p[i] = dn;
            double lm = loss.forward(pred, y, w, mask, null);
            p[i] = keep;
            double num = (lp - lm) / ((double) up - dn);
            double a = g.data()[i];
            if (!(Math.abs(a - num) <= 2e-5 + 1e-3 * Math.abs(num))) {
                fail(loss + " shape " + pred.shapeString() + (w != null ? " weighted" : "") + (mask != null ? " masked" : "")
                        + " grad[" + i + "]: analytic " + a + " vs numeric " + num);
            }
        }
    }

    static Tensor randn(int[] shape, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return t;
    }

    static Tensor probs(int[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) (0.05 + 0.9 * r.nextDouble());
        return t;
    }

    static Tensor labels01(int[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = r.nextInt(2);
        return t;
    }

    static Tensor oneHot(int[] shape, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        int c = shape[shape.length - 1];
        for (int row = 0; row < t.size() / c; row++) t.data()[row * c + r.nextInt(c)] = 1f;
        return t;
    }

    static Tensor ids(int[] shape, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = r.nextInt(classes);
        return t;
    }
}
