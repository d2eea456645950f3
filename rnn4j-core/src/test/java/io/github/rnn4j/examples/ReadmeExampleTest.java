package io.github.rnn4j.examples;

import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
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
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java example, run as written (on small generated data), so it stays true. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns(@TempDir Path dir) throws Exception {
        // a smoothed random walk: next value from the last 20
        SplittableRandom r = new SplittableRandom(5);
        int n = 256, t = 20;
        float[] series = new float[n + t + 1];
        for (int i = 1; i < series.length; i++) series[i] = 0.9f * series[i - 1] + (float) (0.3 * r.nextGaussian());
        Tensor x = Tensor.zeros(n, t, 1), y = Tensor.zeros(n, 1);
        for (int i = 0; i < n; i++) {
            System.arraycopy(series, i, x.data(), i * t, t);
            y.data()[i] = series[i + t];
        }
        Tensor xNew = x.slice0(0, 4);

        // --- the README example ---
        Sequential model = new Sequential(
                new InputLayer(-1, 1),                     // (None, 1): any length, 1 feature
                new LSTM(10).recurrentDropout(0.5),
                new Dense(1));
        model.seed(42);                                    // every random choice comes from here
        model.compile(new Adam(1e-3), new MeanSquaredError(), "mae");
        String summary = model.summary();
        History history = model.fit(x, y, new FitOptions().epochs(20).batchSize(32).validationSplit(0.2)
                .out(new PrintStream(new ByteArrayOutputStream())));
        Tensor forecast = model.predict(xNew);
        ModelFile.save(model, dir.resolve("forecast.rnn4j"));
        // --- end ---

        assertTrue(summary.contains("lstm (LSTM)") && summary.contains("(None, 10)") && summary.contains("Total params: 491"),
                summary);
        assertEquals(20, history.get("loss").size());
        assertTrue(history.last("loss") < history.get("loss").get(0), "training lowers the loss");
        assertEquals(4, forecast.dim(0));
        Model again = ModelFile.load(dir.resolve("forecast.rnn4j"));
        assertArrayEquals(forecast.data(), again.predict(xNew).data(), 0f);
    }
}
