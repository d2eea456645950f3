package io.github.rnn4j.data;

import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Sliding windows over one timeseries array (rows = time, columns = features), each paired with
 * a target: Keras's {@code keras.utils.timeseries_dataset_from_array}, plus multi-step forecast
 * targets. A window is index arithmetic over the one array, never a copy: the dataset's own
 * footprint is a few fields (and, only when shuffled, one {@code int} per window), whatever the
 * number of windows; {@link #gather} copies just the requested batch into the caller's tensors.
 *
 * <p>Sample {@code k} (before shuffling) starts at row {@code p = startIndex + k * sequenceStride}.
 * <ul>
 *   <li>Its inputs are rows {@code p, p + r, ..., p + (sequenceLength - 1) * r} ({@code r} =
 *       samplingRate) of the chosen feature columns: per-sample shape
 *       {@code [sequenceLength, features]}.</li>
 *   <li>Forecasting mode ({@link #builder}): with {@code last = p + (sequenceLength - 1) * r} the
 *       window's last step, its target is rows {@code last + horizon + j * targetSamplingRate},
 *       {@code j = 0..width-1}, of the chosen target columns, flattened step-major (step 0's
 *       columns, then step 1's, ...): per-sample shape {@code [width * targetColumns]}, what a
 *       {@code Dense(width * targetColumns)} head produces. Inputs and targets of every window
 *       lie inside {@code [startIndex, endIndex)}, so a window never straddles a split
 *       boundary.</li>
 *   <li>Keras mode ({@link #kerasCompatible}): as in Keras, the target of the window that starts
 *       at row {@code p} is {@code targets[p]} (the caller shifts the targets array).</li>
 * </ul>
 *
 * <pre>{@code
 * // predict the temperature (column 1) 24 rows after a 48-step window of every 6th row
 * TimeseriesDataset train = TimeseriesDataset.builder(series)      // Tensor (rows, features)
 *         .sequenceLength(48).samplingRate(6).horizon(24).width(1)
 *         .targetColumns(1).startIndex(0).endIndex(200_000)
 *         .build();
 * model.fit(train, new FitOptions().epochs(10).batchSize(256));
 * }</pre>
 *
 * <p>Not here: batching (the model's {@code fit} chooses the batch size and the per-epoch
 * shuffle), padding or partial windows, and transformations of the values (use
 * {@link Normalizer} on the series first).
 */
public final class TimeseriesDataset implements Dataset {
    private final float[] data;
    private final int dataCols;
    private final int dataRows;
    private final int[] features;
    private final boolean contiguousFeatures;
    private final float[] targets;
    private final int targetCols;
    private final int targetRows;
    private final int[] targetColumns;
    /** True when targets share the data's time axis (forecasting mode); false in Keras mode. */
    private final boolean aligned;
    private final int sequenceLength;
    private final int samplingRate;
    private final int sequenceStride;
    private final int startIndex;
    private final int endIndex;
    private final int horizon;
    private final int width;
    private final int targetSamplingRate;
    /** Target row of step 0 = window start + targetOffset. */
    private final int targetOffset;
    private final int count;
    private final int[] order;
    private final long shuffleSeed;
    private final String[] columnNames;
    private final String[] targetNames;

    private TimeseriesDataset(float[] data, int dataRows, int dataCols, int[] features, float[] targets, int targetRows,
                              int targetCols, int[] targetColumns, boolean aligned, int sequenceLength, int samplingRate,
                              int sequenceStride, int startIndex, int endIndex, int horizon, int width,
                              int targetSamplingRate, int targetOffset, int count, int[] order, long shuffleSeed,
                              String[] columnNames, String[] targetNames) {
        this.data = data;
        this.dataRows = dataRows;
        this.dataCols = dataCols;
        this.features = features;
        boolean contiguous = true;
        for (int i = 1; i < features.length; i++) contiguous &= features[i] == features[i - 1] + 1;
        this.contiguousFeatures = contiguous;
        this.targets = targets;
        this.targetRows = targetRows;
        this.targetCols = targetCols;
        this.targetColumns = targetColumns;
        this.aligned = aligned;
        this.sequenceLength = sequenceLength;
        this.samplingRate = samplingRate;
        this.sequenceStride = sequenceStride;
        this.startIndex = startIndex;
        this.endIndex = endIndex;
        this.horizon = horizon;
        this.width = width;
        this.targetSamplingRate = targetSamplingRate;
        this.targetOffset = targetOffset;
        this.count = count;
        this.order = order;
        this.shuffleSeed = shuffleSeed;
        this.columnNames = columnNames;
        this.targetNames = targetNames;
    }

    // ---- construction: forecasting builder -------------------------------------------------

    /** A forecasting builder over a series tensor of shape (rows, features) or (rows); not copied. */
    public static Builder builder(Tensor series) {
        return new Builder(series);
    }

    /** A forecasting builder over rows of equal length (copied once into one flat array). */
    public static Builder builder(float[][] series) {
        return new Builder(Tensor.of(series));
    }

    /**
     * Options of a forecasting dataset; {@link #build()} may be called several times (a
     * {@link Split} builds one dataset per part from copies). Defaults: every column is a feature
     * and a target, sequenceLength must be set, samplingRate 1, sequenceStride 1, horizon 1,
     * width 1, targetSamplingRate 1, all rows, no shuffle.
     */
    public static final class Builder {
        private final Tensor series;
        private Tensor targetSeries;
        private int[] features;
        private int[] targetColumns;
        private String[] columnNames;
        private int sequenceLength = -1;
        private int samplingRate = 1;
        private int sequenceStride = 1;
        private int horizon = 1;
        private int width = 1;
        private int targetSamplingRate = 1;
        private int startIndex = 0;
        private int endIndex = -1;
        private boolean inputsOnly;
        private boolean shuffle;
        private long seed;

        private Builder(Tensor series) {
            if (series.rank() != 1 && series.rank() != 2) {
                throw new IllegalArgumentException("a timeseries must have shape (rows, features) or (rows), got "
                        + series.shapeString());
            }
            this.series = series;
        }

        /** An independent copy of these options (the series is shared, not copied). */
        public Builder copy() {
            Builder b = new Builder(series);
            b.targetSeries = targetSeries;
            b.features = features == null ? null : features.clone();
            b.targetColumns = targetColumns == null ? null : targetColumns.clone();
            b.columnNames = columnNames == null ? null : columnNames.clone();
            b.sequenceLength = sequenceLength;
            b.samplingRate = samplingRate;
            b.sequenceStride = sequenceStride;
            b.horizon = horizon;
            b.width = width;
            b.targetSamplingRate = targetSamplingRate;
            b.startIndex = startIndex;
            b.endIndex = endIndex;
            b.inputsOnly = inputsOnly;
            b.shuffle = shuffle;
            b.seed = seed;
            return b;
        }

        /** Columns of the series fed to the model, in this order (default: all). */
        public Builder features(int... columns) {
            this.features = columns.clone();
            return this;
        }

        /**
         * Columns the model forecasts (default: all columns), of the series or of
         * {@link #targets(Tensor)} when given.
         */
        public Builder targetColumns(int... columns) {
            this.targetColumns = columns.clone();
            return this;
        }

        /**
         * A separate target array on the same time axis as the series (row {@code t} of both is
         * the same moment), shape (rows, columns) or (rows). Default: the series itself.
         */
        public Builder targets(Tensor targets) {
            this.targetSeries = targets;
            return this;
        }

        /** Names of the series' columns, used in messages (e.g. from {@link CsvSeries}). */
        public Builder columnNames(String... names) {
            this.columnNames = names.clone();
            return this;
        }

        /** Timesteps in each input window (Keras's {@code sequence_length}). */
        public Builder sequenceLength(int n) {
            this.sequenceLength = n;
            return this;
        }

        /**
         * The same as {@link #sequenceLength}: timesteps in each input window, after sampling.
         * The window spans {@code (lookback - 1) * samplingRate + 1} rows of the series.
         */
        public Builder lookback(int n) {
            return sequenceLength(n);
        }

        /** Rows between two steps of a window (Keras's {@code sampling_rate}, default 1). */
        public Builder samplingRate(int r) {
            this.samplingRate = r;
            return this;
        }

        /** Rows between the starts of two successive windows (Keras's {@code sequence_stride}, default 1). */
        public Builder sequenceStride(int s) {
            this.sequenceStride = s;
            return this;
        }

        /**
         * Rows from the window's last step to the first target step (default 1: the next row).
         * 0 targets the last step itself (useful when the target columns are not inputs).
         */
        public Builder horizon(int h) {
            this.horizon = h;
            return this;
        }

        /** Target steps per sample, for multi-step forecasts (default 1). */
        public Builder width(int w) {
            this.width = w;
            return this;
        }

        /** Rows between two target steps when width > 1 (default 1: consecutive rows). */
        public Builder targetSamplingRate(int r) {
            this.targetSamplingRate = r;
            return this;
        }

        /** First row any window may use (default 0). */
        public Builder startIndex(int i) {
            this.startIndex = i;
            return this;
        }

        /** One past the last row any window or target may use (default: all rows). */
        public Builder endIndex(int i) {
            this.endIndex = i;
            return this;
        }

        /** Both ends at once, e.g. {@code split.train()}. */
        public Builder range(RowRange rows) {
            this.startIndex = rows.start();
            this.endIndex = rows.end();
            return this;
        }

        /**
         * Windows without targets (for predicting the future, e.g. from the newest window):
         * windows may then end on the last row of the range.
         */
        public Builder inputsOnly() {
            this.inputsOnly = true;
            return this;
        }

        /**
         * Presents the windows in an order shuffled once with this seed. Usually unneeded:
         * {@code fit} shuffles every epoch; this is for code that reads samples in order.
         */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /**
         * Builds the dataset; throws IllegalArgumentException naming the bad option and its value,
         * or, when the range holds no full window and target, the span one needs.
         */
        public TimeseriesDataset build() {
            int rows = series.dim(0);
            int cols = series.rank() == 1 ? 1 : series.dim(1);
            if (sequenceLength <= 0) {
                throw new IllegalArgumentException(sequenceLength == -1 ? "sequenceLength (lookback) is not set"
                        : "sequenceLength must be positive, got " + sequenceLength);
            }
            positive("samplingRate", samplingRate);
            positive("sequenceStride", sequenceStride);
            positive("width", width);
            positive("targetSamplingRate", targetSamplingRate);
            if (horizon < 0) throw new IllegalArgumentException("horizon must be 0 or more, got " + horizon);
            int end = endIndex < 0 ? rows : endIndex;
            if (startIndex < 0 || startIndex > rows) {
                throw new IllegalArgumentException("startIndex " + startIndex + " is outside the series' " + rows + " rows");
            }
            if (end > rows || end < startIndex) {
                throw new IllegalArgumentException("endIndex " + end + " must be in [startIndex " + startIndex + ", rows "
                        + rows + "]");
            }
            if (columnNames != null && columnNames.length != cols) {
                throw new IllegalArgumentException(columnNames.length + " column names for a series of " + cols + " columns");
            }
            int[] feats = features == null ? iota(cols) : checkColumns("features", features, cols);
            Tensor tSeries = targetSeries == null ? series : targetSeries;
            int tRows = 0, tCols = 0;
            int[] tColumns = null;
            float[] tData = null;
            String[] tNames = null;
            if (!inputsOnly) {
                if (tSeries.rank() != 1 && tSeries.rank() != 2) {
                    throw new IllegalArgumentException("targets must have shape (rows, columns) or (rows), got "
                            + tSeries.shapeString());
                }
                tRows = tSeries.dim(0);
                tCols = tSeries.rank() == 1 ? 1 : tSeries.dim(1);
                if (tRows != rows) {
                    throw new IllegalArgumentException("targets have " + tRows + " rows, the series has " + rows
                            + "; both must share one time axis");
                }
                tColumns = targetColumns == null ? iota(tCols) : checkColumns("targetColumns", targetColumns, tCols);
                tData = tSeries.data();
                if (targetSeries == null && columnNames != null) tNames = columnNames;
            }
            long span = (long) (sequenceLength - 1) * samplingRate + 1;
            long offset = (long) (sequenceLength - 1) * samplingRate + horizon;
            if (!inputsOnly) span = offset + (long) (width - 1) * targetSamplingRate + 1;
            int available = end - startIndex;
            if (span > available) {
                throw new IllegalArgumentException("rows [" + startIndex + ", " + end + ") hold " + available
                        + " rows, fewer than the " + span + " one window" + (inputsOnly ? "" : " and its target")
                        + " span (sequenceLength " + sequenceLength + ", samplingRate " + samplingRate
                        + (inputsOnly ? "" : ", horizon " + horizon + ", width " + width) + ")");
            }
            int n = (int) ((available - span) / sequenceStride + 1);
            int[] order = shuffle ? permutation(n, seed) : null;
            return new TimeseriesDataset(series.data(), rows, cols, feats, tData, tRows, tCols, tColumns, true,
                    sequenceLength, samplingRate, sequenceStride, startIndex, end, horizon, inputsOnly ? 0 : width,
                    targetSamplingRate, (int) offset, n, order, seed, columnNames, tNames);
        }

        private static void positive(String what, int v) {
            if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
        }
    }

    // ---- construction: Keras ---------------------------------------------------------------

    /**
     * Keras's {@code timeseries_dataset_from_array(data, targets, sequence_length,
     * sequence_stride, sampling_rate, start_index=..., end_index=...)} with Keras's exact
     * semantics: {@code num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate},
     * capped at {@code len(targets)}; windows start at {@code start_index + k * sequence_stride}
     * for {@code k * sequence_stride < num_seqs}; the target of the window starting at row
     * {@code p} is {@code targets[p]}. Keras's argument checks are kept, including its refusal
     * of an explicit {@code end_index >= len(data)} and its treatment of 0 as "not given".
     * Batching and shuffling are {@code fit}'s (or {@link #shuffled}).
     *
     * <p>Differences, all where Keras has no useful answer: data of shape (rows) gives windows
     * of shape [sequenceLength, 1] (recurrent layers need a feature axis); a targets array of
     * shape (rows) gives per-sample targets of shape [1] (what {@code Dense(1)} outputs); a
     * window whose target row is past the end of {@code targets} is an error here, not at
     * iteration time; sequenceLength must be positive.
     *
     * <pre>{@code
     * // Keras's example 2: the past 10 values predict the next one
     * Tensor inputs = Tensor.of(Arrays.copyOfRange(d, 0, n - 10), n - 10);
     * Tensor targets = Tensor.of(Arrays.copyOfRange(d, 10, n), n - 10);
     * TimeseriesDataset ds = TimeseriesDataset.kerasCompatible(inputs, targets, 10, 1, 1, null, null);
     * }</pre>
     *
     * @param data           shape (rows, features) or (rows); not copied
     * @param targets        shape (rows', columns) or (rows'), or null for inputs only; not copied
     * @param startIndex     null (or 0) for 0
     * @param endIndex       null (or 0, as in Keras) for all rows
     */
    public static TimeseriesDataset kerasCompatible(Tensor data, Tensor targets, int sequenceLength, int sequenceStride,
                                                    int samplingRate, Integer startIndex, Integer endIndex) {
        if (data.rank() != 1 && data.rank() != 2) {
            throw new IllegalArgumentException("data must have shape (rows, features) or (rows), got " + data.shapeString());
        }
        if (targets != null && targets.rank() != 1 && targets.rank() != 2) {
            throw new IllegalArgumentException("targets must have shape (rows, columns) or (rows), got "
                    + targets.shapeString());
        }
        int len = data.dim(0);
        // Keras's checks, in Keras's order and with its truthiness (0 counts as not given).
        boolean hasStart = startIndex != null && startIndex != 0;
        boolean hasEnd = endIndex != null && endIndex != 0;
        if (hasStart) {
            if (startIndex < 0) throw new IllegalArgumentException("`start_index` must be 0 or greater. Received: start_index=" + startIndex);
            if (startIndex >= len) {
                throw new IllegalArgumentException("`start_index` must be lower than the length of the data. Received: start_index="
                        + startIndex + ", for data of length " + len);
            }
        }
        if (hasEnd) {
            if (hasStart && endIndex <= startIndex) {
                throw new IllegalArgumentException("`end_index` must be higher than `start_index`. Received: start_index="
                        + startIndex + ", and end_index=" + endIndex);
            }
            if (endIndex >= len) {
                throw new IllegalArgumentException("`end_index` must be lower than the length of the data. Received: end_index="
                        + endIndex + ", for data of length " + len);
            }
            if (endIndex <= 0) throw new IllegalArgumentException("`end_index` must be higher than 0. Received: end_index=" + endIndex);
        }
        if (samplingRate <= 0) throw new IllegalArgumentException("`sampling_rate` must be higher than 0. Received: sampling_rate=" + samplingRate);
        if (samplingRate >= len) {
            throw new IllegalArgumentException("`sampling_rate` must be lower than the length of the data. Received: sampling_rate="
                    + samplingRate + ", for data of length " + len);
        }
        if (sequenceStride <= 0) {
            throw new IllegalArgumentException("`sequence_stride` must be higher than 0. Received: sequence_stride=" + sequenceStride);
        }
        if (sequenceStride >= len) {
            throw new IllegalArgumentException("`sequence_stride` must be lower than the length of the data. Received: sequence_stride="
                    + sequenceStride + ", for data of length " + len);
        }
        if (sequenceLength <= 0) throw new IllegalArgumentException("sequence_length must be positive, got " + sequenceLength);
        int start = startIndex == null ? 0 : startIndex;
        // `end_index is None` only; an explicit 0 stays 0 and yields no windows, as in Keras.
        int end = endIndex == null ? len : endIndex;
        long numSeqs = (long) end - start - (long) (sequenceLength - 1) * samplingRate;
        if (targets != null) numSeqs = Math.min(numSeqs, targets.dim(0));
        int n = numSeqs <= 0 ? 0 : (int) ((numSeqs - 1) / sequenceStride + 1);
        int cols = data.rank() == 1 ? 1 : data.dim(1);
        float[] tData = null;
        int tRows = 0, tCols = 0;
        int[] tColumns = null;
        if (targets != null) {
            tRows = targets.dim(0);
            tCols = targets.rank() == 1 ? 1 : targets.dim(1);
            tColumns = iota(tCols);
            tData = targets.data();
            if (n > 0) {
                long lastTarget = start + (long) (n - 1) * sequenceStride;
                if (lastTarget >= tRows) {
                    throw new IllegalArgumentException("the window starting at row " + lastTarget + " needs targets["
                            + lastTarget + "] but targets has " + tRows + " rows (Keras would fail while iterating)");
                }
            }
        }
        return new TimeseriesDataset(data.data(), len, cols, iota(cols), tData, tRows, tCols, tColumns, false,
                sequenceLength, samplingRate, sequenceStride, start, Math.max(start, end), 0, targets == null ? 0 : 1, 1, 0,
                n, null, 0, null, null);
    }

    /** {@link #kerasCompatible(Tensor, Tensor, int, int, int, Integer, Integer)} over rows of equal length (copied once). */
    public static TimeseriesDataset kerasCompatible(float[][] data, float[] targets, int sequenceLength, int sequenceStride,
                                                    int samplingRate, Integer startIndex, Integer endIndex) {
        return kerasCompatible(Tensor.of(data), targets == null ? null : Tensor.of(targets, targets.length),
                sequenceLength, sequenceStride, samplingRate, startIndex, endIndex);
    }

    /** {@link #kerasCompatible(Tensor, Tensor, int, int, int, Integer, Integer)} over a univariate series (not copied). */
    public static TimeseriesDataset kerasCompatible(float[] data, float[] targets, int sequenceLength, int sequenceStride,
                                                    int samplingRate, Integer startIndex, Integer endIndex) {
        return kerasCompatible(Tensor.of(data, data.length), targets == null ? null : Tensor.of(targets, targets.length),
                sequenceLength, sequenceStride, samplingRate, startIndex, endIndex);
    }

    /**
     * The same windows presented in an order shuffled once with {@code seed} (a new dataset
     * over the same arrays; it holds one {@code int} per window).
     */
    public TimeseriesDataset shuffled(long seed) {
        return new TimeseriesDataset(data, dataRows, dataCols, features, targets, targetRows, targetCols, targetColumns,
                aligned, sequenceLength, samplingRate, sequenceStride, startIndex, endIndex, horizon, width,
                targetSamplingRate, targetOffset, count, permutation(count, seed), seed, columnNames, targetNames);
    }

    // ---- Dataset --------------------------------------------------------------------------

    @Override
    public int size() {
        return count;
    }

    @Override
    public int[][] inputShapes() {
        return new int[][]{{sequenceLength, features.length}};
    }

    @Override
    public int[][] targetShapes() {
        return hasTargets() ? new int[][]{{width * targetColumns.length}} : new int[0][];
    }

    /**
     * Copies samples {@code indices[from..to)} (or {@code from..to} when {@code indices} is
     * null) into rows {@code 0..to-from} of {@code xs[0]} (shape (≥ to-from, sequenceLength,
     * features)) and, when {@code ys} is not null and there are targets, {@code ys[0]} (shape
     * (≥ to-from, width * targetColumns)). Allocates nothing.
     */
    @Override
    public void gather(int[] indices, int from, int to, Tensor[] xs, Tensor[] ys) {
        int n = to - from;
        if (from < 0 || n < 0) throw new IllegalArgumentException("gather: bad range [" + from + ", " + to + ")");
        int nf = features.length;
        int perSample = sequenceLength * nf;
        Tensor xt = xs[0];
        if (xt.rank() != 3 || xt.dim(0) < n || xt.dim(1) != sequenceLength || xt.dim(2) != nf) {
            throw new IllegalArgumentException("gather: input batch tensor has shape " + xt.shapeString() + ", needs ["
                    + n + ", " + sequenceLength + ", " + nf + "]");
        }
        boolean wantY = ys != null && hasTargets();
        int tw = wantY ? width * targetColumns.length : 0;
        if (wantY) {
            Tensor yt = ys[0];
            if (yt.rank() != 2 || yt.dim(0) < n || yt.dim(1) != tw) {
                throw new IllegalArgumentException("gather: target batch tensor has shape " + yt.shapeString() + ", needs ["
                        + n + ", " + tw + "]");
            }
        }
        float[] x = xt.data();
        float[] y = wantY ? ys[0].data() : null;
        for (int b = 0; b < n; b++) {
            int sample = indices == null ? from + b : indices[from + b];
            int pos = windowStart(sample);
            int out = b * perSample;
            for (int i = 0; i < sequenceLength; i++) {
                int src = (pos + i * samplingRate) * dataCols;
                if (contiguousFeatures) {
                    System.arraycopy(data, src + features[0], x, out, nf);
                } else {
                    for (int f = 0; f < nf; f++) x[out + f] = data[src + features[f]];
                }
                out += nf;
            }
            if (wantY) {
                int yo = b * tw;
                int t0 = pos + targetOffset;
                for (int j = 0; j < width; j++) {
                    int src = (t0 + j * targetSamplingRate) * targetCols;
                    for (int c = 0; c < targetColumns.length; c++) y[yo++] = targets[src + targetColumns[c]];
                }
            }
        }
    }

    /**
     * Rejects NaN and infinities among the values some window reads, naming the first one's row,
     * column and the sample that reads it. One pass over the rows in range.
     */
    @Override
    public void validate() {
        if (count == 0) return;
        int lastStart = startIndex + (count - 1) * sequenceStride;
        int lastInput = lastStart + (sequenceLength - 1) * samplingRate;
        for (int row = startIndex; row <= lastInput; row++) {
            for (int f : features) {
                float v = data[row * dataCols + f];
                if (!Float.isFinite(v)) {
                    int sample = sampleReadingInput(row);
                    if (sample >= 0) {
                        throw new IllegalArgumentException("TimeseriesDataset: input " + describe(columnNames, f) + " is " + v
                                + " at row " + row + ", read by the window starting at row " + windowStartOfWindow(sample)
                                + firstSampleNote(sample));
                    }
                }
            }
        }
        if (!hasTargets()) return;
        int firstTarget = startIndex + targetOffset;
        int lastTarget = lastStart + targetOffset + (width - 1) * targetSamplingRate;
        for (int row = firstTarget; row <= lastTarget; row++) {
            for (int c : targetColumns) {
                float v = targets[row * targetCols + c];
                if (!Float.isFinite(v)) {
                    int w = windowReadingTarget(row);
                    if (w >= 0) {
                        throw new IllegalArgumentException("TimeseriesDataset: target " + describe(targetNames, c) + " is " + v
                                + " at row " + row + ", the target of the window starting at row " + windowStartOfWindow(w)
                                + firstSampleNote(w));
                    }
                }
            }
        }
    }

    private String firstSampleNote(int window) {
        return order == null ? " (sample " + window + ")" : "";
    }

    private static String describe(String[] names, int c) {
        return names == null ? "column " + c : "column '" + names[c] + "' (" + c + ")";
    }

    /** The first (unshuffled) window whose inputs read {@code row}, or -1. */
    private int sampleReadingInput(int row) {
        // the earliest window has the latest step at this row
        for (int i = sequenceLength - 1; i >= 0; i--) {
            long start = (long) row - (long) i * samplingRate - startIndex;
            if (start >= 0 && start % sequenceStride == 0 && start / sequenceStride < count) return (int) (start / sequenceStride);
        }
        return -1;
    }

    /** The first (unshuffled) window whose target reads {@code row}, or -1. */
    private int windowReadingTarget(int row) {
        for (int j = width - 1; j >= 0; j--) {
            long start = (long) row - targetOffset - (long) j * targetSamplingRate - startIndex;
            if (start >= 0 && start % sequenceStride == 0 && start / sequenceStride < count) return (int) (start / sequenceStride);
        }
        return -1;
    }

    // ---- windows --------------------------------------------------------------------------

    private int windowStartOfWindow(int window) {
        return startIndex + window * sequenceStride;
    }

    /** The row of the first input step of sample {@code sample} (after any shuffle). */
    public int windowStart(int sample) {
        if (sample < 0 || sample >= count) {
            throw new IndexOutOfBoundsException("sample " + sample + " of a dataset of " + count + " windows");
        }
        return startIndex + (order == null ? sample : order[sample]) * sequenceStride;
    }

    /** The row of the last input step of sample {@code sample}. */
    public int lastInputRow(int sample) {
        return windowStart(sample) + (sequenceLength - 1) * samplingRate;
    }

    /** The row (of the targets array) of target step {@code step} of sample {@code sample}. */
    public int targetRow(int sample, int step) {
        if (!hasTargets()) throw new IllegalStateException("this dataset has no targets");
        if (step < 0 || step >= width) throw new IndexOutOfBoundsException("target step " + step + " of width " + width);
        return windowStart(sample) + targetOffset + step * targetSamplingRate;
    }

    /** True unless built with {@code inputsOnly} or with null Keras targets. */
    public boolean hasTargets() {
        return targets != null;
    }

    /**
     * True when the targets share the input's time axis (forecasting mode), which the
     * persistence baselines need; false for {@link #kerasCompatible} datasets.
     */
    public boolean targetsAligned() {
        return aligned;
    }

    /** Keras's {@code sequence_length}. */
    public int sequenceLength() {
        return sequenceLength;
    }

    /** Keras's {@code sampling_rate}. */
    public int samplingRate() {
        return samplingRate;
    }

    /** Keras's {@code sequence_stride}. */
    public int sequenceStride() {
        return sequenceStride;
    }

    /** First row windows may use. */
    public int startIndex() {
        return startIndex;
    }

    /** One past the last row windows (and, in forecasting mode, targets) may use. */
    public int endIndex() {
        return endIndex;
    }

    /** Rows from a window's last step to its first target step (0 in Keras mode, where targets are pre-shifted). */
    public int horizon() {
        return horizon;
    }

    /** Target steps per sample (0 without targets). */
    public int width() {
        return width;
    }

    /** Rows between two target steps. */
    public int targetSamplingRate() {
        return targetSamplingRate;
    }

    /** The input columns, in order. */
    public int[] features() {
        return features.clone();
    }

    /** The target columns, in order (empty without targets). */
    public int[] targetColumns() {
        return targetColumns == null ? new int[0] : targetColumns.clone();
    }

    /** Column names given to the builder, or null. */
    public String[] columnNames() {
        return columnNames == null ? null : columnNames.clone();
    }

    /** The series array the windows index into: the caller's array itself, never a copy. */
    public float[] backingArray() {
        return data;
    }

    /** The target array the targets index into (the series itself unless separate targets were given), or null. */
    public float[] backingTargets() {
        return targets;
    }

    /** Columns per row of {@link #backingArray()}. */
    public int seriesColumns() {
        return dataCols;
    }

    /** Columns per row of {@link #backingTargets()}. */
    public int targetSeriesColumns() {
        return targetCols;
    }

    /** True when the windows are presented in a one-off shuffled order. */
    public boolean isShuffled() {
        return order != null;
    }

    /** The per-sample flat target layout's column for flat index {@code k}: {@code targetColumns[k % targetColumns]}. */
    public int targetColumnAt(int k) {
        return targetColumns[k % targetColumns.length];
    }

    /**
     * All samples' inputs and targets as two new tensors, shapes (size, sequenceLength,
     * features) and (size, width * targetColumns): copies every window, so only for data that
     * fits in memory many times over (small series, tests, code that wants plain tensors).
     */
    public Tensor[] materialize() {
        Tensor x = Tensor.zeros(count, sequenceLength, features.length);
        Tensor y = hasTargets() ? Tensor.zeros(count, width * targetColumns.length) : null;
        gather(null, 0, count, new Tensor[]{x}, y == null ? null : new Tensor[]{y});
        return y == null ? new Tensor[]{x} : new Tensor[]{x, y};
    }

    /** All samples' targets, shape (size, width * targetColumns), in sample order. */
    public Tensor targetTensor() {
        if (!hasTargets()) throw new IllegalStateException("this dataset has no targets");
        int tw = width * targetColumns.length;
        Tensor y = Tensor.zeros(count, tw);
        float[] d = y.data();
        int o = 0;
        for (int s = 0; s < count; s++) {
            int t0 = windowStart(s) + targetOffset;
            for (int j = 0; j < width; j++) {
                int src = (t0 + j * targetSamplingRate) * targetCols;
                for (int c : targetColumns) d[o++] = targets[src + c];
            }
        }
        return y;
    }

    /** The value of the series at a row and column (for baselines and tests). */
    float value(int row, int column) {
        return data[row * dataCols + column];
    }

    /** The value of the targets array at a row and column. */
    float targetValue(int row, int column) {
        return targets[row * targetCols + column];
    }

    @Override
    public String toString() {
        return "TimeseriesDataset[" + count + " windows of " + sequenceLength + "x" + features.length
                + ", rows [" + startIndex + ", " + endIndex + "), samplingRate " + samplingRate + ", sequenceStride "
                + sequenceStride + (hasTargets() ? (aligned ? ", horizon " + horizon + ", width " + width
                + ", targetColumns " + Arrays.toString(targetColumns) : ", Keras targets") : ", no targets")
                + (order != null ? ", shuffled with seed " + shuffleSeed : "") + "]";
    }

    // ---- helpers --------------------------------------------------------------------------

    private static int[] iota(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    private static int[] checkColumns(String what, int[] cols, int available) {
        if (cols.length == 0) throw new IllegalArgumentException(what + " is empty");
        for (int c : cols) {
            if (c < 0 || c >= available) {
                throw new IllegalArgumentException(what + " " + Arrays.toString(cols) + ": column " + c
                        + " is outside the " + available + " columns");
            }
        }
        return cols.clone();
    }

    private static int[] permutation(int n, long seed) {
        int[] a = iota(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
