package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.callbacks.CSVLogger;
import io.github.rnn4j.callbacks.EarlyStopping;
import io.github.rnn4j.cli.data.DatasetCache;
import io.github.rnn4j.cli.data.RemoteDataset;
import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.cli.plot.ChartFormat;
import io.github.rnn4j.cli.plot.ForecastPlot;
import io.github.rnn4j.cli.plot.TrainingCurves;
import io.github.rnn4j.data.Baseline;
import io.github.rnn4j.data.FillPolicy;
import io.github.rnn4j.data.ForecastMetrics;
import io.github.rnn4j.data.GapPolicy;
import io.github.rnn4j.data.LinearBaseline;
import io.github.rnn4j.data.Normalizer;
import io.github.rnn4j.data.ResidualTarget;
import io.github.rnn4j.data.Split;
import io.github.rnn4j.data.TimeseriesDataset;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Conv1D;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Dropout;
import io.github.rnn4j.layers.Flatten;
import io.github.rnn4j.layers.GlobalAveragePooling1D;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j forecast}: a timeseries forecast from CSV to plotted result. Reads a CSV (or the
 * shipped Seattle weather, or the downloaded Jena climate data), splits it in time 70/15/15,
 * fits a z-score normalizer on the training rows only, trains a recurrent (or dense / conv1d)
 * model on sliding windows with early stopping on the validation loss, and judges it on the
 * test period against persistence (and a ridge-regression linear model on the same windows,
 * and for log-returns the zero-return forecast), all in the target's original units. With
 * {@code --residual} the model learns the change from each window's last value
 * ({@link ResidualTarget}) and starts as persistence.
 *
 * <p>Writes to {@code --out}: {@code model.rnn4j} (with everything {@code rnn4j predict} needs in
 * its metadata), {@code metrics.json}, {@code history.csv}, {@code training-curves.png/.svg} and
 * {@code forecast.png/.svg}. One target column only; no hyper-parameter search, no walk-forward
 * re-training: it is a single, honest train/validation/test run.
 */
@Command(name = "forecast", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a forecaster on a CSV timeseries and compare it with persistence on the test period.",
                "With no arguments: an LSTM on the shipped Seattle daily weather, forecasting tomorrow's temp_max."})
