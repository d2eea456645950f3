package io.github.rnn4j.cli;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j demo}: trains a small LSTM to forecast generated noisy sine waves one step ahead,
 * with a Keras-style progress bar, and prints its test error beside the persistence baseline
 * (predict that the next value equals the last one). Data is generated from the seed, so the
 * run needs no files and is reproducible. It is a demonstration, not a benchmark.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small LSTM on generated sine waves and report test error vs. persistence.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--cell", defaultValue = "lstm", description = "simple, lstm or gru (default: ${DEFAULT-VALUE})")
    String cell;
    @Option(names = "--units", defaultValue = "32", description = "recurrent units (default: ${DEFAULT-VALUE})")
    int units;
    @Option(names = "--epochs", defaultValue = "8", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--seed", defaultValue = "42", description = "seed of every random choice (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--samples", defaultValue = "2000", description = "number of generated sequences (default: ${DEFAULT-VALUE})")
    int samples;
    @Option(names = "--lookback", defaultValue = "30", description = "window length (default: ${DEFAULT-VALUE})")
    int lookback;

    @Override
    public Integer call() {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.zeros(samples, lookback, 1);
        Tensor y = Tensor.zeros(samples, 1);
        for (int i = 0; i < samples; i++) {
            double freq = 0.05 + 0.25 * r.nextDouble(), phase = 2 * Math.PI * r.nextDouble();
            double amp = 0.5 + r.nextDouble();
            for (int t = 0; t <= lookback; t++) {
                double v = amp * Math.sin(freq * t + phase) + 0.05 * r.nextGaussian();
                if (t < lookback) x.data()[i * lookback + t] = (float) v;
                else y.data()[i] = (float) v;
            }
        }
        int nTest = samples / 5, nTrain = samples - nTest;
        Tensor xTrain = x.slice0(0, nTrain), yTrain = y.slice0(0, nTrain);
        Tensor xTest = x.slice0(nTrain, samples), yTest = y.slice0(nTrain, samples);

        Layer rnn = switch (cell.toLowerCase(Locale.ROOT)) {
            case "lstm" -> new LSTM(units);
            case "gru" -> new GRU(units);
            case "simple", "simplernn", "rnn" -> new SimpleRNN(units);
            default -> throw new IllegalArgumentException("--cell must be simple, lstm or gru, got '" + cell + "'");
        };
        Sequential model = new Sequential(new InputLayer(-1, 1), rnn, new Dense(1));
        model.seed(seed);
        model.compile(new Adam(0.01), new MeanSquaredError(), "mae");
        System.out.print(model.summary());
        History h = model.fit(xTrain, yTrain, new FitOptions().epochs(epochs).batchSize(32).validationSplit(0.1));
        Map<String, Double> test = model.evaluate(xTest, yTest, 128);
        double persistence = 0;
        for (int i = 0; i < nTest; i++) {
            persistence += Math.abs(xTest.data()[i * lookback + lookback - 1] - yTest.data()[i]);
        }
        persistence /= nTest;
        System.out.printf(Locale.ROOT, "%nTest (%d windows): %s MAE %.4f, MSE %.4f; persistence MAE %.4f (ratio %.3f)%n",
                nTest, rnn.className(), test.get("mae"), test.get("loss"), persistence, test.get("mae") / persistence);
        if (h.stopReason() != null) System.out.println(h.stopReason());
        return 0;
    }
}
