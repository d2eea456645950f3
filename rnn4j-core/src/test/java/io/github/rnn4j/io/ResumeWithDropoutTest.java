package io.github.rnn4j.io;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Dropout;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Training resumed from a saved model draws the same dropout masks and shuffles as an
 * uninterrupted run (generators are re-seeded per epoch from the model seed), so the weights
 * after epoch 3 are bit-identical either way.
 */
class ResumeWithDropoutTest {

    private static Sequential model() {
        Sequential m = new Sequential(new InputLayer(-1, 2), new GRU(6).dropout(0.3).recurrentDropout(0.4),
                new Dropout(0.2), new Dense(1));
        m.seed(77);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        return m;
    }

    private static FitOptions opts(int epochs, int initial) {
        return new FitOptions().epochs(epochs).initialEpoch(initial).batchSize(8)
                .out(new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = Tensor.zeros(40, 5, 2), y = Tensor.zeros(40, 1);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.size(); i++) y.data()[i] = (float) r.nextGaussian();

        Sequential straight = model();
        straight.fit(x, y, opts(3, 0));

        Sequential first = model();
        first.fit(x, y, opts(1, 0));
        ModelFile.save(first, dir.resolve("m.rnn4j"), true);
        Model resumed = ModelFile.load(dir.resolve("m.rnn4j"));
        resumed.fit(x, y, opts(3, 1));

        List<Tensor> a = straight.getWeights(), b = resumed.getWeights();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data(), b.get(i).data(), 0f, "weight " + i);

        // and the masks really matter: a different seed gives different weights
        Sequential other = model();
        other.seed(78);
        other.fit(x, y, opts(3, 0));
        boolean same = true;
        for (int i = 0; i < a.size(); i++) same &= java.util.Arrays.equals(a.get(i).data(), other.getWeights().get(i).data());
        assertFalse(same);
    }
}
