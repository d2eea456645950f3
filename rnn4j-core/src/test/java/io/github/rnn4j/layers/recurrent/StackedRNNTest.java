package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** StackedRNN: gradients, residual arithmetic against the layers run by hand, and shape errors. */
class StackedRNNTest {

    @Test
    void gradientsWithResidualAndMask() {
        StackedRNN s = new StackedRNN(new LSTM(3).returnSequences(true), new GRU(3).returnSequences(true),
                new SimpleRNN(3).returnSequences(true)).residual(true);
        s.build(new int[][]{{4, 2}}, 3);
        Tensor x = GradCheck.random(new SplittableRandom(1), 1f, 2, 4, 2);
        GradCheck.check(s, new Tensor[]{x}, Mask.fromLengths(4, 3, 4), false, null, 9);
    }

    @Test
    void residualEqualsLayersPlusInputs() {
        LSTM a = new LSTM(4).returnSequences(true);
        StackedRNN s = new StackedRNN(new LSTM(4).returnSequences(true), new LSTM(4).returnSequences(true)).residual(true);
        s.build(new int[][]{{5, 3}}, 11);
        a.build(new int[][]{{5, 3}}, 0);
        LSTM b2 = new LSTM(4).returnSequences(true);
        b2.build(new int[][]{{5, 4}}, 0);
        // copy the stack's weights into stand-alone layers
        for (int i = 0; i < 3; i++) {
            System.arraycopy(s.params().get(i).value(), 0, a.params().get(i).value(), 0, a.params().get(i).size());
            System.arraycopy(s.params().get(3 + i).value(), 0, b2.params().get(i).value(), 0, b2.params().get(i).size());
        }
        Tensor x = GradCheck.random(new SplittableRandom(2), 1f, 2, 5, 3);
        Tensor y0 = a.forward(new Tensor[]{x}, null, a.newFrame(), false)[0];
        Tensor y1 = b2.forward(new Tensor[]{y0}, null, b2.newFrame(), false)[0];
        float[] want = y1.data().clone();
        for (int i = 0; i < want.length; i++) want[i] += y0.data()[i];
        Tensor got = s.forward(new Tensor[]{x}, null, s.newFrame(), false)[0];
        assertArrayEquals(want, got.data(), 0f);
        assertEquals(4L * (3 * 4 + 4 * 4 + 4) + 4L * (4 * 4 + 4 * 4 + 4), s.countParams());
    }

    @Test
    void residualShapeMismatchIsClear() {
        StackedRNN s = new StackedRNN(new LSTM(4).returnSequences(true), new LSTM(5)).residual(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.build(new int[][]{{5, 3}}, 1));
        assertTrue(e.getMessage().contains("residual") && e.getMessage().contains("(None, 5, 4)"), e.getMessage());
        Layer bad = new LSTM(4);
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> new StackedRNN(bad, new LSTM(3)));
        assertTrue(e2.getMessage().contains("returnSequences"), e2.getMessage());
    }
}
