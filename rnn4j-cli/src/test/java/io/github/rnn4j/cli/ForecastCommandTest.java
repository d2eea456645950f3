package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnn4j forecast} and {@code rnn4j predict} end to end on small CSVs written here: the
 * output files, the metrics, the saved metadata, the forecast's timestamp and value, the stock
 * (log-return) path, the shipped default data, and the errors a user meets first.
 */
class ForecastCommandTest {
    /** Exit code, standard output and standard error of one command line. */
    record Run(int code, String out, String err) {
        String all() {
            return out + "\n" + err;
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
    }

    static final LocalDate START = LocalDate.of(2020, 1, 1);

    /** A noisy 14-day cycle; row i is day START + i. */
    static double temp(int i, SplittableRandom r) {
        return 12 + 8 * Math.sin(2 * Math.PI * i / 14.0) + (r == null ? 0 : 0.3 * r.nextGaussian());
    }

    static Path weatherCsv(Path dir, int rows) throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder s = new StringBuilder("date,temp,humidity\n");
        for (int i = 0; i < rows; i++) {
            double t = temp(i, r);
            s.append(START.plusDays(i)).append(',').append(String.format(Locale.ROOT, "%.3f,%.2f", t, 70 - 2 * t + r.nextGaussian())).append('\n');
        }
        Path f = dir.resolve("weather-" + rows + ".csv");
        Files.writeString(f, s);
        return f;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in:\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void forecastWritesEverythingAndPredictForecastsTheNextDay(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, 300);
        Path out = dir.resolve("out");
        Run f = run("forecast", "--csv", csv.toString(), "--target", "temp", "--features", "temp,humidity",
                "--lookback", "14", "--epochs", "25", "--patience", "0", "--units", "16", "--learning-rate", "0.01", "--out", out.toString());
        assertEquals(0, f.code, f.all());
        for (String name : List.of("model.rnn4j", "metrics.json", "history.csv", "training-curves.png", "training-curves.svg",
                "forecast.png", "forecast.svg")) {
            assertTrue(Files.size(out.resolve(name)) > 100, name + " is missing or tiny");
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double modelMae = m.at("/model/mae").asDouble(-1), persMae = m.at("/baselines/persistence/mae").asDouble(-1);
        assertTrue(modelMae > 0 && persMae > 0, m.toString());
        assertEquals(modelMae / persMae, m.get("ratio_to_persistence").asDouble(), 1e-9);
        assertEquals(25, m.get("epochs_run").asInt());
        assertEquals(42, m.get("seed").asInt());
        assertEquals("lstm", m.at("/options/model").asText());
        // the printed figures are the JSON's
        assertEquals(modelMae, number(f.out, "LSTM +MAE (\\d+\\.\\d+)"), 1e-4);
        assertEquals(persMae, number(f.out, "persistence +MAE (\\d+\\.\\d+)"), 1e-4);
        // persistence on a 14-day sine of amplitude 8 errs by 8 * 2 sin(pi/14) * 2/pi = 2.27 degrees on average
        assertTrue(persMae > 1.8, "persistence MAE " + persMae);
        assertTrue(modelMae < persMae / 2, "LSTM MAE " + modelMae + " vs persistence " + persMae);

        Map<String, Object> meta = ModelFile.read(out.resolve("model.rnn4j")).metadata();
        assertEquals(List.of("temp", "humidity"), meta.get("features"));
        assertEquals(List.of("temp"), meta.get("targets"));
        assertEquals("date", meta.get("time_column"));
        assertEquals(14, ((Number) meta.get("lookback")).intValue());
        assertEquals("P1D", meta.get("time_step"));
        assertTrue(meta.get("normalizer") instanceof Map<?, ?>);

        Path json = dir.resolve("p/forecast.json");
        Run p = run("predict", "--model", out.resolve("model.rnn4j").toString(), "--csv", csv.toString(), "--out-json", json.toString());
        assertEquals(0, p.code, p.all());
        LocalDate next = START.plusDays(300);   // the CSV's last day is START + 299
        assertTrue(p.out.contains(next + "  temp = "), p.out);
        double value = number(p.out, "temp = (-?\\d+\\.\\d+)");
        assertTrue(Math.abs(value - temp(300, null)) < 2.5, "forecast " + value + " for " + next + ", noise-free value " + temp(300, null));
        JsonNode pj = new ObjectMapper().readTree(json.toFile());
        assertEquals(next.toString(), pj.at("/forecasts/0/time").asText());
        assertEquals(value, pj.at("/forecasts/0/value").asDouble(), 1e-4);
    }

    @Test
    void shippedSeattleWeatherRunsByDefault(@TempDir Path dir) throws Exception {
        Run f = run("forecast", "--epochs", "2", "--out", dir.toString());
        assertEquals(0, f.code, f.all());
        assertTrue(f.out.contains("Forecasting temp_max of seattle-weather"), f.out);
        double ratio = number(f.out, "ratio LSTM / persistence: (\\d+\\.\\d+)");
        JsonNode m = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
        assertEquals(ratio, m.get("ratio_to_persistence").asDouble(), 1e-3);
        assertEquals(List.of("temp_max", "temp_min", "precipitation", "wind"),
                ModelFile.read(dir.resolve("model.rnn4j")).metadata().get("features"));
        // predict without --csv uses the shipped file the model was trained on; it ends 2015-12-31
        Run p = run("predict", "--model", dir.resolve("model.rnn4j").toString());
        assertEquals(0, p.code, p.all());
        assertTrue(p.out.contains("2016-01-01  temp_max = "), p.out);
    }

