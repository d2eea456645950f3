/**
 * Timeseries data for forecasting, on top of the core: {@link io.github.rnn4j.data.TimeseriesDataset}
 * (sliding windows over one array, Keras's {@code timeseries_dataset_from_array} and multi-step
 * targets, never copying a window), chronological {@link io.github.rnn4j.data.Split}s, a
 * {@link io.github.rnn4j.data.Normalizer} fitted on the training part only, CSV loading with
 * explicit policies for missing values and gaps ({@link io.github.rnn4j.data.CsvSeries}), and the
 * baselines every forecast is judged against ({@link io.github.rnn4j.data.Baseline}). The
 * subpackage {@code box} holds the generated "1-D bounding box" task.
 * Imports the core's tensors and its {@code Dataset} interface; the only outside dependency is
 * Apache Commons CSV.
 */
package io.github.rnn4j.data;
