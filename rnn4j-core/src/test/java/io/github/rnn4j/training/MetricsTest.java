package io.github.rnn4j.training;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metrics against values computed by hand in the test, across batches, weights and resets. */
class MetricsTest {
    @Test
    void regressionMetricsAccumulateOverBatchesOfDifferentSize() {
        // batch 1: errors 1, -2 (rows of width 1); batch 2: errors 3, 0, -1
        Tensor p1 = Tensor.of(new float[]{1, 0}, 2, 1), y1 = Tensor.of(new float[]{0, 2}, 2, 1);
        Tensor p2 = Tensor.of(new float[]{3, 5, 0}, 3, 1), y2 = Tensor.of(new float[]{0, 5, 1}, 3, 1);
        Metric mae = Metrics.get("mae", null), mse = Metrics.get("mse", null), rmse = Metrics.get("rmse", null);
        for (Metric m : new Metric[]{mae, mse, rmse}) {
            assertEquals(0.0, m.result());
            m.update(p1, y1);
            m.update(p2, y2);
        }
        assertEquals((1 + 2 + 3 + 0 + 1) / 5.0, mae.result(), 1e-12);
        assertEquals((1 + 4 + 9 + 0 + 1) / 5.0, mse.result(), 1e-12);
        assertEquals(Math.sqrt(15 / 5.0), rmse.result(), 1e-12);
        assertEquals("mae", mae.name());
        assertEquals("rmse", rmse.name());
        mae.reset();
        assertEquals(0.0, mae.result());
        mae.update(p1, y1);
        assertEquals(1.5, mae.result(), 1e-12);
    }

