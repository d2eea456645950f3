package io.github.rnn4j.models;

import io.github.rnn4j.layers.Add;
import io.github.rnn4j.layers.Concatenate;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Flatten;
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.TimeDistributed;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.MeanAbsoluteError;
import io.github.rnn4j.training.MeanSquaredError;
import io.github.rnn4j.training.SGD;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.bitsEqual;
import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tests of {@link Model} and {@link Sequential} through their public API: building (deferred
 * input shapes, several inputs and outputs, shared layers, encoder-decoder states), gradients of
 * the whole graph against finite differences, summary text, weights, the fit loop's logs and
 * history, validation split, seeded shuffling, evaluate, multi-output naming and truncated BPTT.
 * Bad input and NaN handling are in {@link BadInputTest}, streaming in {@link StreamingTest}.
 */
class ModelTest {

    private static FitOptions quiet() {
        return new FitOptions().verbose(0);
    }

    // ---- building -----------------------------------------------------------------------------

    @Test
    void sequentialWithDeferredInputShapeBuildsFromTheFirstData() {
        Sequential m = new Sequential(new LSTM(4), new Dense(1));
        m.seed(3);
        assertThrows(IllegalStateException.class, m::summary, "no input shape yet");
        Tensor x = rand(1, 6, 5, 3);
        Tensor y = rand(2, 6, 1);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        m.fit(x, y, quiet().epochs(2).batchSize(3));
        assertEquals(2, m.layers().size(), "layers() leaves out the input layer, as Keras");
        assertEquals(4L * (3 * 4 + 4 * 4 + 4) + 5, m.countParams());
        // the time axis was left open: longer sequences are accepted
        Tensor p = m.predict(rand(3, 2, 9, 3));
        assertArrayEquals(new int[]{2, 1}, p.shape());
        assertTrue(m.summary().contains("(None, 4)"), m.summary());
        // features are fixed by the first data
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(rand(3, 2, 5, 4)));
        assertTrue(e.getMessage().contains("[2, 5, 4]"), e.getMessage());
    }

    @Test
    void sequentialWithDeferredInputShapeAndFlattenUsesTheDataLength() {
        // Flatten needs a known length: the deferred build must fall back to the data's shape
        Sequential m = new Sequential(new Flatten(), new Dense(2));
        Tensor p = m.predict(rand(1, 3, 5, 4));
        assertArrayEquals(new int[]{3, 2}, p.shape());
        assertEquals(5 * 4 * 2 + 2, m.countParams());
    }

    @Test
    void sequentialMatchesTheSameFunctionalModel() {
        Sequential s = new Sequential(new InputLayer(-1, 3), new GRU(4).returnSequences(true), new Dense(2));
        s.seed(9);
        SymbolicTensor in = Input.of(-1, 3);
        Model f = Model.of(in, new Dense(2).call(new GRU(4).returnSequences(true).call(in))).seed(9);
        Tensor x = rand(5, 2, 7, 3);
        // same seeds per layer position -> same weights and outputs
        assertBitsEqual(s.getWeights(), f.getWeights(), "weights");
        assertBitsEqual(s.predict(x), f.predict(x), "predictions");
    }

    @Test
    void twoInputsTwoOutputsTrain() {
        SymbolicTensor seq = Input.of("series", -1, 3);
        SymbolicTensor meta = Input.of("meta", 4);
        SymbolicTensor h = new LSTM(5).call(seq);
        SymbolicTensor e = new Dense(5).activation("tanh").call(meta);
        SymbolicTensor both = new Concatenate().call(h, e);
        SymbolicTensor reg = new Dense(1).name("reg").call(both);
        SymbolicTensor sum = new Add().call(h, e);
        SymbolicTensor cls = new Dense(3).activation("softmax").name("cls").call(sum);
        Model m = Model.of(new SymbolicTensor[]{seq, meta}, new SymbolicTensor[]{reg, cls}).seed(4);
        m.compile(new Adam(1e-2), new Loss[]{new MeanSquaredError(), new SparseCategoricalCrossentropy()},
                new double[]{1.0, 0.5});
        int n = 24;
        Tensor xs = rand(10, n, 6, 3), xm = rand(11, n, 4);
        Tensor yr = Tensor.zeros(n, 1), yc = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            yr.data()[i] = 0.5f * xm.get(i, 0) + 0.3f * xs.get(i, 5, 1);
            yc.data()[i] = xm.get(i, 1) > 0.3f ? 2 : xm.get(i, 1) > -0.3f ? 1 : 0;
        }
        Tensor[] x = {xs, xm}, y = {yr, yc};
        History hist = m.fit(x, y, quiet().epochs(40).batchSize(8));
        List<Double> loss = hist.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.6 * loss.get(0), "loss should fall: " + loss);
        Map<String, Double> ev = m.evaluate(x, y, 7);
        assertEquals(ev.get("reg_loss") + 0.5 * ev.get("cls_loss"), ev.get("loss"), 1e-9, ev.toString());
        Tensor[] p = m.predict(x, 5);
        assertArrayEquals(new int[]{n, 1}, p[0].shape());
        assertArrayEquals(new int[]{n, 3}, p[1].shape());
    }

    /**
     * A shared Dense layer called on two inputs: its weights get the sum of both calls'
     * gradients. Checked three ways: against a central finite difference of the total loss,
     * against the sum of the gradients of an unshared twin (two layers holding the same weights),
     * and through fit with plain SGD (the step taken is lr times the summed gradient).
     */
    @Test
    void sharedLayerGradientIsTheSumOfBothCalls() {
        Tensor a = rand(20, 5, 4), bIn = rand(21, 5, 4), y = rand(22, 5, 1);
        Dense shared = new Dense(3).activation("tanh");
        SymbolicTensor ia = Input.of(4), ib = Input.of(4);
        SymbolicTensor out = new Dense(1).call(new Concatenate().call(shared.call(ia), shared.call(ib)));
        Model m = Model.of(new SymbolicTensor[]{ia, ib}, new SymbolicTensor[]{out}).seed(8);
        m.compile(new SGD(0.1), new MeanSquaredError());
        Tensor[] x = {a, bIn}, ys = {y};
        assertEquals(4 * 3 + 3 + 6 + 1, m.countParams(), "the shared layer's weights count once");

        float[][] grads = analyticGrads(m, x, y);
        // finite differences of the total loss, on the shared kernel and bias
        List<Param> ps = m.params();
        int sharedIdx = ps.indexOf(shared.kernel());
        assertTrue(sharedIdx >= 0);
        for (Param p : new Param[]{shared.kernel(), shared.bias()}) {
            float[] g = grads[ps.indexOf(p)];
            boolean nonZero = false;
            for (int i = 0; i < p.size(); i++) {
                double fd = finiteDifference(m, x, ys, p, i);
                double an = g[i];
                nonZero |= Math.abs(an) > 1e-3;
                assertTrue(Math.abs(fd - an) <= 2e-3 + 2e-2 * Math.max(Math.abs(fd), Math.abs(an)),
                        p.name() + "[" + i + "]: analytic " + an + " vs finite difference " + fd);
            }
            assertTrue(nonZero, "gradient of " + p.name() + " should not vanish");
        }

        // the unshared twin: two layers with the shared layer's weights
        Dense d1 = new Dense(3).activation("tanh"), d2 = new Dense(3).activation("tanh");
        SymbolicTensor ja = Input.of(4), jb = Input.of(4);
        Dense head = new Dense(1);
        Model twin = Model.of(new SymbolicTensor[]{ja, jb},
                new SymbolicTensor[]{head.call(new Concatenate().call(d1.call(ja), d2.call(jb)))});
        twin.compile(new SGD(0.1), new MeanSquaredError());
        twin.build();
        copy(shared, d1);
        copy(shared, d2);
        Dense mHead = (Dense) m.layers().get(m.layers().size() - 1);
        copy(mHead, head);
        float[][] tg = analyticGrads(twin, x, y);
        List<Param> tps = twin.params();
        float[] gShared = grads[sharedIdx];
        float[] g1 = tg[tps.indexOf(d1.kernel())], g2 = tg[tps.indexOf(d2.kernel())];
        for (int i = 0; i < gShared.length; i++) {
            assertEquals(g1[i] + g2[i], gShared[i], 1e-6, "kernel[" + i + "] = sum of the two calls");
        }
        assertFalse(java.util.Arrays.equals(g1, g2), "the two calls contribute different gradients");

        // through fit: one SGD step moves the shared kernel by lr * summed gradient
        float[] before = shared.kernel().value().clone();
        m.fit(x, ys, quiet().epochs(1).batchSize(5).shuffle(false));
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i] - 0.1 * gShared[i], shared.kernel().value()[i], 1e-6, "SGD step on kernel[" + i + "]");
        }
    }

    private static void copy(Dense from, Dense to) {
        System.arraycopy(from.kernel().value(), 0, to.kernel().value(), 0, from.kernel().size());
        System.arraycopy(from.bias().value(), 0, to.bias().value(), 0, from.bias().size());
    }

    /** dLoss/dParam for every parameter, via the graph's backward sweep (package access). */
    private static float[][] analyticGrads(Model m, Tensor[] x, Tensor y) {
        m.build();
        Graph.Run run = m.graph.new Run();
        Tensor[] pred = run.forward(x, null, false);
        Tensor g = Tensor.zeros(pred[0].shape());
        new MeanSquaredError().forward(pred[0], y, g);
        List<Param> ps = m.params();
        for (Param p : ps) p.zeroGrad();
        run.backward(new Tensor[]{g});
        float[][] out = new float[ps.size()][];
        for (int i = 0; i < out.length; i++) out[i] = ps.get(i).grad().clone();
        return out;
    }

    private static double finiteDifference(Model m, Tensor[] x, Tensor[] y, Param p, int i) {
        float eps = 1e-2f, keep = p.value()[i];
        p.value()[i] = keep + eps;
        double lp = m.evaluate(x, y, x[0].dim(0)).get("loss");
        p.value()[i] = keep - eps;
        double lm = m.evaluate(x, y, x[0].dim(0)).get("loss");
        p.value()[i] = keep;
        return (lp - lm) / (2 * eps);
    }

    @Test
    void encoderDecoderWithStatesTrains() {
        int n = 32, te = 5, td = 4;
        SymbolicTensor encIn = Input.of("encoder_in", -1, 2);
        SymbolicTensor[] enc = new LSTM(12).returnState(true).name("encoder").callMulti(encIn);
        assertEquals(3, enc.length, "output, h, c");
        SymbolicTensor decIn = Input.of("decoder_in", -1, 1);
        SymbolicTensor dec = new LSTM(12).returnSequences(true).name("decoder").call(decIn, enc[1], enc[2]);
        SymbolicTensor out = new TimeDistributed(new Dense(1)).call(dec);
        Model m = Model.of(new SymbolicTensor[]{encIn, decIn}, new SymbolicTensor[]{out}).seed(6);
        m.compile(new Adam(2e-2), new MeanSquaredError());
        // the decoder must recall the encoder's inputs in reverse: only the states carry them
        Tensor xe = rand(30, n, te, 2), xd = Tensor.zeros(n, td, 1), y = Tensor.zeros(n, td, 1);
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < td; t++) y.set(xe.get(i, te - 1 - t, 0), i, t, 0);
        }
        History h = m.fit(new Tensor[]{xe, xd}, new Tensor[]{y}, quiet().epochs(60).batchSize(8));
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "loss should fall: " + loss.get(0) + " -> "
                + loss.get(loss.size() - 1));
        // the decoder really depends on the encoder: changing the encoder input changes its output
        Tensor p1 = m.predict(new Tensor[]{xe, xd}, n)[0];
        Tensor p2 = m.predict(new Tensor[]{rand(31, n, te, 2), xd}, n)[0];
        assertFalse(java.util.Arrays.equals(p1.data(), p2.data()));
    }

    /**
     * The backward sweep asks no layer for a gradient that only a model input would receive
     * ({@code Layer.Frame.inputGradients}): not the Masking layer, not the encoder (fed by the
     * Masking layer, which has no weights), not the decoder's sequence (a model input), while the
     * decoder's initial states (the encoder's) and the head's input are wanted; and the model's
     * weight gradients match finite differences through it.
     */
    @Test
    void backwardAsksNoGradientThatOnlyAModelInputWouldReceive() {
        SymbolicTensor encIn = Input.of("encoder_in", -1, 2);
        SymbolicTensor masked = new io.github.rnn4j.layers.Masking(0.0).name("masking").call(encIn);
        SymbolicTensor[] enc = new LSTM(5).returnState(true).name("encoder").callMulti(masked);
        SymbolicTensor decIn = Input.of("decoder_in", -1, 1);
        SymbolicTensor dec = new LSTM(5).returnSequences(true).name("decoder").call(decIn, enc[1], enc[2]);
        SymbolicTensor out = new TimeDistributed(new Dense(1)).name("head").call(dec);
        Model m = Model.of(new SymbolicTensor[]{encIn, decIn}, new SymbolicTensor[]{out}).seed(2);
        m.compile(new SGD(0.1), new MeanSquaredError());
        Tensor[] x = {rand(40, 3, 4, 2), rand(41, 3, 3, 1)};
        Tensor y = rand(42, 3, 3, 1);
        m.build();
        Graph.Run run = m.graph.new Run();
        Tensor[] pred = run.forward(x, null, false);
        run.backward(new Tensor[]{Tensor.zeros(pred[0].shape())});
        Map<String, boolean[]> wanted = new java.util.HashMap<>();
        for (int k = 0; k < m.graph.calls.size(); k++) {
            int n = m.graph.callIn[k].length;
            boolean[] w = new boolean[n];
            for (int i = 0; i < n; i++) w[i] = run.frames[k].wantsInputGradient(i);
            wanted.put(m.graph.calls.get(k).layer().name(), w);
        }
        assertArrayEquals(new boolean[]{false}, wanted.get("masking"));
        assertArrayEquals(new boolean[]{false}, wanted.get("encoder"));
        assertArrayEquals(new boolean[]{false, true, true}, wanted.get("decoder"));
        assertArrayEquals(new boolean[]{true}, wanted.get("head"));
        float[][] g = analyticGrads(m, x, y);
        List<Param> ps = m.params();
        for (int p = 0; p < ps.size(); p++) {
            for (int i = 0; i < ps.get(p).size(); i += 7) {
                double fd = finiteDifference(m, x, new Tensor[]{y}, ps.get(p), i);
                assertEquals(fd, g[p][i], 2e-3 + 2e-2 * Math.abs(fd), ps.get(p).name() + "[" + i + "]");
            }
        }
    }

    // ---- summary and weights ------------------------------------------------------------------

    @Test
    void summaryShowsNamesKerasShapesAndParameterTotals() {
        Sequential s = new Sequential(new InputLayer(10, 4), new LSTM(32).returnSequences(true), new Dense(1));
        s.name("forecaster");
        String text = s.summary();
        long lstm = 4L * (4 * 32 + 32 * 32 + 32), dense = 33;
        assertTrue(text.contains("Model: \"forecaster\""), text);
        assertTrue(text.contains("lstm (LSTM)"), text);
        assertTrue(text.contains("dense (Dense)"), text);
        assertTrue(text.contains("(None, 10, 32)"), text);
        assertTrue(text.contains("(None, 10, 1)"), text);
        assertTrue(text.contains(" " + lstm + " "), text);
        assertTrue(text.contains("Total params: " + (lstm + dense) + "\n"), text);
        assertTrue(text.contains("Trainable params: " + (lstm + dense) + "\n"), text);
        assertTrue(text.contains("Non-trainable params: 0\n"), text);
        assertFalse(text.contains("input_layer"), "Sequential summaries leave out the input layer");

        // functional: shared layer counted once, frozen layer reported as non-trainable
        SymbolicTensor a = Input.of("a", 7, 3), b = Input.of("b", 7, 3);
        GRU shared = new GRU(8);
        shared.name("shared_gru");
        Dense frozen = new Dense(2);
        frozen.name("frozen_head").trainable(false);
        Model f = Model.of(new SymbolicTensor[]{a, b}, new SymbolicTensor[]{
                frozen.call(new Add().call(shared.call(a), shared.call(b)))});
        String ft = f.summary();
        long gru = 3L * (3 * 8 + 8 * 8 + 2 * 8);
        assertTrue(ft.contains("shared_gru (GRU)"), ft);
        assertTrue(ft.contains("(None, 7, 3)"), ft);
        assertTrue(ft.contains("(None, 8)"), ft);
        assertTrue(ft.contains("Connected to"), ft);
        assertTrue(ft.contains("shared_gru[0][0]") && ft.contains("shared_gru[1][0]"), ft);
        assertTrue(ft.contains("Total params: " + (gru + 18) + "\n"), ft);
        assertTrue(ft.contains("Trainable params: " + gru + "\n"), ft);
        assertTrue(ft.contains("Non-trainable params: 18\n"), ft);
    }

    @Test
    void frozenLayerDoesNotChangeInFit() {
        Sequential s = new Sequential(new InputLayer(-1, 2), new SimpleRNN(3), new Dense(1));
        s.layers().get(0).trainable(false);
        s.compile(new Adam(1e-2), new MeanSquaredError());
        List<Tensor> w0 = ModelTesting.copies(s.getWeights());
        s.fit(rand(1, 8, 4, 2), rand(2, 8, 1), quiet().epochs(2).batchSize(4));
        List<Tensor> w1 = s.getWeights();
        for (int i = 0; i < 3; i++) assertBitsEqual(w0.get(i), w1.get(i), "frozen weight " + i);
        assertFalse(bitsEqual(w0.subList(3, 5), w1.subList(3, 5)), "the Dense head trains");
    }

    @Test
    void getWeightsSetWeightsRoundTripAndShapeMismatch() {
        Sequential s = new Sequential(new InputLayer(-1, 3), new LSTM(4), new Dense(2));
        s.seed(1);
        Tensor x = rand(3, 5, 6, 3);
        Tensor p0 = s.predict(x);
        List<Tensor> saved = s.getWeights();
        assertEquals(5, saved.size());
        assertArrayEquals(new int[]{3, 16}, saved.get(0).shape(), "LSTM kernel (F, 4H)");
        assertArrayEquals(new int[]{4, 16}, saved.get(1).shape(), "LSTM recurrent kernel (H, 4H)");
        assertArrayEquals(new int[]{16}, saved.get(2).shape());
        // getWeights returns copies
        saved.get(0).data()[0] += 1;
        assertBitsEqual(p0, s.predict(x), "getWeights must return copies");
        saved.get(0).data()[0] -= 1;

        s.compile(new Adam(1e-1), new MeanSquaredError());
        s.fit(x, rand(4, 5, 2), quiet().epochs(3).batchSize(5));
        assertFalse(java.util.Arrays.equals(p0.data(), s.predict(x).data()), "training changed the model");
        s.setWeights(saved);
        assertBitsEqual(p0, s.predict(x), "predictions after restoring the weights");

        List<Tensor> trained = s.getWeights();
        List<Tensor> bad = new ArrayList<>(saved);
        bad.set(1, Tensor.zeros(16, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.setWeights(bad));
        assertTrue(e.getMessage().contains("recurrent_kernel") && e.getMessage().contains("[4, 16]")
                && e.getMessage().contains("[16, 4]"), e.getMessage());
        assertBitsEqual(trained, s.getWeights(), "a rejected setWeights changes nothing");
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> s.setWeights(saved.subList(0, 4)));
        assertTrue(e2.getMessage().contains("5") && e2.getMessage().contains("4"), e2.getMessage());
    }

    // ---- the fit loop -------------------------------------------------------------------------

    @Test
    void fitLogsLossMetricsAndValidationAndHistoryHoldThem() {
        Sequential s = new Sequential(new InputLayer(-1, 2), new GRU(4), new Dense(1));
        s.seed(2);
        s.compile(new Adam(1e-2), new MeanSquaredError(), "mae", "rmse");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        Tensor x = rand(1, 20, 5, 2), y = rand(2, 20, 1);
        History h = s.fit(x, y, new FitOptions().epochs(3).batchSize(6).validationSplit(0.25).out(out).verbose(1));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Epoch 1/3") && text.contains("Epoch 3/3"), text);
        assertTrue(text.contains("3/3 ["), "15 training samples in batches of 6 = 3 steps: " + text);
        for (String k : new String[]{" - loss: ", " - mae: ", " - rmse: ", " - val_loss: ", " - val_mae: ", " - val_rmse: "}) {
            assertTrue(text.contains(k), k + " in " + text);
        }
        assertEquals(List.of("loss", "mae", "rmse", "val_loss", "val_mae", "val_rmse"), new ArrayList<>(h.history().keySet()));
        for (List<Double> v : h.history().values()) assertEquals(3, v.size());
        assertEquals(List.of(0, 1, 2), h.epochs());
        assertEquals(h.get("val_loss").get(2), h.last("val_loss"));
        assertEquals(null, h.stopReason());
        assertThrows(IllegalArgumentException.class, () -> h.get("accuracy"));
        // rmse and mse of the same validation data agree
        Map<String, Double> ev = s.evaluate(x.slice0(15, 20), y.slice0(15, 20), 6);
        assertEquals(ev.get("loss"), h.last("val_loss"), 0.0, "val_loss = evaluate on the held-out samples");
        assertEquals(Math.sqrt(ev.get("loss")), ev.get("rmse"), 1e-6);

        // verbose 2: one line per epoch, no carriage returns
        ByteArrayOutputStream buf2 = new ByteArrayOutputStream();
        s.fit(x, y, new FitOptions().epochs(2).batchSize(6).out(new PrintStream(buf2, true, StandardCharsets.UTF_8)).verbose(2));
        String t2 = buf2.toString(StandardCharsets.UTF_8);
        assertFalse(t2.contains("\r"), t2);
        assertEquals(2, t2.lines().filter(l -> l.startsWith("4/4 - ")).count(), t2);
        // verbose 0: silent
        ByteArrayOutputStream buf0 = new ByteArrayOutputStream();
        s.fit(x, y, new FitOptions().epochs(1).out(new PrintStream(buf0, true, StandardCharsets.UTF_8)).verbose(0));
        assertEquals(0, buf0.size());
    }

    @Test
    void epochLossIsTheMeanOfTheBatchLossesBeforeEachStep() {
        // one batch, no shuffle: the logged loss is the loss of the weights before the step
        Sequential s = new Sequential(new InputLayer(-1, 2), new SimpleRNN(3), new Dense(1));
        s.compile(new SGD(0.05), new MeanSquaredError(), "mae");
        Tensor x = rand(1, 10, 4, 2), y = rand(2, 10, 1);
        Map<String, Double> before = s.evaluate(x, y, 10);
        History h = s.fit(x, y, quiet().epochs(1).batchSize(10).shuffle(false));
        assertEquals(before.get("loss"), h.last("loss"), 1e-12);
        assertEquals(before.get("mae"), h.last("mae"), 1e-7);
    }

    @Test
    void validationSplitTakesTheLastFraction() {
        int n = 10;
        Tensor x = rand(1, n, 4, 2), y = rand(2, n, 1);
        Model a = new Sequential(new InputLayer(-1, 2), new LSTM(3), new Dense(1)).seed(5);
        Model b = new Sequential(new InputLayer(-1, 2), new LSTM(3), new Dense(1)).seed(5);
        a.compile(new Adam(1e-2), new MeanSquaredError());
        b.compile(new Adam(1e-2), new MeanSquaredError());
        History ha = a.fit(x, y, quiet().epochs(2).batchSize(3).validationSplit(0.3));
        // b trains on the first 7 samples only and validates on the last 3 explicitly
        History hb = b.fit(x.slice0(0, 7), y.slice0(0, 7), quiet().epochs(2).batchSize(3)
                .validationData(x.slice0(7, 10), y.slice0(7, 10)));
        assertBitsEqual(b.getWeights(), a.getWeights(), "weights: trained on the first 70%");
        assertEquals(hb.history(), ha.history(), "same losses and validation losses");
        double lastThree = a.evaluate(x.slice0(7, 10), y.slice0(7, 10), 3).get("loss");
        double firstThree = a.evaluate(x.slice0(0, 3), y.slice0(0, 3), 3).get("loss");
        assertEquals(lastThree, ha.last("val_loss"), 0.0);
        assertNotEquals(firstThree, ha.last("val_loss"));
    }

    @Test
    void shuffleIsSeeded() {
        Tensor x = rand(1, 16, 4, 2), y = rand(2, 16, 1);
        History h1 = trainedHistory(7, x, y, true);
        History h2 = trainedHistory(7, x, y, true);
        History noShuffle = trainedHistory(7, x, y, false);
        assertEquals(h1.history(), h2.history(), "same seed -> same bits");
        assertNotEquals(h1.history(), noShuffle.history(), "shuffling changes the batches");
        // another seed shuffles differently: same initial weights, different seeds, different runs
        Model c = model(7), e = model(8);
        e.setWeights(c.getWeights());
        History hc = c.fit(x, y, quiet().epochs(3).batchSize(4));
        History he = e.fit(x, y, quiet().epochs(3).batchSize(4));
        assertNotEquals(hc.history(), he.history());
    }

    private static Model model(long seed) {
        Model m = new Sequential(new InputLayer(-1, 2), new LSTM(3), new Dense(1)).seed(seed);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        return m;
    }

    private static History trainedHistory(long seed, Tensor x, Tensor y, boolean shuffle) {
        return model(seed).fit(x, y, quiet().epochs(3).batchSize(4).shuffle(shuffle));
    }

    @Test
    void evaluateEqualsTheLossOfPredictComputedByHand() {
        Sequential s = new Sequential(new InputLayer(-1, 3), new LSTM(4).returnSequences(true), new Dense(2));
        s.seed(12);
        s.compile(new Adam(), new MeanSquaredError(), "mae");
        Tensor x = rand(1, 11, 5, 3), y = rand(2, 11, 5, 2);
        Tensor p = s.predict(x, 4);
        double se = 0, ae = 0;
        for (int i = 0; i < p.size(); i++) {
            double d = (double) p.data()[i] - y.data()[i];
            se += d * d;
            ae += Math.abs(d);
        }
        for (int batch : new int[]{1, 4, 11, 32}) {
            Map<String, Double> ev = s.evaluate(x, y, batch);
            assertEquals(se / p.size(), ev.get("loss"), 1e-6, "loss, batch " + batch);
            assertEquals(ae / p.size(), ev.get("mae"), 1e-6, "mae, batch " + batch);
        }
        // a model not compiled cannot evaluate
        Sequential u = new Sequential(new InputLayer(-1, 3), new LSTM(4), new Dense(2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.evaluate(x, rand(3, 11, 2), 4));
        assertTrue(e.getMessage().contains("compile"), e.getMessage());
    }

    @Test
    void multiOutputLossesAndMetricsAreNamedAfterTheOutputLayers() {
        SymbolicTensor in = Input.of(-1, 2);
        SymbolicTensor h = new GRU(4).call(in);
        SymbolicTensor a = new Dense(1).name("price").call(h);
        SymbolicTensor b = new Dense(2).name("volume").call(h);
        Model m = Model.of(new SymbolicTensor[]{in}, new SymbolicTensor[]{a, b}).seed(3);
        m.compile(new Adam(1e-2), new Loss[]{new MeanSquaredError(), new MeanAbsoluteError()}, new double[]{2.0, 0.5}, "mae");
        Tensor x = rand(1, 12, 4, 2);
        Tensor[] y = {rand(2, 12, 1), rand(3, 12, 2)};
        History hist = m.fit(new Tensor[]{x}, y, quiet().epochs(2).batchSize(5).validationSplit(0.25));
        assertEquals(List.of("loss", "price_loss", "volume_loss", "price_mae", "volume_mae",
                "val_loss", "val_price_loss", "val_volume_loss", "val_price_mae", "val_volume_mae"),
                new ArrayList<>(hist.history().keySet()));
        Map<String, Double> ev = m.evaluate(new Tensor[]{x}, y, 5);
        assertEquals(2.0 * ev.get("price_loss") + 0.5 * ev.get("volume_loss"), ev.get("loss"), 1e-9);
        assertEquals(ev.get("volume_loss"), ev.get("volume_mae"), 1e-6, "MAE loss and mae metric agree");
        assertThrows(IllegalArgumentException.class, () -> m.compile(new Adam(), new Loss[]{new MeanSquaredError()}, null));
    }

    @Test
    void paddedTimestepsDoNotCountInLossMetricsOrGradients() {
        // Keras applies the output mask (Embedding(maskZero) -> returnSequences) to the loss
        Tensor ids = ModelTesting.ids(1, 9, 6, 5);
        for (int i = 0; i < 6; i++) ids.data()[i * 5] = 1 + i % 8; // every sample keeps step 0
        for (int i = 0; i < 6; i++) for (int t = 5 - i % 3; t < 5; t++) ids.data()[i * 5 + t] = 0; // trailing padding
        Tensor y = rand(2, 6, 5, 1);
        Tensor junk = y.copy();
        for (int i = 0; i < ids.size(); i++) if (ids.data()[i] == 0) junk.data()[i] = 1000f;
        Model[] ms = new Model[2];
        for (int k = 0; k < 2; k++) {
            SymbolicTensor in = Input.of(-1);
            SymbolicTensor e = new io.github.rnn4j.layers.Embedding(9, 4).maskZero(true).call(in);
            ms[k] = Model.of(in, new Dense(1).call(new LSTM(3).returnSequences(true).call(e))).seed(5);
            ms[k].compile(new Adam(1e-2), new MeanSquaredError(), "mae");
        }
        Tensor p = ms[0].predict(ids);
        double se = 0, ae = 0;
        int valid = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (ids.data()[i] == 0) continue;
            double d = (double) p.data()[i] - y.data()[i];
            se += d * d;
            ae += Math.abs(d);
            valid++;
        }
        Map<String, Double> ev = ms[0].evaluate(ids, junk, 6);
        assertEquals(se / valid, ev.get("loss"), 1e-6, "loss over the real steps only");
        assertEquals(ae / valid, ev.get("mae"), 1e-6, "mae over the real steps only");
        // in batches, as Keras: the loss is the sample-weighted mean of each batch's masked mean,
        // a metric the masked mean over everything
        double[] bse = new double[2];
        int[] bValid = new int[2];
        for (int i = 0; i < ids.size(); i++) {
            if (ids.data()[i] == 0) continue;
            int batch = i / 5 < 4 ? 0 : 1;
            double d = (double) p.data()[i] - y.data()[i];
            bse[batch] += d * d;
            bValid[batch]++;
        }
        Map<String, Double> ev4 = ms[0].evaluate(ids, junk, 4);
        assertEquals((4 * bse[0] / bValid[0] + 2 * bse[1] / bValid[1]) / 6, ev4.get("loss"), 1e-6, "batched loss");
        assertEquals(ae / valid, ev4.get("mae"), 1e-6, "batched mae");
        // training against garbage at padded steps is the same, bit for bit, as against clean targets
        History h0 = ms[0].fit(ids, y, quiet().epochs(2).batchSize(3));
        History h1 = ms[1].fit(ids, junk, quiet().epochs(2).batchSize(3));
        assertEquals(h0.history(), h1.history());
        assertBitsEqual(ms[0].getWeights(), ms[1].getWeights(), "weights");
    }

    // ---- truncated BPTT -----------------------------------------------------------------------

    private static Tensor[] delayTask(int n, int t, int delay, long seed) {
        Tensor x = rand(seed, n, t, 1), y = Tensor.zeros(n, t, 1);
        for (int i = 0; i < n; i++) {
            for (int s = delay; s < t; s++) y.set(x.get(i, s - delay, 0), i, s, 0);
        }
        return new Tensor[]{x, y};
    }

    @Test
    void truncatedBpttTrainsStatefulModels() {
        Tensor[] d = delayTask(16, 12, 2, 40);
        Sequential s = new Sequential(new InputLayer(-1, 1), new LSTM(8).returnSequences(true).stateful(true), new Dense(1));
        s.seed(4);
        s.compile(new Adam(2e-2), new MeanSquaredError());
        History h = s.fit(d[0], d[1], quiet().epochs(40).batchSize(16).truncatedBptt(4));
        List<Double> loss = h.get("loss");
        assertTrue(loss.get(loss.size() - 1) < 0.5 * loss.get(0), "loss should fall: " + loss.get(0) + " -> "
                + loss.get(loss.size() - 1));
        assertEquals(null, h.stopReason());
    }

    @Test
    void truncatedBpttRejectsModelsWithoutStatefulLayersBeforeTraining() {
        Tensor[] d = delayTask(8, 12, 2, 41);
        for (Sequential s : new Sequential[]{
                new Sequential(new InputLayer(-1, 1), new LSTM(4).returnSequences(true), new Dense(1)),
                new Sequential(new InputLayer(-1, 1), new Bidirectional(new GRU(3).returnSequences(true).stateful(true)),
                        new Dense(1)),
                new Sequential(new InputLayer(-1, 1), new Dense(3), new Dense(1))}) {
            s.compile(new Adam(1e-2), new MeanSquaredError());
            s.build();
            List<Tensor> w = s.getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.fit(d[0], d[1], quiet().epochs(1).batchSize(8).truncatedBptt(4)));
            assertTrue(e.getMessage().contains("truncatedBptt") && e.getMessage().contains("stateful"), e.getMessage());
            assertBitsEqual(w, s.getWeights(), "no weight changed");
            assertEquals(0, s.optimizer().iterations());
        }
        // targets without a time axis cannot be cut into chunks
        Sequential s = new Sequential(new InputLayer(-1, 1), new LSTM(4).stateful(true), new Dense(1));
        s.compile(new Adam(1e-2), new MeanSquaredError());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.fit(d[0], rand(1, 8, 1), quiet().epochs(1).batchSize(8).truncatedBptt(4)));
        assertTrue(e.getMessage().contains("per-timestep"), e.getMessage());
        assertEquals(0, s.optimizer().iterations());
    }
}
