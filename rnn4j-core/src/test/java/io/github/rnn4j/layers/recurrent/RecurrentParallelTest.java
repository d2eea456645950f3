package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.VectorKernels;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.assertClose;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.copyWeights;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.sampleSteps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The time loop in phases of chunks claimed by the kernels' threads, with the recurrent kernel
 * packed once per call: checked at sizes where it really splits, both ways. Unit chunks: 40
 * units with 16-column panels make two chunks of 16 and 24 units, a ragged last panel. Row
 * chunks: batch 6 makes chunks of rows [0, 4) (one 4-row micro-kernel block) and [4, 6) (two
 * leftover rows). The reference is each sample run alone (batch 1: one part, no packing, the
 * plain GEMM path), which must give the same outputs, input gradients and summed weight
 * gradients, with a mask, backwards, and for every cell; and a finite-difference check with
 * dropout and recurrent dropout on at the split size.
 *
 * <p>The threshold below which a step is not worth splitting is lowered to 0 here, so that the
 * small layers of a fast test split too; the rows-per-thread threshold is set to force each split.
 *
 * <p>Under the plain kernels (the suite's second run) there is no pool and the loop runs as one
 * chunk; the same comparisons then check the one-chunk code path.
 */
class RecurrentParallelTest {
    private static final int NB = 6, NT = 5, NF = 7, NH = 40;

    @BeforeAll
    static void splitEvenTinySteps() {
        Recurrent.parallelStepMinMacs = 0;
    }

    @AfterAll
    static void restoreThreshold() {
        Recurrent.parallelStepMinMacs = Recurrent.PARALLEL_STEP_MIN_MACS;
        Recurrent.rowSplitMinRows = Recurrent.ROW_SPLIT_MIN_ROWS;
    }

    /** Forces the row split (true) or the unit split (false) for the test's batch of 6. */
    private static void splitRows(boolean rows) {
        Recurrent.rowSplitMinRows = rows ? 1 : 1000;
    }

    /** On a pool of two or more threads, the layer must split the batch as asked, in two chunks. */
    private static void assertSplit(Recurrent<?> l, int nb, boolean rows) {
        if (Kernels.get() instanceof VectorKernels v && v.threads() >= 2) {
            assertEquals(2, l.timeLoopChunks(nb), "the batch must run in two chunks");
            assertEquals(rows, l.timeLoopSplitsRows(nb), rows ? "chunks of rows" : "chunks of units");
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void splitBatchMatchesEachSampleAlone(Cell cell) {
        for (boolean rows : new boolean[]{false, true}) {
            splitRows(rows);
            splitBatchMatchesEachSampleAlone(cell, rows);
        }
    }

    private void splitBatchMatchesEachSampleAlone(Cell cell, boolean rows) {
        for (boolean goBackwards : new boolean[]{false, true}) {
            Recurrent<?> l = build(cell.create(NH).returnSequences(true).goBackwards(goBackwards), NF, false, 5);
            assertSplit(l, NB, rows);
            SplittableRandom r = new SplittableRandom(11);
            Tensor x = random(r, 1f, NB, NT, NF);
            int[] lengths = {5, 3, 5, 1, 4, 5};
            Mask mask = Mask.fromLengths(NT, lengths);
            Tensor dy = random(r, 1f, NB, NT, NH);
            // no gradient into masked steps (their outputs repeat the last valid one, which the
            // sample run alone does not have)
            for (int b = 0; b < NB; b++) {
                java.util.Arrays.fill(dy.data(), (b * NT + lengths[b]) * NH, (b + 1) * NT * NH, 0f);
            }

            Layer.Frame f = l.newFrame();
            Tensor y = l.forward(new Tensor[]{x}, mask, f, false)[0];
            l.zeroGrads();
            Tensor dx = l.backward(new Tensor[]{dy}, f)[0];
            float[][] gBatch = RecurrentTesting.grads(l);

            Recurrent<?> one = build(cell.create(NH).returnSequences(true).goBackwards(goBackwards), NF, false, 5);
            copyWeights(l, one);
            one.zeroGrads();
            Recurrent.parallelStepMinMacs = Recurrent.PARALLEL_STEP_MIN_MACS;
            assertEquals(1, one.timeLoopChunks(1), "a sample alone runs as one chunk");
            for (int b = 0; b < NB; b++) {
                // a sample alone, cut to its length, is the reference for its row of the padded batch
                int len = lengths[b];
                Tensor xb = sampleSteps(x, b, 0, len);
                Tensor dyb = Tensor.zeros(1, len, NH);
                // goBackwards outputs come in processing order: the valid ones first in the
                // padded run only when the padding is at the end of processing, so compare the
                // un-padded samples there and every sample forwards
                if (goBackwards && len != NT) continue;
                System.arraycopy(dy.data(), b * NT * NH, dyb.data(), 0, len * NH);
                Layer.Frame fb = one.newFrame();
                Tensor yb = one.forward(new Tensor[]{xb}, null, fb, false)[0];
                Tensor dxb = one.backward(new Tensor[]{dyb}, fb)[0];
                assertClose(cell + " rows=" + rows + " back=" + goBackwards + " output of sample " + b, yb.data(), 0, y.data(), b * NT * NH,
                        len * NH, 2e-6);
                assertClose(cell + " rows=" + rows + " back=" + goBackwards + " dx of sample " + b, dxb.data(), 0, dx.data(), b * NT * NF,
                        len * NF, 2e-5);
            }
            Recurrent.parallelStepMinMacs = 0;
            if (!goBackwards) {
                float[][] gRows = RecurrentTesting.grads(one);
                for (int i = 0; i < gBatch.length; i++) {
                    assertClose(cell + " rows=" + rows + " weight gradient " + l.params().get(i).name(), gRows[i], gBatch[i], 1e-4);
                }
            }
        }
    }

    /**
     * "Same seed, same bits" whatever the thread count: the batch split into row chunks, into
     * unit chunks, or run as one chunk gives bit-identical outputs, input gradients and weight
     * gradients (each element is computed by the same code whichever chunk holds it).
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void rowChunksUnitChunksAndOneChunkGiveTheSameBits(Cell cell) {
        float[][][] runs = new float[3][][];
        for (int mode = 0; mode < 3; mode++) {
            splitRows(mode == 0);
            if (mode == 2) Recurrent.parallelStepMinMacs = Long.MAX_VALUE;   // one chunk
            Recurrent<?> l = build(cell.create(NH).returnSequences(true), NF, false, 5);
            if (Kernels.get() instanceof VectorKernels v && v.threads() >= 2) {
                assertEquals(mode == 2 ? 1 : 2, l.timeLoopChunks(NB), "mode " + mode);
            }
            SplittableRandom r = new SplittableRandom(21);
            Tensor x = random(r, 1f, NB, NT, NF);
            Tensor dy = random(r, 1f, NB, NT, NH);
            Layer.Frame f = l.newFrame();
            Tensor y = l.forward(new Tensor[]{x}, Mask.fromLengths(NT, 5, 3, 5, 1, 4, 5), f, true)[0];
            l.zeroGrads();
            Tensor dx = l.backward(new Tensor[]{dy}, f)[0];
            float[][] g = RecurrentTesting.grads(l);
            runs[mode] = new float[2 + g.length][];
            runs[mode][0] = y.data();
            runs[mode][1] = dx.data();
            System.arraycopy(g, 0, runs[mode], 2, g.length);
            Recurrent.parallelStepMinMacs = 0;
        }
        for (int mode = 1; mode < 3; mode++) {
            for (int i = 0; i < runs[0].length; i++) {
                assertArrayEquals(runs[0][i], runs[mode][i],
                        cell + ": array " + i + " (0 output, 1 dx, then weight gradients) differs in mode " + mode);
            }
        }
    }

    /**
     * Rows handed from a slow thread to a fast one in the middle of the sequence (RowQueue: the
     * thread that finishes its rows steals half of the other's at a step boundary) give the bits
     * of the same call without a steal: outputs, final states, input and weight gradients, with
     * a mask and recurrent dropout, in the forward and the backward time loop. In the first run
     * the test hook holds part 0's first step until part 1 has run out of rows and taken some of
     * part 0's; the second run, unhooked, is the reference (its own steals, if any, are the
     * machine's). Under the plain kernels (no pool) both runs
     * are one chunk on one thread and only the comparison is made.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void rowsStolenMidSequenceGiveTheBitsOfAnUndisturbedRun(Cell cell) {
        int nb = 24, nt = 12;
        splitRows(true);
        boolean pooled = Kernels.get() instanceof VectorKernels v && v.threads() >= 2;
        float[][][] runs = new float[2][][];
        try {
            for (int run = 0; run < 2; run++) {
                Recurrent<?> l = build(cell.create(NH).returnSequences(true).returnState(true).recurrentDropout(0.3),
                        NF, false, 12);
                if (pooled) assertTrue(l.timeLoopSplitsRows(nb), "row chunks");
                SplittableRandom r = new SplittableRandom(51);
                Tensor x = random(r, 1f, nb, nt, NF);
                Tensor dy = random(r, 1f, nb, nt, NH);
                int[] lengths = new int[nb];
                for (int b = 0; b < nb; b++) lengths[b] = 1 + (b * 5) % nt;
                // part 1's first step waits until part 0 holds its rows (else a late caller would
                // find them taken whole); part 0's first step waits until part 1, out of rows, has
                // taken some of them (each wait gives up after 2 s, so a thread that never comes
                // fails the steal assertions below, not the build by a hang)
                Layer.Frame f = l.newFrame();
                AtomicIntegerArray seen = new AtomicIntegerArray(2);
                Recurrent.rowStepHook = run == 0 ? part -> {
                    if (part > 1 || seen.getAndIncrement(part) > 0) return;
                    long end = System.nanoTime() + 2_000_000_000L;
                    while (System.nanoTime() < end) {
                        if (part == 1 ? seen.get(0) > 0 : Recurrent.lastRowSteals(f) > 0) break;
                        Thread.onSpinWait();
                    }
                } : null;
                Tensor[] out = l.forward(new Tensor[]{x}, Mask.fromLengths(nt, lengths), f, true);
                int forwardSteals = Recurrent.lastRowSteals(f);
                l.zeroGrads();
                seen.set(0, 0);
                seen.set(1, 0);
                Tensor[] douts = new Tensor[out.length];
                douts[0] = dy;
                Tensor dx = l.backward(douts, f)[0];
                if (run == 0 && pooled) {
                    assertTrue(forwardSteals >= 1, cell + ": the held-up forward must move rows");
                    assertTrue(Recurrent.lastRowSteals(f) >= 1, cell + ": the held-up backward must move rows");
                }
                float[][] g = RecurrentTesting.grads(l);
                runs[run] = new float[out.length + 1 + g.length][];
                for (int i = 0; i < out.length; i++) runs[run][i] = out[i].data();
                runs[run][out.length] = dx.data();
                System.arraycopy(g, 0, runs[run], out.length + 1, g.length);
            }
        } finally {
            Recurrent.rowStepHook = null;
        }
        for (int i = 0; i < runs[0].length; i++) {
            assertArrayEquals(runs[1][i], runs[0][i],
                    cell + ": array " + i + " (outputs and states, dx, then weight gradients)");
        }
    }

    /**
     * A frame marked inferenceOnly keeps one step of gate activations instead of every step's,
     * and two states instead of T + 1: its inference forward gives the bits of a plain frame's
     * (outputs and final states, with the whole sequence or the last output; with a mask; split
     * by rows, by units, or one chunk; then again at another batch size on the same frames), a
     * backward after it fails with the layer's name, and a training forward on it still keeps
     * what backward needs (same gradients as a plain frame).
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void anInferenceOnlyFrameGivesTheSameBits(Cell cell) {
        for (int mode = 0; mode < 6; mode++) {
            splitRows(mode % 3 == 0);
            if (mode % 3 == 2) Recurrent.parallelStepMinMacs = Long.MAX_VALUE;
            boolean sequences = mode < 3;
            Recurrent<?> l = build(cell.create(NH).returnSequences(sequences).returnState(true), NF, false, 6);
            Layer.Frame plain = l.newFrame(), inference = l.newFrame().inferenceOnly(true);
            SplittableRandom r = new SplittableRandom(41);
            for (int nb : new int[]{NB, 4, NB}) {
                Tensor x = random(r, 1f, nb, NT, NF);
                int[] lengths = new int[nb];
                for (int b = 0; b < nb; b++) lengths[b] = 1 + (b * 3) % NT;
                Mask m = Mask.fromLengths(NT, lengths);
                Tensor[] want = l.forward(new Tensor[]{x}, m, plain, false);
                Tensor[] got = l.forward(new Tensor[]{x}, m, inference, false);
                for (int i = 0; i < want.length; i++) {
                    assertArrayEquals(want[i].data(), got[i].data(),
                            cell + " mode " + mode + " batch " + nb + " output " + i);
                }
            }
            // two states, not T + 1 (grown for the largest batch, never shrunk)
            float[] states = ((Recurrent.RecurrentFrame) inference).hAll;
            assertTrue(states.length <= 2 * Math.max(NB, 4) * NH, cell + ": " + states.length + " floats of states");
            Tensor x = random(r, 1f, NB, NT, NF);
            Tensor dy = sequences ? random(r, 1f, NB, NT, NH) : random(r, 1f, NB, NH);
            Layer.Frame f = inference;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> l.backward(new Tensor[]{dy}, f));
            assertTrue(e.getMessage().contains(l.where()), e.getMessage());
            float[][] grads = new float[2][];
            Layer.Frame[] frames = {plain, inference};
            for (int i = 0; i < 2; i++) {
                l.forward(new Tensor[]{x}, null, frames[i], true);
                l.zeroGrads();
                grads[i] = l.backward(new Tensor[]{dy}, frames[i])[0].data();
            }
            assertArrayEquals(grads[0], grads[1], cell + " mode " + mode + ": dx after a training forward");
            Recurrent.parallelStepMinMacs = 0;
        }
    }

    /**
     * The cells that fold the input projection into the step (SimpleRNN, LSTM) do it at batch 1
     * over the weights as they are and at batch 6 over the packed [kernel; U], the same sums in
     * the same order (F + H within one k slice): under the vector kernels a sample alone gives
     * the bits of its row in the batch, split into unit chunks or run as one chunk.
     */
    @ParameterizedTest
    @EnumSource(value = Cell.class, names = {"SIMPLE_RNN", "LSTM"})
    void aSampleAloneGivesTheBitsOfItsRowInAPackedBatch(Cell cell) {
        Recurrent<?> l = build(cell.create(NH).returnSequences(true), NF, false, 8);
        SplittableRandom r = new SplittableRandom(31);
        Tensor x = random(r, 1f, NB, NT, NF);
        float[] y = l.forward(new Tensor[]{x}, null, l.newFrame(), false)[0].data();
        boolean vector = Kernels.get() instanceof VectorKernels;
        for (long minMacs : new long[]{0, Long.MAX_VALUE}) {   // a sample alone in two unit chunks, then in one
            Recurrent.parallelStepMinMacs = minMacs;
            for (int b = 0; b < NB; b++) {
                float[] yb = l.forward(new Tensor[]{sampleSteps(x, b, 0, NT)}, null, l.newFrame(), false)[0].data();
                for (int i = 0; i < yb.length; i++) {
                    float want = y[b * NT * NH + i];
                    String what = cell + " sample " + b + " value " + i + " (chunks " + l.timeLoopChunks(1) + ")";
                    if (vector) {
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(yb[i]), what);
                    } else {
                        assertEquals(want, yb[i], 2e-6f, what);
                    }
                }
            }
        }
        Recurrent.parallelStepMinMacs = 0;
    }

    /**
     * Below batch 4, a long call of a layer with large weights packs them ({@code
     * Recurrent.PACK_MIN_ROW_STEPS}; the size threshold is lowered here so that a small layer
     * qualifies): a sample of {@code PACK_MIN_ROW_STEPS} steps gives the same output bits packed
     * as read in place (F + H within one k slice), and the same input and weight gradients
     * within float tolerance (the backward products sum in another order when packed). GRU,
     * whose candidate products are not fused, never packs below batch 4; nor does a call one
     * step shorter.
     */
    @ParameterizedTest
    @EnumSource(Cell.class)
    void aLongSampleGivesTheSameResultsPackedAsReadInPlace(Cell cell) {
        int nt = Recurrent.PACK_MIN_ROW_STEPS;
        Recurrent<?> l = build(cell.create(NH).returnSequences(true), NF, false, 9);
        SplittableRandom r = new SplittableRandom(41);
        Tensor x = random(r, 1f, 1, nt, NF);
        Tensor dy = random(r, 1f, 1, nt, NH);
        try {
            float[][] out = new float[2][], dx = new float[2][];
            float[][][] grads = new float[2][][];
            for (int packed = 0; packed < 2; packed++) {
                Recurrent.packMinWeightBytes = packed == 1 ? 0 : Long.MAX_VALUE;
                boolean fusesAll = cell == Cell.SIMPLE_RNN || cell == Cell.LSTM;
                assertEquals(packed == 1 && fusesAll, l.packs(1, nt, NF), cell + ": packs a long sample");
                assertEquals(false, l.packs(1, nt - 1, NF), cell + ": packs a sample one step shorter");
                Layer.Frame f = l.newFrame();
                out[packed] = l.forward(new Tensor[]{x}, null, f, false)[0].data();
                l.zeroGrads();
                dx[packed] = l.backward(new Tensor[]{dy}, f)[0].data();
                grads[packed] = RecurrentTesting.grads(l);
            }
            boolean vector = Kernels.get() instanceof VectorKernels;
            for (int i = 0; i < out[0].length; i++) {
                if (vector) {
                    assertEquals(Float.floatToRawIntBits(out[0][i]), Float.floatToRawIntBits(out[1][i]), cell + " output " + i);
                } else {
                    assertEquals(out[0][i], out[1][i], 2e-6f, cell + " output " + i);
                }
            }
            // 64 steps of backpropagation summed in another order: relative to the largest value
            assertClose(cell + " dx", dx[1], 0, dx[0], 0, dx[0].length, 2e-5 * (1 + maxAbs(dx[0])));
            for (int i = 0; i < grads[0].length; i++) {
                assertClose(cell + " weight gradient " + l.params().get(i).name(), grads[1][i], grads[0][i],
                        2e-5 * (1 + maxAbs(grads[0][i])));
            }
        } finally {
            Recurrent.packMinWeightBytes = Recurrent.PACK_MIN_WEIGHT_BYTES;
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void gradientIsRightWhenSplitWithDropout(Cell cell) {
        for (boolean rows : new boolean[]{false, true}) {
            splitRows(rows);
            gradientIsRightWhenSplitWithDropout(cell, rows);
        }
    }

    private void gradientIsRightWhenSplitWithDropout(Cell cell, boolean rows) {
        Recurrent<?> l = build(RecurrentDropoutTest.fixedMask(cell, 20).dropout(0.3).recurrentDropout(0.4)
                .returnSequences(true).returnState(true), NF, true, 23);
        SplittableRandom r = new SplittableRandom(3);
        int nt = 3;
        Tensor[] in = new Tensor[1 + l.stateCount()];
        in[0] = random(r, 1f, NB, nt, NF);
        for (int i = 1; i < in.length; i++) in[i] = random(r, 0.5f, NB, 20);
        assertSplit(l, NB, rows);
        GradCheck.check(l, in, Mask.fromLengths(nt, 3, 2, 3, 1, 3, 3), true, null, 9);
    }
}
