package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static io.github.rnn4j.layers.LayersGradientTest.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors name the layer, the shapes (or position and value) involved. */
class LayersErrorTest {

    private static String fails(Executable e) {
        return assertThrows(RuntimeException.class, e).getMessage();
    }

    private static void contains(String msg, String... parts) {
        for (String p : parts) assertTrue(msg.contains(p), "expected '" + p + "' in: " + msg);
    }

    private static <L extends Layer> L named(L l, String name, int[]... shapes) {
        l.name(name);
        l.build(shapes, 1);
        return l;
    }

    @Test
    void denseWrongFeatureCount() {
        Dense d = named(new Dense(3), "head", new int[]{8});
        String m = fails(() -> d.forward(new Tensor[]{Tensor.zeros(4, 7)}, null, d.newFrame(), false));
        contains(m, "Dense 'head'", "7 features", "built for 8", "[4, 7]", "(batch, 8)");
        Dense s = named(new Dense(3), "seq", new int[]{-1, 8});
        String m3 = fails(() -> s.forward(new Tensor[]{Tensor.zeros(2, 5, 6)}, null, s.newFrame(), false));
        contains(m3, "Dense 'seq'", "6 features", "built for 8", "[2, 5, 6]", "(batch, None, 8)");
        String rank = fails(() -> s.forward(new Tensor[]{Tensor.zeros(2, 8)}, null, s.newFrame(), false));
        contains(rank, "Dense 'seq'", "[2, 8]", "(batch, None, 8)");
    }

    @Test
    void conv1dAndOthersWrongFeatureCount() {
        Conv1D c = named(new Conv1D(2, 3), "conv", new int[]{-1, 4});
        contains(fails(() -> c.forward(new Tensor[]{Tensor.zeros(1, 6, 5)}, null, c.newFrame(), false)),
                "Conv1D 'conv'", "5 features", "built for 4", "[1, 6, 5]");
        TimeDistributed t = named(new TimeDistributed(new Dense(2)), "td", new int[]{3, 4});
        contains(fails(() -> t.forward(new Tensor[]{Tensor.zeros(1, 3, 2)}, null, t.newFrame(), false)),
                "TimeDistributed 'td'", "2 features", "built for 4");
    }

    @Test
    void shapeRulesAtBuild() {
        contains(fails(() -> named(new Conv1D(2, 3).dilationRate(3), "c", new int[]{6, 2})),
                "Conv1D 'c'", "6 steps", "effective kernel size 7");
        contains(fails(() -> named(new Conv1D(2, 3).strides(2).dilationRate(2), "c2", new int[]{9, 2})),
                "Conv1D 'c2'", "strides", "dilation_rate");
        contains(fails(() -> named(new Concatenate(), "cat", new int[]{5, 3}, new int[]{4, 2})),
                "Concatenate 'cat'", "(5, 3)", "(4, 2)");
        contains(fails(() -> named(new Add(), "add", new int[]{3}, new int[]{4})),
                "Add 'add'", "(3,)", "(4,)");
        contains(fails(() -> named(new Reshape(4, 4), "r", new int[]{3, 5})),
                "Reshape 'r'", "15 values", "(batch, 4, 4)");
        contains(fails(() -> named(new Masking(), "m", new int[]{5})), "Masking 'm'", "(batch, time, features)");
        contains(fails(() -> named(new MaxPooling1D(4), "p", new int[]{3, 1})), "MaxPooling1D 'p'", "3 steps");
    }

    @Test
    void concatenateForwardMismatch() {
        Concatenate c = named(new Concatenate(), "cat", new int[]{-1, 3}, new int[]{-1, 2});
        contains(fails(() -> c.forward(new Tensor[]{Tensor.zeros(2, 5, 3), Tensor.zeros(2, 4, 2)}, null, c.newFrame(), false)),
                "Concatenate 'cat'", "[2, 5, 3]", "[2, 4, 2]");
    }

    @Test
    void embeddingIdOutOfRange() {
        Embedding e = named(new Embedding(10, 2), "emb", new int[]{4});
        Tensor good = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Layer.Frame f = e.newFrame();
        e.forward(new Tensor[]{good}, null, f, true);
        Tensor bad = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 12, 9}, 2, 4);
        contains(fails(() -> e.forward(new Tensor[]{bad}, null, f, true)),
                "Embedding 'emb'", "id 12", "sample 1, step 2", "[0, 10)");
        // nothing changed: backward still scatters into the rows of the good batch
        e.zeroGrads();
        e.backward(new Tensor[]{Tensor.zeros(2, 4, 2).fill(1f)}, f);
        float[] g = e.embeddings().grad();
        assertArrayEquals(new float[]{0, 0, 1, 1}, java.util.Arrays.copyOfRange(g, 0, 4));
        assertArrayEquals(new float[]{0, 0}, java.util.Arrays.copyOfRange(g, 18, 20));
        contains(fails(() -> e.forward(new Tensor[]{Tensor.of(new float[]{1, -1, 0, 0}, 1, 4)}, null, f, true)),
                "id -1", "sample 0, step 1");
        contains(fails(() -> e.forward(new Tensor[]{Tensor.of(new float[]{1, 2, 2.5f, 0}, 1, 4)}, null, f, true)),
                "id 2.5", "sample 0, step 2", "whole number");
        contains(fails(() -> e.forward(new Tensor[]{Tensor.of(new float[]{Float.NaN, 2, 2, 0}, 1, 4)}, null, f, true)),
                "id NaN", "sample 0, step 0");
    }

    @Test
    void notBuiltAndWrongInputCount() {
        Dense d = new Dense(2);
        d.name("late");
        contains(fails(() -> d.forward(new Tensor[]{Tensor.zeros(1, 2)}, null, d.newFrame(), false)),
                "Dense 'late'", "not built");
        Add a = named(new Add(), "sum", new int[]{2}, new int[]{2});
        contains(fails(() -> a.forward(new Tensor[]{Tensor.zeros(1, 2)}, null, a.newFrame(), false)),
                "Add 'sum'", "expected 2 inputs, got 1");
    }

    @Test
    void gradientShapeChecked() {
        Dense d = named(new Dense(2), "d", new int[]{3});
        Layer.Frame f = d.newFrame();
        d.forward(new Tensor[]{rand(1, 4, 3)}, null, f, true);
        contains(fails(() -> d.backward(new Tensor[]{Tensor.zeros(4, 3)}, f)), "Dense 'd'", "[4, 3]", "[4, 2]");
    }

    @Test
    void badOptions() {
        contains(fails(() -> new Dense(0)), "units", "0");
        contains(fails(() -> new Dropout(1.0)), "rate", "1.0");
        contains(fails(() -> new Conv1D(2, 3).padding("full")), "padding", "full");
        contains(fails(() -> new MaxPooling1D(2).padding("causal")), "padding", "causal");
        contains(fails(() -> new Dense(2).activation("swish")), "swish");
        Dense built = named(new Dense(2), "b", new int[]{3});
        contains(fails(() -> built.activation("relu")), "Dense 'b'", "activation", "after the layer is built");
    }
}
