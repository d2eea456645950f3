package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.github.rnn4j.layers.LayersGradientTest.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forward results against values computed independently in the test: by hand for tiny inputs,
 * or by a direct (loop-over-everything) formula written here for random ones.
 */
class LayersNumericTest {

    static <L extends Layer> L built(L layer, int[]... shapes) {
        layer.build(shapes, 7);
        return layer;
    }

    static Tensor run(Layer l, Tensor... xs) {
        return l.forward(xs, null, l.newFrame(), false)[0];
    }

    static Tensor seq(float... v) {
        return Tensor.of(v.clone(), 1, v.length, 1);
    }

    // ---- Conv1D -------------------------------------------------------------------------------

    /** A 1-feature, 1-filter conv with kernel taps (1, 10, 100): each output digit shows a tap. */
    private static Conv1D digits(int k, String padding, int stride, int dilation, int t) {
        Conv1D c = built(new Conv1D(1, k).padding(padding).strides(stride).dilationRate(dilation).useBias(false),
                new int[]{t, 1});
        for (int i = 0; i < k; i++) c.kernel().value()[i] = (float) Math.pow(10, i);
        return c;
    }

    @Test
    void conv1dHandComputed() {
        Tensor x = seq(1, 2, 3, 4);
        // valid: y[o] = x[o] + 10 x[o+1] + 100 x[o+2]
        assertArrayEquals(new float[]{321, 432}, run(digits(3, "valid", 1, 1, 4), x).data());
        // same, K=3: one zero on each side
        assertArrayEquals(new float[]{210, 321, 432, 43}, run(digits(3, "same", 1, 1, 4), x).data());
        // causal: two zeros on the left, y[o] = x[o-2] + 10 x[o-1] + 100 x[o]
        assertArrayEquals(new float[]{100, 210, 321, 432}, run(digits(3, "causal", 1, 1, 4), x).data());
        // same, K=2 (TF: the single pad step goes on the right): y[o] = x[o] + 10 x[o+1]
        assertArrayEquals(new float[]{21, 32, 43, 4}, run(digits(2, "same", 1, 1, 4), x).data());
        Tensor x5 = seq(1, 2, 3, 4, 5);
        // valid, stride 2 over 5 steps: windows at 0 and 2
        assertArrayEquals(new float[]{321, 543}, run(digits(3, "valid", 2, 1, 5), x5).data());
        // same, stride 2: ceil(5/2) = 3 outputs, pad total (3-1)*2+3-5 = 2 -> 1 left
        assertArrayEquals(new float[]{210, 432, 54}, run(digits(3, "same", 2, 1, 5), x5).data());
        // causal, dilation 2, K=2: y[o] = x[o-2] + 10 x[o]
        assertArrayEquals(new float[]{10, 20, 31, 42, 53}, run(digits(2, "causal", 1, 2, 5), x5).data());
        // valid, dilation 2, K=3: effective size 5, one output x[0] + 10 x[2] + 100 x[4]
        assertArrayEquals(new float[]{531}, run(digits(3, "valid", 1, 2, 5), x5).data());
    }

    /**
     * Direct convolution, written independently of the layer: for output o and tap k the input
     * step is o*s - padLeft + k*d; padLeft and the output length are given per case, worked out
     * by hand from Keras's rules (see the comments at the call sites).
     */
    private static float[] directConv(Tensor x, float[] w, float[] b, int k, int filters, int s, int d,
                                      int padLeft, int tOut) {
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        float[] y = new float[nb * tOut * filters];
        for (int bi = 0; bi < nb; bi++) {
            for (int o = 0; o < tOut; o++) {
                for (int c = 0; c < filters; c++) {
                    double sum = b[c];
                    for (int kk = 0; kk < k; kk++) {
                        int t = o * s - padLeft + kk * d;
                        if (t < 0 || t >= nt) continue;
                        for (int f = 0; f < nf; f++) {
                            sum += x.get(bi, t, f) * w[(kk * nf + f) * filters + c];
                        }
                    }
                    y[(bi * tOut + o) * filters + c] = (float) sum;
                }
            }
        }
        return y;
    }

