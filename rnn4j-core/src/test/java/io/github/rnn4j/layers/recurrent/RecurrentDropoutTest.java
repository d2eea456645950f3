package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.assertClose;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.copyWeights;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Dropout semantics of the recurrent layers (Keras's variational convention): inference ignores
 * dropout; one input mask and one recurrent mask per sequence batch, reused at every step and
 * redrawn for the next batch; kept values scaled by 1/(1-rate); the same seed gives the same
 * bits; and the gradient is right with both dropouts on.
 *
 * <p>The mask-structure tests use a SimpleRNN with linear activation and identity weights, so
 * the output shows the masks directly. The gradient test holds the masks fixed between the
 * finite-difference forward calls with a test-only subclass that re-seeds the layer's generator
 * before each forward; that changes which masks are drawn, never how they are used. Not tested
 * here: the statistics of the generator beyond a loose check that roughly {@code rate} is dropped.
 */
class RecurrentDropoutTest {
    private static final int B = 3, T = 5, F = 4, H = 4;

    private static Recurrent<?> withDropout(Cell cell, long seed, double rate, double recurrentRate) {
        return build(cell.create(H).dropout(rate).recurrentDropout(recurrentRate).returnSequences(true)
                .returnState(true), F, false, seed);
    }

    // ---- (a) inference ignores dropout ----------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void inferenceIgnoresDropout(Cell cell) {
        Recurrent<?> dropped = withDropout(cell, 3, 0.5, 0.4);
        Recurrent<?> plain = build(cell.create(H).returnSequences(true).returnState(true), F, false, 3);
        copyWeights(dropped, plain);
        Tensor x = random(new SplittableRandom(9), 1f, B, T, F);
        for (int call = 0; call < 3; call++) {
            Tensor[] a = run(dropped, new Tensor[]{x}, null, false);
            Tensor[] b = run(plain, new Tensor[]{x}, null, false);
            for (int k = 0; k < a.length; k++) assertArrayEquals(b[k].data(), a[k].data(), "output " + k);
        }
        // the same layer in training mode does drop something, so the comparison above means something
        Tensor[] t = run(dropped, new Tensor[]{x}, null, true);
        assertFalse(Arrays.equals(t[0].data(), run(plain, new Tensor[]{x}, null, false)[0].data()),
                "training output equals the no-dropout output: dropout never applied");
    }

    // ---- (b), (c) variational masks and 1/(1-rate) scaling -----------------------------------------

    /** SimpleRNN, linear, kernel = identity, no bias; recurrent kernel given. */
    private static SimpleRNN linearIdentity(int n, double rate, double recurrentRate, float recurrentDiag, long seed) {
        SimpleRNN l = (SimpleRNN) new SimpleRNN(n).activation("linear").useBias(false).dropout(rate)
                .recurrentDropout(recurrentRate).returnSequences(true);
        l.build(new int[][]{{-1, n}}, seed);
        float[] w = l.kernel().value(), u = l.recurrentKernel().value();
        Arrays.fill(w, 0f);
        Arrays.fill(u, 0f);
        for (int i = 0; i < n; i++) {
            w[i * n + i] = 1f;
            u[i * n + i] = recurrentDiag;
        }
        return l;
    }

    @Test
    void inputMaskIsTheSameAtEveryStepAndRedrawnPerBatch() {
        int nb = 8, nt = 6, n = 8;
        double rate = 0.25;
        float keep = (float) (1.0 / (1.0 - rate));
        SimpleRNN l = linearIdentity(n, rate, 0, 0f, 11);
        Tensor ones = Tensor.zeros(nb, nt, n).fill(1f);
        float[][] masks = new float[4][];
        int dropped = 0, total = 0;
        for (int batch = 0; batch < masks.length; batch++) {
            float[] y = run(l, new Tensor[]{ones}, null, true)[0].data();
            // with h[t] = x[t] * dropoutMask, the output at every step is the mask itself
            float[] m = new float[nb * n];
            for (int b = 0; b < nb; b++) {
                System.arraycopy(y, b * nt * n, m, b * n, n);
                for (int s = 1; s < nt; s++) {
                    assertClose("batch " + batch + " sample " + b + " step " + s + " vs step 0", y, b * nt * n,
                            y, (b * nt + s) * n, n, 0);
                }
            }
            for (float v : m) {
                if (v == 0f) {
                    dropped++;
                } else {
                    assertEquals(keep, v, 1e-6, "a kept value is scaled by 1/(1-rate)");
                }
                total++;
            }
            masks[batch] = m;
        }
        for (int i = 1; i < masks.length; i++) {
            assertFalse(Arrays.equals(masks[0], masks[i]), "batch " + i + " reused the mask of batch 0");
        }
        // the samples of one batch get their own masks, too
        boolean rowsDiffer = false;
        for (int b = 1; b < nb; b++) {
            rowsDiffer |= !Arrays.equals(Arrays.copyOfRange(masks[0], 0, n), Arrays.copyOfRange(masks[0], b * n, b * n + n));
        }
        assertTrue(rowsDiffer, "every sample of the batch got the same mask");
        double frac = dropped / (double) total;
        assertTrue(frac > 0.1 && frac < 0.4, "dropped fraction " + frac + " far from rate " + rate);
    }

    @Test
    void recurrentMaskIsTheSameAtEveryStepAndRedrawnPerBatch() {
        int nb = 8, nt = 5, n = 8;
        double rate = 0.5;
        float keep = 2f;
        // x = 1 at step 0 only, kernel = recurrent kernel = identity: h[0] = 1, h[t] = h[t-1] * m = m^t
        SimpleRNN l = linearIdentity(n, 0, rate, 1f, 12);
        Tensor pulse = Tensor.zeros(nb, nt, n);
        for (int b = 0; b < nb; b++) Arrays.fill(pulse.data(), b * nt * n, b * nt * n + n, 1f);
        float[][] masks = new float[3][];
        for (int batch = 0; batch < masks.length; batch++) {
            float[] y = run(l, new Tensor[]{pulse}, null, true)[0].data();
            float[] m = new float[nb * n];
            for (int b = 0; b < nb; b++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(1f, y[b * nt * n + j], 0f, "step 0 is not touched by recurrent dropout");
                    float mj = y[(b * nt + 1) * n + j];
                    assertTrue(mj == 0f || mj == keep, "recurrent mask entry " + mj + " is neither 0 nor 1/(1-rate)");
                    m[b * n + j] = mj;
                    for (int s = 2; s < nt; s++) {
                        float expect = (float) Math.pow(mj, s);
                        assertEquals(expect, y[(b * nt + s) * n + j], 1e-6,
                                "sample " + b + " unit " + j + " step " + s + ": a different recurrent mask was used");
                    }
                }
            }
            masks[batch] = m;
        }
        assertFalse(Arrays.equals(masks[0], masks[1]) && Arrays.equals(masks[1], masks[2]),
                "the recurrent mask was never redrawn");
        assertFalse(Arrays.equals(masks[0], masks[1]), "batch 1 reused the recurrent mask of batch 0");
    }

    // ---- (d) reproducibility ------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void sameSeedSameBitsOtherSeedOtherMasks(Cell cell) {
        Recurrent<?> a = withDropout(cell, 21, 0.3, 0.3);
        Recurrent<?> b = withDropout(cell, 21, 0.3, 0.3);
        // same weights, other seed: only the dropout masks can make its outputs differ
        Recurrent<?> c = withDropout(cell, 22, 0.3, 0.3);
        copyWeights(a, c);
        SplittableRandom r = new SplittableRandom(5);
        boolean anyDiffers = false;
        for (int batch = 0; batch < 4; batch++) {
            Tensor x = random(r, 1f, B, T, F);
            Tensor[] ya = run(a, new Tensor[]{x}, null, true);
            Tensor[] yb = run(b, new Tensor[]{x}, null, true);
            Tensor[] yc = run(c, new Tensor[]{x}, null, true);
            for (int k = 0; k < ya.length; k++) {
                assertArrayEquals(ya[k].data(), yb[k].data(), "batch " + batch + " output " + k + " not bit-identical");
            }
            anyDiffers |= !Arrays.equals(ya[0].data(), yc[0].data());
        }
        assertTrue(anyDiffers, "a different seed drew the same dropout masks for four batches");
        // and with dropout off in inference, the copied weights make c agree with a
        Tensor x = random(r, 1f, B, T, F);
        assertArrayEquals(run(a, new Tensor[]{x}, null, false)[0].data(), run(c, new Tensor[]{x}, null, false)[0].data());
    }

    // ---- (e) gradient with dropout on -----------------------------------------------------------------

    /** Test-only subclasses that draw the same masks at every forward (the generator is re-seeded). */
    static final class FixedMaskSimpleRNN extends SimpleRNN {
        FixedMaskSimpleRNN(int units) {
            super(units);
        }

        @Override
        public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
            rng = new SplittableRandom(1234);
            return super.forward(inputs, mask, frame, training);
        }
    }

    static final class FixedMaskLSTM extends LSTM {
        FixedMaskLSTM(int units) {
            super(units);
        }

        @Override
        public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
            rng = new SplittableRandom(1234);
            return super.forward(inputs, mask, frame, training);
        }
    }

    static final class FixedMaskGRU extends GRU {
        FixedMaskGRU(int units) {
            super(units);
        }

        @Override
        public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
            rng = new SplittableRandom(1234);
            return super.forward(inputs, mask, frame, training);
        }
    }

    static Recurrent<?> fixedMask(Cell cell, int units) {
        return switch (cell) {
            case SIMPLE_RNN -> new FixedMaskSimpleRNN(units);
            case LSTM -> new FixedMaskLSTM(units);
            case GRU_RESET_AFTER -> new FixedMaskGRU(units).resetAfter(true);
            case GRU_RESET_BEFORE -> new FixedMaskGRU(units).resetAfter(false);
        };
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void gradientIsRightWithDropoutOn(Cell cell) {
        int nb = 3, nt = 4, nf = 3, nh = 3;
        for (boolean goBackwards : new boolean[]{false, true}) {
            Recurrent<?> l = build(fixedMask(cell, nh).dropout(0.4).recurrentDropout(0.4).returnSequences(true)
                    .returnState(true).goBackwards(goBackwards), nf, true, 17);
            SplittableRandom r = new SplittableRandom(31);
            Tensor[] in = new Tensor[1 + l.stateCount()];
            in[0] = random(r, 1f, nb, nt, nf);
            for (int i = 1; i < in.length; i++) in[i] = random(r, 0.5f, nb, nh);
            Mask mask = Mask.fromLengths(nt, 4, 2, 3);

            // the hook really fixes the masks, and they really drop something
            Tensor[] t1 = run(l, in, mask, true), t2 = run(l, in, mask, true), inf = run(l, in, mask, false);
            assertArrayEquals(t1[0].data(), t2[0].data(), "masks not fixed by re-seeding");
            assertFalse(Arrays.equals(t1[0].data(), inf[0].data()), "dropout had no effect");
            // the recurrent mask alone must matter too: compare against input dropout only
            Recurrent<?> inputOnly = build(fixedMask(cell, nh).dropout(0.4).returnSequences(true).returnState(true)
                    .goBackwards(goBackwards), nf, true, 17);
            copyWeights(l, inputOnly);
            assertFalse(Arrays.equals(t1[0].data(), run(inputOnly, in, mask, true)[0].data()),
                    "recurrent dropout had no effect");

            GradCheck.check(l, in, mask, true, null, 77);
        }
    }

    @Test
    void gradCheckWouldSeeFreshMasksWithoutTheHook() {
        // guards the premise of the test above: a plain layer redraws its masks every forward call
        Recurrent<?> l = build(new SimpleRNN(H).dropout(0.5).returnSequences(true), F, false, 1);
        Tensor x = random(new SplittableRandom(2), 1f, B, T, F);
        float[] y1 = run(l, new Tensor[]{x}, null, true)[0].data();
        float[] y2 = run(l, new Tensor[]{x}, null, true)[0].data();
        if (Arrays.equals(y1, y2)) fail("two training calls drew the same masks");
    }
}
