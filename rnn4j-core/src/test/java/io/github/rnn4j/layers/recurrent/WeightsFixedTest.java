package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.copyWeights;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A frame that promises fixed weights ({@link Layer.Frame#weightsFixed}) packs the recurrent
 * weights once and reads the packed panels at every later call (a stateful stream of one-step
 * calls, which otherwise reads them in place): the outputs and carried states are those of an
 * ordinary frame, bit for bit, for every cell, at widths that do and do not fill whole column
 * panels, with and without a bias, on one step per call and on a few; after the weights change
 * in place, {@link Layer.Frame#weightsChanged} makes the frame pack them anew (same bits as an
 * ordinary frame again), and without it the frame keeps computing with the old ones, which
 * shows that the packs really are kept.
 */
class WeightsFixedTest {
    private static final int F = 7;

    private static List<Supplier<Recurrent<?>>> cells(int units) {
        return List.of(
                () -> new LSTM(units).stateful(true),
                () -> new LSTM(units).useBias(false).stateful(true),
                () -> new SimpleRNN(units).stateful(true),
                () -> new GRU(units).stateful(true),
                () -> new GRU(units).resetAfter(false).stateful(true));
    }

    @Test
    void aFixedWeightsFrameGivesTheBitsOfAnOrdinaryOne() {
        for (int units : new int[]{128, 40, 5}) {
            for (Supplier<Recurrent<?>> cell : cells(units)) {
                for (int seq : new int[]{1, 3}) {
                    Recurrent<?> plain = build(cell.get(), F, false, 11), fixed = build(cell.get(), F, false, 12);
                    copyWeights(plain, fixed);
                    String what = plain.className() + " " + plain.getConfig() + " units " + units + " seq " + seq;
                    Layer.Frame pf = plain.newFrame().inferenceOnly(true);
                    Layer.Frame ff = fixed.newFrame().inferenceOnly(true).weightsFixed(true);
                    SplittableRandom r = new SplittableRandom(units * 7L + seq);
                    for (int call = 0; call < 12; call++) {
                        Tensor x = random(r, 1f, 1, seq, F);
                        if (call == 6) {
                            // the weights change in place; the fixed frame is told
                            for (Recurrent<?> l : List.of(plain, fixed)) l.recurrentKernel().value()[3] += 0.25f;
                            for (Recurrent<?> l : List.of(plain, fixed)) l.kernel().value()[F + 1] -= 0.25f;
                            ff.weightsChanged();
                        }
                        Tensor want = plain.forward(new Tensor[]{x}, null, pf, false)[0];
                        Tensor got = fixed.forward(new Tensor[]{x}, null, ff, false)[0];
                        assertArrayEquals(want.data(), got.data(), what + ", call " + call);
                        assertArrayEquals(plain.carriedStates()[0], fixed.carriedStates()[0], what + ", state, call " + call);
                    }
                }
            }
        }
    }

    @Test
    void withoutBeingToldAFixedWeightsFrameKeepsTheOldWeights() {
        for (Supplier<Recurrent<?>> cell : cells(128)) {
            Recurrent<?> plain = build(cell.get(), F, false, 21), fixed = build(cell.get(), F, false, 22);
            copyWeights(plain, fixed);
            Layer.Frame pf = plain.newFrame().inferenceOnly(true);
            Layer.Frame ff = fixed.newFrame().inferenceOnly(true).weightsFixed(true);
            SplittableRandom r = new SplittableRandom(3);
            Tensor x = random(r, 1f, 1, 1, F);
            plain.forward(new Tensor[]{x}, null, pf, false);
            fixed.forward(new Tensor[]{x}, null, ff, false);
            for (Recurrent<?> l : List.of(plain, fixed)) {
                float[] u = l.recurrentKernel().value();
                for (int i = 0; i < u.length; i++) u[i] *= 0.5f;
            }
            x = random(r, 1f, 1, 1, F);
            Tensor want = plain.forward(new Tensor[]{x}, null, pf, false)[0];
            Tensor got = fixed.forward(new Tensor[]{x}, null, ff, false)[0];
            assertFalse(java.util.Arrays.equals(want.data(), got.data()), plain.className() + ": the packs were kept");
            // an ordinary call on the same frame computes with the weights as they are
            ff.weightsFixed(false);
            plain.resetStates();
            fixed.resetStates();
            assertArrayEquals(plain.forward(new Tensor[]{x}, null, pf, false)[0].data(),
                    fixed.forward(new Tensor[]{x}, null, ff, false)[0].data(), plain.className() + ", not fixed");
        }
    }
}
