package io.github.rnn4j.models;

import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.callbacks.ModelCheckpoint;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.MeanSquaredError;
import io.github.rnn4j.training.SGD;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.copies;
import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to fit, predict and evaluate is refused before anything changes (weights, optimizer
 * iterations and slots compared bit for bit before and after), with messages that name the
 * place and the shapes; a NaN loss in the middle of training stops fit with the weights of the
 * last good step and leaves earlier checkpoints intact. Not a test of the layers' own checks.
 */
class BadInputTest {
    private Model model;
    private Tensor x;
    private Tensor y;

    @BeforeEach
    void trainedModel() {
        SymbolicTensor in = Input.of("series", -1, 3);
        model = Model.of(in, new Dense(2).call(new LSTM(4).call(in))).seed(3);
        model.compile(new Adam(1e-2), new MeanSquaredError());
        x = rand(1, 6, 5, 3);
        y = rand(2, 6, 2);
        model.fit(x, y, new FitOptions().epochs(1).batchSize(3).verbose(0)); // optimizer has state now
    }

    /** Runs {@code bad}, expects an IllegalArgumentException and no change at all; returns its message. */
    private String refused(Executable bad) {
        List<Tensor> w = copies(model.getWeights());
        long it = model.optimizer().iterations();
        Map<String, float[]> slots = model.optimizer().state(model.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad);
        assertBitsEqual(w, model.getWeights(), "weights after a refused call");
        assertEquals(it, model.optimizer().iterations(), "optimizer iterations after a refused call");
        Map<String, float[]> after = model.optimizer().state(model.params());
        assertEquals(slots.keySet(), after.keySet());
        for (String k : slots.keySet()) assertArrayEquals(slots.get(k), after.get(k), "optimizer slot " + k);
        assertNotNull(e.getMessage());
        return e.getMessage();
    }

    private static FitOptions opts() {
        return new FitOptions().epochs(2).batchSize(3).verbose(0);
    }

    @Test
    void shapeMismatchNamesTheInputAndBothShapes() {
        Tensor wrong = rand(3, 6, 5, 2);
        for (Executable call : new Executable[]{
                () -> model.fit(wrong, y, opts()),
                () -> model.evaluate(wrong, y, 3),
                () -> model.predict(wrong)}) {
            String msg = refused(call);
            assertTrue(msg.contains("series"), msg);
            assertTrue(msg.contains("(None, None, 3)"), msg);
            assertTrue(msg.contains("[6, 5, 2]"), msg);
        }
        String msg = refused(() -> model.fit(rand(3, 6, 3), y, opts()));
        assertTrue(msg.contains("[6, 3]") && msg.contains("(None, None, 3)"), msg);
        // target of the wrong shape
        msg = refused(() -> model.fit(x, rand(4, 6, 3), opts()));
        assertTrue(msg.contains("target 0") && msg.contains("(None, 2)") && msg.contains(", 3]"), msg);
        // sample counts disagree
        msg = refused(() -> model.fit(x, rand(4, 5, 2), opts()));
        assertTrue(msg.contains("5") && msg.contains("6"), msg);
        // number of tensors
        msg = refused(() -> model.fit(new Tensor[]{x, x}, new Tensor[]{y}, opts()));
        assertTrue(msg.contains("1 input"), msg);
    }

