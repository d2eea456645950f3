package io.github.rnn4j.models;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Model#stepWeightsFixed}: stepping a model that keeps its recurrent weights packed
 * between calls gives the bits of the same model stepping without it, before training, after
 * {@code fit} changed the weights, and after {@code setWeights} (the model notices both and
 * repacks); a write into a weight's array from outside is not noticed until
 * {@code stepWeightsFixed(true)} is called again.
 */
class StepWeightsFixedTest {
    private static final int F = 5, B = 2;

    private static Model model() {
        Model m = new Sequential(new InputLayer(-1, F), new LSTM(48).returnSequences(true), new SimpleRNN(40), new Dense(3)).seed(9);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        return m;
    }

    /** Steps both models over the same inputs from zero states; asserts the same outputs and states. */
    private static void stepBoth(Model plain, Model fixed, long seed, String what) {
        ModelState sp = plain.initialState(B), sf = fixed.initialState(B);
        for (int t = 0; t < 6; t++) {
            Tensor x = rand(seed + t, B, F);
            StepResult rp = plain.step(x, sp), rf = fixed.step(x, sf);
            assertBitsEqual(rp.output(), rf.output(), what + ", step " + t);
            sp = rp.state();
            sf = rf.state();
        }
        assertTrue(java.util.Arrays.equals(sp.toBytes(), sf.toBytes()), what + ": final states");
    }

    @Test
    void fixedWeightsStepTheBitsOfPlainOnesAndNoticeTheModelsOwnChanges() {
        Model plain = model(), fixed = model().stepWeightsFixed(true);
        assertTrue(fixed.stepWeightsFixed());
        stepBoth(plain, fixed, 100, "before training");

        Tensor x = rand(1, 8, 4, F), y = rand(2, 8, 3);
        for (Model m : List.of(plain, fixed)) m.fit(x, y, new FitOptions().verbose(0).epochs(2).batchSize(4));
        stepBoth(plain, fixed, 200, "after fit");

        List<Tensor> w = plain.getWeights();
        for (Tensor t : w) for (int i = 0; i < t.size(); i++) t.data()[i] *= 0.75f;
        plain.setWeights(w);
        fixed.setWeights(w);
        stepBoth(plain, fixed, 300, "after setWeights");
    }

    @Test
    void aWriteFromOutsideIsSeenAfterStepWeightsFixedAgain() {
        Model plain = model(), fixed = model().stepWeightsFixed(true);
        stepBoth(plain, fixed, 400, "before");
        for (Model m : List.of(plain, fixed)) {
            Param u = ((LSTM) m.layers().get(0)).recurrentKernel();
            for (int i = 0; i < u.size(); i++) u.value()[i] *= 0.5f;
        }
        // from a non-zero state (from zeros the recurrent kernel meets h = 0)
        Tensor x0 = rand(499, B, F), x = rand(500, B, F);
        Tensor a = plain.step(x, plain.step(x0, plain.initialState(B)).state()).output();
        Tensor b = fixed.step(x, fixed.step(x0, fixed.initialState(B)).state()).output();
        assertFalse(java.util.Arrays.equals(a.data(), b.data()), "the packed weights were kept");
        fixed.stepWeightsFixed(true);
        stepBoth(plain, fixed, 600, "after stepWeightsFixed(true) again");
    }
}
