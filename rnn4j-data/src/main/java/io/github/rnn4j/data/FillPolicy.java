package io.github.rnn4j.data;

/**
 * What {@link CsvSeries} does with a missing value: an empty cell or one of {@code NaN},
 * {@code NA}, {@code N/A}, {@code null} (any case) in a chosen column. Filling is opt-in:
 * the default stops at the first missing value and names its line and column. A cell that is
 * not a number at all (say {@code "rain"}) is always an error, whatever the policy. Not here:
 * filling with a constant or a mean (those would need statistics, and statistics belong to the
 * training part only; see {@link Normalizer}).
 */
public enum FillPolicy {
    /** Stop at the first missing value (the default). */
    ERROR,
    /** Take the value of the row before; a missing value in the first row is an error. */
    FORWARD_FILL,
    /**
     * Interpolate linearly between the nearest values before and after, by time when the file
     * has a time column (else by row); a missing value before the first or after the last
     * present value of its column is an error.
     */
    LINEAR_INTERPOLATE,
    /** Drop every row with a missing value in any chosen column (the time axis may then have gaps). */
    DROP_ROWS
}
