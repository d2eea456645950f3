package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Activation;
import io.github.rnn4j.layers.Add;
import io.github.rnn4j.layers.Concatenate;
import io.github.rnn4j.layers.Conv1D;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Dropout;
import io.github.rnn4j.layers.Embedding;
import io.github.rnn4j.layers.Flatten;
import io.github.rnn4j.layers.GlobalAveragePooling1D;
import io.github.rnn4j.layers.GlobalMaxPooling1D;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Masking;
import io.github.rnn4j.layers.MaxPooling1D;
import io.github.rnn4j.layers.RepeatVector;
import io.github.rnn4j.layers.Reshape;
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
 * with one) and a batch of another size. Layers that keep outputs: the recurrent layers, Dense,
 * Bidirectional (every merge mode), Embedding, Dropout, Conv1D, the poolings, and the layers
 * that copy, combine or reshape (Activation, Masking, Flatten, Reshape, RepeatVector, Add,
 * Concatenate).
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

    @ParameterizedTest
    @EnumSource(Bidirectional.MergeMode.class)
    void bidirectionalReturnsItsKeptTensorsWithTheValuesOfANewFrame(Bidirectional.MergeMode mode) {
        for (boolean seq : new boolean[]{true, false}) {
            Bidirectional bi = new Bidirectional(new GRU(NH).returnSequences(seq), mode.kerasName());
            bi.build(new int[][]{{-1, NF}}, 11);
            SplittableRandom r = new SplittableRandom(13);
            Layer.Frame reused = bi.newFrame().reuseOutputs(true);
            Tensor[] before = null;
            for (int c = 0; c < 3; c++) {
                String what = mode + (seq ? " sequences" : " last") + " call " + c;
                Tensor x = random(r, 1f, 3, T, NF);
                Mask m = c == 1 ? Mask.fromLengths(T, 0, 6, 2) : null;
                Layer.Frame freshFrame = bi.newFrame();
                Tensor[] yFresh = bi.forward(new Tensor[]{x}, m, freshFrame, true);
                Tensor[] dy = new Tensor[yFresh.length];
                for (int i = 0; i < dy.length; i++) dy[i] = random(r, 1f, yFresh[i].shape());
                Tensor dxFresh = bi.backward(dy, freshFrame)[0];
                Tensor[] y = bi.forward(new Tensor[]{x}, m, reused, true);
                Tensor dx = bi.backward(dy, reused)[0];
                for (int i = 0; i < y.length; i++) assertArrayEquals(yFresh[i].data(), y[i].data(), what + ": output " + i);
                assertArrayEquals(dxFresh.data(), dx.data(), what + ": input gradient");
                if (before != null) {
                    assertSame(before[0], y[0], what + ": the kept output");
                    assertSame(before[before.length - 1], dx, what + ": the kept input gradient");
                }
                before = new Tensor[]{y[0], dx};
            }
        }
    }

    @Test
    void embeddingAndDropoutReturnTheirKeptTensorsWithTheValuesOfANewFrame() {
        Embedding emb = new Embedding(9, 4);
        emb.build(new int[][]{{T}}, 3);
        // two dropout layers built alike draw the same masks, call for call
        Dropout drop = new Dropout(0.4), twin = new Dropout(0.4);
        drop.build(new int[][]{{T, 4}}, 5);
        twin.build(new int[][]{{T, 4}}, 5);
        SplittableRandom r = new SplittableRandom(17);
        Layer.Frame ef = emb.newFrame().reuseOutputs(true), df = drop.newFrame().reuseOutputs(true);
        Tensor[] before = null;
        for (int c = 0; c < 4; c++) {
            String what = "call " + c;
            Tensor ids = Tensor.zeros(2, T);
            for (int i = 0; i < ids.size(); i++) ids.data()[i] = r.nextInt(9);
            Tensor e = emb.forward(new Tensor[]{ids}, null, ef, false)[0];
            assertArrayEquals(emb.forward(new Tensor[]{ids}, null, emb.newFrame(), false)[0].data(), e.data(), what + ": embedding");
            boolean training = c != 2;
            Layer.Frame tf = twin.newFrame();
            Tensor yTwin = twin.forward(new Tensor[]{e}, null, tf, training)[0];
            Tensor y = drop.forward(new Tensor[]{e}, null, df, training)[0];
            assertArrayEquals(yTwin.data(), y.data(), what + ": dropout output");
            Tensor dy = c == 3 ? null : random(r, 1f, 2, T, 4);
            Tensor dxTwin = twin.backward(new Tensor[]{dy}, tf)[0];
            Tensor dx = drop.backward(new Tensor[]{dy}, df)[0];
            assertArrayEquals(dxTwin.data(), dx.data(), what + ": dropout input gradient");
            if (before != null) {
                assertSame(before[0], e, what + ": the kept embedding");
                assertSame(before[1], y, what + ": the kept dropout output");
                assertSame(before[2], dx, what + ": the kept dropout input gradient");
            }
            before = new Tensor[]{e, y, dx};
        }
    }

    /** Conv1D (padded, its taps added into dx) and the global and max poolings (sums and winners). */
    @Test
    void convolutionAndPoolingReturnTheirKeptTensorsWithTheValuesOfANewFrame() {
        Layer[] layers = {new Conv1D(4, 3).padding("same"), new MaxPooling1D(2), new GlobalMaxPooling1D(),
            new GlobalAveragePooling1D()};
        for (Layer layer : layers) {
            layer.build(new int[][]{{T, NF}}, 19);
            SplittableRandom r = new SplittableRandom(23);
            Layer.Frame reused = layer.newFrame().reuseOutputs(true);
            Tensor[] before = null;
            for (int c = 0; c < 4; c++) {
                String what = layer.className() + " call " + c;
                Tensor x = random(r, 1f, 2, T, NF);
                Layer.Frame freshFrame = layer.newFrame();
                Tensor yFresh = layer.forward(new Tensor[]{x}, null, freshFrame, true)[0];
                Tensor dy = c == 2 ? null : random(r, 1f, yFresh.shape());
                Tensor dxFresh = layer.backward(new Tensor[]{dy}, freshFrame)[0];
                Tensor y = layer.forward(new Tensor[]{x}, null, reused, true)[0];
                Tensor dx = layer.backward(new Tensor[]{dy}, reused)[0];
                assertArrayEquals(yFresh.data(), y.data(), what + ": output");
                assertArrayEquals(dxFresh.data(), dx.data(), what + ": input gradient");
                if (before != null) {
                    assertSame(before[0], y, what + ": the kept output");
                    assertSame(before[1], dx, what + ": the kept input gradient");
                }
                before = new Tensor[]{y, dx};
            }
        }
    }

    /** Layers that copy, combine or reshape their inputs; a call without dy in the middle. */
    @Test
    void copyingCombiningAndReshapingLayersReturnTheirKeptTensorsWithTheValuesOfANewFrame() {
        Object[][] cases = {
            {new Activation("tanh"), new int[][]{{T, NF}}},
            {new Masking(0.0), new int[][]{{T, NF}}},
            {new Flatten(), new int[][]{{T, NF}}},
            {new Reshape(NF, T), new int[][]{{T, NF}}},
            {new RepeatVector(3), new int[][]{{NF}}},
            {new Add(), new int[][]{{T, NF}, {T, NF}}},
            {new Concatenate(), new int[][]{{T, NF}, {T, 2}}},
        };
        for (Object[] cs : cases) {
            Layer layer = (Layer) cs[0];
            int[][] shapes = (int[][]) cs[1];
            layer.build(shapes, 29);
            SplittableRandom r = new SplittableRandom(31);
            Layer.Frame reused = layer.newFrame().reuseOutputs(true);
            Tensor[] before = null;
            for (int c = 0; c < 4; c++) {
                String what = layer.className() + " call " + c;
                Tensor[] x = new Tensor[shapes.length];
                for (int i = 0; i < x.length; i++) {
                    int[] s = new int[shapes[i].length + 1];
                    s[0] = 2;
                    System.arraycopy(shapes[i], 0, s, 1, shapes[i].length);
                    x[i] = random(r, 1f, s);
                }
                if (layer instanceof Masking) {
                    // a fully masked step (all features equal to the mask value) in some calls
                    if (c % 2 == 1) java.util.Arrays.fill(x[0].data(), 0, NF, 0f);
                }
                Layer.Frame freshFrame = layer.newFrame();
                Tensor yFresh = layer.forward(x, null, freshFrame, true)[0];
                Tensor dy = c == 2 ? null : random(r, 1f, yFresh.shape());
                Tensor[] dxFresh = layer.backward(new Tensor[]{dy}, freshFrame);
                Tensor y = layer.forward(x, null, reused, true)[0];
                Tensor[] dx = layer.backward(new Tensor[]{dy}, reused);
                assertArrayEquals(yFresh.data(), y.data(), what + ": output");
                for (int i = 0; i < dx.length; i++) {
                    assertArrayEquals(dxFresh[i].data(), dx[i].data(), what + ": input gradient " + i);
                }
                if (before != null) {
                    assertSame(before[0], y, what + ": the kept output");
                    for (int i = 0; i < dx.length; i++) assertSame(before[1 + i], dx[i], what + ": the kept input gradient " + i);
                }
                before = new Tensor[1 + dx.length];
                before[0] = y;
                System.arraycopy(dx, 0, before, 1, dx.length);
            }
        }
    }
}
