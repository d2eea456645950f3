package io.github.rnn4j.data;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data API end to end with the core's {@code Model.fit(Dataset)}: a CSV of a noisy seasonal
 * daily temperature, split in time, normalized on the training part, windowed without copies,
 * an LSTM trained on the windows, and its test MAE in degrees set beside the persistence and
 * linear baselines on the very same samples.
 */
class ForecastWorkflowTest {

    @Test
    void csvToForecastInOriginalUnits(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        StringBuilder csv = new StringBuilder("date,temp,humidity\n");
        LocalDate d = LocalDate.of(2019, 1, 1);
        for (int i = 0; i < 700; i++) {
            double temp = 12 + 8 * Math.sin(2 * Math.PI * i / 14.0) + 0.3 * r.nextGaussian();   // a 14-day cycle
            double hum = 70 - 2 * temp + r.nextGaussian();
            csv.append(d.plusDays(i)).append(',').append(String.format(java.util.Locale.ROOT, "%.2f,%.1f", temp, hum)).append('\n');
        }
        Path file = dir.resolve("weather.csv");
        Files.writeString(file, csv);

        CsvSeries series = CsvSeries.read(file, new CsvSeries.Options().timeColumn("date").targets("temp"));
        Split split = Split.byTime(series.times(), LocalDate.of(2020, 5, 1), LocalDate.of(2020, 8, 1));
        Normalizer norm = Normalizer.fit(Normalizer.Method.Z_SCORE, series.values(), split.train(), series.columns());
        Tensor raw = series.values().copy();
        norm.transformInPlace(series.values());
        Split.Parts parts = split.datasets(series.windows().lookback(14).horizon(1));

        Sequential model = new Sequential(new InputLayer(14, 2), new LSTM(16), new Dense(1));
        model.seed(3);
        model.compile(new Adam(1e-2), new MeanSquaredError(), "mae");
        History h = model.fit(parts.train(), new FitOptions().epochs(8).batchSize(32).validationData(parts.validation())
                .out(new PrintStream(new ByteArrayOutputStream())));
        assertTrue(h.last("loss") < h.get("loss").get(0) / 4, "training lowers the loss: " + h.get("loss"));
        assertTrue(h.get("val_loss") != null && h.get("val_loss").size() == 8);

        TimeseriesDataset test = parts.test();
        Tensor pred = model.predict(test, 64)[0];
        assertArrayEquals(new int[]{test.size(), 1}, pred.shape());
        int[] tc = test.targetColumns();
        double lstm = ForecastMetrics.mae(pred, test.targetTensor(), norm, tc);
        double persistence = ForecastMetrics.mae(Baseline.persistence().predict(test), test.targetTensor(), norm, tc);
        double linear = ForecastMetrics.mae(LinearBaseline.fit(parts.train(), 1e-3).predict(test), test.targetTensor(), norm, tc);
        // in degrees: persistence on a 14-day sine of amplitude 8 is off by about 2.3; the noise floor is 0.3 * sqrt(2/pi) = 0.24
        assertTrue(persistence > 1.5, "persistence " + persistence);
        assertTrue(lstm < persistence / 2, "LSTM " + lstm + " vs persistence " + persistence);
        assertTrue(linear < persistence / 2, "linear " + linear + " vs persistence " + persistence);

        // targets in original units are the CSV's temperatures
        Tensor actual = norm.inverseTargets(test.targetTensor(), tc);
        int row = test.targetRow(0, 0);
        assertEquals(raw.get(row, series.column("temp")), actual.get(0, 0), 1e-3);

        // the statistics travel with the model as a plain map
        Map<String, Object> saved = norm.toMap();
        Normalizer again = Normalizer.fromMap(saved);
        assertArrayEquals(norm.mean(), again.mean());
    }
}
