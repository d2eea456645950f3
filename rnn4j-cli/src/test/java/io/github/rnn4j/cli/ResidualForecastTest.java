package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.rnn4j.cli.ForecastCommandTest.run;
import static io.github.rnn4j.cli.ForecastCommandTest.weatherCsv;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnn4j forecast --residual} and {@code rnn4j predict} with a residual model: the saved
 * scale is the RMS of the normalized training changes (recomputed here from the CSV), an
 * untrained residual model is the persistence forecast, and predict adds the model's scaled
 * output to the last observed value (checked against a forecast computed here from the CSV,
 * the metadata and the loaded model, and with the output layer zeroed: then predict must print
 * the last observed value).
 */
class ResidualForecastTest {
    private static final int ROWS = 300, LOOKBACK = 14;

    /** Columns temp and humidity of the CSV written by {@link ForecastCommandTest#weatherCsv}. */
    private static double[][] readCsv(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        double[][] v = new double[lines.size() - 1][];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            v[i - 1] = new double[]{Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        }
        return v;
    }

    private static Path train(Path dir, Path csv, String name, String... extra) {
        Path out = dir.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("forecast", "--csv", csv.toString(), "--target", "temp", "--features", "temp,humidity",
                "--lookback", String.valueOf(LOOKBACK), "--units", "8", "--out", out.toString()));
        args.addAll(List.of(extra));
        ForecastCommandTest.Run f = run(args.toArray(String[]::new));
        assertEquals(0, f.code(), f.all());
        return out;
    }

    @Test
    void savedScaleIsTheRmsOfTheNormalizedTrainingChanges(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, ROWS);
        Path out = train(dir, csv, "res", "--residual", "--epochs", "2");
        Map<String, Object> meta = ModelFile.read(out.resolve("model.rnn4j")).metadata();
        @SuppressWarnings("unchecked")
        double scale = ((Number) ((List<Object>) ((Map<String, Object>) meta.get("residual")).get("scale")).get(0)).doubleValue();

        double[][] v = readCsv(csv);
        int trainEnd = (int) Math.floor(ROWS * 0.7);
        double mean = 0, sq = 0;
        for (int i = 0; i < trainEnd; i++) mean += v[i][0];
        mean /= trainEnd;
        for (int i = 0; i < trainEnd; i++) sq += (v[i][0] - mean) * (v[i][0] - mean);
        double std = Math.sqrt(sq / trainEnd);
        double sum = 0;
        int n = 0;
        for (int last = LOOKBACK - 1; last + 1 < trainEnd; last++, n++) {
            double d = (v[last + 1][0] - v[last][0]) / std;
            sum += d * d;
        }
        assertEquals(Math.sqrt(sum / n), scale, 1e-5);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(m.at("/options/residual").asBoolean());
        assertEquals(scale, m.at("/options/residual_scale").asDouble(), 1e-12);

        // without --residual the metadata says so
        Path plain = train(dir, csv, "plain", "--epochs", "1");
        Map<String, Object> plainMeta = ModelFile.read(plain.resolve("model.rnn4j")).metadata();
        assertTrue(plainMeta.containsKey("residual"));
        assertNull(plainMeta.get("residual"));
    }

    @Test
    void anUntrainedResidualModelIsPersistence(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, ROWS);
        // a learning rate of 1e-12 leaves the zero-initialized output layer at (practically) zero
        Path out = train(dir, csv, "res", "--residual", "--epochs", "1", "--learning-rate", "1e-12");
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double model = m.at("/model/mae").asDouble(), pers = m.at("/baselines/persistence/mae").asDouble();
        assertEquals(pers, model, 1e-6 * pers);
        // the same run without --residual is nowhere near persistence (a random output layer)
        Path plain = train(dir, csv, "plain", "--epochs", "1", "--learning-rate", "1e-12");
        JsonNode pm = new ObjectMapper().readTree(plain.resolve("metrics.json").toFile());
        assertTrue(Math.abs(pm.at("/model/mae").asDouble() - pers) > 0.1, pm.toString());
    }

    @Test
    void predictAddsTheScaledChangeToTheLastValue(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, ROWS);
        Path out = train(dir, csv, "res", "--residual", "--epochs", "3", "--patience", "0");
        Path modelFile = out.resolve("model.rnn4j");
        ModelFile.Loaded loaded = ModelFile.read(modelFile);
        Map<String, Object> meta = loaded.metadata();
        @SuppressWarnings("unchecked")
        Map<String, Object> nm = (Map<String, Object>) meta.get("normalizer");
        double[] mean = numbers(nm.get("mean")), std = numbers(nm.get("std"));
        @SuppressWarnings("unchecked")
        double scale = numbers(((Map<String, Object>) meta.get("residual")).get("scale"))[0];

        // the forecast, computed here: last value + scale x the model's output, in normalized units
        double[][] v = readCsv(csv);
        Tensor x = Tensor.zeros(1, LOOKBACK, 2);
        for (int t = 0; t < LOOKBACK; t++) {
            for (int f = 0; f < 2; f++) x.data()[t * 2 + f] = (float) ((v[ROWS - LOOKBACK + t][f] - mean[f]) / std[f]);
        }
        double output = loaded.model().predict(x).data()[0];
        double lastTemp = v[ROWS - 1][0];
        double expected = mean[0] + std[0] * ((lastTemp - mean[0]) / std[0] + scale * output);
        assertTrue(Math.abs(scale * output * std[0]) > 1e-3, "the trained model predicts a change: " + output);
        assertEquals(expected, predict(dir, modelFile, csv, "p1"), 1e-4);

        // the output layer zeroed: predict must give the last observed value (persistence) ...
        Model zeroed = loaded.model();
        List<Layer> layers = zeroed.layers();
        for (Param p : layers.get(layers.size() - 1).params()) Arrays.fill(p.value(), 0f);
        Path zeroFile = dir.resolve("zero.rnn4j");
        ModelFile.save(zeroed, zeroFile, false, meta);
        assertEquals(lastTemp, predict(dir, zeroFile, csv, "p2"), 1e-4);
        // ... and the same zeroed model without the residual metadata gives the training mean
        Map<String, Object> plainMeta = new LinkedHashMap<>(meta);
        plainMeta.put("residual", null);
        Path plainFile = dir.resolve("plain.rnn4j");
        ModelFile.save(zeroed, plainFile, false, plainMeta);
        assertEquals(mean[0], predict(dir, plainFile, csv, "p3"), 1e-4);
    }

    private static double predict(Path dir, Path model, Path csv, String name) throws Exception {
        Path json = dir.resolve(name + ".json");
        ForecastCommandTest.Run p = run("predict", "--model", model.toString(), "--csv", csv.toString(), "--out-json", json.toString());
        assertEquals(0, p.code(), p.all());
        return new ObjectMapper().readTree(json.toFile()).at("/forecasts/0/value").asDouble();
    }

    private static double[] numbers(Object list) {
        return ((List<?>) list).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }
}
