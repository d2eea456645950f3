package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests of {@link RecurrentWeights}: the PyTorch and Keras layouts round-trip (same weights,
 * same outputs), single entries land where the layout tables say, and every rejection names the
 * layer, the weight and both shapes. Parity of the loaded layers with PyTorch itself is in
 * {@link TorchParityTest}.
 */
class RecurrentWeightsTest {
    private static final int B = 2, T = 4, F = 3, H = 2;

    /** Random PyTorch weights for one direction of layer k (G gates). */
    private static void torchWeights(Map<String, Tensor> m, int k, String sfx, int g, int in, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        m.put("weight_ih_l" + k + sfx, GradCheck.random(r, 0.6f, g * H, in));
        m.put("weight_hh_l" + k + sfx, GradCheck.random(r, 0.6f, g * H, H));
        m.put("bias_ih_l" + k + sfx, GradCheck.random(r, 0.6f, g * H));
        m.put("bias_hh_l" + k + sfx, GradCheck.random(r, 0.6f, g * H));
    }

    private static <L extends Layer> L build(L l, int in) {
        l.build(new int[][]{{-1, in}}, 5);
        return l;
    }

    private static Tensor run(Layer l, Tensor x) {
        return l.forward(new Tensor[]{x}, null, l.newFrame(), false)[0];
    }

    private static Tensor x() {
        return GradCheck.random(new SplittableRandom(17), 1f, B, T, F);
    }

    // ---- where single entries go ------------------------------------------------------------

