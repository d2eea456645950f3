package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.assertClose;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.copyWeights;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.grads;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.reverseTime;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.run;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.sampleSteps;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Behaviour of the time loop in {@link Recurrent} that every cell shares: stateful operation
 * across calls, goBackwards, initial states, and the rejection of bad input (with messages that
 * name the layer and the shapes, and no change to the layer when a call is rejected, including
 * its carried states and its dropout generator), forward before build, and one frame reused
 * across calls of different sizes.
 *
 * <p>Each expectation is another run of the same layer (split in two calls, reversed input, zero
 * initial state), so this checks the bookkeeping of time and state, not the cell math.
 */
class RecurrentBehaviourTest {
    private static final int B = 3, T = 7, F = 3, H = 4;
    private static final double TOL = 1e-6;

    private static Tensor x(long seed, int nb, int nt) {
        return random(new SplittableRandom(seed), 1f, nb, nt, F);
    }

    /** Columns [t0, t0+len) of the time axis of a [B, T, F] tensor. */
    private static Tensor steps(Tensor x, int t0, int len) {
        int nb = x.dim(0), nf = x.dim(2);
        Tensor y = Tensor.zeros(nb, len, nf);
        for (int b = 0; b < nb; b++) System.arraycopy(sampleSteps(x, b, t0, len).data(), 0, y.data(), b * len * nf, len * nf);
        return y;
    }

    // ---- stateful ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void statefulTwoHalvesEqualOneCall(Cell cell) {
        Recurrent<?> whole = build(cell.create(H).returnSequences(true).returnState(true), F, false, 4);
        Recurrent<?> split = build(cell.create(H).returnSequences(true).returnState(true).stateful(true), F, false, 4);
        copyWeights(whole, split);
        Tensor x = x(1, B, T);
        Tensor[] w = run(whole, new Tensor[]{x}, null, false);
        int t1 = 3;
        Tensor[] a = run(split, new Tensor[]{steps(x, 0, t1)}, null, false);
        Tensor[] b = run(split, new Tensor[]{steps(x, t1, T - t1)}, null, false);
        for (int n = 0; n < B; n++) {
            assertClose("first half, sample " + n, w[0].data(), n * T * H, a[0].data(), n * t1 * H, t1 * H, TOL);
            assertClose("second half, sample " + n, w[0].data(), (n * T + t1) * H, b[0].data(), n * (T - t1) * H,
                    (T - t1) * H, TOL);
        }
        for (int i = 0; i < whole.stateCount(); i++) {
            assertClose("final state " + i, w[1 + i].data(), b[1 + i].data(), TOL);
            assertClose("carried state " + i, w[1 + i].data(), split.carriedStates()[i], TOL);
        }

