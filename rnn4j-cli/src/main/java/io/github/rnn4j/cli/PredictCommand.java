package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.data.Normalizer;
import io.github.rnn4j.data.ResidualTarget;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j predict}: loads a model written by {@code rnn4j forecast}, reads the columns its
 * metadata names from a CSV (with the same fill and gap policies and the same derived
 * log-return), normalizes them with the saved training statistics, and forecasts from the
 * newest window, printing each value in original units with the time it is for: the last row's
 * time plus {@code (horizon + j) * step}. A model trained with {@code --residual} outputs changes;
 * its saved scale turns them into forecasts: last value + scale x output, in normalized units.
 *
 * <p>Only the newest window: not a backtest over the file (that is what {@code forecast}'s test
 * period is), and no forecasting further than the model's own horizon and width.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Forecast from the newest window of a CSV with a model saved by 'rnn4j forecast'.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "model file written by 'rnn4j forecast' (model.rnn4j)")
    Path modelFile;
    @Option(names = "--csv", paramLabel = "FILE", description = "CSV with the model's columns (default: the shipped data the model was trained on)")
    Path csv;
    @Option(names = "--out-json", paramLabel = "FILE", description = "also write the forecast as JSON")
    Path outJson;

    @Override
    public Integer call() throws IOException {
        ModelFile.Loaded loaded = ModelFile.read(modelFile);
        Map<String, Object> meta = loaded.metadata();
        if (meta == null || !"rnn4j-forecast".equals(meta.get("kind"))) {
            throw new IllegalArgumentException(modelFile + " has no forecast metadata; predict needs a model written by 'rnn4j forecast'");
        }
        List<String> csvColumns = strings(meta, "csv_columns"), columns = strings(meta, "columns");
        List<String> features = strings(meta, "features"), targets = strings(meta, "targets");
        String logReturnOf = (String) meta.get("log_return_of");
        String timeColumn = (String) meta.get("time_column");
        int lookback = integer(meta, "lookback"), rate = integer(meta, "sampling_rate");
        int horizon = integer(meta, "horizon"), width = integer(meta, "width");
        @SuppressWarnings("unchecked")
        Normalizer norm = Normalizer.fromMap((Map<String, ?>) meta.get("normalizer"));
        TemporalAmount step = SeriesTable.parseStep((String) meta.get("time_step"));
        @SuppressWarnings("unchecked")
        ResidualTarget residual = meta.get("residual") == null ? null : ResidualTarget.fromMap((Map<String, ?>) meta.get("residual"));

        SeriesTable.Source src;
        if (csv != null) {
            src = SeriesTable.Source.file(csv);
        } else if (ForecastCommand.SEATTLE.equals(meta.get("dataset"))) {
            src = SeriesTable.Source.shipped(ShippedData.SEATTLE_WEATHER);
        } else {
            throw new IllegalArgumentException("--csv is required: the model was trained on " + meta.get("dataset"));
        }
        SeriesTable table = SeriesTable.load(src, csvColumns, logReturnOf, timeColumn,
                ForecastCommand.fillPolicy(String.valueOf(meta.get("fill"))), ForecastCommand.gapPolicy(String.valueOf(meta.get("gaps"))));
        if (!List.of(table.names).equals(columns)) {
            throw new IllegalStateException("columns read from " + src.name() + " are " + List.of(table.names) + ", the model expects " + columns);
        }
        int span = (lookback - 1) * rate + 1, rows = table.rows();
        if (rows < span) {
            throw new IllegalArgumentException(src.name() + " has " + rows + " usable row(s)" + (logReturnOf != null ? " (after the log-return's first row)" : "")
                    + "; one window of lookback " + lookback + " x sampling rate " + rate + " needs " + span);
        }
        int[] feat = features.stream().mapToInt(table::column).toArray();
        int[] tcols = targets.stream().mapToInt(table::column).toArray();
        Tensor x = Tensor.zeros(1, lookback, feat.length);
        float[] v = table.values.data(), xd = x.data();
        int cols = table.names.length, first = rows - span, last = rows - 1;
        for (int t = 0; t < lookback; t++) {
            int r = first + t * rate;
            for (int f = 0; f < feat.length; f++) {
                xd[t * feat.length + f] = (float) norm.transform(v[r * cols + feat[f]], feat[f]);
            }
        }
        Model model = loaded.model();
        Tensor out = model.predict(x);
        if (residual != null) {
            if (residual.columns() != tcols.length) {
                throw new IllegalStateException(modelFile + ": residual metadata has " + residual.columns() + " scale(s) for " + tcols.length + " target(s)");
            }
            Tensor lastValues = Tensor.zeros(1, tcols.length);
            for (int k = 0; k < tcols.length; k++) lastValues.data()[k] = (float) norm.transform(v[last * cols + tcols[k]], tcols[k]);
            out = residual.toLevels(out, lastValues);
        }
        Tensor y = norm.inverseTargets(out, tcols);
        if (y.size() != width * tcols.length) {
            throw new IllegalStateException(modelFile + ": the model gives " + y.size() + " values, its metadata says width " + width
                    + " x " + tcols.length + " target(s)");
        }

        LocalDateTime lastTime = table.times == null ? null : table.times[last];
        System.out.printf(Locale.ROOT, "Newest window: %d rows of %s ending %s%n", span, src.name(),
                lastTime != null ? lastTime.toString().replace("T00:00", "") : "at row " + last);
        List<Map<String, Object>> rowsOut = new ArrayList<>();
        for (int j = 0; j < width; j++) {
            long ahead = horizon + j;
            String when = lastTime != null && step != null ? SeriesTable.plus(lastTime, step, ahead).toString().replace("T00:00", "")
                    : "row " + (last + ahead);
            for (int k = 0; k < tcols.length; k++) {
                double value = y.data()[j * tcols.length + k];
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("time", when);
                r.put("steps_ahead", ahead);
                r.put("target", targets.get(k));
                r.put("value", value);
                String extra = "";
                if (logReturnOf != null && targets.get(k).equals(SeriesTable.LOG_RETURN) && ahead == 1) {
                    double lastPrice = v[last * cols + table.column(logReturnOf)];
                    double implied = lastPrice * Math.exp(value);
                    r.put("implied_" + logReturnOf, implied);
                    extra = String.format(Locale.ROOT, "  (%s %.4f -> %.4f)", logReturnOf, lastPrice, implied);
                }
                rowsOut.add(r);
                System.out.printf(Locale.ROOT, "  %s  %s = %.4f%s%n", when, targets.get(k), value, extra);
            }
        }
        if (step != null && lastTime != null && "allow".equals(meta.get("gaps"))) {
            System.out.println("  (times are the last row plus regular steps of " + SeriesTable.format(step)
                    + "; with gaps allowed, e.g. trading days, the next row may fall later)");
        }
        if (outJson != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", modelFile.toString());
            j.put("csv", src.name());
            j.put("window_end", lastTime != null ? lastTime.toString() : null);
            j.put("forecasts", rowsOut);
            Path parent = outJson.toAbsolutePath().getParent();
            if (parent != null) java.nio.file.Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outJson.toFile(), j);
        }
        return 0;
    }

    private List<String> strings(Map<String, Object> meta, String key) {
        if (!(meta.get(key) instanceof List<?> l)) throw new IllegalArgumentException(modelFile + ": metadata '" + key + "' is missing");
        List<String> out = new ArrayList<>();
        for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    private int integer(Map<String, Object> meta, String key) {
        if (!(meta.get(key) instanceof Number n)) throw new IllegalArgumentException(modelFile + ": metadata '" + key + "' is missing");
        return n.intValue();
    }
}