    @Test
    void gruGateBlocksArePermutedAndBiasesKeptApart() {
        GRU gru = build(new GRU(H), F);
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 3, F, 1);
        RecurrentWeights.setTorch(gru, w);
        int gh = 3 * H;
        // PyTorch row block r (0) -> Keras column block r (1); z (1) -> z (0); n (2) -> h (2)
        for (int j = 0; j < H; j++) {
            for (int f = 0; f < F; f++) {
                assertEquals(w.get("weight_ih_l0").get(H + j, f), gru.kernel().value()[f * gh + j], "z");
                assertEquals(w.get("weight_ih_l0").get(j, f), gru.kernel().value()[f * gh + H + j], "r");
                assertEquals(w.get("weight_ih_l0").get(2 * H + j, f), gru.kernel().value()[f * gh + 2 * H + j], "n");
            }
            assertEquals(w.get("weight_hh_l0").get(2 * H + j, 1), gru.recurrentKernel().value()[gh + 2 * H + j]);
            assertEquals(w.get("bias_ih_l0").get(H + j), gru.bias().value()[j], "input bias z");
            assertEquals(w.get("bias_hh_l0").get(j), gru.bias().value()[gh + H + j], "recurrent bias r");
        }
    }

    @Test
    void lstmKeepsGateOrderAndSumsBiases() {
        LSTM lstm = build(new LSTM(H), F);
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 4, F, 2);
        RecurrentWeights.setTorch(lstm, w);
        int gh = 4 * H;
        for (int c = 0; c < gh; c++) {
            assertEquals(w.get("weight_ih_l0").get(c, 2), lstm.kernel().value()[2 * gh + c]);
            assertEquals(w.get("weight_hh_l0").get(c, 1), lstm.recurrentKernel().value()[gh + c]);
            assertEquals(w.get("bias_ih_l0").get(c) + w.get("bias_hh_l0").get(c), lstm.bias().value()[c]);
        }
    }

    // ---- round trips ------------------------------------------------------------------------

    @Test
    void torchRoundTripGruIsExact() {
        GRU gru = build(new GRU(H), F);
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 3, F, 3);
        RecurrentWeights.setTorch(gru, w);
        Map<String, Tensor> back = RecurrentWeights.getTorch(gru);
        assertEquals(w.keySet(), back.keySet());
        for (String n : w.keySet()) {
            assertArrayEquals(w.get(n).shape(), back.get(n).shape(), n);
            assertArrayEquals(w.get(n).data(), back.get(n).data(), n);
        }
    }

    @Test
    void torchRoundTripOfSummedBiasesKeepsOutputs() {
        for (Recurrent l : List.of(new LSTM(H), new SimpleRNN(H))) {
            Recurrent a = build(l, F);
            int g = a instanceof LSTM ? 4 : 1;
            Map<String, Tensor> w = new LinkedHashMap<>();
            torchWeights(w, 0, "", g, F, 4);
            RecurrentWeights.setTorch(a, w);
            Map<String, Tensor> back = RecurrentWeights.getTorch(a);
            assertArrayEquals(w.get("weight_ih_l0").data(), back.get("weight_ih_l0").data());
            assertArrayEquals(w.get("weight_hh_l0").data(), back.get("weight_hh_l0").data());
            // documented choice: the summed bias comes back as bias_ih, bias_hh is zeros
            for (int i = 0; i < g * H; i++) {
                assertEquals(w.get("bias_ih_l0").data()[i] + w.get("bias_hh_l0").data()[i], back.get("bias_ih_l0").data()[i]);
                assertEquals(0f, back.get("bias_hh_l0").data()[i]);
            }
            Recurrent b = build(a instanceof LSTM ? new LSTM(H) : new SimpleRNN(H), F);
            RecurrentWeights.setTorch(b, back);
            assertArrayEquals(run(a, x()).data(), run(b, x()).data(), a.className());
        }
    }

    @Test
    void torchRoundTripOfABidirectionalStack() {
        List<Layer> stack = List.of(
                build(new Bidirectional(new LSTM(H).returnSequences(true)), F),
                build(new Bidirectional(new LSTM(H)), 2 * H));
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 4, F, 5);
        torchWeights(w, 0, "_reverse", 4, F, 6);
        torchWeights(w, 1, "", 4, 2 * H, 7);
        torchWeights(w, 1, "_reverse", 4, 2 * H, 8);
        RecurrentWeights.setTorch(stack, w);
        Map<String, Tensor> back = RecurrentWeights.getTorch(stack);
        assertEquals(w.keySet(), back.keySet());
        assertArrayEquals(w.get("weight_hh_l1_reverse").data(), back.get("weight_hh_l1_reverse").data());
        List<Layer> copy = List.of(
                build(new Bidirectional(new LSTM(H).returnSequences(true)), F),
                build(new Bidirectional(new LSTM(H)), 2 * H));
        RecurrentWeights.setTorch(copy, back);
        assertArrayEquals(run(stack.get(1), run(stack.get(0), x())).data(), run(copy.get(1), run(copy.get(0), x())).data());
        // the reverse direction's weights went to the backward copy
        Bidirectional first = (Bidirectional) stack.get(0);
        assertEquals(w.get("weight_ih_l0_reverse").get(3, 1), first.backwardLayer().kernel().value()[4 * H + 3]);
    }

    @Test
    void kerasRoundTrip() {
        Bidirectional a = build(new Bidirectional(new GRU(H).returnSequences(true), "sum"), F);
        Bidirectional b = build(new Bidirectional(new GRU(H).returnSequences(true), "sum"), F);
        List<Tensor> w = RecurrentWeights.getKeras(a);
        assertEquals(6, w.size());
        assertArrayEquals(new int[]{2, 3 * H}, w.get(2).shape());
        RecurrentWeights.setKeras(b, w);
        assertArrayEquals(run(a, x()).data(), run(b, x()).data());

        LSTM l1 = build(new LSTM(H), F);
        LSTM l2 = build(new LSTM(H), F);
        Map<String, Tensor> byName = RecurrentWeights.getKerasMap(l1);
        assertEquals(List.of("kernel", "recurrent_kernel", "bias"), new ArrayList<>(byName.keySet()));
        RecurrentWeights.setKeras(l2, byName);
        assertArrayEquals(run(l1, x()).data(), run(l2, x()).data());
        byName.get("kernel").data()[0] += 1f; // copies, not views
        assertEquals(RecurrentWeights.getKerasMap(l1).get("kernel").data()[0] + 1f, byName.get("kernel").data()[0]);
    }

    @Test
    void torchGradientsOfSummedBiasGoToBothBiases() {
        LSTM l = build(new LSTM(H), F);
        l.bias().grad()[3] = 0.5f;
        l.kernel().grad()[1 * 4 * H + 2] = 0.25f; // kernel (input 1, column 2) = weight_ih (row 2, col 1)
        Map<String, Tensor> g = RecurrentWeights.getTorchGradients(l);
        assertEquals(0.5f, g.get("bias_ih_l0").data()[3]);
        assertEquals(0.5f, g.get("bias_hh_l0").data()[3]);
        assertEquals(0.25f, g.get("weight_ih_l0").get(2, 1));
    }

    // ---- errors ---------------------------------------------------------------------------

    private static void assertMessage(Executable e, String... parts) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) assertTrue(ex.getMessage().contains(p), "'" + p + "' not in: " + ex.getMessage());
    }

    @Test
    void wrongShapeNamesLayerWeightAndBothShapes() {
        LSTM l = build(new LSTM(H), F);
        l.name("enc");
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 4, F + 1, 9);
        float before = l.kernel().value()[0];
        assertMessage(() -> RecurrentWeights.setTorch(l, w), "LSTM 'enc'", "weight_ih_l0", "[8, 4]", "[8, 3]");
        assertEquals(before, l.kernel().value()[0], "nothing written on error");
    }

    @Test
    void missingAndUnexpectedTorchWeights() {
        GRU g = build(new GRU(H), F);
        g.name("dec");
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 3, F, 10);
        Map<String, Tensor> missing = new LinkedHashMap<>(w);
        missing.remove("bias_hh_l0");
        assertMessage(() -> RecurrentWeights.setTorch(g, missing), "GRU 'dec'", "'bias_hh_l0' is missing", "[6]");
        Map<String, Tensor> extra = new LinkedHashMap<>(w);
        torchWeights(extra, 1, "", 3, H, 11);
        assertMessage(() -> RecurrentWeights.setTorch(g, extra), "unexpected PyTorch weights", "weight_ih_l1");
        Map<String, Tensor> reverse = new LinkedHashMap<>(w);
        torchWeights(reverse, 0, "_reverse", 3, F, 12);
        assertMessage(() -> RecurrentWeights.setTorch(g, reverse), "unexpected", "weight_hh_l0_reverse");
        GRU noBias = build((GRU) new GRU(H).useBias(false), F);
        assertMessage(() -> RecurrentWeights.setTorch(noBias, w), "useBias=false", "bias_ih_l0");
    }

    @Test
    void torchGruIntoResetBeforeGruIsRejected() {
        GRU g = build(new GRU(H).resetAfter(false), F);
        g.name("old");
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 3, F, 13);
        assertMessage(() -> RecurrentWeights.setTorch(g, w), "GRU 'old'", "resetAfter=false", "cannot represent",
                "resetAfter(true)");
        assertMessage(() -> RecurrentWeights.getTorch(g), "resetAfter=false");
    }

    @Test
    void activationsPyTorchDoesNotHaveAreRejected() {
        LSTM l = build((LSTM) new LSTM(H).recurrentActivation("hard_sigmoid"), F);
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 4, F, 14);
        assertMessage(() -> RecurrentWeights.setTorch(l, w), "hard_sigmoid", "sigmoid gates");
        SimpleRNN relu = build((SimpleRNN) new SimpleRNN(H).activation("relu"), F);
        Map<String, Tensor> r = new LinkedHashMap<>();
        torchWeights(r, 0, "", 1, F, 15);
        RecurrentWeights.setTorch(relu, r); // nn.RNN(nonlinearity="relu") exists
    }

    @Test
    void kerasErrors() {
        GRU g = build(new GRU(H), F);
        g.name("g");
        List<Tensor> w = RecurrentWeights.getKeras(g);
        List<Tensor> wrongBias = List.of(w.get(0), w.get(1), Tensor.zeros(3 * H));
        assertMessage(() -> RecurrentWeights.setKeras(g, wrongBias), "GRU 'g'", "'bias'", "[6]", "[2, 6]", "resetAfter=true");
        assertMessage(() -> RecurrentWeights.setKeras(g, w.subList(0, 2)), "GRU 'g'", "expected 3 Keras weights", "got 2");
        Map<String, Tensor> m = RecurrentWeights.getKerasMap(g);
        m.put("gamma", Tensor.zeros(1));
        assertMessage(() -> RecurrentWeights.setKeras(g, m), "unexpected Keras weights [gamma]");
        m.remove("gamma");
        m.remove("recurrent_kernel");
        assertMessage(() -> RecurrentWeights.setKeras(g, m), "'recurrent_kernel' is missing", "[2, 6]");
        Bidirectional bi = build(new Bidirectional(new GRU(H)), F);
        assertMessage(() -> RecurrentWeights.setKeras(bi, w), "expected 6 Keras weights", "forward then backward");
    }

    @Test
    void unbuiltLayersAreRejected() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        torchWeights(w, 0, "", 4, F, 16);
        assertMessage(() -> RecurrentWeights.setTorch(new LSTM(H), w), "build the layer");
        assertMessage(() -> RecurrentWeights.getKeras(new Bidirectional(new LSTM(H))), "LSTM 'forward_lstm'", "build the layer");
    }
}
