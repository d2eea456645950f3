package io.github.rnn4j.data;

/**
 * What {@link CsvSeries} does when two consecutive rows are not one regular step apart (the
 * regular step is the most common one, or the one given). Times that repeat or go backwards are
 * an error under every policy. Not here: filling gaps with new rows (resampling).
 */
public enum GapPolicy {
    /** Stop at the first gap, naming its line and both times (the default). */
    ERROR,
    /**
     * Accept an irregular time axis (e.g. trading days: no rows on weekends and holidays).
     * Windows then span different lengths of time; that is the caller's decision.
     */
    ALLOW
}