final class ForecastCommand implements Callable<Integer> {
    static final List<String> MODELS = List.of("simple", "lstm", "gru", "bilstm", "dense", "conv1d");
    static final String SEATTLE = "seattle-weather", JENA = "jena-climate";

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV file with a header (default: --dataset)")
    Path csv;
    @Option(names = "--dataset", paramLabel = "NAME", description = "seattle-weather (shipped, the default) or jena-climate (downloaded once, cached)")
    String dataset;
    @Option(names = "--cache-dir", paramLabel = "DIR", description = "dataset cache (default: -Drnn4j.cache.dir, $RNN4J_CACHE_DIR or ~/.cache/rnn4j)")
    Path cacheDir;
    @Option(names = "--dataset-url", paramLabel = "URL", description = "download the dataset from this mirror instead (its size is then not pinned; its hash is still checked)")
    URI datasetUrl;
    @Option(names = "--time-column", paramLabel = "NAME", description = "date/time column (default: detected)")
    String timeColumn;
    @Option(names = "--target", paramLabel = "COLUMN", description = "column to forecast (Seattle: temp_max; Jena: T (degC))")
    String target;
    @Option(names = "--features", split = ",", paramLabel = "COLUMN", description = "input columns, comma-separated (default: the dataset's, or the target alone)")
    List<String> features;
    @Option(names = "--log-return", description = "forecast the log-return ln(x_t / x_{t-1}) of --target (e.g. close) instead of its level; "
            + "the derived column '" + SeriesTable.LOG_RETURN + "' may also be listed in --features")
    boolean logReturn;
    @Option(names = "--residual", description = "learn the change of the target from the window's last value (TensorFlow's ResidualWrapper): "
            + "forecast = last value + predicted change, the output layer starts at zero, so the untrained model is persistence; "
            + "the change is scaled by its RMS over the training windows (saved in the model, applied by 'rnn4j predict')")
    boolean residual;
    @Option(names = "--lookback", description = "timesteps per input window (default: 30; Jena: 120)")
    Integer lookback;
    @Option(names = "--sampling-rate", description = "rows between two steps of a window (default: 1; Jena: 6, hourly)")
    Integer samplingRate;
    @Option(names = "--horizon", description = "rows from a window's last step to the forecast (default: 1; Jena: 144, 24 hours)")
    Integer horizon;
    @Option(names = "--width", defaultValue = "1", description = "consecutive steps forecast at once (default: ${DEFAULT-VALUE})")
    int width;
    @Option(names = "--model", defaultValue = "lstm", description = "simple, lstm, gru, bilstm, dense or conv1d (default: ${DEFAULT-VALUE})")
    String model;
    @Option(names = "--units", defaultValue = "32", description = "units (filters for conv1d) per layer (default: ${DEFAULT-VALUE})")
    int units;
    @Option(names = "--layers", defaultValue = "1", description = "stacked layers (default: ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--dropout", defaultValue = "0", description = "input dropout of recurrent layers, or dropout after dense/conv layers (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--recurrent-dropout", defaultValue = "0", description = "dropout of the recurrent state (default: ${DEFAULT-VALUE})")
    double recurrentDropout;
    @Option(names = "--epochs", defaultValue = "20", description = "maximum epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--patience", defaultValue = "5", description = "stop after this many epochs without a better val_loss and restore the best weights; 0 = never stop early (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--batch-size", defaultValue = "32", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--learning-rate", defaultValue = "0.002", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--seed", defaultValue = "42", description = "seed of every random choice (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--fill", defaultValue = "error", description = "missing values: error, forward-fill, linear or drop-rows (default: ${DEFAULT-VALUE})")
    String fill;
    @Option(names = "--gaps", defaultValue = "error", description = "gaps in time: error or allow (e.g. trading days) (default: ${DEFAULT-VALUE})")
    String gaps;
    @Option(names = "--out", defaultValue = "forecast-out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    /** What the run resolved its defaults to. */
    private record Plan(SeriesTable.Source source, String datasetName, String target, String targetColumn, List<String> features,
                        List<String> csvColumns, String logReturnOf, String timeColumn, int lookback, int samplingRate, int horizon) {
    }

    @Override
    public Integer call() throws IOException {
        long started = System.nanoTime();
        String kind = model.toLowerCase(Locale.ROOT);
        if (!MODELS.contains(kind)) throw new IllegalArgumentException("--model must be one of " + String.join(", ", MODELS) + ", got '" + model + "'");
        Options.positive("--width", width);
        Options.positive("--units", units);
        Options.positive("--layers", layers);
        Options.positive("--epochs", epochs);
        Options.positive("--batch-size", batchSize);
        if (patience < 0) throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        Options.rate("--dropout", dropout);
        Options.rate("--recurrent-dropout", recurrentDropout);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
        FillPolicy fillPolicy = fillPolicy(fill);
        GapPolicy gapPolicy = gapPolicy(gaps);

        Plan plan = plan();
        Options.positive("--lookback", plan.lookback);
        Options.positive("--sampling-rate", plan.samplingRate);
        if (plan.horizon < 0) throw new IllegalArgumentException("--horizon must be >= 0, got " + plan.horizon);
        SeriesTable table = SeriesTable.load(plan.source, plan.csvColumns, plan.logReturnOf, plan.timeColumn, fillPolicy, gapPolicy);
        int[] feat = plan.features.stream().mapToInt(table::column).toArray();
        int tcol = table.column(plan.targetColumn);
        int span = (plan.lookback - 1) * plan.samplingRate + 1 + plan.horizon + (width - 1);
        int rows = table.rows();
        // each of the three parts needs at least one window and its target
        int minRows = (int) Math.ceil(span / 0.15) + 1;
        if (rows < minRows) {
            throw new IllegalArgumentException(table.source + " has " + rows + " usable rows; a window of lookback " + plan.lookback
                    + " x sampling rate " + plan.samplingRate + " with horizon " + plan.horizon + " and width " + width + " spans " + span
                    + " rows, and each of the train/validation/test parts (70/15/15 %) needs at least one, so at least "
                    + minRows + " rows are needed");
        }

        Split split = Split.fractions(rows, 0.70, 0.15);
        Tensor raw = table.values.copy();
        Normalizer norm = Normalizer.fit(Normalizer.Method.Z_SCORE, table.values, split.train(), table.names);
        norm.transformInPlace(table.values);
        TimeseriesDataset.Builder windows = TimeseriesDataset.builder(table.values).features(feat).targetColumns(tcol)
                .columnNames(table.names).lookback(plan.lookback).samplingRate(plan.samplingRate).horizon(plan.horizon).width(width);
        Split.Parts parts = split.datasets(windows);
        TimeseriesDataset train = parts.train(), val = parts.validation(), test = parts.test();
        // residual: the model learns (y[t] - y[last]) / scale in normalized units; every prediction goes through toLevels
        ResidualTarget res = residual ? ResidualTarget.fit(train) : null;
        Dataset trainData = res == null ? train : res.wrap(train), valData = res == null ? val : res.wrap(val);

        Sequential net = build(kind, plan.lookback, feat.length, width);
        net.seed(seed);
        net.compile(new Adam(learningRate), new MeanSquaredError(), "mae");
        System.out.printf(Locale.ROOT, "Forecasting %s of %s%s: %d rows (train %s, validation %s, test %s), %d features, lookback %d x %d, horizon %d, width %d%n",
                plan.target, plan.datasetName, table.step == null ? "" : " (step " + SeriesTable.format(table.step) + ")",
                rows, split.train(), split.validation(), split.test(), feat.length, plan.lookback, plan.samplingRate, plan.horizon, width);
        System.out.print(net.summary());
        if (res != null) {
            System.out.printf(Locale.ROOT, "Residual: the model forecasts the change from the last value, scaled by %.6g (normalized units; RMS over the training windows); loss and val_loss are in these units%n",
                    res.scale()[0]);
        }

        Files.createDirectories(out);
        FitOptions fo = new FitOptions().epochs(epochs).batchSize(batchSize).validationData(valData).verbose(2)
                .callbacks(new CSVLogger(out.resolve("history.csv")));
        if (patience > 0) fo.callbacks(new EarlyStopping().monitor("val_loss").patience(patience).restoreBestWeights(true));
        History h = net.fit(trainData, fo);
        if (h.stopReason() != null) System.out.println(h.stopReason());

        // ---- judge, in original units ----
        int[] tc = {tcol};
        Tensor actual = norm.inverseTargets(test.targetTensor(), tc);
        Tensor pred = norm.inverseTargets(levels(net, test, res), tc);
        Tensor persistence = norm.inverseTargets(Baseline.persistence().predict(test), tc);
        double modelMae = ForecastMetrics.mae(pred, actual), modelRmse = ForecastMetrics.rmse(pred, actual);
        double persMae = ForecastMetrics.mae(persistence, actual), persRmse = ForecastMetrics.rmse(persistence, actual);
        double trainMae = ForecastMetrics.mae(norm.inverseTargets(levels(net, train, res), tc), norm.inverseTargets(train.targetTensor(), tc));
        double valMae = ForecastMetrics.mae(norm.inverseTargets(levels(net, val, res), tc), norm.inverseTargets(val.targetTensor(), tc));
        Map<String, Object> baselines = new LinkedHashMap<>();
        baselines.put("persistence", errors(persMae, persRmse));
        Double linMae = null;
        int d = plan.lookback * feat.length;
        if (d <= 600) {
            Tensor lin = norm.inverseTargets(LinearBaseline.fit(train, 1e-3).predict(test), tc);
            linMae = ForecastMetrics.mae(lin, actual);
            baselines.put("linear", errors(linMae, ForecastMetrics.rmse(lin, actual)));
        } else {
            baselines.put("linear", Map.of("skipped", "window has " + d + " values (lookback x features); the closed-form fit is O(D^3), run only up to 600"));
        }
        Double zeroMae = null;
        if (plan.logReturnOf != null && plan.targetColumn.equals(SeriesTable.LOG_RETURN)) {
            Tensor zero = Tensor.zeros(actual.shape());
            zeroMae = ForecastMetrics.mae(zero, actual);
            baselines.put("zero_return", errors(zeroMae, ForecastMetrics.rmse(zero, actual)));
        }
        double ratio = modelMae / persMae;

        String label = kind.toUpperCase(Locale.ROOT).replace("SIMPLE", "SimpleRNN").replace("BILSTM", "BiLSTM").replace("CONV1D", "Conv1D").replace("DENSE", "Dense");
        System.out.printf(Locale.ROOT, "%nTest period: %d forecasts of %s%s, in original units%n", test.size(), plan.target,
                table.times == null ? "" : ", " + table.times[test.targetRow(0, 0)] .toString().replace("T00:00", "") + " .. "
                        + table.times[test.targetRow(test.size() - 1, width - 1)].toString().replace("T00:00", ""));
        System.out.printf(Locale.ROOT, "  %-12s MAE %.4f  RMSE %.4f%n", label, modelMae, modelRmse);
        System.out.printf(Locale.ROOT, "  %-12s MAE %.4f  RMSE %.4f%n", "persistence", persMae, persRmse);
        if (zeroMae != null) System.out.printf(Locale.ROOT, "  %-12s MAE %.4f%n", "zero return", zeroMae);
        if (linMae != null) System.out.printf(Locale.ROOT, "  %-12s MAE %.4f%n", "linear", linMae);
        System.out.printf(Locale.ROOT, "  ratio %s / persistence: %.3f (%s)%n", label, ratio,
                ratio < 1 ? "beats persistence" : "does NOT beat persistence");
        if (zeroMae != null) {
            System.out.printf(Locale.ROOT, "  ratio %s / zero return: %.3f (the zero-return forecast is the one to beat for log-returns)%n",
                    label, modelMae / zeroMae);
        }
        System.out.printf(Locale.ROOT, "  MAE on train %.4f, validation %.4f, test %.4f%n", trainMae, valMae, modelMae);

        // ---- files ----
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kind", "rnn4j-forecast");
        meta.put("dataset", plan.datasetName);
        meta.put("csv_columns", plan.csvColumns);
        meta.put("log_return_of", plan.logReturnOf);
        meta.put("columns", List.of(table.names));
        meta.put("features", plan.features);
        meta.put("targets", List.of(plan.targetColumn));
        meta.put("time_column", table.timeColumn);
        meta.put("time_step", SeriesTable.format(table.step));
        meta.put("lookback", plan.lookback);
        meta.put("sampling_rate", plan.samplingRate);
        meta.put("horizon", plan.horizon);
        meta.put("width", width);
        meta.put("fill", fill);
        meta.put("gaps", gaps);
        meta.put("normalizer", norm.toMap());
        meta.put("residual", res == null ? null : res.toMap());
        meta.put("last_training_time", table.times == null ? null : table.times[rows - 1].toString());
        Path modelFile = out.resolve("model.rnn4j");
        ModelFile.save(net, modelFile, false, meta);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", plan.datasetName);
        m.put("target", plan.target);
        m.put("units", "original units of the target");
        m.put("test_forecasts", test.size());
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("type", kind);
        mm.putAll(errors(modelMae, modelRmse));
        mm.put("params", net.countParams());
        m.put("model", mm);
        m.put("baselines", baselines);
        m.put("ratio_to_persistence", ratio);
        if (zeroMae != null) m.put("ratio_to_zero_return", modelMae / zeroMae);
        m.put("mae_train", trainMae);
        m.put("mae_validation", valMae);
        m.put("mae_test", modelMae);
        List<Double> vl = h.get("val_loss");
        int best = 0;
        for (int i = 1; i < vl.size(); i++) if (vl.get(i) < vl.get(best)) best = i;
        m.put("epochs_run", h.epochs().size());
        m.put("best_epoch", best + 1);
        m.put("loss_at_best_epoch", h.get("loss").get(best));
        m.put("val_loss_at_best_epoch", vl.get(best));
        m.put("stop_reason", h.stopReason());
        m.put("seed", seed);
        m.put("history", h.history());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("csv", plan.source.name());
        opts.put("time_column", table.timeColumn);
        opts.put("target", plan.targetColumn);
        opts.put("features", plan.features);
        opts.put("log_return", logReturn);
        opts.put("residual", residual);
        if (res != null) opts.put("residual_scale", res.scale()[0]);
        opts.put("lookback", plan.lookback);
        opts.put("sampling_rate", plan.samplingRate);
        opts.put("horizon", plan.horizon);
        opts.put("width", width);
        opts.put("model", kind);
        opts.put("units", units);
        opts.put("layers", layers);
        opts.put("dropout", dropout);
        opts.put("recurrent_dropout", recurrentDropout);
        opts.put("epochs", epochs);
        opts.put("patience", patience);
        opts.put("batch_size", batchSize);
        opts.put("learning_rate", learningRate);
        opts.put("seed", seed);
        opts.put("fill", fill);
        opts.put("gaps", gaps);
        opts.put("split", List.of(split.train().toString(), split.validation().toString(), split.test().toString()));
        m.put("options", opts);
        m.put("seconds", (System.nanoTime() - started) / 1e9);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("metrics.json").toFile(), m);

        TrainingCurves.write(h.history(), out.resolve("training-curves"), EnumSet.allOf(ChartFormat.class));
        plot(plan, table, test, actual, pred, persistence, label);
        System.out.println("\nWrote " + modelFile + ", metrics.json, history.csv, training-curves.png/.svg, forecast.png/.svg to " + out);
        return 0;
    }

