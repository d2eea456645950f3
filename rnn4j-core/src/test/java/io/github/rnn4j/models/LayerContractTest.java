package io.github.rnn4j.models;

import io.github.rnn4j.layers.LayerRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.io.ModelFile;
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
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.LayerRegistry;
import io.github.rnn4j.layers.Masking;
import io.github.rnn4j.layers.MaxPooling1D;
import io.github.rnn4j.layers.RepeatVector;
import io.github.rnn4j.layers.Reshape;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.TimeDistributed;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.layers.recurrent.StackedRNN;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.bitsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic layer test harness (Keras's {@code layer_test}): every layer class of the library,
 * wrapped in a tiny functional model (its inputs feed the layer directly, a Dense(1) head sits on
 * each of its outputs), must
 * <ul>
 *   <li>produce tensors of the shapes its {@code outputShapes} promises;</li>
 *   <li>have the parameter count of Keras's formula, written here independently of the code;</li>
 *   <li>survive getConfig → JSON (Jackson) → fromConfig → getConfig unchanged, and the whole
 *       model survive ModelConfig → JSON → ModelConfig with bit-identical weights;</li>
 *   <li>save and load (ModelFile) with bit-identical predictions;</li>
 *   <li>lower the loss of a fixed batch with one Adam step at a small learning rate;</li>
 *   <li>give bit-identical weights and training with the same seed, different ones otherwise.</li>
 * </ul>
 * It deliberately checks contracts, not numerics: gradients and parity live in the layer tests.
 */
class LayerContractTest {
    private static final int B = 4;
    private static final int T = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One layer under test: a fresh layer, its model input shapes (-1 = unknown), the concrete
     * per-sample data shapes, the vocabulary for id inputs (0 = real-valued), the layer's expected
     * parameter count, and the last-axis width of each of its outputs (for the heads' count).
     */
    record Case(String name, Supplier<Layer> layer, int[][] declared, int[][] data, int vocab, long params,
                int[] outWidths) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A case's model with the layer under test. */
    record Built(Model model, Layer layer, Tensor[] x) {
    }

    private static int[][] shapes(int[]... s) {
        return s;
    }

    // Keras's parameter formulas, written out independently of the layers' code.
    private static long simpleRnn(int f, int h) {
        return (long) f * h + (long) h * h + h;
    }

    private static long lstm(int f, int h) {
        return 4L * ((long) f * h + (long) h * h + h);
    }

    private static long gru(int f, int h, boolean resetAfter) {
        return 3L * ((long) f * h + (long) h * h + (resetAfter ? 2L * h : h));
    }

    private static long dense(int f, int h) {
        return (long) f * h + h;
    }

    static Stream<Case> cases() {
        int f = 3;
        List<Case> c = new ArrayList<>();
        int[][] seq = shapes(new int[]{-1, f});
        int[][] seqData = shapes(new int[]{T, f});
        c.add(new Case("SimpleRNN", () -> new SimpleRNN(5), seq, seqData, 0, simpleRnn(f, 5), new int[]{5}));
        c.add(new Case("SimpleRNN returnSequences", () -> new SimpleRNN(5).returnSequences(true), seq, seqData, 0,
                simpleRnn(f, 5), new int[]{5}));
        c.add(new Case("LSTM", () -> new LSTM(5), seq, seqData, 0, lstm(f, 5), new int[]{5}));
        c.add(new Case("LSTM returnSequences returnState", () -> new LSTM(4).returnSequences(true).returnState(true),
                seq, seqData, 0, lstm(f, 4), new int[]{4, 4, 4}));
        c.add(new Case("GRU resetAfter", () -> new GRU(5).resetAfter(true), seq, seqData, 0, gru(f, 5, true), new int[]{5}));
        c.add(new Case("GRU resetBefore", () -> new GRU(5).resetAfter(false), seq, seqData, 0, gru(f, 5, false),
                new int[]{5}));
        c.add(new Case("GRU returnState", () -> new GRU(4).returnState(true), seq, seqData, 0, gru(f, 4, true),
                new int[]{4, 4}));
        for (String mode : new String[]{"concat", "sum", "mul", "ave"}) {
            int w = mode.equals("concat") ? 8 : 4;
            c.add(new Case("Bidirectional(LSTM) " + mode, () -> new Bidirectional(new LSTM(4).returnSequences(true), mode),
                    seq, seqData, 0, 2 * lstm(f, 4), new int[]{w}));
        }
        c.add(new Case("Bidirectional(LSTM) none", () -> new Bidirectional(new LSTM(4), null), seq, seqData, 0,
                2 * lstm(f, 4), new int[]{4, 4}));
        c.add(new Case("Bidirectional(GRU) concat returnState", () -> new Bidirectional(new GRU(3).returnState(true)),
                seq, seqData, 0, 2 * gru(f, 3, true), new int[]{6, 3, 3}));
        c.add(new Case("StackedRNN residual", () -> new StackedRNN(new LSTM(4).returnSequences(true),
                new GRU(4).returnSequences(true)).residual(true), seq, seqData, 0, lstm(f, 4) + gru(4, 4, true),
                new int[]{4}));
        c.add(new Case("Dense 2-D", () -> new Dense(4).activation("tanh"), shapes(new int[]{f}), shapes(new int[]{f}), 0,
                dense(f, 4), new int[]{4}));
        c.add(new Case("Dense 3-D", () -> new Dense(4).activation("relu"), seq, seqData, 0, dense(f, 4), new int[]{4}));
        c.add(new Case("Dense no bias", () -> new Dense(4).useBias(false), seq, seqData, 0, (long) f * 4, new int[]{4}));
        c.add(new Case("TimeDistributed(Dense)", () -> new TimeDistributed(new Dense(4).activation("sigmoid")), seq,
                seqData, 0, dense(f, 4), new int[]{4}));
        c.add(new Case("Embedding", () -> new Embedding(10, 4), shapes(new int[]{-1}), shapes(new int[]{T}), 10,
                10L * 4, new int[]{4}));
        c.add(new Case("Embedding maskZero", () -> new Embedding(10, 4).maskZero(true), shapes(new int[]{-1}),
                shapes(new int[]{T}), 10, 10L * 4, new int[]{4}));
        c.add(new Case("Dropout", () -> new Dropout(0.3), seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("Masking", () -> new Masking(0.0), seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("Conv1D valid", () -> new Conv1D(4, 3).activation("relu"), shapes(new int[]{7, f}),
                shapes(new int[]{7, f}), 0, 3L * f * 4 + 4, new int[]{4}));
        c.add(new Case("Conv1D causal dilated", () -> new Conv1D(2, 2).padding("causal").dilationRate(2), seq, seqData, 0,
                2L * f * 2 + 2, new int[]{2}));
        c.add(new Case("Conv1D same strided", () -> new Conv1D(3, 3).padding("same").strides(2), shapes(new int[]{7, f}),
                shapes(new int[]{7, f}), 0, 3L * f * 3 + 3, new int[]{3}));
        c.add(new Case("MaxPooling1D", () -> new MaxPooling1D(2), shapes(new int[]{T, f}), seqData, 0, 0, new int[]{f}));
        c.add(new Case("GlobalAveragePooling1D", GlobalAveragePooling1D::new, seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("GlobalMaxPooling1D", GlobalMaxPooling1D::new, seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("Flatten", Flatten::new, shapes(new int[]{T, f}), seqData, 0, 0, new int[]{T * f}));
        c.add(new Case("Reshape", () -> new Reshape(2, -1), shapes(new int[]{T, f}), seqData, 0, 0, new int[]{T * f / 2}));
        c.add(new Case("RepeatVector", () -> new RepeatVector(5), shapes(new int[]{f}), shapes(new int[]{f}), 0, 0,
                new int[]{f}));
        c.add(new Case("Activation", () -> new Activation("tanh"), seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("Activation softmax", () -> new Activation("softmax"), seq, seqData, 0, 0, new int[]{f}));
        c.add(new Case("Concatenate", Concatenate::new, shapes(new int[]{-1, f}, new int[]{-1, 2}),
                shapes(new int[]{T, f}, new int[]{T, 2}), 0, 0, new int[]{f + 2}));
        c.add(new Case("Add", Add::new, shapes(new int[]{-1, f}, new int[]{-1, f}), shapes(new int[]{T, f}, new int[]{T, f}),
                0, 0, new int[]{f}));
        return c.stream();
    }

    /** The case's model: inputs → layer → one Dense(1) head per layer output. */
    static Built build(Case c, long seed) {
        Layer layer = c.layer().get();
        SymbolicTensor[] in = new SymbolicTensor[c.declared().length];
        for (int i = 0; i < in.length; i++) in[i] = Input.of(c.declared()[i]);
        SymbolicTensor[] out = layer.callMulti(in);
        SymbolicTensor[] heads = new SymbolicTensor[out.length];
        for (int i = 0; i < out.length; i++) heads[i] = new Dense(1).call(out[i]);
        Model m = Model.of(in, heads).seed(seed);
        m.build();
        Tensor[] x = new Tensor[in.length];
        for (int i = 0; i < x.length; i++) {
            int[] s = new int[c.data()[i].length + 1];
            s[0] = B;
            System.arraycopy(c.data()[i], 0, s, 1, c.data()[i].length);
            x[i] = c.vocab() > 0 ? ModelTesting.ids(100 + i, c.vocab(), s) : ModelTesting.rand(100 + i, s);
        }
        if (c.vocab() > 0) x[0].data()[0] = 0; // a padding id for maskZero
        return new Built(m, layer, x);
    }

    /** Random targets of the shape of each model output. */
    static Tensor[] targets(Built b) {
        Tensor[] p = b.model().predict(b.x(), B);
        Tensor[] y = new Tensor[p.length];
        for (int i = 0; i < p.length; i++) y[i] = ModelTesting.rand(200 + i, p[i].shape());
        return y;
    }

    static void compile(Model m, double lr) {
        m.compile(new Adam(lr), new MeanSquaredError());
    }

    static FitOptions oneStep() {
        return new FitOptions().epochs(1).batchSize(B).shuffle(false).verbose(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void outputShapesMatchForward(Case c) {
        Built b = build(c, 1);
        int[][] data = c.data();
        int[][] promised = b.layer().outputShapes(data);
        Tensor[] out = b.layer().forward(b.x(), null, b.layer().newFrame(), false);
        assertEquals(promised.length, out.length, "number of outputs");
        assertEquals(c.outWidths().length, out.length, "number of outputs the case expects");
        int[][] symbolic = b.layer().outputShapes(c.declared());
        for (int i = 0; i < out.length; i++) {
            int[] want = new int[promised[i].length + 1];
            want[0] = B;
            System.arraycopy(promised[i], 0, want, 1, promised[i].length);
            assertArrayEquals(want, out[i].shape(), "output " + i + " shape");
            assertEquals(c.outWidths()[i], out[i].dim(-1), "output " + i + " last axis");
            // the symbolic shape (unknown time) agrees wherever it is known
            assertEquals(want.length - 1, symbolic[i].length, "output " + i + " rank (symbolic)");
            for (int d = 0; d < symbolic[i].length; d++) {
                if (symbolic[i][d] >= 0) assertEquals(symbolic[i][d], want[d + 1], "output " + i + " axis " + (d + 1));
            }
        }
        // inference through the model gives the same per-output shapes behind the heads
        Tensor[] pred = b.model().predict(b.x(), B);
        for (int i = 0; i < pred.length; i++) {
            int[] want = out[i].shape();
            want[want.length - 1] = 1;
            assertArrayEquals(want, pred[i].shape(), "model output " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parameterCountIsKerasFormula(Case c) {
        Built b = build(c, 1);
        assertEquals(c.params(), b.layer().countParams(), "layer parameters");
        long sum = 0;
        for (var p : b.layer().params()) sum += p.size();
        assertEquals(c.params(), sum, "sum over the layer's Params");
        long heads = 0;
        for (int w : c.outWidths()) heads += dense(w, 1);
        assertEquals(c.params() + heads, b.model().countParams(), "model parameters (layer + Dense(1) heads)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void configRoundTripsThroughJson(Case c) throws Exception {
        Built b = build(c, 1);
        Map<String, Object> cfg = b.layer().getConfig();
        String json = JSON.writeValueAsString(cfg);
        @SuppressWarnings("unchecked")
        Map<String, Object> read = JSON.readValue(json, Map.class);
        Layer again = LayerRegistry.fromConfig(b.layer().className(), read);
        assertEquals(b.layer().getClass(), again.getClass());
        JsonNode want = JSON.readTree(json);
        JsonNode got = JSON.readTree(JSON.writeValueAsString(again.getConfig()));
        assertEquals(want, got, "config after JSON round trip");

        // the whole model through ModelConfig and JSON: same architecture, same seed, same weights
        String modelJson = JSON.writeValueAsString(ModelConfig.toConfig(b.model()));
        @SuppressWarnings("unchecked")
        Map<String, Object> modelRead = JSON.readValue(modelJson, Map.class);
        Model rebuilt = ModelConfig.fromConfig(modelRead);
        rebuilt.build();
        assertEquals(b.model().countParams(), rebuilt.countParams());
        assertBitsEqual(b.model().getWeights(), rebuilt.getWeights(), "weights of the model rebuilt from its config");
        assertEquals(JSON.readTree(modelJson), JSON.readTree(JSON.writeValueAsString(ModelConfig.toConfig(rebuilt))),
                "model config after a round trip");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void saveLoadGivesIdenticalPredictions(Case c, @TempDir Path dir) throws Exception {
        Built b = build(c, 3);
        compile(b.model(), 1e-2);
        b.model().fit(b.x(), targets(b), oneStep()); // weights no longer the seeded initial ones
        Tensor[] before = b.model().predict(b.x(), B);
        Path file = dir.resolve("m.rnn4j");
        ModelFile.save(b.model(), file);
        Model loaded = ModelFile.load(file);
        Tensor[] after = loaded.predict(b.x(), B);
        assertEquals(before.length, after.length);
        for (int i = 0; i < before.length; i++) assertBitsEqual(before[i], after[i], "prediction " + i + " after load");
        assertBitsEqual(b.model().getWeights(), loaded.getWeights(), "weights after load");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneAdamStepLowersTheLoss(Case c) {
        Built b = build(c, 5);
        compile(b.model(), 1e-3);
        Tensor[] y = targets(b);
        double before = b.model().evaluate(b.x(), y, B).get("loss");
        b.model().fit(b.x(), y, oneStep());
        double after = b.model().evaluate(b.x(), y, B).get("loss");
        assertTrue(after < before, "loss should fall after one step: " + before + " -> " + after);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void seedDecidesEveryBit(Case c) {
        Built a = build(c, 11), a2 = build(c, 11), other = build(c, 12);
        assertBitsEqual(a.model().getWeights(), a2.model().getWeights(), "initial weights, same seed");
        assertFalse(bitsEqual(a.model().getWeights(), other.model().getWeights()), "initial weights, other seed");
        Tensor[] y = targets(a);
        compile(a.model(), 1e-2);
        compile(a2.model(), 1e-2);
        compile(other.model(), 1e-2);
        FitOptions o = new FitOptions().epochs(2).batchSize(2).verbose(0); // shuffled, seeded
        History ha = a.model().fit(a.x(), y, o);
        History ha2 = a2.model().fit(a2.x(), y, o);
        other.model().fit(other.x(), y, o);
        assertEquals(ha.history(), ha2.history(), "history, same seed");
        assertBitsEqual(a.model().getWeights(), a2.model().getWeights(), "trained weights, same seed");
        assertFalse(bitsEqual(a.model().getWeights(), other.model().getWeights()), "trained weights, other seed");
    }
}
