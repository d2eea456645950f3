package io.github.rnn4j.layers.recurrent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests of {@link Bidirectional}: finite-difference gradients for every merge mode (with
 * states, initial states and masks), Keras's semantics (backward half aligned in time, masked
 * steps as zeros, states order), shapes, parameters and config round trips. PyTorch parity of
 * the concat mode is in {@link TorchParityTest}.
 */
class BidirectionalTest {
    private static final int B = 2, T = 4, F = 3, H = 3;

    private static Tensor random(long seed, float scale, int... shape) {
        return GradCheck.random(new SplittableRandom(seed), scale, shape);
    }

    /** Non-zero biases in both copies so every bias path is exercised. */
    private static void randomBiases(Bidirectional bi) {
        SplittableRandom r = new SplittableRandom(3);
        for (Recurrent l : List.of(bi.forwardLayer(), bi.backwardLayer())) {
            float[] b = l.bias().value();
            for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() - 0.5);
        }
    }

    private static Bidirectional built(Bidirectional bi, boolean withStates) {
        int n = withStates ? 1 + 2 * bi.stateCount() : 1;
        int[][] shapes = new int[n][];
        shapes[0] = new int[]{-1, F};
        for (int i = 1; i < n; i++) shapes[i] = new int[]{H};
        bi.build(shapes, 7);
        randomBiases(bi);
        return bi;
    }

    private static Tensor[] inputs(Bidirectional bi, boolean withStates) {
        int n = withStates ? 1 + 2 * bi.stateCount() : 1;
        Tensor[] in = new Tensor[n];
        in[0] = random(11, 1f, B, T, F);
        for (int i = 1; i < n; i++) in[i] = random(20 + i, 0.5f, B, H);
        return in;
    }

    // ---- gradients ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"concat", "sum", "mul", "ave", "none"})
    void gradientsLstmWithStates(String mode) {
        Bidirectional bi = built(new Bidirectional(new LSTM(H).returnSequences(true).returnState(true), mode), true);
        GradCheck.check(bi, inputs(bi, true), null, false, null, 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"concat", "sum", "mul", "ave", "none"})
    void gradientsGruLastOutput(String mode) {
        Bidirectional bi = built(new Bidirectional(new GRU(H), mode), false);
        GradCheck.check(bi, inputs(bi, false), null, false, null, 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"concat", "sum", "mul", "ave", "none"})
    void gradientsMaskedSimpleRnn(String mode) {
        Bidirectional bi = built(new Bidirectional(new SimpleRNN(H).returnSequences(true).returnState(true), mode), true);
        GradCheck.check(bi, inputs(bi, true), Mask.fromLengths(T, 4, 2), false, null, 8);
    }

    @Test
    void gradientsMaskedGruResetBeforeLastOutput() {
        Bidirectional bi = built(new Bidirectional(new GRU(H).resetAfter(false).returnState(true), "mul"), false);
        GradCheck.check(bi, inputs(bi, false), Mask.fromLengths(T, 3, 1), false, null, 9);
    }

    // ---- semantics ------------------------------------------------------------------------

    private static Tensor reverseTime(Tensor y) {
        int nb = y.dim(0), nt = y.dim(1), h = y.dim(2);
        Tensor r = Tensor.zeros(nb, nt, h);
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < nt; t++) {
                for (int j = 0; j < h; j++) r.set(y.get(b, t, j), b, nt - 1 - t, j);
            }
        }
        return r;
    }

    /** A plain (unwrapped, forward-in-time) GRU with the weights of one of the copies. */
    private static GRU plainCopy(Recurrent from) {
        GRU g = new GRU(H);
        g.returnSequences(true);
        g.build(new int[][]{{-1, F}}, 99);
        RecurrentWeights.setKeras(g, RecurrentWeights.getKeras(from));
        return g;
    }

    @Test
    void concatIsForwardThenTimeAlignedBackward() {
        Bidirectional bi = built(new Bidirectional(new GRU(H).returnSequences(true)), false);
        Tensor x = random(11, 1f, B, T, F);
        Tensor y = bi.forward(new Tensor[]{x}, null, bi.newFrame(), false)[0];
        assertArrayEquals(new int[]{B, T, 2 * H}, y.shape());
        GRU f = plainCopy(bi.forwardLayer()), k = plainCopy(bi.backwardLayer());
        Tensor yf = f.forward(new Tensor[]{x}, null, f.newFrame(), false)[0];
        // the backward half at t is the state after reading x[T-1..t]: a forward run on reversed x, reversed back
        Tensor yb = reverseTime(k.forward(new Tensor[]{reverseTime(x)}, null, k.newFrame(), false)[0]);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < H; j++) {
                    assertEquals(yf.get(b, t, j), y.get(b, t, j), 1e-6, "forward half at " + b + "," + t + "," + j);
                    assertEquals(yb.get(b, t, j), y.get(b, t, H + j), 1e-6, "backward half at " + b + "," + t + "," + j);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sum", "mul", "ave"})
    void elementwiseMergesCombineTheConcatHalves(String mode) {
        Bidirectional cat = built(new Bidirectional(new LSTM(H).returnSequences(true)), false);
        Bidirectional other = built(new Bidirectional(new LSTM(H).returnSequences(true), mode), false);
        RecurrentWeights.setKeras(other, RecurrentWeights.getKeras(cat));
        Tensor x = random(12, 1f, B, T, F);
        Tensor y = cat.forward(new Tensor[]{x}, null, cat.newFrame(), false)[0];
        Tensor m = other.forward(new Tensor[]{x}, null, other.newFrame(), false)[0];
        assertArrayEquals(new int[]{B, T, H}, m.shape());
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < H; j++) {
                    float f = y.get(b, t, j), k = y.get(b, t, H + j);
                    float want = switch (mode) {
                        case "sum" -> f + k;
                        case "mul" -> f * k;
                        default -> (f + k) / 2;
                    };
                    assertEquals(want, m.get(b, t, j), 1e-6, mode + " at " + b + "," + t + "," + j);
                }
            }
        }
    }

    @Test
    void noneMergeReturnsBothOutputsThenForwardThenBackwardStates() {
        Bidirectional cat = built(new Bidirectional(new LSTM(H).returnSequences(true).returnState(true)), true);
        Bidirectional none = built(new Bidirectional(new LSTM(H).returnSequences(true).returnState(true), null), true);
        RecurrentWeights.setKeras(none, RecurrentWeights.getKeras(cat));
        Tensor[] in = inputs(cat, true);
        Tensor[] c = cat.forward(in, null, cat.newFrame(), false);
        Tensor[] n = none.forward(in, null, none.newFrame(), false);
        assertEquals(5, c.length);
        assertEquals(6, n.length);
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < H; j++) {
                    assertEquals(c[0].get(b, t, j), n[0].get(b, t, j));
                    assertEquals(c[0].get(b, t, H + j), n[1].get(b, t, j));
                }
            }
        }
        for (int i = 1; i < 5; i++) assertArrayEquals(c[i].data(), n[i + 1].data(), "state " + i);
        // forward h is the forward half's last step, backward h the backward half's first step
        for (int b = 0; b < B; b++) {
            for (int j = 0; j < H; j++) {
                assertEquals(c[0].get(b, T - 1, j), c[1].get(b, j), 1e-7);
                assertEquals(c[0].get(b, 0, H + j), c[3].get(b, j), 1e-7);
            }
        }
    }

    @Test
    void maskedStepsAreZerosAndStatesMatchTheTruncatedSequence() {
        Bidirectional bi = built(new Bidirectional(new LSTM(H).returnSequences(true).returnState(true)), false);
        assertTrue((Boolean) bi.forwardLayer().getConfig().get("zero_output_for_mask"));
        assertTrue((Boolean) bi.backwardLayer().getConfig().get("zero_output_for_mask"));
        Tensor x = random(13, 1f, B, T, F);
        Mask mask = Mask.fromLengths(T, T, 2);
        Tensor[] y = bi.forward(new Tensor[]{x}, mask, bi.newFrame(), false);
        // sample 1 alone, cut to its 2 real steps, no mask
        Tensor x1 = Tensor.zeros(1, 2, F);
        for (int t = 0; t < 2; t++) {
            for (int f = 0; f < F; f++) x1.set(x.get(1, t, f), 0, t, f);
        }
        Tensor[] y1 = bi.forward(new Tensor[]{x1}, null, bi.newFrame(), false);
        for (int t = 0; t < T; t++) {
            for (int j = 0; j < 2 * H; j++) {
                float want = t < 2 ? y1[0].get(0, t, j) : 0f;
                assertEquals(want, y[0].get(1, t, j), 1e-6, "sample 1 at t=" + t + ", j=" + j);
            }
        }
        for (int s = 1; s < y.length; s++) {
            for (int j = 0; j < H; j++) assertEquals(y1[s].get(0, j), y[s].get(1, j), 1e-6, "state " + s);
        }
        assertSame(mask, bi.outputMask(new Tensor[]{x}, mask));
    }

    @Test
    void lastOutputWithMaskMatchesTheTruncatedSequence() {
        Bidirectional bi = built(new Bidirectional(new GRU(H)), false);
        assertFalse((Boolean) bi.backwardLayer().getConfig().get("zero_output_for_mask"));
        Tensor x = random(14, 1f, B, T, F);
        Tensor y = bi.forward(new Tensor[]{x}, Mask.fromLengths(T, 3, T), bi.newFrame(), false)[0];
        Tensor x0 = Tensor.zeros(1, 3, F);
        for (int t = 0; t < 3; t++) {
            for (int f = 0; f < F; f++) x0.set(x.get(0, t, f), 0, t, f);
        }
        Tensor y0 = bi.forward(new Tensor[]{x0}, null, bi.newFrame(), false)[0];
        assertArrayEquals(new int[]{B, 2 * H}, y.shape());
        for (int j = 0; j < 2 * H; j++) assertEquals(y0.get(0, j), y.get(0, j), 1e-6, "j=" + j);
        assertNull(bi.outputMask(new Tensor[]{x}, Mask.fromLengths(T, 3, T)));
    }

    // ---- shapes, parameters, config ---------------------------------------------------------

    @Test
    void outputShapes() {
        int[][] in = {{-1, F}};
        assertEquals("[(None, 6)]", Layer.shapesString(new Bidirectional(new LSTM(H).returnSequences(true)).outputShapes(in)));
        assertEquals("[(6,)]", Layer.shapesString(new Bidirectional(new LSTM(H)).outputShapes(in)));
        assertEquals("[(None, 3)]", Layer.shapesString(new Bidirectional(new GRU(H).returnSequences(true), "ave").outputShapes(in)));
        assertEquals("[(3,), (3,), (3,), (3,), (3,), (3,)]",
                Layer.shapesString(new Bidirectional(new LSTM(H).returnState(true), "none").outputShapes(in)));
        assertEquals("[(6,), (3,), (3,)]", Layer.shapesString(new Bidirectional(new GRU(H).returnState(true)).outputShapes(
                new int[][]{{-1, F}, {H}, {H}})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Bidirectional(new LSTM(H)).name("enc").outputShapes(new int[][]{{-1, F}, {H}}));
        assertTrue(e.getMessage().contains("Bidirectional 'enc'") && e.getMessage().contains("expected 1 input (plus 4"),
                e.getMessage());
    }

    @Test
    void paramsAreForwardThenBackwardInKerasOrder() {
        Bidirectional bi = built(new Bidirectional(new LSTM(H)), false);
        List<Param> p = bi.params();
        List<Param> want = new ArrayList<>(bi.forwardLayer().params());
        want.addAll(bi.backwardLayer().params());
        assertEquals(want, p);
        assertEquals(List.of("kernel", "recurrent_kernel", "bias", "kernel", "recurrent_kernel", "bias"),
                p.stream().map(Param::name).toList());
        assertEquals(2 * (F * 4 * H + H * 4 * H + 4 * H), bi.countParams());
        assertFalse(Arrays.equals(p.get(0).value(), p.get(3).value()), "the two directions start from different weights");
        for (Param q : p) q.grad()[0] = 1f;
        bi.zeroGrads();
        for (Param q : p) assertEquals(0f, q.grad()[0]);
        bi.trainable(false);
        for (Param q : p) assertFalse(q.trainable());
    }

    @Test
    void copiesAreNamedAndDirectedAsInKeras() {
        Bidirectional bi = new Bidirectional((Recurrent) new GRU(H).name("enc"));
        assertEquals("forward_enc", bi.forwardLayer().name());
        assertEquals("backward_enc", bi.backwardLayer().name());
        assertFalse(bi.forwardLayer().goBackwards());
        assertTrue(bi.backwardLayer().goBackwards());
        Bidirectional back = new Bidirectional(new SimpleRNN(H).goBackwards(true));
        assertEquals("forward_simplernn", back.forwardLayer().name());
        assertTrue(back.forwardLayer().goBackwards());
        assertFalse(back.backwardLayer().goBackwards());
    }

    @Test
    void configRoundTripsThroughJson() throws Exception {
        Bidirectional bi = new Bidirectional((Recurrent) new LSTM(H).returnSequences(true).recurrentDropout(0.25)
                .name("enc"), "sum");
        bi.name("bi");
        Map<String, Object> c = bi.getConfig();
        assertEquals("sum", c.get("merge_mode"));
        @SuppressWarnings("unchecked")
        Map<String, Object> layer = (Map<String, Object>) c.get("layer");
        assertEquals("LSTM", layer.get("class_name"));
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = (Map<String, Object>) layer.get("config");
        assertEquals("enc", inner.get("name"));
        assertEquals(0.25, inner.get("recurrent_dropout"));

        ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> back = json.readValue(json.writeValueAsString(c), Map.class);
        Bidirectional re = Bidirectional.fromConfig(back);
        assertEquals(json.writeValueAsString(c), json.writeValueAsString(re.getConfig()));
        assertEquals("bi", re.name());
        assertEquals(Bidirectional.MergeMode.SUM, re.mergeMode());
        assertEquals(0.25, re.backwardLayer().recurrentDropoutRate());

        Bidirectional none = new Bidirectional(new GRU(H), "none");
        assertTrue(none.getConfig().containsKey("merge_mode"));
        assertNull(none.getConfig().get("merge_mode"));
        assertEquals(Bidirectional.MergeMode.NONE, Bidirectional.fromConfig(none.getConfig()).mergeMode());
    }

    @Test
    void errors() {
        GRU builtGru = new GRU(H);
        builtGru.build(new int[][]{{-1, F}}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(builtGru));
        assertTrue(e.getMessage().contains("already built"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new GRU(H), "max"));
        assertTrue(e.getMessage().contains("'max'") && e.getMessage().contains("concat"), e.getMessage());
        Bidirectional bi = built(new Bidirectional(new GRU(H)), false);
        assertThrows(IllegalStateException.class, () -> bi.mergeMode("sum"));
        e = assertThrows(IllegalArgumentException.class, () -> Bidirectional.fromConfig(Map.of("layer",
                Map.of("class_name", "Dense", "config", Map.of()))));
        assertTrue(e.getMessage().contains("'Dense'"), e.getMessage());
    }
}
