package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static io.github.rnn4j.layers.LayersGradientTest.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * outputShapes() (per sample, -1 for unknown time) agrees with the shapes forward produces,
 * and parameter shapes follow Keras's layouts.
 */
class LayersShapeTest {
    private static final int B = 2;

    /** Builds with {@code built}, runs on a batch of per-sample shape {@code actual}, compares. */
    private static void check(Layer l, int[] built, int[] actual, int[] expectedPerSample) {
        l.build(new int[][]{built}, 1);
        int[] declared = l.outputShapes(new int[][]{built})[0];
        int[] full = new int[actual.length + 1];
        full[0] = B;
        System.arraycopy(actual, 0, full, 1, actual.length);
        Tensor y = l.forward(new Tensor[]{ids(l, full)}, null, l.newFrame(), false)[0];
        int[] got = y.shape();
        assertEquals(declared.length + 1, got.length, l + " rank");
        assertEquals(B, got[0]);
        for (int i = 0; i < declared.length; i++) {
            if (declared[i] >= 0) assertEquals(declared[i], got[i + 1], l + " axis " + i);
            assertEquals(expectedPerSample[i], got[i + 1], l + " axis " + i);
        }
    }

    private static Tensor ids(Layer l, int[] full) {
        return l instanceof Embedding ? Tensor.zeros(full).fill(1f) : rand(3, full);
    }

    @Test
    void singleInputLayers() {
        check(new Dense(5), new int[]{3}, new int[]{3}, new int[]{5});
        check(new Dense(5), new int[]{-1, 3}, new int[]{7, 3}, new int[]{7, 5});
        check(new Activation("tanh"), new int[]{-1, 3}, new int[]{4, 3}, new int[]{4, 3});
        check(new TimeDistributed(new Dense(2)), new int[]{-1, 3}, new int[]{6, 3}, new int[]{6, 2});
        check(new Embedding(4, 3), new int[]{-1}, new int[]{5}, new int[]{5, 3});
        check(new Dropout(0.3), new int[]{-1, 3}, new int[]{5, 3}, new int[]{5, 3});
        check(new Masking(), new int[]{-1, 3}, new int[]{5, 3}, new int[]{5, 3});
        check(new Conv1D(4, 3), new int[]{-1, 2}, new int[]{9, 2}, new int[]{7, 4});
        check(new Conv1D(4, 3).padding("same"), new int[]{9, 2}, new int[]{9, 2}, new int[]{9, 4});
        check(new Conv1D(4, 3).padding("causal").strides(2), new int[]{9, 2}, new int[]{9, 2}, new int[]{5, 4});
        check(new Conv1D(4, 3).strides(2), new int[]{9, 2}, new int[]{9, 2}, new int[]{4, 4});
        check(new Conv1D(4, 3).dilationRate(3), new int[]{9, 2}, new int[]{9, 2}, new int[]{3, 4});
        check(new MaxPooling1D(2), new int[]{-1, 2}, new int[]{9, 2}, new int[]{4, 2});
        check(new MaxPooling1D(2).padding("same"), new int[]{9, 2}, new int[]{9, 2}, new int[]{5, 2});
        check(new MaxPooling1D(3).strides(1), new int[]{9, 2}, new int[]{9, 2}, new int[]{7, 2});
        check(new GlobalAveragePooling1D(), new int[]{-1, 3}, new int[]{4, 3}, new int[]{3});
        check(new GlobalAveragePooling1D().keepdims(true), new int[]{4, 3}, new int[]{4, 3}, new int[]{1, 3});
        check(new GlobalMaxPooling1D(), new int[]{4, 3}, new int[]{4, 3}, new int[]{3});
        check(new Flatten(), new int[]{4, 3}, new int[]{4, 3}, new int[]{12});
        check(new Flatten(), new int[]{-1, 3}, new int[]{5, 3}, new int[]{15});
        check(new RepeatVector(6), new int[]{3}, new int[]{3}, new int[]{6, 3});
        check(new Reshape(3, -1), new int[]{4, 3}, new int[]{4, 3}, new int[]{3, 4});
    }

    @Test
    void unknownTimeStaysUnknown() {
        assertArrayEquals(new int[]{-1, 4}, new Conv1D(4, 3).outputShapes(new int[][]{{-1, 2}})[0]);
        assertArrayEquals(new int[]{-1, 2}, new MaxPooling1D(2).outputShapes(new int[][]{{-1, 2}})[0]);
        assertArrayEquals(new int[]{-1}, new Flatten().outputShapes(new int[][]{{-1, 2}})[0]);
        assertArrayEquals(new int[]{-1, 5}, new Concatenate().outputShapes(new int[][]{{-1, 2}, {-1, 3}})[0]);
        assertArrayEquals(new int[]{-1, 2}, new Concatenate(1).outputShapes(new int[][]{{4, 2}, {-1, 2}})[0]);
    }

    @Test
    void multiInputLayers() {
        Concatenate c = new Concatenate(-2);
        c.build(new int[][]{{2, 3}, {4, 3}}, 1);
        assertArrayEquals(new int[]{6, 3}, c.outputShapes(new int[][]{{2, 3}, {4, 3}})[0]);
        Tensor y = c.forward(new Tensor[]{rand(1, B, 2, 3), rand(2, B, 4, 3)}, null, c.newFrame(), false)[0];
        assertArrayEquals(new int[]{B, 6, 3}, y.shape());
        Add a = new Add();
        a.build(new int[][]{{-1, 3}, {-1, 3}}, 1);
        assertArrayEquals(new int[]{-1, 3}, a.outputShapes(new int[][]{{-1, 3}, {-1, 3}})[0]);
    }

    @Test
    void kerasParameterLayouts() {
        Conv1D c = new Conv1D(5, 3);
        c.build(new int[][]{{-1, 2}}, 1);
        assertArrayEquals(new int[]{3, 2, 5}, c.kernel().shape());
        assertArrayEquals(new int[]{5}, c.bias().shape());
        assertEquals(3 * 2 * 5 + 5, c.countParams());
        Dense d = new Dense(4).useBias(false);
        d.build(new int[][]{{-1, 6}}, 1);
        assertArrayEquals(new int[]{6, 4}, d.kernel().shape());
        assertEquals(1, d.params().size());
        Embedding e = new Embedding(11, 3);
        e.build(new int[][]{{-1}}, 1);
        assertArrayEquals(new int[]{11, 3}, e.embeddings().shape());
        assertEquals("embeddings", e.params().get(0).name());
    }
}
