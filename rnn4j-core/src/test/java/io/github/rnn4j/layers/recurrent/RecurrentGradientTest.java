package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.testing.GradCheck;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** Finite-difference gradient checks of the recurrent layers (see {@link GradCheck} for tolerances). */
class RecurrentGradientTest {
    private static final int B = 2, T = 4, F = 3, H = 3;

    private static Tensor x(long seed) {
        return GradCheck.random(new SplittableRandom(seed), 1f, B, T, F);
    }

    private static void checkAll(Recurrent layer, boolean withState, Mask mask) {
        int[][] shapes = new int[withState ? 1 + layer.stateCount() : 1][];
        shapes[0] = new int[]{T, F};
        for (int i = 1; i < shapes.length; i++) shapes[i] = new int[]{H};
        layer.build(shapes, 7);
        // non-zero biases so every bias path is exercised
        if (layer.bias() != null) {
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < layer.bias().size(); i++) layer.bias().value()[i] = (float) (r.nextDouble() - 0.5);
        }
        Tensor[] in = new Tensor[shapes.length];
        in[0] = x(11);
        for (int i = 1; i < in.length; i++) in[i] = GradCheck.random(new SplittableRandom(20 + i), 0.5f, B, H);
        GradCheck.check(layer, in, mask, false, null, 5);
    }

    @Test
    void simpleRnn() {
        checkAll(new SimpleRNN(H).returnSequences(true).returnState(true), true, null);
    }

    @Test
    void lstm() {
        checkAll(new LSTM(H).returnSequences(true).returnState(true), true, null);
    }

    @Test
    void gruResetAfter() {
        checkAll(new GRU(H).returnSequences(true).returnState(true), true, null);
    }

    @Test
    void gruResetBefore() {
        checkAll(new GRU(H).resetAfter(false).returnSequences(true).returnState(true), true, null);
    }

    /** Activations other than Keras's defaults take the cell updates' scalar definitions (Kernels' defaults). */
    @Test
    void otherActivations() {
        checkAll(new LSTM(H).activation("softsign").recurrentActivation("hard_sigmoid").returnSequences(true), false, null);
        checkAll(new GRU(H).activation("softsign").recurrentActivation("hard_sigmoid").returnSequences(true), false, null);
    }

    @Test
    void lastOutputGoBackwards() {
        checkAll(new LSTM(H).goBackwards(true), false, null);
        checkAll(new GRU(H).goBackwards(true).returnState(true), false, null);
    }

    @Test
    void masked() {
        Mask m = Mask.fromLengths(T, 2, 4);
        checkAll(new LSTM(H).returnSequences(true).returnState(true), true, m);
        checkAll((Recurrent) new GRU(H).resetAfter(false).returnState(true), false, m);
        checkAll(new SimpleRNN(H).returnSequences(true).zeroOutputForMask(true), false, m);
    }
}
