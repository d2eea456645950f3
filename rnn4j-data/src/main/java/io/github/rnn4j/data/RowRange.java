package io.github.rnn4j.data;

/**
 * A half-open range of rows {@code [start, end)} of a series, in time order: what a
 * {@link Split} hands out and what a {@link Normalizer} is fitted on. A value, not a view: it
 * holds no data. Not here: strides or lists of rows (windows have their own arithmetic in
 * {@link TimeseriesDataset}).
 *
 * <pre>{@code
 * RowRange train = new RowRange(0, 7000);   // rows 0..6999
 * }</pre>
 *
 * @param start first row, inclusive
 * @param end   last row, exclusive
 */
public record RowRange(int start, int end) {
    /** Checks {@code 0 <= start <= end}. */
    public RowRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("row range needs 0 <= start <= end, got [" + start + ", " + end + ")");
        }
    }

    /** Number of rows. */
    public int size() {
        return end - start;
    }

    /** True when the range has no rows. */
    public boolean isEmpty() {
        return end == start;
    }

    /** True when {@code row} is inside the range. */
    public boolean contains(int row) {
        return row >= start && row < end;
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}
