package io.github.rnn4j.training;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A large prediction's rows cut among the kernels' threads ({@link Loss#PARALLEL_MIN_VALUES})
 * give the bits of the same call on one thread: the loss value (row losses summed in row order)
 * and every gradient value, for each built-in loss, with per-sample weights, per-row weights and a
 * timestep mask that zeroes some rows. With the vector kernels (two threads) the cut path must
 * have run; with the plain ones (one thread) both calls run on one thread.
 */
class LossThreadsTest {
    @Test
    void rowsOnSeveralThreadsGiveTheOneThreadBits() {
        SplittableRandom r = new SplittableRandom(5);
        int b = 40, t = 30, v = 33;   // 1200 rows of 33: above the threshold
        Tensor logits = Tensor.zeros(b, t, v), probs = Tensor.zeros(b, t, v), ids = Tensor.zeros(b, t);
        Tensor onehot = Tensor.zeros(b, t, v), reg = Tensor.zeros(b, t, v), regTrue = Tensor.zeros(b, t, v);
        for (int i = 0; i < b * t; i++) {
            float sum = 0;
            for (int j = 0; j < v; j++) {
                logits.data()[i * v + j] = (float) r.nextGaussian() * 3;
                sum += probs.data()[i * v + j] = (float) r.nextDouble(0.01, 1);
                reg.data()[i * v + j] = (float) r.nextGaussian();
                regTrue.data()[i * v + j] = (float) r.nextGaussian();
            }
            for (int j = 0; j < v; j++) probs.data()[i * v + j] /= sum;
            int id = r.nextInt(v);
            ids.data()[i] = id;
            onehot.data()[i * v + id] = 1;
        }
        float[] perSample = new float[b], perRow = new float[b * t], mask = new float[b * t];
        for (int i = 0; i < b; i++) perSample[i] = (float) r.nextDouble(0, 2);
        for (int i = 0; i < b * t; i++) {
            perRow[i] = i % 7 == 0 ? 0 : (float) r.nextDouble(0, 2);
            mask[i] = i % 5 == 0 ? 0 : 1;
        }
        Object[][] cases = {
            {new SparseCategoricalCrossentropy(true), logits, ids},
            {new SparseCategoricalCrossentropy(false), probs, ids},
            {new CategoricalCrossentropy(true), logits, onehot},
            {new CategoricalCrossentropy(false, 0.1), probs, onehot},
            {new MeanSquaredError(), reg, regTrue},
            {new MeanAbsoluteError(), reg, regTrue},
            {new Huber(0.5), reg, regTrue},
        };
        boolean severalThreads = Kernels.get().threads() > 1;
        for (Object[] c : cases) {
            Loss loss = (Loss) c[0];
            Tensor p = (Tensor) c[1], y = (Tensor) c[2];
            for (float[][] wm : new float[][][]{{null, null}, {perSample, null}, {perRow, mask}}) {
                String what = loss.className() + (wm[0] == null ? "" : wm[0] == perSample ? " per-sample weights"
                        : " per-row weights and a mask");
                Tensor g1 = Tensor.zeros(b, t, v), g2 = Tensor.zeros(b, t, v);
                long saved = Loss.parallelMinValues;
                double one;
                try {
                    Loss.parallelMinValues = Long.MAX_VALUE;
                    one = loss.forward(p, y, wm[0], wm[1], g1);
                } finally {
                    Loss.parallelMinValues = saved;
                }
                int before = Loss.parallelCalls;
                double cut = loss.forward(p, y, wm[0], wm[1], g2);
                if (severalThreads) assertEquals(before + 1, Loss.parallelCalls, what + ": rows cut among threads");
                assertEquals(Double.doubleToRawLongBits(one), Double.doubleToRawLongBits(cut), what + ": loss " + one + " vs " + cut);
                assertArrayEquals(g1.data(), g2.data(), what + ": gradient");
                assertTrue(Double.isFinite(one) && one > 0, what);
            }
        }
    }
}
