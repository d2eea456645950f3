package io.github.rnn4j.callbacks;

import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.ExponentialDecay;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.bitsEqual;
import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Keras callbacks against fit: EarlyStopping's patience and weight restoring, ModelCheckpoint's
 * best-only saving and file name patterns, ReduceLROnPlateau's learning-rate cuts, CSVLogger's
 * file. A scripted callback placed first in the list overrides a logged value ("score") so each
 * test controls exactly which epochs improve; the real losses are used where that is enough.
 */
class CallbacksTest {
    private static final Tensor X = rand(1, 12, 5, 2);
    private static final Tensor Y = rand(2, 12, 1);

    private static Model model(long seed) {
        Model m = new Sequential(new InputLayer(-1, 2), new GRU(4), new Dense(1)).seed(seed);
        m.compile(new Adam(1e-2), new MeanSquaredError(), "mae");
        return m;
    }

    private static FitOptions opts(int epochs, Callback... cbs) {
        return new FitOptions().epochs(epochs).batchSize(4).verbose(0).callbacks(cbs);
    }

    /** Puts a scripted value under "score" into each epoch's logs and records the weights. */
    static final class Script implements Callback {
        final double[] scores;
        final List<List<Tensor>> weights = new ArrayList<>();
        final List<Double> learningRates = new ArrayList<>();
        Model model;

        Script(double... scores) {
            this.scores = scores;
        }

        @Override
        public void onTrainBegin(Model m) {
            model = m;
        }

        @Override
        public void onEpochBegin(int epoch) {
            learningRates.add(model.optimizer().learningRate());
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            logs.put("score", scores[epoch]);
            weights.add(model.getWeights());
        }
    }

    // ---- EarlyStopping --------------------------------------------------------------------------

