package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link Layer.Frame#inputGradients}: a frame that does not want the gradient of its sequence
 * input gets null in its place, and the weight gradients (and the initial states' gradients,
 * still wanted) are the bits of a backward that made every input gradient. Each case runs the
 * same layer twice on the same input, once with each kind of frame.
 */
class InputGradientsTest {
    private static final int B = 3, T = 6, F = 5, H = 8;

    /** Backward of one forward; returns {returned input gradients..., then each parameter's gradient}. */
    private static Tensor[] sweep(Layer l, Tensor[] in, Tensor[] dy, boolean wantX) {
        Layer.Frame f = l.newFrame();
        if (!wantX) f.inputGradients(false);
        l.forward(in, null, f, true);
        l.zeroGrads();
        Tensor[] g = l.backward(dy, f);
        float[][] w = RecurrentTesting.grads(l);
        Tensor[] out = new Tensor[g.length + w.length];
        System.arraycopy(g, 0, out, 0, g.length);
        for (int i = 0; i < w.length; i++) out[g.length + i] = Tensor.of(w[i], w[i].length);
        return out;
    }

    private static void assertSkipsOnlyX(String what, Tensor[] all, Tensor[] noX) {
        assertEquals(all.length, noX.length, what);
        assertNotNull(all[0], what + ": dx when wanted");
        assertNull(noX[0], what + ": dx when not wanted");
        for (int i = 1; i < all.length; i++) {
            assertArrayEquals(all[i].data(), noX[i].data(), what + ": gradient " + i + " (states, then weights) changed");
        }
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void aRecurrentLayerSkipsOnlyTheSequencesGradient(Cell cell) {
        Recurrent<?> l = build(cell.create(H).returnSequences(true), F, true, 5);
        SplittableRandom r = new SplittableRandom(3);
        Tensor[] in = new Tensor[1 + l.stateCount()];
        in[0] = random(r, 1f, B, T, F);
        for (int i = 1; i < in.length; i++) in[i] = random(r, 0.5f, B, H);
        Tensor[] dy = {random(r, 1f, B, T, H)};
        assertSkipsOnlyX(cell.toString(), sweep(l, in, dy, true), sweep(l, in, dy, false));
    }

    @Test
    void bidirectionalPassesItOnToBothDirections() {
        Bidirectional bi = new Bidirectional(new LSTM(H).returnSequences(true));
        bi.build(new int[][]{{-1, F}}, 7);
        SplittableRandom r = new SplittableRandom(4);
        Tensor[] in = {random(r, 1f, B, T, F)};
        Tensor[] dy = {random(r, 1f, B, T, 2 * H)};
        assertSkipsOnlyX("Bidirectional(LSTM)", sweep(bi, in, dy, true), sweep(bi, in, dy, false));
    }

    @Test
    void stackedRnnPassesItOnToItsFirstLayer() {
        StackedRNN s = new StackedRNN(new LSTM(H).returnSequences(true), new GRU(H).returnSequences(true)).residual(true);
        s.build(new int[][]{{-1, F}}, 9);
        SplittableRandom r = new SplittableRandom(6);
        Tensor[] in = {random(r, 1f, B, T, F)};
        Tensor[] dy = {random(r, 1f, B, T, H)};
        assertSkipsOnlyX("StackedRNN(LSTM, GRU)", sweep(s, in, dy, true), sweep(s, in, dy, false));
    }

    @Test
    void denseSkipsIt() {
        Dense d = new Dense(4);
        d.build(new int[][]{{T, F}}, 8);
        SplittableRandom r = new SplittableRandom(5);
        Tensor[] in = {random(r, 1f, B, T, F)};
        Tensor[] dy = {random(r, 1f, B, T, 4)};
        assertSkipsOnlyX("Dense", sweep(d, in, dy, true), sweep(d, in, dy, false));
    }
}