        // resetStates: the next call starts from zeros again, as the first one did
        split.resetStates();
        assertNull(split.carriedStates());
        Tensor[] again = run(split, new Tensor[]{steps(x, 0, t1)}, null, false);
        assertArrayEquals(a[0].data(), again[0].data(), "after resetStates the first half must repeat exactly");
        // and without the reset the second half would have started elsewhere (the test can fail)
        Tensor[] fromZero = run(build(cell.create(H).returnSequences(true), F, false, 4),
                new Tensor[]{steps(x, t1, T - t1)}, null, false);
        assertFalse(Arrays.equals(fromZero[0].data(), b[0].data()), "the carried state made no difference");
    }

    @Test
    void statefulLayerRejectsBatchChangeWithoutReset() {
        Recurrent<?> l = build(new LSTM(H).stateful(true), F, false, 2);
        l.name("enc");
        run(l, new Tensor[]{x(1, B, T)}, null, false);
        float[][] before = l.carriedStates();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(l, new Tensor[]{x(2, B + 2, T)}, null, false));
        assertTrue(e.getMessage().contains(l.where()), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(B)) && e.getMessage().contains(String.valueOf(B + 2)),
                "message must give both batch sizes: " + e.getMessage());
        assertStatesEqual(before, l.carriedStates());
        l.resetStates();
        assertEquals(B + 2, run(l, new Tensor[]{x(2, B + 2, T)}, null, false)[0].dim(0));
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void carriedStatesRoundTrip(Cell cell) {
        Recurrent<?> l = build(cell.create(H).stateful(true).returnState(true), F, false, 6);
        assertNull(l.carriedStates(), "no carried states before the first batch");
        run(l, new Tensor[]{x(1, B, T)}, null, false);
        float[][] saved = l.carriedStates();
        assertEquals(l.stateCount(), saved.length);
        // the getter returns copies
        float[][] scratch = l.carriedStates();
        scratch[0][0] += 100f;
        assertEquals(saved[0][0], l.carriedStates()[0][0], "carriedStates() exposed its internal array");

        Tensor x2 = x(2, B, T);
        Tensor[] first = run(l, new Tensor[]{x2}, null, false);
        l.carriedStates(saved, B);
        assertStatesEqual(saved, l.carriedStates());
        Tensor[] second = run(l, new Tensor[]{x2}, null, false);
        for (int k = 0; k < first.length; k++) assertArrayEquals(first[k].data(), second[k].data(), "output " + k);
        // the setter copies too: changing the array afterwards changes nothing
        l.carriedStates(saved, B);
        saved[0][1] = 42f;
        assertFalse(l.carriedStates()[0][1] == 42f, "carriedStates(states, batch) kept a reference");

        // setting states that equal what a non-stateful layer is given as initial state gives the same output
        Recurrent<?> plain = build(cell.create(H).returnState(true), F, true, 6);
        copyWeights(l, plain);
        float[][] init = new float[l.stateCount()][];
        Tensor[] in = new Tensor[1 + l.stateCount()];
        in[0] = x2;
        for (int i = 0; i < init.length; i++) {
            in[1 + i] = random(new SplittableRandom(40 + i), 0.7f, B, H);
            init[i] = in[1 + i].data().clone();
        }
        l.carriedStates(init, B);
        assertArrayEquals(run(plain, in, null, false)[0].data(), run(l, new Tensor[]{x2}, null, false)[0].data());

        // bad shapes are refused and name the layer
        float[][] tooFew = new float[l.stateCount() - 1][];
        for (int i = 0; i < tooFew.length; i++) tooFew[i] = new float[B * H];
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> l.carriedStates(tooFew, B));
        assertTrue(e1.getMessage().contains(l.where()), e1.getMessage());
        float[][] wrongSize = new float[l.stateCount()][];
        for (int i = 0; i < wrongSize.length; i++) wrongSize[i] = new float[B * H + 1];
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> l.carriedStates(wrongSize, B));
        assertTrue(e2.getMessage().contains(l.where()) && e2.getMessage().contains(String.valueOf(B * H + 1)), e2.getMessage());
    }

    private static void assertStatesEqual(float[][] expected, float[][] actual) {
        assertNotNull(actual, "carried states disappeared");
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], actual[i], "state " + i);
    }

    // ---- goBackwards ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void goBackwardsEqualsForwardOnReversedInput(Cell cell) {
        for (boolean returnSequences : new boolean[]{true, false}) {
            Recurrent<?> back = build(cell.create(H).goBackwards(true).returnSequences(returnSequences).returnState(true),
                    F, false, 8);
            Recurrent<?> fwd = build(cell.create(H).returnSequences(returnSequences).returnState(true), F, false, 8);
            copyWeights(back, fwd);
            Tensor x = x(3, B, T), xr = reverseTime(x);
            Layer.Frame fb = back.newFrame(), ff = fwd.newFrame();
            Tensor[] yb = back.forward(new Tensor[]{x}, null, fb, false);
            Tensor[] yf = fwd.forward(new Tensor[]{xr}, null, ff, false);
            for (int k = 0; k < yb.length; k++) {
                assertClose("output " + k + " (returnSequences " + returnSequences + ")", yf[k].data(), yb[k].data(), TOL);
            }
            // and the input gradient comes back in the input's own time order
            Tensor[] dy = new Tensor[yb.length];
            SplittableRandom r = new SplittableRandom(12);
            for (int k = 0; k < dy.length; k++) dy[k] = random(r, 1f, yb[k].shape());
            back.zeroGrads();
            fwd.zeroGrads();
            Tensor dxb = back.backward(copies(dy), fb)[0];
            Tensor dxf = fwd.backward(copies(dy), ff)[0];
            assertClose("input gradient", reverseTime(dxf).data(), dxb.data(), TOL);
            for (int p = 0; p < back.params().size(); p++) {
                assertClose("gradient of " + back.params().get(p).name(), grads(fwd)[p], grads(back)[p], TOL);
            }
        }
        // the reversal is not a no-op on this data
        Recurrent<?> back = build(cell.create(H).goBackwards(true), F, false, 8);
        Recurrent<?> fwd = build(cell.create(H), F, false, 8);
        Tensor x = x(3, B, T);
        assertFalse(Arrays.equals(run(back, new Tensor[]{x}, null, false)[0].data(),
                run(fwd, new Tensor[]{x}, null, false)[0].data()));
    }

    // ---- initial state ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void initialState(Cell cell) {
        Recurrent<?> l = build(cell.create(H).returnSequences(true).returnState(true), F, true, 9);
        l.name("rnn");
        int ns = l.stateCount();
        Tensor x = x(4, B, T);
        Tensor[] zeros = new Tensor[1 + ns];
        zeros[0] = x;
        for (int i = 1; i <= ns; i++) zeros[i] = Tensor.zeros(B, H);
        Tensor[] none = run(l, new Tensor[]{x}, null, false);
        Tensor[] withZeros = run(l, zeros, null, false);
        for (int k = 0; k < none.length; k++) {
            assertArrayEquals(none[k].data(), withZeros[k].data(), "zero initial state differs from none, output " + k);
        }
        for (int i = 1; i <= ns; i++) {
            Tensor[] in = zeros.clone();
            in[i] = random(new SplittableRandom(50 + i), 0.5f, B, H);
            Tensor[] y = run(l, in, null, false);
            assertFalse(Arrays.equals(none[0].data(), y[0].data()), "initial state " + (i - 1) + " has no effect");
        }

        // wrong shapes: message names the layer and both shapes
        for (int[] bad : new int[][]{{B, H + 1}, {B + 1, H}, {B, H, 1}}) {
            Tensor[] in = zeros.clone();
            in[1] = Tensor.zeros(bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(l, in, null, false));
            String m = e.getMessage();
            assertTrue(m.contains(l.where()), m);
            assertTrue(m.contains(Arrays.toString(bad)), "message lacks the given shape " + Arrays.toString(bad) + ": " + m);
            assertTrue(m.contains("[" + B + ", " + H + "]"), "message lacks the expected shape: " + m);
        }
        // the wrong number of initial states
        if (ns == 2) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> run(l, new Tensor[]{x, Tensor.zeros(B, H)}, null, false));
            assertTrue(e.getMessage().contains(l.where()), e.getMessage());
        }
    }

    // ---- bad input ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void badInputIsRejectedAndChangesNothing(Cell cell) {
        Recurrent<?> l = build(cell.create(H).stateful(true).dropout(0.3).recurrentDropout(0.3).returnState(true),
                F, false, 10);
        l.name("bad");
        Recurrent<?> twin = build(cell.create(H).stateful(true).dropout(0.3).recurrentDropout(0.3).returnState(true),
                F, false, 10);
        Tensor x = x(5, B, T);
        run(l, new Tensor[]{x}, null, true);
        run(twin, new Tensor[]{x}, null, true);
        float[][] carried = l.carriedStates();
        float[][] weights = values(l);
        float[][] gradients = grads(l);

        expectRejected(l, "time length 0", () -> run(l, new Tensor[]{Tensor.zeros(B, 0, F)}, null, true), "[" + B + ", 0, " + F + "]");
        expectRejected(l, "batch 0", () -> run(l, new Tensor[]{Tensor.zeros(0, T, F)}, null, true), "[0, " + T + ", " + F + "]");
        expectRejected(l, "wrong feature count", () -> run(l, new Tensor[]{Tensor.zeros(B, T, F + 2)}, null, true),
                "[" + B + ", " + T + ", " + (F + 2) + "]", String.valueOf(F));
        expectRejected(l, "rank-2 input", () -> run(l, new Tensor[]{Tensor.zeros(B, F)}, null, true), "[" + B + ", " + F + "]");
        expectRejected(l, "mask of the wrong time length", () -> run(l, new Tensor[]{x}, Mask.fromLengths(T + 1, 1, 2, 3), true),
                "[" + B + ", " + (T + 1) + "]", x.shapeString());
        expectRejected(l, "mask of the wrong batch", () -> run(l, new Tensor[]{x}, Mask.fromLengths(T, 1, 2), true),
                "[2, " + T + "]", x.shapeString());
        expectRejected(l, "batch change without resetStates", () -> run(l, new Tensor[]{x(7, B + 1, T)}, null, true),
                "batch " + B, "batch " + (B + 1));

        // nothing changed: carried states, weights, gradients, and the dropout generator
        assertStatesEqual(carried, l.carriedStates());
        for (int p = 0; p < weights.length; p++) {
            assertArrayEquals(weights[p], l.params().get(p).value());
            assertArrayEquals(gradients[p], l.params().get(p).grad());
        }
        Tensor x2 = x(6, B, T);
        Tensor[] a = run(l, new Tensor[]{x2}, null, true);
        Tensor[] b = run(twin, new Tensor[]{x2}, null, true);
        for (int k = 0; k < a.length; k++) {
            assertArrayEquals(b[k].data(), a[k].data(), "the rejected calls changed the layer (output " + k + ")");
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void forwardBeforeBuildIsAClearError(Cell cell) {
        Recurrent<?> l = cell.create(H);
        l.name("early");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(l, new Tensor[]{x(1, B, T)}, null, false));
        assertTrue(e.getMessage().contains(l.where()) && e.getMessage().contains("not built"), e.getMessage());
    }

    // ---- one frame reused across calls of other sizes ------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Cell.class)
    void reusedFrameGivesWhatAFreshFrameGives(Cell cell) {
        Recurrent<?> l = build(cell.create(H).returnSequences(true).returnState(true).recurrentDropout(0.3), F, true, 14);
        Recurrent<?> twin = build(cell.create(H).returnSequences(true).returnState(true).recurrentDropout(0.3), F, true, 14);
        Layer.Frame shared = l.newFrame();
        SplittableRandom r = new SplittableRandom(15);
        // big masked training call, then smaller calls with and without mask / dropout / initial state
        int[][] sizes = {{5, 9}, {2, 3}, {4, 6}, {1, 1}, {5, 9}};
        for (int c = 0; c < sizes.length; c++) {
            int nb = sizes[c][0], nt = sizes[c][1];
            boolean training = c % 2 == 0, masked = c != 1, withState = c >= 2;
            Tensor[] in = new Tensor[withState ? 1 + l.stateCount() : 1];
            in[0] = random(r, 1f, nb, nt, F);
            for (int i = 1; i < in.length; i++) in[i] = random(r, 0.5f, nb, H);
            int[] lengths = new int[nb];
            for (int b = 0; b < nb; b++) lengths[b] = r.nextInt(nt + 1);
            Mask mask = masked ? Mask.fromLengths(nt, lengths) : null;
            Tensor[] a = l.forward(in, mask, shared, training);
            Layer.Frame fresh = twin.newFrame();
            Tensor[] b = twin.forward(in, mask, fresh, training);
            Tensor[] dy = new Tensor[a.length];
            for (int k = 0; k < a.length; k++) {
                assertArrayEquals(b[k].data(), a[k].data(), "call " + c + " output " + k);
                dy[k] = random(r, 1f, a[k].shape());
            }
            l.zeroGrads();
            twin.zeroGrads();
            Tensor[] ga = l.backward(copies(dy), shared);
            Tensor[] gb = twin.backward(copies(dy), fresh);
            for (int k = 0; k < ga.length; k++) assertArrayEquals(gb[k].data(), ga[k].data(), "call " + c + " input gradient " + k);
            for (int p = 0; p < l.params().size(); p++) {
                assertArrayEquals(grads(twin)[p], grads(l)[p], "call " + c + " gradient of " + l.params().get(p).name());
            }
        }
    }

    private static Tensor[] copies(Tensor[] t) {
        Tensor[] c = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) c[i] = t[i].copy();
        return c;
    }

    private static void expectRejected(Recurrent<?> l, String what, Executable call, String... mustContain) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what);
        String m = e.getMessage();
        assertTrue(m.contains(l.where()), what + ": message does not name the layer: " + m);
        for (String s : mustContain) assertTrue(m.contains(s), what + ": message lacks '" + s + "': " + m);
    }
}