    @Test
    void nanAndInfinityNameTheirPosition() {
        Tensor nx = x.copy();
        nx.set(Float.NaN, 4, 2, 1);
        String msg = refused(() -> model.fit(nx, y, opts()));
        assertTrue(msg.contains("NaN") && msg.contains("[4, 2, 1]") && msg.contains("series"), msg);
        msg = refused(() -> model.predict(nx));
        assertTrue(msg.contains("NaN") && msg.contains("[4, 2, 1]"), msg);
        Tensor iy = y.copy();
        iy.set(Float.POSITIVE_INFINITY, 5, 0);
        msg = refused(() -> model.fit(x, iy, opts()));
        assertTrue(msg.contains("Infinity") && msg.contains("[5, 0]") && msg.contains("target 0"), msg);
        msg = refused(() -> model.evaluate(x, iy, 2));
        assertTrue(msg.contains("Infinity") && msg.contains("[5, 0]"), msg);
        // in the validation part and in explicit validation data
        Tensor vx = x.copy();
        vx.set(Float.NEGATIVE_INFINITY, 5, 4, 2);
        msg = refused(() -> model.fit(vx, y, opts().validationSplit(0.34)));
        assertTrue(msg.contains("-Infinity") && msg.contains("[5, 4, 2]"), msg);
        msg = refused(() -> model.fit(x, y, opts().validationData(x, iy)));
        assertTrue(msg.contains("validation") && msg.contains("Infinity"), msg);
    }

    @Test
    void emptyDataZeroBatchAndZeroLengthSequences() {
        String msg = refused(() -> model.fit(Tensor.zeros(0, 5, 3), Tensor.zeros(0, 2), opts()));
        assertTrue(msg.contains("empty"), msg);
        msg = refused(() -> model.predict(Tensor.zeros(0, 5, 3)));
        assertTrue(msg.contains("empty"), msg);
        msg = refused(() -> model.fit(x, y, new FitOptions().batchSize(0)));
        assertTrue(msg.contains("batchSize") && msg.contains("0"), msg);
        msg = refused(() -> model.predict(x, 0));
        assertTrue(msg.contains("batchSize"), msg);
        msg = refused(() -> model.evaluate(x, y, 0));
        assertTrue(msg.contains("batchSize"), msg);
        msg = refused(() -> model.fit(Tensor.zeros(6, 0, 3), y, opts()));
        assertTrue(msg.contains("length 0") && msg.contains("[6, 0, 3]"), msg);
        msg = refused(() -> model.evaluate(Tensor.zeros(6, 0, 3), y, 3));
        assertTrue(msg.contains("length 0"), msg);
        msg = refused(() -> model.fit(x.slice0(0, 1), y.slice0(0, 1), opts().validationSplit(0.5)));
        assertTrue(msg.contains("validationSplit") && msg.contains("0 for training"), msg);
    }

    @Test
    void sparseLabelsOutOfRangeAreRefusedBeforeTraining() {
        SymbolicTensor in = Input.of(-1, 3);
        model = Model.of(in, new Dense(4).activation("softmax").call(new GRU(5).call(in))).seed(1);
        model.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
        Tensor labels = Tensor.of(new float[]{0, 1, 2, 3, 1, 0}, 6);
        model.fit(x, labels, opts());
        for (float bad : new float[]{4, -1, 1.5f}) {
            Tensor l = labels.copy();
            l.data()[5] = bad;
            String msg = refused(() -> model.fit(x, l, opts()));
            assertTrue(msg.contains(String.valueOf(bad).replace(".0", "")) || msg.contains(String.valueOf(bad)), msg);
            assertTrue(msg.contains("5"), "names the sample: " + msg);
            refused(() -> model.evaluate(x, l, 4));
        }
    }

    // ---- NaN in the middle of training ------------------------------------------------------

    /** Mean squared error that returns NaN once poisoned (a callback poisons it mid-epoch). */
    static final class PoisonableLoss extends Loss {
        volatile boolean poisoned;

        @Override
        public String name() {
            return "mean_squared_error";
        }

        /** Saved as plain MSE, so checkpoints of a model trained with it load. */
        @Override
        public String className() {
            return "MeanSquaredError";
        }

        @Override
        protected double row(float[] p, int po, float[] y, int yo, int width, float[] g, int go, double gScale) {
            double s = 0;
            for (int i = 0; i < width; i++) {
                double e = (double) p[po + i] - y[yo + i];
                s += e * e;
                if (g != null) g[go + i] = (float) (2.0 / width * gScale * e);
            }
            return poisoned ? Double.NaN : s / width;
        }
    }

