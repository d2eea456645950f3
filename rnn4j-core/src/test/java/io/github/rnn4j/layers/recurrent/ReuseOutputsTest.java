package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
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
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Layer.Frame#reuseOutputs}: a frame that reuses its outputs returns the same tensors
 * from call to call (while the shapes stay), and every call's values are those of a new frame
 * that does not, bit for bit. The calls alternate inputs, masks that leave some outputs at zero
 * (after a call that wrote values there), a missing output gradient (zeros for dx after a call
 * with one) and a batch of another size.
 */
class ReuseOutputsTest {
    private static final int NF = 5, NH = 7, T = 6;

    /** One training call (forward, then backward when dy is given): the returned output and input gradient. */
    private static Tensor[] call(Layer l, Layer.Frame f, Tensor x, Mask m, Tensor dy) {
        Tensor y = l.forward(new Tensor[]{x}, m, f, dy != null)[0];
        Tensor dx = dy == null ? null : l.backward(new Tensor[]{dy}, f)[0];
        return new Tensor[]{y, dx};
    }

    @ParameterizedTest
    @EnumSource(Cell.class)
    void aRecurrentLayerReturnsItsKeptTensorsWithTheValuesOfANewFrame(Cell cell) {
        Recurrent<?> layer = build(cell.create(NH).returnSequences(true), NF, false, 3);
        SplittableRandom r = new SplittableRandom(5);
        int[] batches = {4, 4, 4, 3, 3};
        Mask[] masks = {null, Mask.fromLengths(T, 6, 2, 0, 4), null, null, Mask.fromLengths(T, 0, 6, 3)};
        Layer.Frame reused = layer.newFrame().reuseOutputs(true);
        Tensor[] before = null;
        for (int c = 0; c < batches.length; c++) {
            String what = cell + " call " + c;
            Tensor x = random(r, 1f, batches[c], T, NF), dy = random(r, 1f, batches[c], T, NH);
            Tensor[] fresh = call(layer, layer.newFrame(), x, masks[c], dy);
            layer.params().forEach(p -> java.util.Arrays.fill(p.grad(), 0f));
            Tensor[] got = call(layer, reused, x, masks[c], dy);
            layer.params().forEach(p -> java.util.Arrays.fill(p.grad(), 0f));
            assertArrayEquals(fresh[0].data(), got[0].data(), what + ": output");
            assertArrayEquals(fresh[1].data(), got[1].data(), what + ": input gradient");
            if (masks[c] != null) {
                // a masked call leaves zeros in outputs the call before it wrote (a sequence of
                // length 0 has no output to carry)
                boolean anyZeroRow = false;
                for (int i = 0; i < got[0].size(); i += NH) anyZeroRow |= got[0].data()[i] == 0f;
                assertTrue(anyZeroRow, what + ": the mask leaves some outputs at zero");
            }
            if (before != null && batches[c] == batches[c - 1]) {
                assertSame(before[0], got[0], what + ": the kept output");
                assertSame(before[1], got[1], what + ": the kept input gradient");
            } else if (before != null) {
                assertNotSame(before[0], got[0], what + ": a new output for another batch size");
            }
            before = got;
        }
    }

    @Test
    void aFrameWithoutThePromiseReturnsNewTensors() {
        Recurrent<?> layer = build(new LSTM(NH).returnSequences(true), NF, false, 3);
        Layer.Frame f = layer.newFrame();
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = random(r, 1f, 2, T, NF);
        Tensor y1 = layer.forward(new Tensor[]{x}, null, f, false)[0];
        Tensor y2 = layer.forward(new Tensor[]{x}, null, f, false)[0];
        assertNotSame(y1, y2);
        assertArrayEquals(y1.data(), y2.data());
        f.reuseOutputs(true);
        Tensor y3 = layer.forward(new Tensor[]{x}, null, f, false)[0];
        assertSame(y3, layer.forward(new Tensor[]{x}, null, f, false)[0]);
        f.reuseOutputs(false);
        assertNotSame(y3, layer.forward(new Tensor[]{x}, null, f, false)[0], "the promise withdrawn");
    }

    @Test
    void denseReturnsItsKeptTensorsWithTheValuesOfANewFrame() {
        Dense dense = new Dense(3);
        dense.build(new int[][]{{T, NF}}, 7);
        SplittableRandom r = new SplittableRandom(9);
        Layer.Frame reused = dense.newFrame().reuseOutputs(true);
        Tensor[] before = null;
        boolean[] withDy = {true, true, false, true};
        for (int c = 0; c < withDy.length; c++) {
            String what = "Dense call " + c;
            Tensor x = random(r, 1f, 2, T, NF);
            Tensor dy = withDy[c] ? random(r, 1f, 2, T, 3) : null;
            Layer.Frame freshFrame = dense.newFrame();
            Tensor yFresh = dense.forward(new Tensor[]{x}, null, freshFrame, true)[0];
            Tensor dxFresh = dense.backward(new Tensor[]{dy}, freshFrame)[0];
            Tensor y = dense.forward(new Tensor[]{x}, null, reused, true)[0];
            Tensor dx = dense.backward(new Tensor[]{dy}, reused)[0];
            assertArrayEquals(yFresh.data(), y.data(), what + ": output");
            assertArrayEquals(dxFresh.data(), dx.data(), what + ": input gradient");
            if (!withDy[c]) {
                for (float v : dx.data()) assertEquals(0f, v, what + ": no output gradient, zeros");
            }
            if (before != null) {
                assertSame(before[0], y, what + ": the kept output");
                assertSame(before[1], dx, what + ": the kept input gradient");
            }
            before = new Tensor[]{y, dx};
        }
        reused.inputGradients(false);
        assertNull(dense.backward(new Tensor[]{random(r, 1f, 2, T, 3)}, reused)[0], "no input gradient wanted");
    }
}
