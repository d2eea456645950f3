package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Finite-difference gradient checks of the non-recurrent layers (tolerances: see {@link GradCheck}).
 * Non-linear activations throughout, non-zero biases, and for the max-based layers inputs whose
 * values are spaced well beyond GradCheck's eps so no perturbation changes a winner.
 */
class LayersGradientTest {

    static <L extends Layer> L built(L layer, int[]... shapes) {
        layer.build(shapes, 7);
        SplittableRandom r = new SplittableRandom(3);
        for (Param p : layer.params()) {
            if (p.name().equals("bias")) {
                for (int i = 0; i < p.size(); i++) p.value()[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        return layer;
    }

    static Tensor rand(long seed, int... shape) {
        return GradCheck.random(new SplittableRandom(seed), 1f, shape);
    }

    /** Distinct values spaced 0.09 apart, shuffled: no two within GradCheck's 2*eps of each other. */
    static Tensor spaced(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        int n = t.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int i = 0; i < n; i++) t.data()[i] = (perm[i] - n / 2f) * 0.09f;
        return t;
    }

    @Test
    void dense2d() {
        GradCheck.check(built(new Dense(3).activation("tanh"), new int[]{4}), rand(1, 3, 4));
        GradCheck.check(built(new Dense(4).activation("softmax"), new int[]{3}), rand(2, 2, 3));
        GradCheck.check(built(new Dense(2).activation("elu").useBias(false), new int[]{3}), rand(3, 2, 3));
    }

    @Test
    void dense3d() {
        GradCheck.check(built(new Dense(3).activation("sigmoid"), new int[]{-1, 4}), rand(4, 2, 3, 4));
    }

    @Test
    void activation() {
        for (String a : new String[]{"tanh", "sigmoid", "softmax", "elu", "softplus"}) {
            GradCheck.check(built(new Activation(a), new int[]{3, 4}), rand(5, 2, 3, 4));
        }
    }

    @Test
    void timeDistributedDense() {
        GradCheck.check(built(new TimeDistributed(new Dense(3).activation("tanh")), new int[]{4, 2}), rand(6, 2, 4, 2));
    }

    @Test
    void conv1dEachPadding() {
        for (String p : new String[]{"valid", "same", "causal"}) {
            for (int k : new int[]{2, 3}) {
                Conv1D c = built(new Conv1D(2, k).padding(p).activation("tanh"), new int[]{-1, 3});
                GradCheck.check(c, rand(7, 2, 6, 3));
            }
        }
    }

    @Test
    void conv1dStride2() {
        for (String p : new String[]{"valid", "same", "causal"}) {
            Conv1D c = built(new Conv1D(3, 3).strides(2).padding(p).activation("tanh"), new int[]{7, 2});
            GradCheck.check(c, rand(8, 2, 7, 2));
        }
    }

    @Test
    void conv1dDilation2() {
        for (String p : new String[]{"valid", "same", "causal"}) {
            Conv1D c = built(new Conv1D(2, 3).dilationRate(2).padding(p).activation("sigmoid"), new int[]{7, 2});
            GradCheck.check(c, rand(9, 2, 7, 2));
        }
    }

    @Test
    void maxPooling1d() {
        GradCheck.check(built(new MaxPooling1D(2), new int[]{7, 3}), spaced(10, 2, 7, 3));
        GradCheck.check(built(new MaxPooling1D(3).strides(2).padding("same"), new int[]{7, 3}), spaced(11, 2, 7, 3));
        // overlapping windows: one input can win several outputs, gradients must add
        GradCheck.check(built(new MaxPooling1D(3).strides(1), new int[]{6, 2}), spaced(12, 2, 6, 2));
    }

    @Test
    void globalPooling() {
        GradCheck.check(built(new GlobalAveragePooling1D(), new int[]{4, 3}), rand(13, 2, 4, 3));
        GradCheck.check(built(new GlobalAveragePooling1D().keepdims(true), new int[]{4, 3}), rand(14, 2, 4, 3));
        GradCheck.check(built(new GlobalMaxPooling1D(), new int[]{4, 3}), spaced(15, 2, 4, 3));
    }

    @Test
    void globalAveragePoolingMasked() {
        Mask m = Mask.fromLengths(4, 2, 4, 0);
        GradCheck.check(built(new GlobalAveragePooling1D(), new int[]{4, 3}), new Tensor[]{rand(16, 3, 4, 3)}, m,
                false, null, 5);
    }

    @Test
    void embeddingParamsOnly() {
        Embedding e = built(new Embedding(5, 3), new int[]{4});
        Tensor ids = Tensor.of(new float[]{1, 4, 1, 0, 2, 2, 2, 3}, 2, 4); // repeats: gradients must add
        GradCheck.check(e, new Tensor[]{ids}, null, false, new boolean[]{false}, 5);
    }

    @Test
    void concatenate() {
        Concatenate last = built(new Concatenate(), new int[]{3, 2}, new int[]{3, 4});
        GradCheck.check(last, rand(17, 2, 3, 2), rand(18, 2, 3, 4));
        Concatenate time = built(new Concatenate(1), new int[]{2, 3}, new int[]{1, 3}, new int[]{3, 3});
        GradCheck.check(time, rand(19, 2, 2, 3), rand(20, 2, 1, 3), rand(21, 2, 3, 3));
    }

    @Test
    void add() {
        GradCheck.check(built(new Add(), new int[]{3, 2}, new int[]{3, 2}, new int[]{3, 2}),
                rand(22, 2, 3, 2), rand(23, 2, 3, 2), rand(24, 2, 3, 2));
    }

    @Test
    void shapeLayers() {
        GradCheck.check(built(new RepeatVector(3), new int[]{2}), rand(25, 2, 2));
        GradCheck.check(built(new Flatten(), new int[]{3, 2}), rand(26, 2, 3, 2));
        GradCheck.check(built(new Reshape(2, -1), new int[]{3, 2}), rand(27, 2, 3, 2));
    }

    /**
     * Masking on inputs with no masked step: finite differences are valid everywhere. Masked
     * steps cannot be finite-differenced (any perturbation of a masked step unmasks it, which
     * changes the function, not its slope), so {@link #maskingMaskedStepsGetNoGradient} checks
     * them exactly instead.
     */
    @Test
    void maskingUnmaskedSteps() {
        GradCheck.check(built(new Masking(0.5), new int[]{3, 2}), rand(28, 2, 3, 2));
    }

    @Test
    void maskingMaskedStepsGetNoGradient() {
        Masking m = built(new Masking(0.5), new int[]{3, 2});
        Tensor x = rand(29, 2, 3, 2);
        x.set(0.5f, 0, 1, 0);
        x.set(0.5f, 0, 1, 1);
        x.set(0.5f, 1, 2, 0);
        x.set(0.5f, 1, 2, 1);
        Layer.Frame f = m.newFrame();
        m.forward(new Tensor[]{x}, null, f, true);
        Tensor dy = rand(30, 2, 3, 2);
        Tensor dx = m.backward(new Tensor[]{dy}, f)[0];
        float[] want = dy.data().clone();
        want[2] = want[3] = 0f;   // sample 0, step 1
        want[10] = want[11] = 0f; // sample 1, step 2
        assertArrayEquals(want, dx.data());
        assertEquals(0f, dx.get(0, 1, 0));
    }
}