    /** Records the weights after each batch and epoch; poisons the loss after a given batch. */
    static final class Recorder implements Callback {
        final PoisonableLoss loss;
        final int poisonEpoch, poisonAfterBatch;
        Model model;
        int epoch;
        List<Tensor> lastBatchWeights;
        final List<List<Tensor>> epochWeights = new ArrayList<>();

        Recorder(PoisonableLoss loss, int poisonEpoch, int poisonAfterBatch) {
            this.loss = loss;
            this.poisonEpoch = poisonEpoch;
            this.poisonAfterBatch = poisonAfterBatch;
        }

        @Override
        public void onTrainBegin(Model m) {
            model = m;
        }

        @Override
        public void onEpochBegin(int e) {
            epoch = e;
        }

        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
            lastBatchWeights = model.getWeights();
            if (epoch == poisonEpoch && batch == poisonAfterBatch) loss.poisoned = true;
        }

        @Override
        public void onEpochEnd(int e, Map<String, Double> logs) {
            epochWeights.add(model.getWeights());
        }
    }

    @Test
    void nanLossStopsFitKeepsTheLastGoodWeightsAndEarlierCheckpoints(@TempDir Path dir) throws Exception {
        PoisonableLoss loss = new PoisonableLoss();
        SymbolicTensor in = Input.of(-1, 3);
        Model m = Model.of(in, new Dense(2).call(new LSTM(4).call(in))).seed(7);
        m.compile(new Adam(1e-2), loss);
        Recorder rec = new Recorder(loss, 1, 1); // NaN at epoch 2 (1-based), step 3
        Path ckpt = dir.resolve("ckpt.rnn4j");
        ModelCheckpoint cp = new ModelCheckpoint(ckpt).monitor("loss");
        Tensor xs = rand(5, 12, 5, 3), ys = rand(6, 12, 2);
        History h = m.fit(xs, ys, new FitOptions().epochs(4).batchSize(3).shuffle(false).verbose(0).callbacks(rec, cp));

        assertNotNull(h.stopReason(), "fit must say why it stopped");
        assertTrue(h.stopReason().contains("epoch 2") && h.stopReason().contains("step 3"), h.stopReason());
        assertTrue(h.stopReason().toLowerCase().contains("nan"), h.stopReason());
        assertEquals(List.of(0), h.epochs(), "only the first epoch completed");
        assertEquals(4 + 2, m.optimizer().iterations(), "4 steps in epoch 1, 2 good steps in epoch 2");
        assertBitsEqual(rec.lastBatchWeights, m.getWeights(), "weights are those before the bad step");
        assertTrue(ModelTesting.allFinite(m.getWeights()));

        // the checkpoint of epoch 1 is intact and loads with those weights
        Model back = ModelFile.load(ckpt);
        assertBitsEqual(rec.epochWeights.get(0), back.getWeights(), "checkpoint of epoch 1");
        assertEquals(4, back.optimizer().iterations());
    }

    @Test
    void hugeLearningRateStopsFitWithFiniteWeights() {
        Sequential s = new Sequential(new InputLayer(4), new Dense(8), new Dense(1));
        s.seed(2);
        s.compile(new SGD(1e12), new MeanSquaredError());
        Tensor xs = rand(1, 32, 4), ys = rand(2, 32, 1);
        History h = s.fit(xs, ys, new FitOptions().epochs(50).batchSize(4).verbose(0));
        assertNotNull(h.stopReason(), "a learning rate of 1e12 must blow up");
        assertTrue(h.stopReason().contains("epoch") && h.stopReason().contains("step"), h.stopReason());
        assertTrue(ModelTesting.allFinite(s.getWeights()), "the bad step is not applied: " + s.getWeights());
        for (Param p : s.params()) {
            for (float v : p.value()) assertTrue(Float.isFinite(v), Arrays.toString(p.value()));
        }
    }
}