    @Test
    void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
        Model m = model(1);
        Script s = new Script(5, 3, 4, 2, 2.5, 2.6, 2.7, 1, 1, 1);
        EarlyStopping es = new EarlyStopping().monitor("score").patience(2).restoreBestWeights(true);
        History h = m.fit(X, Y, opts(10, s, es));
        // best at epoch 3 (0-based); epochs 4 and 5 do not improve -> stop after epoch 5
        assertEquals(List.of(0, 1, 2, 3, 4, 5), h.epochs());
        assertEquals(5, es.stoppedEpoch());
        assertEquals(3, es.bestEpoch());
        assertEquals(2.0, es.best());
        assertTrue(h.stopReason() != null && h.stopReason().contains("6"), h.stopReason());
        assertBitsEqual(s.weights.get(3), m.getWeights(), "weights of the best epoch");
        assertFalse(bitsEqual(s.weights.get(5), m.getWeights()), "not the last epoch's");
    }

    @Test
    void earlyStoppingWithoutRestoringKeepsTheLastWeightsAndHonoursMinDelta() {
        Model m = model(2);
        Script s = new Script(1.0, 0.95, 0.93, 0.92, 0.5, 0.4);
        EarlyStopping es = new EarlyStopping().monitor("score").patience(1).minDelta(0.1);
        History h = m.fit(X, Y, opts(6, s, es));
        // 0.95 is not 0.1 better than 1.0 -> wait 1 >= patience 1 at epoch 1
        assertEquals(List.of(0, 1), h.epochs());
        assertEquals(0, es.bestEpoch());
        assertBitsEqual(s.weights.get(1), m.getWeights(), "last weights kept");
    }

    @Test
    void earlyStoppingRestoresTheBestWeightsWhenTrainingRunsToTheEnd() {
        Model m = model(3);
        Script s = new Script(3, 1, 2, 2);
        EarlyStopping es = new EarlyStopping().monitor("score").patience(5).restoreBestWeights(true);
        History h = m.fit(X, Y, opts(4, s, es));
        assertEquals(4, h.epochs().size());
        assertEquals(-1, es.stoppedEpoch());
        assertNull(h.stopReason());
        assertBitsEqual(s.weights.get(1), m.getWeights(), "best epoch 1");
    }

    @Test
    void earlyStoppingOnRealValidationLossIsConsistentWithHistory() {
        Model m = model(4);
        Script rec = new Script(new double[30]);
        EarlyStopping es = new EarlyStopping().monitor("val_loss").patience(3).restoreBestWeights(true);
        History h = m.fit(X, Y, opts(30, rec, es).validationData(rand(3, 6, 5, 2), rand(4, 6, 1)));
        List<Double> v = h.get("val_loss");
        int best = 0;
        for (int i = 1; i < v.size(); i++) if (v.get(i) < v.get(best)) best = i;
        assertEquals(best, es.bestEpoch());
        assertBitsEqual(rec.weights.get(best), m.getWeights(), "weights of the epoch with the lowest val_loss");
        if (es.stoppedEpoch() >= 0) assertEquals(best + 3, es.stoppedEpoch());
    }

    // ---- ModelCheckpoint ------------------------------------------------------------------------

    @Test
    void checkpointSaveBestOnlyWritesOnlyOnImprovement(@TempDir Path dir) throws Exception {
        Model m = model(5);
        Script s = new Script(3, 2, 2.5, 1, 1.5);
        Path best = dir.resolve("best.rnn4j");
        ModelCheckpoint cp = new ModelCheckpoint(best).monitor("score").saveBestOnly(true);
        ModelCheckpoint every = new ModelCheckpoint(dir.resolve("ck-{epoch}.rnn4j")).monitor("score").saveBestOnly(true);
        m.fit(X, Y, opts(5, s, cp, every));
        List<String> names;
        try (var files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // improvements at epochs 1, 2 and 4 (1-based as Keras formats {epoch})
        assertEquals(List.of("best.rnn4j", "ck-1.rnn4j", "ck-2.rnn4j", "ck-4.rnn4j"), names);
        assertBitsEqual(s.weights.get(3), ModelFile.load(best).getWeights(), "best.rnn4j holds epoch 4");
        assertBitsEqual(s.weights.get(1), ModelFile.load(dir.resolve("ck-2.rnn4j")).getWeights(), "ck-2 holds epoch 2");
        assertEquals(dir.resolve("ck-4.rnn4j"), every.lastSaved());
    }

    @Test
    void checkpointPatternsFormatEpochAndLoggedValues(@TempDir Path dir) throws Exception {
        Model m = model(6);
        Script s = new Script(0.5, 0.25);
        ModelCheckpoint cp = new ModelCheckpoint(dir.resolve("m-{epoch:02d}-{score:.3f}.rnn4j")).monitor("score");
        ModelCheckpoint all = new ModelCheckpoint(dir.resolve("e{epoch}.rnn4j")).monitor("score").includeOptimizer(false);
        m.fit(X, Y, opts(2, s, cp, all));
        assertTrue(Files.exists(dir.resolve("m-01-0.500.rnn4j")));
        assertTrue(Files.exists(dir.resolve("m-02-0.250.rnn4j")));
        assertTrue(Files.exists(dir.resolve("e1.rnn4j")) && Files.exists(dir.resolve("e2.rnn4j")));
        assertEquals(6, ModelFile.load(dir.resolve("m-02-0.250.rnn4j")).optimizer().iterations(), "with optimizer state: 2 epochs of 3 steps");
        assertEquals(0, ModelFile.load(dir.resolve("e2.rnn4j")).optimizer().iterations(), "without optimizer state");
        assertBitsEqual(s.weights.get(0), ModelFile.load(dir.resolve("e1.rnn4j")).getWeights(), "e1 holds epoch 1");
    }

    @Test
    void checkpointNeverSavesAnEpochWhoseMonitoredValueIsNaN(@TempDir Path dir) throws Exception {
        Model m = model(10);
        Script s = new Script(1, Double.NaN, 0.5);
        m.fit(X, Y, opts(3, s, new ModelCheckpoint(dir.resolve("e{epoch}.rnn4j")).monitor("score")));
        assertTrue(Files.exists(dir.resolve("e1.rnn4j")) && Files.exists(dir.resolve("e3.rnn4j")));
        assertFalse(Files.exists(dir.resolve("e2.rnn4j")));
        // an unknown field in the pattern is an error naming what is logged
        Model m2 = model(11);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m2.fit(X, Y,
                opts(1, new ModelCheckpoint(dir.resolve("{val_los}.rnn4j")).monitor("loss"))));
        assertTrue(e.getMessage().contains("val_los") && e.getMessage().contains("loss"), e.getMessage());
    }

    // ---- ReduceLROnPlateau ----------------------------------------------------------------------

    @Test
    void reduceLrOnPlateauLowersTheOptimizersLearningRate() {
        Model m = model(7);
        Script s = new Script(1, 1, 1, 1, 0.5, 0.5);
        ReduceLROnPlateau r = new ReduceLROnPlateau().monitor("score").patience(1).factor(0.5).minLr(2e-3);
        m.fit(X, Y, opts(6, s, r));
        // epoch 0 improves; 1, 2, 3 do not -> cut after each (patience 1): 1e-2 -> 5e-3 -> 2.5e-3 -> 2e-3 (floor)
        // epoch 4 improves; epoch 5 does not, but the rate is at its floor
        assertEquals(List.of(1e-2, 1e-2, 5e-3, 2.5e-3, 2e-3, 2e-3), s.learningRates);
        assertEquals(2e-3, m.optimizer().learningRate());
    }

    @Test
    void reduceLrOnPlateauCooldownAndASchedule() {
        Model m = model(8);
        Script s = new Script(1, 1, 1, 1, 1, 1);
        ReduceLROnPlateau r = new ReduceLROnPlateau().monitor("score").patience(1).factor(0.1).cooldown(2);
        m.fit(X, Y, opts(6, s, r));
        // Keras's counting: cut after epoch 1; epochs 2 and 3 count the cooldown down (2 -> 1 -> 0),
        // and at 0 epoch 3 already counts as waiting -> cut after epoch 3, then cooldown again
        List<Double> lr = s.learningRates;
        assertEquals(1e-2, lr.get(1));
        assertEquals(1e-3, lr.get(2), 1e-15);
        assertEquals(1e-3, lr.get(3), 1e-15);
        assertEquals(1e-4, lr.get(4), 1e-15);
        assertEquals(1e-4, lr.get(5), 1e-15);
        // an optimizer driven by a schedule refuses, as Keras does
        Model sch = new Sequential(new InputLayer(-1, 2), new GRU(2), new Dense(1));
        sch.compile(new Adam(new ExponentialDecay(1e-2, 10, 0.9)), new MeanSquaredError());
        assertThrows(IllegalStateException.class,
                () -> sch.fit(X, Y, opts(3, new Script(1, 1, 1), new ReduceLROnPlateau().monitor("score").patience(1))));
    }

    // ---- CSVLogger ------------------------------------------------------------------------------

    @Test
    void csvLoggerWritesAHeaderAndOneRowPerEpoch(@TempDir Path dir) throws Exception {
        Model m = model(9);
        Path csv = dir.resolve("log.csv");
        History h = m.fit(X, Y, opts(3, new CSVLogger(csv)).validationSplit(0.25));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertEquals("epoch,loss,mae,val_loss,val_mae", lines.get(0));
        for (int e = 0; e < 3; e++) {
            String[] cells = lines.get(e + 1).split(",");
            assertEquals(5, cells.length);
            assertEquals(String.valueOf(e), cells[0]);
            assertEquals(h.get("loss").get(e), Double.parseDouble(cells[1]));
            assertEquals(h.get("mae").get(e), Double.parseDouble(cells[2]));
            assertEquals(h.get("val_loss").get(e), Double.parseDouble(cells[3]));
            assertEquals(h.get("val_mae").get(e), Double.parseDouble(cells[4]));
        }
        // appending adds rows without a second header
        m.fit(X, Y, opts(2, new CSVLogger(csv, ",", true)).validationSplit(0.25));
        List<String> more = Files.readAllLines(csv);
        assertEquals(6, more.size());
        assertEquals(1, more.stream().filter(l -> l.startsWith("epoch")).count());
        // without append the file starts over
        m.fit(X, Y, opts(1, new CSVLogger(csv)));
        assertEquals(List.of("epoch,loss,mae"), Files.readAllLines(csv).subList(0, 1));
        assertEquals(2, Files.readAllLines(csv).size());
    }
}
