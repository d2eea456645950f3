package io.github.rnn4j.data;

import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * A chronological train / validation / test split of a series' rows: three consecutive ranges
 * in time order, never shuffled across a boundary. Datasets built from it
 * ({@link #datasets}) keep every window and its target inside one part, so no window straddles
 * a boundary; the first {@code span - 1} rows of each part serve only as history for that part's
 * first windows.
 *
 * <pre>{@code
 * Split split = Split.fractions(series.dim(0), 0.7, 0.15);          // test = the last 15 %
 * Normalizer norm = Normalizer.zScore(series, split.train());       // statistics of training rows only
 * norm.transformInPlace(series);
 * Split.Parts parts = split.datasets(TimeseriesDataset.builder(series).lookback(48).targetColumns(1));
 * model.fit(parts.train(), new FitOptions().validationData(parts.validation()));
 * }</pre>
 *
 * <p>Not here: cross-validation folds, gaps (embargoes) between parts, or random splits.
 *
 * @param rows       rows of the series
 * @param train      the first part
 * @param validation the middle part (may be empty)
 * @param test       the last part (may be empty)
 */
public record Split(int rows, RowRange train, RowRange validation, RowRange test) {
    /** Checks that the three parts tile {@code [0, rows)} in order. */
    public Split {
        if (train.start() != 0 || validation.start() != train.end() || test.start() != validation.end()
                || test.end() != rows) {
            throw new IllegalArgumentException("a split must tile rows [0, " + rows + ") in order, got train " + train
                    + ", validation " + validation + ", test " + test);
        }
        if (train.isEmpty()) throw new IllegalArgumentException("the training part of " + rows + " rows is empty");
    }

    /**
     * The first {@code train} fraction of rows for training, the next {@code validation} fraction
     * for validation, the rest for testing; boundaries are rounded down to whole rows.
     */
    public static Split fractions(int rows, double train, double validation) {
        if (!(train > 0 && train <= 1)) throw new IllegalArgumentException("train fraction must be in (0, 1], got " + train);
        if (!(validation >= 0 && train + validation <= 1 + 1e-12)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1 - train], got " + validation
                    + " with train " + train);
        }
        // the epsilon keeps 0.7 * 10 at 7 rows despite 0.7's binary representation
        int a = (int) Math.min(rows, Math.floor(rows * train + 1e-9));
        int b = (int) Math.min(rows, Math.floor(rows * (train + validation) + 1e-9));
        return at(rows, a, b);
    }

    /** Training rows {@code [0, validationStart)}, validation {@code [validationStart, testStart)}, test the rest. */
    public static Split at(int rows, int validationStart, int testStart) {
        if (validationStart < 0 || testStart < validationStart || testStart > rows) {
            throw new IllegalArgumentException("split boundaries need 0 <= validationStart <= testStart <= rows, got "
                    + validationStart + ", " + testStart + " for " + rows + " rows");
        }
        return new Split(rows, new RowRange(0, validationStart), new RowRange(validationStart, testStart),
                new RowRange(testStart, rows));
    }

    /**
     * Splits at moments: rows before {@code validationStart} train, rows from it up to
     * {@code testStart} validate, rows from {@code testStart} on test. {@code times} must be
     * strictly increasing (as {@link CsvSeries} guarantees).
     */
    public static Split byTime(LocalDateTime[] times, LocalDateTime validationStart, LocalDateTime testStart) {
        if (testStart.isBefore(validationStart)) {
            throw new IllegalArgumentException("testStart " + testStart + " is before validationStart " + validationStart);
        }
        for (int i = 1; i < times.length; i++) {
            if (!times[i].isAfter(times[i - 1])) {
                throw new IllegalArgumentException("times must be strictly increasing; row " + i + " (" + times[i]
                        + ") does not follow row " + (i - 1) + " (" + times[i - 1] + ")");
            }
        }
        return at(times.length, firstAtOrAfter(times, validationStart), firstAtOrAfter(times, testStart));
    }

    /** {@link #byTime(LocalDateTime[], LocalDateTime, LocalDateTime)} with dates (each at the start of its day). */
    public static Split byTime(LocalDateTime[] times, LocalDate validationStart, LocalDate testStart) {
        return byTime(times, validationStart.atStartOfDay(), testStart.atStartOfDay());
    }

    private static int firstAtOrAfter(LocalDateTime[] times, LocalDateTime t) {
        int lo = 0, hi = times.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (times[mid].isBefore(t)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** The three datasets of a split; validation and test are null when their part is empty. */
    public record Parts(TimeseriesDataset train, TimeseriesDataset validation, TimeseriesDataset test) {
    }

    /**
     * Builds one dataset per part from copies of {@code options} (its own start and end indices
     * are replaced by each part's range). A non-empty part too short for one window and its
     * target is an error that names the part.
     */
    public Parts datasets(TimeseriesDataset.Builder options) {
        return new Parts(build("train", train, options), build("validation", validation, options),
                build("test", test, options));
    }

    private static TimeseriesDataset build(String part, RowRange r, TimeseriesDataset.Builder options) {
        if (r.isEmpty() && !part.equals("train")) return null;
        try {
            return options.copy().range(r).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + part + " part " + r + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Split[train " + train + ", validation " + validation + ", test " + test + "]";
    }
}
