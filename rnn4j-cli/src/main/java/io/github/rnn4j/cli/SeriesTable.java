package io.github.rnn4j.cli;

import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.data.CsvSeries;
import io.github.rnn4j.data.FillPolicy;
import io.github.rnn4j.data.GapPolicy;
import io.github.rnn4j.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.Period;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The table both {@code forecast} and {@code predict} work on: chosen CSV columns (through
 * {@link CsvSeries}, with its error messages), plus at most one derived column, the log-return
 * {@value #LOG_RETURN} = {@code ln(x_t / x_{t-1})} of a price column (which drops the first row).
 * Reading the same columns with the same options in both commands is what makes a saved model's
 * column indices and normalizer statistics valid at prediction time.
 *
 * <p>Package-private plumbing of the CLI, not a data API: resampling, other derived columns and
 * column expressions are deliberately absent.
 */
final class SeriesTable {
    /** Name of the derived log-return column. */
    static final String LOG_RETURN = "log_return";

    final String source;
    final String timeColumn;
    /** Column names in the order of {@link #values}' columns. */
    final String[] names;
    /** Shape (rows, names.length), original units. */
    final Tensor values;
    /** Time of each row, or null when the file has no time column. */
    final LocalDateTime[] times;
    /** The regular step, or null without times. */
    final TemporalAmount step;

    private SeriesTable(String source, String timeColumn, String[] names, Tensor values, LocalDateTime[] times, TemporalAmount step) {
        this.source = source;
        this.timeColumn = timeColumn;
        this.names = names;
        this.values = values;
        this.times = times;
        this.step = step;
    }

    /** Where the CSV text comes from: a file or a dataset shipped in the jar. */
    record Source(Path file, String shipped) {
        static Source file(Path p) {
            return new Source(p, null);
        }

        static Source shipped(String name) {
            return new Source(null, name);
        }

        String name() {
            return file != null ? file.toString() : shipped;
        }

        BufferedReader open() throws IOException {
            if (file != null) {
                if (!Files.isRegularFile(file)) throw new java.nio.file.NoSuchFileException(file + " (no such CSV file)");
                return Files.newBufferedReader(file, StandardCharsets.UTF_8);
            }
            return ShippedData.reader(shipped);
        }

        /** The header's column names (quotes stripped), for messages and defaults. */
        List<String> header() throws IOException {
            try (BufferedReader r = open()) {
                String line = r.readLine();
                if (line == null) throw new IllegalArgumentException(name() + " is empty (no header line)");
                if (line.startsWith("\uFEFF")) line = line.substring(1);
                List<String> out = new ArrayList<>();
                for (String s : line.split(",", -1)) {
                    s = s.strip();
                    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
                    out.add(s);
                }
                return out;
            }
        }
    }

    /**
     * Reads the columns a model needs.
     *
     * @param csvColumns   the CSV columns to read, in this order (the derived column is not among them)
     * @param logReturnOf  a CSV column to derive {@value #LOG_RETURN} from, appended last; null for none
     * @param timeColumn   the time column, or null to detect it
     */
    static SeriesTable load(Source src, List<String> csvColumns, String logReturnOf, String timeColumn,
                            FillPolicy fill, GapPolicy gaps) throws IOException {
        LinkedHashSet<String> read = new LinkedHashSet<>(csvColumns);
        if (logReturnOf != null) read.add(logReturnOf);
        if (read.isEmpty()) throw new IllegalArgumentException("no columns to read from " + src.name());
        List<String> header = src.header();
        for (String c : read) {
            if (!header.contains(c)) {
                throw new IllegalArgumentException(src.name() + " has no column '" + c + "' (the model needs it); its columns are "
                        + String.join(", ", header));
            }
        }
        String[] cols = read.toArray(String[]::new);
        CsvSeries.Options o = new CsvSeries.Options().features(cols).targets(cols).fillPolicy(fill).gapPolicy(gaps);
        if (timeColumn != null) o.timeColumn(timeColumn);
        CsvSeries s;
        try (Reader r = src.open()) {
            s = CsvSeries.read(r, src.name(), o);
        }
        String[] names = s.columns();
        Tensor v = s.values();
        LocalDateTime[] t = s.times();
        if (logReturnOf == null) return new SeriesTable(src.name(), s.timeColumn(), names, v, t, s.step());

        int rows = s.rows(), c0 = names.length, p = s.column(logReturnOf);
        if (rows < 2) throw new IllegalArgumentException(src.name() + " has " + rows + " row(s); a log-return needs at least 2");
        Tensor out = Tensor.zeros(rows - 1, c0 + 1);
        float[] d = v.data(), o2 = out.data();
        for (int r = 1; r < rows; r++) {
            System.arraycopy(d, r * c0, o2, (r - 1) * (c0 + 1), c0);
            double prev = d[(r - 1) * c0 + p], cur = d[r * c0 + p];
            if (!(prev > 0 && cur > 0)) {
                throw new IllegalArgumentException(src.name() + ": a log-return of '" + logReturnOf + "' needs positive values, but line "
                        + s.line(r - 1) + " has " + prev + " and line " + s.line(r) + " has " + cur);
            }
            o2[(r - 1) * (c0 + 1) + c0] = (float) Math.log(cur / prev);
        }
        String[] n2 = Arrays.copyOf(names, c0 + 1);
        n2[c0] = LOG_RETURN;
        return new SeriesTable(src.name(), s.timeColumn(), n2, out, t == null ? null : Arrays.copyOfRange(t, 1, t.length), s.step());
    }

    int rows() {
        return values.dim(0);
    }

    int column(String name) {
        for (int i = 0; i < names.length; i++) if (names[i].equals(name)) return i;
        throw new IllegalArgumentException("no column '" + name + "' among " + String.join(", ", names));
    }

    /** The time {@code steps} regular steps after {@code t}. */
    static LocalDateTime plus(LocalDateTime t, TemporalAmount step, long steps) {
        if (step instanceof Period p) return t.plus(p.multipliedBy((int) steps));
        return t.plus(((Duration) step).multipliedBy(steps));
    }

    /** A step as ISO-8601 text ({@code P1D}, {@code PT10M}, {@code P1M}); days are written as days. */
    static String format(TemporalAmount step) {
        if (step == null) return null;
        if (step instanceof Duration d && !d.isZero() && d.toSeconds() % 86_400 == 0 && d.getNano() == 0) {
            return "P" + d.toDays() + "D";
        }
        return step.toString();
    }

    /** Reads {@link #format}'s text back. */
    static TemporalAmount parseStep(String s) {
        if (s == null) return null;
        String u = s.toUpperCase(Locale.ROOT);
        if (u.contains("T")) return Duration.parse(u);
        Period p = Period.parse(u);
        return p.getYears() == 0 && p.getMonths() == 0 ? Duration.ofDays(p.getDays()) : p;
    }
}