    @Test
    void weightedMeanIsSumWeightedOverSumOfWeights() {
        Tensor p = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2, 1), y = Tensor.zeros(2, 2, 1);
        Metric mae = new Metrics.MeanAbsoluteError();
        mae.update(p, y, new float[]{1, 0, 1, 1});           // a timestep mask
        assertEquals((1 + 3 + 4) / 3.0, mae.result(), 1e-12);
        Metric m2 = new Metrics.MeanAbsoluteError();
        m2.update(p, y, new float[]{2, 1});                   // per-sample weights
        assertEquals((2 * (1 + 2) + 1 * (3 + 4)) / (2 * 2 + 1 * 2.0), m2.result(), 1e-12);
    }

    @Test
    void accuracies() {
        Metric bin = new Metrics.BinaryAccuracy();
        bin.update(Tensor.of(new float[]{0.9f, 0.2f, 0.6f, 0.5f}, 4, 1), Tensor.of(new float[]{1, 0, 0, 1}, 4, 1));
        assertEquals(0.5, bin.result(), 1e-12);   // 0.5 is not > 0.5

        Metric cat = new Metrics.CategoricalAccuracy();
        cat.update(Tensor.of(new float[][]{{0.1f, 0.7f, 0.2f}, {0.5f, 0.3f, 0.2f}, {0.2f, 0.2f, 0.6f}}),
                Tensor.of(new float[][]{{0, 1, 0}, {0, 1, 0}, {0, 0, 1}}));
        assertEquals(2 / 3.0, cat.result(), 1e-12);

        Metric sp = new Metrics.SparseCategoricalAccuracy();
        // (B=2, T=2, C=3) logits with (B, T) labels
        Tensor z = Tensor.of(new float[][][]{{{5, 1, 0}, {0, 2, 1}}, {{0, 0, 3}, {9, 0, 0}}});
        sp.update(z, Tensor.of(new float[]{0, 1, 2, 1}, 2, 2));
        assertEquals(0.75, sp.result(), 1e-12);
        sp.update(Tensor.of(new float[][]{{0, 1, 0}}).reshape(1, 1, 3), Tensor.of(new float[]{0}, 1, 1, 1));
        assertEquals(3 / 5.0, sp.result(), 1e-12);
    }

    @Test
    void accuracyResolvesLikeKerasCompile() {
        assertInstanceOf(Metrics.BinaryAccuracy.class, Metrics.accuracyFor(new int[]{8, 1}, new int[]{8, 1}, "accuracy"));
        assertInstanceOf(Metrics.SparseCategoricalAccuracy.class, Metrics.accuracyFor(new int[]{8}, new int[]{8, 5}, "accuracy"));
        assertInstanceOf(Metrics.SparseCategoricalAccuracy.class, Metrics.accuracyFor(new int[]{8, 20, 1}, new int[]{8, 20, 5}, "accuracy"));
        assertInstanceOf(Metrics.SparseCategoricalAccuracy.class, Metrics.accuracyFor(new int[]{8, 20}, new int[]{8, 20, 5}, "accuracy"));
        assertInstanceOf(Metrics.CategoricalAccuracy.class, Metrics.accuracyFor(new int[]{8, 5}, new int[]{8, 5}, "accuracy"));

        Metric acc = Metrics.get("accuracy", new SparseCategoricalCrossentropy(true));
        assertEquals("accuracy", acc.name());
        acc.update(Tensor.of(new float[][]{{1, 0}, {0, 1}}), Tensor.of(new float[]{0, 0}, 2));
        Metrics.Accuracy a = (Metrics.Accuracy) acc;
        assertInstanceOf(Metrics.SparseCategoricalAccuracy.class, a.resolved());
        assertEquals(0.5, acc.result(), 1e-12);

        assertInstanceOf(Metrics.BinaryAccuracy.class, Metrics.accuracyForLoss(new BinaryCrossentropy()));
        assertInstanceOf(Metrics.CategoricalAccuracy.class, Metrics.accuracyForLoss(new CategoricalCrossentropy()));
        assertInstanceOf(Metrics.SparseCategoricalAccuracy.class, Metrics.accuracyForLoss(new SparseCategoricalCrossentropy()));
        assertNull(Metrics.accuracyForLoss(new MeanSquaredError()));
    }

    @Test
    void perplexityIsExpOfMeanTokenCrossEntropy() {
        Tensor z1 = LossGradientTest.randn(new int[]{2, 3, 4}, 3, 1);
        Tensor y1 = LossGradientTest.ids(new int[]{2, 3}, 4, 2);
        Tensor z2 = LossGradientTest.randn(new int[]{1, 3, 4}, 3, 3);
        Tensor y2 = LossGradientTest.ids(new int[]{1, 3}, 4, 4);
        Metric ppl = Metrics.get("perplexity", new SparseCategoricalCrossentropy(true));
        assertTrue(((Metrics.Perplexity) ppl).fromLogits());
        ppl.update(z1, y1);
        ppl.update(z2, y2);
        // independent: mean over the 9 tokens of logsumexp(z) - z_label
        double sum = 0;
        Tensor[] zs = {z1, z2};
        Tensor[] ys = {y1, y2};
        for (int b = 0; b < 2; b++) {
            float[] z = zs[b].data(), y = ys[b].data();
            for (int r = 0; r < y.length; r++) {
                double se = 0;
                for (int c = 0; c < 4; c++) se += Math.exp(z[r * 4 + c]);
                sum += Math.log(se) - z[r * 4 + (int) y[r]];
            }
        }
        assertEquals(Math.exp(sum / 9), ppl.result(), 1e-9 * ppl.result());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ppl.update(z1, Tensor.of(new float[]{0, 1, 2, 3, 4, 0}, 2, 3)));
        assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("4 classes"), e.getMessage());

        // probabilities: perplexity of a uniform model over 4 classes is 4
        Metric pp = new Metrics.Perplexity(false);
        pp.update(Tensor.zeros(3, 4).fill(0.25f), Tensor.of(new float[]{0, 3, 1}, 3));
        assertEquals(4.0, pp.result(), 1e-6);
    }

    @Test
    void lossNamesAsMetricsAndUnknownNames() {
        Metric bce = Metrics.get("binary_crossentropy", null);
        Tensor p = Tensor.of(new float[]{0.8f, 0.3f}, 2, 1), y = Tensor.of(new float[]{1, 0}, 2, 1);
        bce.update(p, y);
        assertEquals(-(Math.log(0.8f) + Math.log(1 - 0.3f)) / 2, bce.result(), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> Metrics.get("auc", null));
        assertThrows(IllegalArgumentException.class, () -> new Metrics.MeanAbsoluteError().update(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
    }
}
