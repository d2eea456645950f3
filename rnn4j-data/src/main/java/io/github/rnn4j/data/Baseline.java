package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;

/**
 * A forecast without learning, computed for exactly the samples of a {@link TimeseriesDataset}
 * (the same windows, in the same order, in the same target layout) so that a model and its
 * baselines are judged on identical samples. Predictions have the dataset's target shape
 * (size, width * targetColumns) and, like the dataset, the units of its arrays (normalized
 * or not): compare them with {@link ForecastMetrics}.
 *
 * <pre>{@code
 * Tensor actual = test.targetTensor();
 * double persistence = ForecastMetrics.mae(Baseline.persistence().predict(test), actual);
 * double seasonal = ForecastMetrics.mae(Baseline.seasonalPersistence(365).predict(test), actual);
 * double linear = ForecastMetrics.mae(LinearBaseline.fit(train, 1e-3).predict(test), actual);
 * }</pre>
 *
 * <p>The persistence baselines read the target columns at the rows before each window ends, so
 * they need a forecasting-mode dataset (targets on the inputs' time axis); Keras-mode datasets,
 * whose targets are pre-shifted, are refused. Not here: moving averages, ARIMA, exponential
 * smoothing.
 */
public interface Baseline {
    /** A short name for reports, e.g. {@code persistence}. */
    String name();

    /** One forecast per sample of {@code windows}, shape (size, width * targetColumns). */
    Tensor predict(TimeseriesDataset windows);

    /** Persistence: every target step of a window is forecast as the target's value at the window's last step. */
    static Baseline persistence() {
        return new Baseline() {
            @Override
            public String name() {
                return "persistence";
            }

            @Override
            public Tensor predict(TimeseriesDataset ds) {
                return seasonal(ds, 0);
            }
        };
    }

    /**
     * Seasonal persistence: target row {@code t} is forecast as the value one season earlier
     * ({@code season} rows, e.g. 24 for daily seasonality in hourly data), or whole seasons
     * earlier when one season back is still after the window's last step, so only the past is
     * read. A window too close to the start of the array to look a season back is an error.
     */
    static Baseline seasonalPersistence(int season) {
        if (season <= 0) throw new IllegalArgumentException("season must be positive, got " + season);
        return new Baseline() {
            @Override
            public String name() {
                return "seasonal persistence (season " + season + ")";
            }

            @Override
            public Tensor predict(TimeseriesDataset ds) {
                return seasonal(ds, season);
            }
        };
    }

    /** Season 0 means plain persistence. */
    private static Tensor seasonal(TimeseriesDataset ds, int season) {
        if (!ds.hasTargets()) throw new IllegalArgumentException("a baseline needs a dataset with targets");
        if (!ds.targetsAligned()) {
            throw new IllegalArgumentException("persistence baselines need a forecasting dataset (targets on the inputs' time "
                    + "axis); a kerasCompatible dataset's targets are pre-shifted, so the last observed value is unknown");
        }
        int[] cols = ds.targetColumns();
        int width = ds.width(), n = ds.size();
        Tensor out = Tensor.zeros(n, width * cols.length);
        float[] d = out.data();
        int o = 0;
        for (int s = 0; s < n; s++) {
            int last = ds.lastInputRow(s);
            for (int j = 0; j < width; j++) {
                int src = last;
                if (season > 0) {
                    int t = ds.targetRow(s, j);
                    int back = season * (int) Math.ceilDiv((long) t - last, season);
                    src = t - back;
                    if (src < 0) {
                        throw new IllegalArgumentException("seasonal persistence with season " + season + ": the window starting at row "
                                + ds.windowStart(s) + " has target row " + t + ", and row " + t + " - " + back
                                + " is before the start of the series; start the dataset later");
                    }
                }
                for (int c : cols) d[o++] = ds.targetValue(src, c);
            }
        }
        return out;
    }
}