    /** The model's forecasts for {@code ds} in normalized units: its outputs, or last value + change when residual. */
    private static Tensor levels(Sequential net, TimeseriesDataset ds, ResidualTarget res) {
        Tensor out = net.predict(ds, 256)[0];
        return res == null ? out : res.toLevels(ds, out);
    }

    /** Plots the first forecast step of every test window, at most the last 2000. */
    private void plot(Plan plan, SeriesTable table, TimeseriesDataset test, Tensor actual, Tensor pred, Tensor persistence, String label)
            throws IOException {
        int n = test.size(), from = Math.max(0, n - 2000), k = n - from;
        double[] a = new double[k], p = new double[k], q = new double[k];
        List<LocalDateTime> times = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int s = from + i;
            a[i] = actual.data()[s * width];
            p[i] = pred.data()[s * width];
            q[i] = persistence.data()[s * width];
            if (table.times != null) times.add(table.times[test.targetRow(s, 0)]);
        }
        String ahead = plan.horizon + " step" + (plan.horizon == 1 ? "" : "s") + " ahead";
        ForecastPlot fp = new ForecastPlot(plan.datasetName + ": " + plan.target + ", test period" + (from > 0 ? " (last " + k + " of " + n + ")" : "")
                + ", " + ahead).yLabel(plan.target).actual(a).forecast(label, p).baseline("persistence", q);
        if (table.times != null) fp.times(times);
        fp.write(out.resolve("forecast"), EnumSet.allOf(ChartFormat.class));
    }

    /** The model; with --residual its output layer starts at zero (as in TensorFlow's tutorial), so it starts as persistence. */
    private Sequential build(String kind, int lookback, int f, int outputs) {
        Sequential s = new Sequential(new InputLayer(lookback, f));
        switch (kind) {
            case "simple", "lstm", "gru", "bilstm" -> {
                for (int i = 0; i < layers; i++) {
                    Recurrent<?> r = switch (kind) {
                        case "simple" -> new SimpleRNN(units);
                        case "gru" -> new GRU(units);
                        default -> new LSTM(units);
                    };
                    r.dropout(dropout).recurrentDropout(recurrentDropout).returnSequences(i < layers - 1);
                    s.add(kind.equals("bilstm") ? new Bidirectional(r) : r);
                }
            }
            case "dense" -> {
                s.add(new Flatten());
                for (int i = 0; i < layers; i++) {
                    s.add(new Dense(units).activation("relu"));
                    if (dropout > 0) s.add(new Dropout(dropout));
                }
            }
            case "conv1d" -> {
                for (int i = 0; i < layers; i++) {
                    s.add(new Conv1D(units, Math.min(5, lookback)).padding("same").activation("relu"));
                    if (dropout > 0) s.add(new Dropout(dropout));
                }
                s.add(new GlobalAveragePooling1D());
            }
            default -> throw new AssertionError(kind);
        }
        if (recurrentDropout > 0 && (kind.equals("dense") || kind.equals("conv1d"))) {
            throw new IllegalArgumentException("--recurrent-dropout applies to recurrent models, not --model " + kind);
        }
        Dense head = new Dense(outputs);
        if (residual) head.kernelInitializer("zeros");
        s.add(head);
        return s;
    }

    private Plan plan() throws IOException {
        SeriesTable.Source src;
        String name, tcol = timeColumn, tgt = target;
        List<String> feats = features == null ? null : features.stream().map(String::strip).toList();
        int lb = 30, sr = 1, hz = 1;
        if (csv != null) {
            if (dataset != null) throw new IllegalArgumentException("give --csv or --dataset, not both");
            src = SeriesTable.Source.file(csv);
            name = csv.getFileName().toString();
            if (tgt == null) {
                List<String> header = src.header();
                if (header.size() == 2) tgt = header.get(1);
                else throw new IllegalArgumentException("--target is required with --csv; " + csv + " has columns " + String.join(", ", header));
            }
        } else {
            String ds = dataset == null ? SEATTLE : dataset;
            switch (ds) {
                case SEATTLE -> {
                    src = SeriesTable.Source.shipped(ShippedData.SEATTLE_WEATHER);
                    if (tcol == null) tcol = "date";
                    if (tgt == null) tgt = "temp_max";
                    if (feats == null && tgt.equals("temp_max") && !logReturn) feats = List.of("temp_max", "temp_min", "precipitation", "wind");
                }
                case JENA -> {
                    DatasetCache cache = (cacheDir == null ? new DatasetCache() : new DatasetCache(cacheDir)).log(System.err::println);
                    RemoteDataset d = datasetUrl == null ? RemoteDataset.JENA_CLIMATE : RemoteDataset.JENA_CLIMATE.at(datasetUrl).withSize(-1);
                    src = SeriesTable.Source.file(cache.fetch(d));
                    if (tcol == null) tcol = "Date Time";
                    if (tgt == null) tgt = "T (degC)";
                    if (feats == null && !logReturn) {
                        List<String> h = new ArrayList<>(src.header());
                        h.remove(tcol);
                        feats = h;
                    }
                    lb = 120;
                    sr = 6;
                    hz = 144;
                }
                default -> throw new IllegalArgumentException("--dataset must be " + SEATTLE + " or " + JENA + ", got '" + ds + "'");
            }
            name = ds;
        }
        String targetColumn = logReturn ? SeriesTable.LOG_RETURN : tgt;
        if (feats == null || feats.isEmpty()) feats = List.of(targetColumn);
        List<String> csvCols = new ArrayList<>();
        for (String c : feats) if (!c.equals(SeriesTable.LOG_RETURN) && !csvCols.contains(c)) csvCols.add(c);
        if (!logReturn && !csvCols.contains(tgt)) csvCols.add(tgt);
        if (!logReturn && feats.contains(SeriesTable.LOG_RETURN)) {
            throw new IllegalArgumentException("--features lists '" + SeriesTable.LOG_RETURN + "', which exists only with --log-return");
        }
        if (new java.util.HashSet<>(feats).size() != feats.size()) throw new IllegalArgumentException("--features lists a column twice: " + feats);
        String shown = logReturn ? "log-return of " + tgt : tgt;
        return new Plan(src, name, shown, targetColumn, feats, csvCols, logReturn ? tgt : null, tcol,
                lookback != null ? lookback : lb, samplingRate != null ? samplingRate : sr, horizon != null ? horizon : hz);
    }

    private static Map<String, Object> errors(double mae, double rmse) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mae", mae);
        m.put("rmse", rmse);
        return m;
    }

    static FillPolicy fillPolicy(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "error" -> FillPolicy.ERROR;
            case "forward-fill", "ffill" -> FillPolicy.FORWARD_FILL;
            case "linear", "interpolate" -> FillPolicy.LINEAR_INTERPOLATE;
            case "drop-rows", "drop" -> FillPolicy.DROP_ROWS;
            default -> throw new IllegalArgumentException("--fill must be error, forward-fill, linear or drop-rows, got '" + s + "'");
        };
    }

    static GapPolicy gapPolicy(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "error" -> GapPolicy.ERROR;
            case "allow" -> GapPolicy.ALLOW;
            default -> throw new IllegalArgumentException("--gaps must be error or allow, got '" + s + "'");
        };
    }
}