    private static void checkConv(Conv1D c, int t, int k, int s, int d, int padLeft, int tOut) {
        c.build(new int[][]{{-1, 3}}, 11);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < c.bias().size(); i++) c.bias().value()[i] = (float) r.nextDouble();
        Tensor x = rand(40 + t, 2, t, 3);
        Tensor y = run(c, x);
        assertArrayEquals(new int[]{2, tOut, 4}, y.shape());
        float[] want = directConv(x, c.kernel().value(), c.bias().value(), k, 4, s, d, padLeft, tOut);
        assertArrayEquals(want, y.data(), 1e-5f);
    }

    @Test
    void conv1dAgainstDirectConvolution() {
        // same, T=7, K=4: total pad 3 -> 1 left, 2 right (TF's SAME)
        checkConv(new Conv1D(4, 4).padding("same"), 7, 4, 1, 1, 1, 7);
        // same, T=8, K=3, stride 2: 4 outputs, total (4-1)*2+3-8 = 1 -> 0 left
        checkConv(new Conv1D(4, 3).padding("same").strides(2), 8, 3, 2, 1, 0, 4);
        // same, T=6, K=3, dilation 2: effective 5, total 4 -> 2 left
        checkConv(new Conv1D(4, 3).padding("same").dilationRate(2), 6, 3, 1, 2, 2, 6);
        // causal, K=3, dilation 2: 4 steps on the left
        checkConv(new Conv1D(4, 3).padding("causal").dilationRate(2), 6, 3, 1, 2, 4, 6);
        // valid, T=9, K=3, stride 2: floor((9-3)/2)+1 = 4 outputs
        checkConv(new Conv1D(4, 3).strides(2), 9, 3, 2, 1, 0, 4);
    }

    @Test
    void conv1dDropsMask() {
        Conv1D c = built(new Conv1D(2, 1), new int[]{3, 2});
        assertNull(c.outputMask(new Tensor[]{rand(1, 1, 3, 2)}, Mask.fromLengths(3, 2)));
    }

    // ---- pooling ------------------------------------------------------------------------------

    @Test
    void maxPoolingHandComputed() {
        Tensor x = seq(1, 3, 2, 5, 4);
        MaxPooling1D valid = built(new MaxPooling1D(2), new int[]{5, 1});
        Layer.Frame f = valid.newFrame();
        assertArrayEquals(new float[]{3, 5}, valid.forward(new Tensor[]{x}, null, f, false)[0].data());
        Tensor dx = valid.backward(new Tensor[]{Tensor.of(new float[]{10, 20}, 1, 2, 1)}, f)[0];
        assertArrayEquals(new float[]{0, 10, 0, 20, 0}, dx.data());
        // same, stride 2: windows {0,1} {2,3} {4}
        assertArrayEquals(new float[]{3, 5, 4},
                run(built(new MaxPooling1D(2).padding("same"), new int[]{5, 1}), x).data());
        // same, pool 3, stride 1: one pad step each side; windows {0,1} {0..2} {1..3} {2..4} {3,4}
        MaxPooling1D over = built(new MaxPooling1D(3).strides(1).padding("same"), new int[]{5, 1});
        Layer.Frame g = over.newFrame();
        assertArrayEquals(new float[]{3, 3, 5, 5, 5}, over.forward(new Tensor[]{x}, null, g, false)[0].data());
        Tensor dx2 = over.backward(new Tensor[]{Tensor.of(new float[]{1, 2, 3, 4, 5}, 1, 5, 1)}, g)[0];
        assertArrayEquals(new float[]{0, 3, 0, 12, 0}, dx2.data()); // 3 wins twice, 5 three times
    }

    @Test
    void maxPoolingPerFeature() {
        Tensor x = Tensor.of(new float[][][]{{{1, 9}, {4, 2}, {0, 7}, {8, 8}}});
        assertArrayEquals(new float[]{4, 9, 8, 8}, run(built(new MaxPooling1D(2), new int[]{4, 2}), x).data());
    }

    @Test
    void globalAveragePoolingRespectsMask() {
        Tensor x = Tensor.of(new float[][][]{{{1, 2}, {3, 4}, {100, 100}}, {{5, 6}, {7, 8}, {9, 10}}, {{1, 1}, {1, 1}, {1, 1}}});
        GlobalAveragePooling1D g = built(new GlobalAveragePooling1D(), new int[]{3, 2});
        Mask m = Mask.fromLengths(3, 2, 3, 0);
        Layer.Frame f = g.newFrame();
        Tensor y = g.forward(new Tensor[]{x}, m, f, false)[0];
        // sample 0 averages 2 steps, sample 1 all 3; sample 2 is fully masked -> zeros (Keras: NaN)
        assertArrayEquals(new float[]{2, 3, 7, 8, 0, 0}, y.data(), 1e-6f);
        Tensor dx = g.backward(new Tensor[]{Tensor.of(new float[]{6, 6, 3, 3, 1, 1}, 3, 2)}, f)[0];
        assertArrayEquals(new float[]{3, 3, 3, 3, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, dx.data(), 1e-6f);
        assertArrayEquals(new float[]{34.666668f, 35.333332f},
                run(g, x).slice0(0, 1).data(), 1e-4f); // unmasked: (1+3+100)/3, (2+4+100)/3
        assertNull(g.outputMask(new Tensor[]{x}, m));
    }

    @Test
    void globalMaxPoolingIgnoresMaskLikeKeras() {
        Tensor x = Tensor.of(new float[][][]{{{1, 5}, {3, 4}, {2, 9}}});
        GlobalMaxPooling1D g = built(new GlobalMaxPooling1D(), new int[]{3, 2});
        Tensor y = g.forward(new Tensor[]{x}, Mask.fromLengths(3, 1), g.newFrame(), false)[0];
        assertArrayEquals(new float[]{3, 9}, y.data());
    }

    // ---- Dense / TimeDistributed / Activation ---------------------------------------------

    @Test
    void dense3dIsPerStepMatmul() {
        Dense d = built(new Dense(3).activation("tanh").biasInitializer("ones"), new int[]{-1, 4});
        Tensor x = rand(50, 2, 5, 4);
        Tensor y = run(d, x);
        assertArrayEquals(new int[]{2, 5, 3}, y.shape());
        float[] w = d.kernel().value();
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 5; t++) {
                for (int j = 0; j < 3; j++) {
                    double z = 1.0;
                    for (int i = 0; i < 4; i++) z += x.get(b, t, i) * w[i * 3 + j];
                    assertEquals(Math.tanh(z), y.get(b, t, j), 1e-5);
                }
            }
        }
        Mask m = Mask.fromLengths(5, 2, 5);
        assertSame(m, d.outputMask(new Tensor[]{x}, m));
    }

    @Test
    void denseSoftmaxRowsSumToOne() {
        Dense d = built(new Dense(5).activation("softmax"), new int[]{3});
        Tensor y = run(d, rand(51, 4, 3));
        for (int b = 0; b < 4; b++) {
            double s = 0;
            for (int j = 0; j < 5; j++) {
                assertTrue(y.get(b, j) > 0);
                s += y.get(b, j);
            }
            assertEquals(1.0, s, 1e-6);
        }
    }

    @Test
    void timeDistributedEqualsDenseOnEachStep() {
        Dense inner = new Dense(3).activation("sigmoid");
        TimeDistributed td = built(new TimeDistributed(inner), new int[]{4, 2});
        assertEquals(inner.params(), td.params());
        assertEquals(2 * 3 + 3, td.countParams());
        Tensor x = rand(52, 3, 4, 2);
        Tensor y = run(td, x);
        assertArrayEquals(new int[]{3, 4, 3}, y.shape());
        for (int t = 0; t < 4; t++) {
            Tensor step = Tensor.zeros(3, 2);
            for (int b = 0; b < 3; b++) for (int f = 0; f < 2; f++) step.set(x.get(b, t, f), b, f);
            Tensor ys = run(inner, step);
            for (int b = 0; b < 3; b++) for (int j = 0; j < 3; j++) assertEquals(ys.get(b, j), y.get(b, t, j), 1e-6f);
        }
        Mask m = Mask.fromLengths(4, 1, 2, 3);
        assertSame(m, td.outputMask(new Tensor[]{x}, m));
        td.trainable(false);
        assertFalse(inner.params().get(0).trainable());
    }

    @Test
    void activationLayer() {
        Tensor x = Tensor.of(new float[]{-2, -0.5f, 0, 0.5f, 2, 3}, 1, 2, 3);
        assertArrayEquals(new float[]{0, 0, 0, 0.5f, 2, 3}, run(built(new Activation("relu"), new int[]{2, 3}), x).data());
        Tensor s = run(built(new Activation("softmax"), new int[]{2, 3}), x);
        double e0 = Math.exp(-2), e1 = Math.exp(-0.5), e2 = 1;
        assertEquals(e1 / (e0 + e1 + e2), s.get(0, 0, 1), 1e-6);
        double f0 = Math.exp(0.5), f1 = Math.exp(2), f2 = Math.exp(3);
        assertEquals(f2 / (f0 + f1 + f2), s.get(0, 1, 2), 1e-6);
    }

    // ---- Embedding ----------------------------------------------------------------------------

    @Test
    void embeddingLookupScatterAndMask() {
        Embedding e = built(new Embedding(4, 2).maskZero(true), new int[]{3});
        float[] table = e.embeddings().value();
        for (int i = 0; i < table.length; i++) table[i] = i;
        Tensor ids = Tensor.of(new float[]{2, 0, 3, 1, 1, 0}, 2, 3);
        Layer.Frame f = e.newFrame();
        Tensor y = e.forward(new Tensor[]{ids}, null, f, true)[0];
        assertArrayEquals(new float[]{4, 5, 0, 1, 6, 7, 2, 3, 2, 3, 0, 1}, y.data());
        Tensor dy = Tensor.of(new float[]{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}, 2, 3, 2);
        Tensor[] g = e.backward(new Tensor[]{dy}, f);
        assertNull(g[0]);
        // row 0: steps (0,1) and (1,2); row 1: (1,0) and (1,1); row 2: (0,0); row 3: (0,2)
        assertArrayEquals(new float[]{8, 8, 9, 9, 1, 1, 3, 3}, e.embeddings().grad());
        Mask m = e.outputMask(new Tensor[]{ids}, null);
        boolean[][] want = {{true, false, true}, {true, true, false}};
        for (int b = 0; b < 2; b++) for (int t = 0; t < 3; t++) assertEquals(want[b][t], m.keep(b, t));
        assertNull(built(new Embedding(4, 2), new int[]{3}).outputMask(new Tensor[]{ids}, null));
    }

    @Test
    void embeddingDefaultInitializerIsKerasUniform() {
        Embedding e = built(new Embedding(50, 8), new int[]{3});
        float max = 0;
        for (float v : e.embeddings().value()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= 0.05f && max > 0.04f, "Keras's uniform(-0.05, 0.05), max |w| = " + max);
    }

    // ---- Dropout ------------------------------------------------------------------------------

    @Test
    void dropoutInverted() {
        Dropout d = built(new Dropout(0.3), new int[]{100, 200});
        Tensor x = Tensor.zeros(2, 100, 200).fill(2f);
        assertArrayEquals(x.data(), run(d, x).data(), "inference is the identity");
        Layer.Frame f = d.newFrame();
        Tensor y = d.forward(new Tensor[]{x}, null, f, true)[0];
        int dropped = 0;
        for (float v : y.data()) {
            if (v == 0f) dropped++;
            else assertEquals(2f / 0.7f, v, 1e-6f);
        }
        double frac = dropped / (double) y.size();
        assertEquals(0.3, frac, 0.01, "dropped fraction"); // 40000 draws: sd 0.0023
        Tensor dy = Tensor.zeros(2, 100, 200).fill(1f);
        Tensor dx = d.backward(new Tensor[]{dy}, f)[0];
        for (int i = 0; i < y.size(); i++) assertEquals(y.data()[i] / 2f, dx.data()[i], 1e-6f);
    }

    @Test
    void dropoutNoiseShapeSharesAlongTime() {
        Dropout d = built(new Dropout(0.5).noiseShape(-1, 1, -1), new int[]{6, 40});
        Tensor x = Tensor.zeros(3, 6, 40).fill(1f);
        Tensor y = d.forward(new Tensor[]{x}, null, d.newFrame(), true)[0];
        int dropped = 0;
        for (int b = 0; b < 3; b++) {
            for (int f = 0; f < 40; f++) {
                float first = y.get(b, 0, f);
                if (first == 0f) dropped++;
                for (int t = 1; t < 6; t++) assertEquals(first, y.get(b, t, f), "same mask at every step");
            }
        }
        assertTrue(dropped > 20 && dropped < 100, "about half of 120 dropped, got " + dropped);
    }

    @Test
    void dropoutSeedIsReproducible() {
        Tensor x = Tensor.zeros(2, 50).fill(1f);
        Dropout a = new Dropout(0.5).seed(99);
        Dropout b = new Dropout(0.5).seed(99);
        a.build(new int[][]{{50}}, 1);
        b.build(new int[][]{{50}}, 2); // different model seed: the layer's own seed wins
        Tensor ya = a.forward(new Tensor[]{x}, null, a.newFrame(), true)[0];
        Tensor yb = b.forward(new Tensor[]{x}, null, b.newFrame(), true)[0];
        assertArrayEquals(ya.data(), yb.data());
        Dropout c = built(new Dropout(0.5), new int[]{50});
        assertNotEquals(java.util.Arrays.toString(ya.data()),
                java.util.Arrays.toString(c.forward(new Tensor[]{x}, null, c.newFrame(), true)[0].data()));
    }

    // ---- Masking ------------------------------------------------------------------------------

    @Test
    void maskingMaskAndZeroing() {
        Tensor x = Tensor.of(new float[][][]{{{1, 2}, {-1, -1}, {-1, 3}}, {{-1, -1}, {0, 0}, {-1, -1}}});
        Masking m = built(new Masking(-1), new int[]{3, 2});
        Tensor y = run(m, x);
        assertArrayEquals(new float[]{1, 2, 0, 0, -1, 3, 0, 0, 0, 0, 0, 0}, y.data());
        Mask k = m.outputMask(new Tensor[]{x}, null);
        boolean[][] want = {{true, false, true}, {false, true, false}};
        for (int b = 0; b < 2; b++) for (int t = 0; t < 3; t++) assertEquals(want[b][t], k.keep(b, t));
    }

    // ---- shape and merge layers ---------------------------------------------------------------

    @Test
    void concatenateAndAddValues() {
        Tensor a = Tensor.of(new float[][][]{{{1, 2}, {3, 4}}});
        Tensor b = Tensor.of(new float[][][]{{{5}, {6}}});
        assertArrayEquals(new float[]{1, 2, 5, 3, 4, 6},
                run(built(new Concatenate(), new int[]{2, 2}, new int[]{2, 1}), a, b).data());
        Tensor c = Tensor.of(new float[][][]{{{7, 8}}});
        Tensor y = run(built(new Concatenate(1), new int[]{2, 2}, new int[]{1, 2}), a, c);
        assertArrayEquals(new int[]{1, 3, 2}, y.shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 7, 8}, y.data());
        Tensor s = run(built(new Add(), new int[]{2, 2}, new int[]{2, 2}), a, a);
        assertArrayEquals(new float[]{2, 4, 6, 8}, s.data());
        Mask m = Mask.fromLengths(2, 1);
        assertSame(m, new Add().outputMask(new Tensor[]{a, a}, m));
        assertSame(m, new Concatenate().outputMask(new Tensor[]{a, b}, m));
    }

    @Test
    void repeatFlattenReshapeValues() {
        Tensor x = Tensor.of(new float[][]{{1, 2}, {3, 4}});
        RepeatVector rv = built(new RepeatVector(3), new int[]{2});
        Layer.Frame f = rv.newFrame();
        Tensor y = rv.forward(new Tensor[]{x}, null, f, false)[0];
        assertArrayEquals(new float[]{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, y.data());
        Tensor dy = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2);
        assertArrayEquals(new float[]{9, 12, 27, 30}, rv.backward(new Tensor[]{dy}, f)[0].data());
        Tensor z = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 1, 3, 2);
        Tensor flat = run(built(new Flatten(), new int[]{3, 2}), z);
        assertArrayEquals(new int[]{1, 6}, flat.shape());
        assertArrayEquals(z.data(), flat.data());
        Tensor r = run(built(new Reshape(2, -1), new int[]{3, 2}), z);
        assertArrayEquals(new int[]{1, 2, 3}, r.shape());
        assertArrayEquals(z.data(), r.data());
    }

    @Test
    void stepSupport() {
        assertTrue(new Dense(2).supportsStep());
        assertTrue(new Conv1D(2, 1).supportsStep());
        assertFalse(new Conv1D(2, 3).padding("causal").supportsStep());
        assertFalse(new MaxPooling1D(2).supportsStep());
        assertFalse(new GlobalAveragePooling1D().supportsStep());
        assertFalse(new Flatten().supportsStep());
        assertTrue(new Concatenate().supportsStep());
        assertFalse(new Concatenate(1).supportsStep());
    }
}