    @Test
    void stockLogReturnsWithZeroReturnBaseline(@TempDir Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder s = new StringBuilder("date,open,high,low,close,volume\n");
        LocalDate d = LocalDate.of(2017, 1, 2);
        double close = 100;
        LocalDate lastDay = null;
        double lastClose = 0;
        for (int i = 0; i < 1000; ) {
            if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
                double open = close;
                close = close * Math.exp(0.01 * r.nextGaussian());
                s.append(d).append(String.format(Locale.ROOT, ",%.4f,%.4f,%.4f,%.4f,%d%n", open, Math.max(open, close) * 1.01,
                        Math.min(open, close) * 0.99, close, 1_000_000 + r.nextInt(500_000)));
                lastDay = d;
                lastClose = Double.parseDouble(String.format(Locale.ROOT, "%.4f", close));
                i++;
            }
            d = d.plusDays(1);
        }
        Path csv = dir.resolve("stock.csv");
        Files.writeString(csv, s);
        Path out = dir.resolve("out");
        Run f = run("forecast", "--csv", csv.toString(), "--target", "close", "--log-return", "--features", "log_return,volume",
                "--gaps", "allow", "--lookback", "10", "--epochs", "3", "--out", out.toString());
        assertEquals(0, f.code, f.all());
        assertTrue(f.out.contains("zero return"), f.out);
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double zero = m.at("/baselines/zero_return/mae").asDouble(-1), pers = m.at("/baselines/persistence/mae").asDouble(-1);
        // daily log-returns of sd 0.01: |r| averages 0.008; persistence (yesterday's return) errs by sqrt(2) times that
        assertTrue(zero > 0.006 && zero < 0.010, "zero-return MAE " + zero);
        assertTrue(pers > 1.15 * zero, "persistence " + pers + " vs zero return " + zero);
        assertEquals("log-return of close", m.get("target").asText());
        assertEquals(m.at("/model/mae").asDouble() / zero, m.get("ratio_to_zero_return").asDouble(), 1e-9);

        Run p = run("predict", "--model", out.resolve("model.rnn4j").toString(), "--csv", csv.toString());
        assertEquals(0, p.code, p.all());
        assertTrue(p.out.contains(lastDay.plusDays(1) + "  log_return = "), p.out);
        double lr = number(p.out, "log_return = (-?\\d+\\.\\d+)");
        double implied = number(p.out, "close \\d+\\.\\d+ -> (\\d+\\.\\d+)");
        assertEquals(lastClose * Math.exp(lr), implied, 1e-3 * lastClose);
    }

    @Test
    void missingColumnIsNamed(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, 300);
        Run f = run("forecast", "--csv", csv.toString(), "--target", "temp", "--features", "temp,pressure", "--out", dir.resolve("o").toString());
        assertEquals(2, f.code, f.all());
        assertTrue(f.err.contains("no column 'pressure'") && f.err.contains("date, temp, humidity"), f.err);

        // predict on a CSV that lacks a column the model was trained with
        Path out = dir.resolve("out");
        assertEquals(0, run("forecast", "--csv", csv.toString(), "--target", "temp", "--features", "temp,humidity", "--lookback", "7",
                "--epochs", "1", "--out", out.toString()).code);
        Path noHumidity = dir.resolve("no-humidity.csv");
        StringBuilder s = new StringBuilder("date,temp\n");
        for (int i = 0; i < 20; i++) s.append(START.plusDays(i)).append(',').append(i).append('\n');
        Files.writeString(noHumidity, s);
        Run p = run("predict", "--model", out.resolve("model.rnn4j").toString(), "--csv", noHumidity.toString());
        assertEquals(2, p.code, p.all());
        assertTrue(p.err.contains("has no column 'humidity' (the model needs it)"), p.err);
    }

    @Test
    void unknownModelIsRejected(@TempDir Path dir) {
        Run f = run("forecast", "--model", "transformer", "--out", dir.toString());
        assertEquals(2, f.code);
        assertTrue(f.err.contains("--model must be one of simple, lstm, gru, bilstm, dense, conv1d, got 'transformer'"), f.err);
    }

    @Test
    void tooFewRowsSaysHowManyAreNeeded(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, 60);
        Run f = run("forecast", "--csv", csv.toString(), "--target", "temp", "--lookback", "14", "--out", dir.resolve("o").toString());
        assertEquals(2, f.code, f.all());
        // span = 14 + 1 rows; the 15 % test part must hold it: ceil(15 / 0.15) + 1 = 101
        assertTrue(f.err.contains("has 60 usable rows") && f.err.contains("at least 101 rows"), f.err);

        Path big = weatherCsv(dir, 300), out = dir.resolve("out");
        assertEquals(0, run("forecast", "--csv", big.toString(), "--target", "temp", "--lookback", "14", "--epochs", "1",
                "--out", out.toString()).code);
        Path small = weatherCsv(dir, 10);
        Run p = run("predict", "--model", out.resolve("model.rnn4j").toString(), "--csv", small.toString());
        assertEquals(2, p.code, p.all());
        assertTrue(p.err.contains("has 10 usable row(s)") && p.err.contains("needs 14"), p.err);
    }

    @Test
    void everyModelKindTrains(@TempDir Path dir) throws Exception {
        Path csv = weatherCsv(dir, 200);
        for (String kind : ForecastCommand.MODELS) {
            Run f = run("forecast", "--csv", csv.toString(), "--target", "temp", "--model", kind, "--layers", "2", "--units", "8", "--lookback", "8",
                    "--epochs", "1", "--dropout", "0.1", "--out", dir.resolve(kind).toString());
            assertEquals(0, f.code, kind + ":\n" + f.all());
            JsonNode m = new ObjectMapper().readTree(dir.resolve(kind).resolve("metrics.json").toFile());
            assertEquals(kind, m.at("/model/type").asText());
            assertTrue(m.at("/model/mae").asDouble(-1) > 0, kind);
        }
    }
}
