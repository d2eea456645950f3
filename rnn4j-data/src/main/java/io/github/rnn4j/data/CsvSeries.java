package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A timeseries read from a CSV file with a header (Apache Commons CSV): an optional date/time
 * column, and chosen feature and target columns as one float tensor of shape (rows, columns),
 * features first, then the targets that are not also features. Every problem is an error
 * ({@link CsvDataException}) naming the file, the line as numbered in the file (header = line 1),
 * the column and the cell text: a missing column (listing the available ones), a non-numeric
 * cell, a missing value (unless a {@link FillPolicy} is chosen), a time that repeats or goes
 * backwards, and a gap in time (unless {@link GapPolicy#ALLOW}).
 *
 * <p>Times: ISO dates ({@code 2012-01-01}), ISO date-times with {@code T} or a space, with or
 * without seconds, with or without an offset ({@code Z}, {@code +01:00}; converted to UTC), the
 * Jena climate format {@code 01.01.2009 00:10:00} (day.month.year), {@code yyyy/MM/dd}, and
 * year-months ({@code 1949-01}, monthly steps). The format is detected on the first row and
 * then required of every row; {@link Options#timeFormat} sets a pattern instead. Numbers are
 * plain decimals ({@code -8.02}, {@code 1.5e3}).
 *
 * <pre>{@code
 * CsvSeries weather = CsvSeries.read(Path.of("seattle-weather.csv"), new CsvSeries.Options()
 *         .timeColumn("date").features("precipitation", "temp_max", "temp_min", "wind")
 *         .targets("temp_max"));
 * Split split = Split.fractions(weather.rows(), 0.7, 0.15);
 * TimeseriesDataset train = weather.windows().lookback(30).range(split.train()).build();
 * }</pre>
 *
 * <p>Not here: resampling, time zones beyond converting offsets to UTC, text (categorical)
 * features, or streaming files larger than memory (a series is held as one float array).
 */
public final class CsvSeries {
    private final String source;
    private final String timeColumn;
    private final LocalDateTime[] times;
    private final Tensor values;
    private final String[] columns;
    private final int[] featureIndices;
    private final int[] targetIndices;
    private final long[] lines;
    private final TemporalAmount step;
    private final int filled;
    private final int dropped;

    private CsvSeries(String source, String timeColumn, LocalDateTime[] times, Tensor values, String[] columns,
                      int[] featureIndices, int[] targetIndices, long[] lines, TemporalAmount step, int filled, int dropped) {
        this.source = source;
        this.timeColumn = timeColumn;
        this.times = times;
        this.values = values;
        this.columns = columns;
        this.featureIndices = featureIndices;
        this.targetIndices = targetIndices;
        this.lines = lines;
        this.step = step;
        this.filled = filled;
        this.dropped = dropped;
    }

    /**
     * How to read a file. Defaults: the time column is detected (the first column, when its
     * first cell is a date/time), every other column is a feature, the targets are the
     * features, comma-separated, {@link FillPolicy#ERROR}, {@link GapPolicy#ERROR}, the regular
     * step is the most common one.
     */
    public static final class Options {
        private String timeColumn;
        private boolean noTimeColumn;
        private String[] features;
        private String[] targets;
        private FillPolicy fillPolicy = FillPolicy.ERROR;
        private GapPolicy gapPolicy = GapPolicy.ERROR;
        private TemporalAmount step;
        private String timeFormat;
        private char delimiter = ',';

        /** The date/time column, by name. */
        public Options timeColumn(String name) {
            this.timeColumn = name;
            this.noTimeColumn = false;
            return this;
        }

        /** The file has no time column: rows are taken as equally spaced, no gap check. */
        public Options noTimeColumn() {
            this.noTimeColumn = true;
            this.timeColumn = null;
            return this;
        }

        /** The columns fed to a model, in this order (default: all but the time column). */
        public Options features(String... names) {
            this.features = names.clone();
            return this;
        }

        /** The columns to forecast (default: the features). */
        public Options targets(String... names) {
            this.targets = names.clone();
            return this;
        }

        /** What to do with missing values (default {@link FillPolicy#ERROR}). */
        public Options fillPolicy(FillPolicy p) {
            this.fillPolicy = p;
            return this;
        }

        /** What to do with gaps in time (default {@link GapPolicy#ERROR}). */
        public Options gapPolicy(GapPolicy p) {
            this.gapPolicy = p;
            return this;
        }

        /** The regular step (default: the most common step in the file). */
        public Options step(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("step must be positive, got " + d);
            this.step = d;
            return this;
        }

        /** A regular step in calendar months (e.g. 1 for monthly data). */
        public Options stepMonths(int months) {
            if (months <= 0) throw new IllegalArgumentException("stepMonths must be positive, got " + months);
            this.step = Period.ofMonths(months);
            return this;
        }

        /** A {@link DateTimeFormatter} pattern for the time column, e.g. {@code MM/dd/yyyy}. */
        public Options timeFormat(String pattern) {
            DateTimeFormatter.ofPattern(pattern);   // fail here on a bad pattern
            this.timeFormat = pattern;
            return this;
        }

        /** The cell separator (default ','). */
        public Options delimiter(char c) {
            this.delimiter = c;
            return this;
        }
    }

    // ---- reading --------------------------------------------------------------------------

    /** Reads a UTF-8 file; messages name it by its path. */
    public static CsvSeries read(Path file, Options options) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString(), options);
        }
    }

    /** Reads CSV text; {@code sourceName} names it in messages. The reader is not closed. */
    public static CsvSeries read(Reader reader, String sourceName, Options o) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        in.mark(1);
        if (in.read() != '\uFEFF') in.reset();   // a UTF-8 byte-order mark is not part of the first column's name
        CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(o.delimiter).setHeader().setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(false).setAllowMissingColumnNames(true).get();
        CSVParser parser;
        try {
            parser = CSVParser.builder().setReader(in).setFormat(format).get();
        } catch (IllegalArgumentException e) {
            throw new CsvDataException(sourceName + ": bad header: " + e.getMessage(), sourceName, 1, null, null);
        }
        List<String> header = parser.getHeaderNames();
        if (header.isEmpty()) throw new CsvDataException(sourceName + " is empty (no header line)", sourceName, 0, null, null);
        return new Reading(sourceName, o, parser, header).run();
    }

    /** The state of one read. */
    private static final class Reading {
        final String src;
        final Options o;
        final CSVParser parser;
        final List<String> header;
        int timeIdx = -1;
        String timeName;
        TimeParser timeParser;
        String[] names;
        int[] fileCols;
        int nf;
        int[] targetIdx;
        float[] vals = new float[1024];
        long[] lines = new long[64];
        List<LocalDateTime> times = new ArrayList<>();
        int rows;
        boolean anyMissing;

        Reading(String src, Options o, CSVParser parser, List<String> header) {
            this.src = src;
            this.o = o;
            this.parser = parser;
            this.header = header;
        }

        CsvSeries run() {
            Iterator<CSVRecord> it = parser.iterator();
            Row first = next(it);
            if (first == null) throw new CsvDataException(src + " has a header but no data rows", src, 1, null, null);
            resolveColumns(first.rec);
            int cols = names.length;
            List<Long> blank = new ArrayList<>();
            for (Row row = first; row != null; row = next(it)) {
                if (isBlank(row.rec)) {
                    // only in a one-column file: a missing value if data follows, else trailing blank lines
                    blank.add(row.line);
                    continue;
                }
                for (long line : blank) addRow(null, line, cols);
                blank.clear();
                addRow(row.rec, row.line, cols);
            }
            if (rows == 0) throw new CsvDataException(src + " has a header but no data rows", src, 1, null, null);
            float[] v = Arrays.copyOf(vals, rows * cols);
            long[] ln = Arrays.copyOf(lines, rows);
            LocalDateTime[] t = timeIdx >= 0 ? times.toArray(new LocalDateTime[0]) : null;
            int filledCount = 0, droppedCount = 0;
            if (anyMissing) {
                switch (o.fillPolicy) {
                    case FORWARD_FILL -> filledCount = forwardFill(v, rows, cols, ln);
                    case LINEAR_INTERPOLATE -> filledCount = interpolate(v, rows, cols, ln, t);
                    case DROP_ROWS -> {
                        int kept = dropRows(v, rows, cols, ln, t);
                        droppedCount = rows - kept;
                        rows = kept;
                        v = Arrays.copyOf(v, rows * cols);
                        ln = Arrays.copyOf(ln, rows);
                        if (t != null) t = Arrays.copyOf(t, rows);
                        if (rows == 0) {
                            throw new CsvDataException(src + ": every row has a missing value; DROP_ROWS left none", src, 0, null, null);
                        }
                    }
                    case ERROR -> throw new AssertionError("missing values are reported while reading");
                }
            }
            TemporalAmount step = null;
            if (t != null) step = checkTimes(t, ln, droppedCount > 0);
            return new CsvSeries(src, timeName, t, Tensor.of(v, rows, cols), names, iota(nf), targetIdx, ln, step,
                    filledCount, droppedCount);
        }

        /** Appends one row; {@code rec} null is a blank line of a one-column file (a missing value). */
        void addRow(CSVRecord rec, long line, int cols) {
            if (rec != null && rec.size() < header.size()) {
                throw new CsvDataException(src + " line " + line + " has " + rec.size() + " cells, the header has "
                        + header.size(), src, line, null, null);
            }
            if (rows == lines.length) lines = Arrays.copyOf(lines, rows * 2);
            if ((long) (rows + 1) * cols > vals.length) {
                long cap = Math.max((long) vals.length * 2, (long) (rows + 1) * cols);
                if (cap > Integer.MAX_VALUE - 8) {
                    throw new CsvDataException(src + " has more values than one float array holds (line " + line + ")",
                            src, line, null, null);
                }
                vals = Arrays.copyOf(vals, (int) cap);
            }
            lines[rows] = line;
            if (timeIdx >= 0) times.add(parseTime(rec.get(timeIdx), line));
            for (int k = 0; k < cols; k++) vals[rows * cols + k] = parseValue(rec == null ? "" : rec.get(fileCols[k]), line, names[k]);
            rows++;
        }

        /** A record and the line it ends on (after reading a record the parser is on its last line). */
        record Row(CSVRecord rec, long line) {
        }

        /** The next record, skipping blank lines (except in a one-column file, where a blank line is an empty cell). */
        Row next(Iterator<CSVRecord> it) {
            while (true) {
                CSVRecord rec;
                try {
                    if (!it.hasNext()) return null;
                    rec = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    long line = parser.getCurrentLineNumber() + 1;
                    throw new CsvDataException(src + " line " + line + ": cannot parse CSV: " + e.getMessage(), src, line, null, null);
                }
                if (header.size() > 1 && isBlank(rec)) continue;
                return new Row(rec, parser.getCurrentLineNumber());
            }
        }

        static boolean isBlank(CSVRecord rec) {
            return rec.size() == 1 && rec.get(0).isEmpty();
        }

        void resolveColumns(CSVRecord first) {
            if (o.timeColumn != null) {
                timeIdx = indexOf(o.timeColumn, "time column");
            } else if (!o.noTimeColumn && !chosen(header.get(0)) && first.size() > 0) {
                // detection: the first column is the time column when its first cell reads as a time
                String cell = first.get(0);
                timeParser = o.timeFormat != null ? TimeParser.patternOrNull(o.timeFormat, cell) : TimeParser.detect(cell);
                if (timeParser != null) timeIdx = 0;
            }
            String[] feats = o.features;
            if (feats == null) {
                List<String> all = new ArrayList<>();
                for (int i = 0; i < header.size(); i++) if (i != timeIdx) all.add(header.get(i));
                feats = all.toArray(new String[0]);
            }
            if (feats.length == 0) throw new CsvDataException(src + ": no feature columns", src, 1, null, null);
            String[] tg = o.targets == null ? feats : o.targets;
            List<String> cols = new ArrayList<>(List.of(feats));
            for (int i = 0; i < feats.length; i++) {
                for (int j = 0; j < i; j++) {
                    if (feats[i].equals(feats[j])) throw new IllegalArgumentException("feature '" + feats[i] + "' is listed twice");
                }
            }
            targetIdx = new int[tg.length];
            for (int i = 0; i < tg.length; i++) {
                int at = cols.indexOf(tg[i]);
                if (at < 0) {
                    cols.add(tg[i]);
                    at = cols.size() - 1;
                }
                targetIdx[i] = at;
            }
            nf = feats.length;
            names = cols.toArray(new String[0]);
            fileCols = new int[names.length];
            for (int k = 0; k < names.length; k++) {
                fileCols[k] = indexOf(names[k], k < nf ? "feature column" : "target column");
                if (fileCols[k] == timeIdx) {
                    throw new CsvDataException(src + ": column '" + names[k] + "' is the time column and cannot also be a "
                            + (k < nf ? "feature" : "target"), src, 1, names[k], null);
                }
            }
            if (timeIdx >= 0) timeName = header.get(timeIdx);
        }

        /** True when the options name {@code column} as a feature or target. */
        boolean chosen(String column) {
            return (o.features != null && List.of(o.features).contains(column))
                    || (o.targets != null && List.of(o.targets).contains(column));
        }

        int indexOf(String name, String what) {
            int i = header.indexOf(name);
            if (i < 0) {
                // a near miss in case or surrounding spaces is the usual cause: say so
                String hint = "";
                for (String h : header) {
                    if (h.trim().equalsIgnoreCase(name.trim())) hint = " (did you mean '" + h + "'?)";
                }
                throw new CsvDataException(src + " has no " + what + " '" + name + "'" + hint + "; its columns are: "
                        + String.join(", ", header), src, 1, name, null);
            }
            return i;
        }

        LocalDateTime parseTime(String cell, long line) {
            if (timeParser == null) {
                timeParser = o.timeFormat != null ? TimeParser.pattern(o.timeFormat) : TimeParser.detect(cell);
                if (timeParser == null) {
                    throw new CsvDataException(src + " line " + line + ", column '" + timeName + "': \"" + cell
                            + "\" is not a date/time in a known format (ISO 2012-01-01, 2012-01-01T00:10:00, "
                            + "2012-01-01 00:10, 01.01.2009 00:10:00, 1949-01); set Options.timeFormat", src, line, timeName, cell);
                }
            }
            if (cell.isEmpty()) {
                throw new CsvDataException(src + " line " + line + ", column '" + timeName + "': empty time cell", src, line,
                        timeName, cell);
            }
            try {
                return timeParser.parse(cell);
            } catch (DateTimeParseException e) {
                throw new CsvDataException(src + " line " + line + ", column '" + timeName + "': \"" + cell
                        + "\" is not a date/time in the format of the first row (" + timeParser.description + ")", src, line,
                        timeName, cell);
            }
        }

        float parseValue(String cell, long line, String column) {
            if (isMissing(cell)) {
                if (o.fillPolicy == FillPolicy.ERROR) {
                    String what = cell.isEmpty() ? "empty cell" : "\"" + cell + "\"";
                    throw new CsvDataException(src + " line " + line + ", column '" + column + "': " + what
                            + " (missing value); choose a FillPolicy (FORWARD_FILL, LINEAR_INTERPOLATE or DROP_ROWS) to "
                            + "accept missing values", src, line, column, cell);
                }
                anyMissing = true;
                return Float.NaN;
            }
            if (!looksNumeric(cell)) throw notNumber(cell, line, column, "is not a number");
            double d;
            try {
                d = Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                throw notNumber(cell, line, column, "is not a number");
            }
            float f = (float) d;
            if (!Float.isFinite(f)) throw notNumber(cell, line, column, "is outside the float range");
            return f;
        }

        CsvDataException notNumber(String cell, long line, String column, String why) {
            return new CsvDataException(src + " line " + line + ", column '" + column + "': \"" + cell + "\" " + why
                    + (o.features == null ? " (choose the numeric columns with Options.features)" : ""), src, line, column, cell);
        }

        int forwardFill(float[] v, int rows, int cols, long[] ln) {
            int n = 0;
            for (int c = 0; c < cols; c++) {
                if (Float.isNaN(v[c])) {
                    throw new CsvDataException(src + " line " + ln[0] + ", column '" + names[c]
                            + "': missing value in the first row; FORWARD_FILL has no earlier value to use", src, ln[0], names[c], null);
                }
                for (int r = 1; r < rows; r++) {
                    if (Float.isNaN(v[r * cols + c])) {
                        v[r * cols + c] = v[(r - 1) * cols + c];
                        n++;
                    }
                }
            }
            return n;
        }

        int interpolate(float[] v, int rows, int cols, long[] ln, LocalDateTime[] t) {
            int n = 0;
            for (int c = 0; c < cols; c++) {
                int r = 0;
                while (r < rows) {
                    if (!Float.isNaN(v[r * cols + c])) {
                        r++;
                        continue;
                    }
                    int a = r - 1, b = r;
                    while (b < rows && Float.isNaN(v[b * cols + c])) b++;
                    if (a < 0 || b == rows) {
                        throw new CsvDataException(src + " line " + ln[r] + ", column '" + names[c] + "': missing value "
                                + (a < 0 ? "before the first" : "after the last") + " present value of the column; "
                                + "LINEAR_INTERPOLATE needs values on both sides", src, ln[r], names[c], null);
                    }
                    double xa = t == null ? a : seconds(t[a]), xb = t == null ? b : seconds(t[b]);
                    double va = v[a * cols + c], vb = v[b * cols + c];
                    for (int k = a + 1; k < b; k++) {
                        double x = t == null ? k : seconds(t[k]);
                        v[k * cols + c] = (float) (va + (vb - va) * (x - xa) / (xb - xa));
                        n++;
                    }
                    r = b;
                }
            }
            return n;
        }

        int dropRows(float[] v, int rows, int cols, long[] ln, LocalDateTime[] t) {
            int w = 0;
            for (int r = 0; r < rows; r++) {
                boolean missing = false;
                for (int c = 0; c < cols; c++) missing |= Float.isNaN(v[r * cols + c]);
                if (missing) continue;
                if (w != r) {
                    System.arraycopy(v, r * cols, v, w * cols, cols);
                    ln[w] = ln[r];
                    if (t != null) t[w] = t[r];
                }
                w++;
            }
            return w;
        }

        TemporalAmount checkTimes(LocalDateTime[] t, long[] ln, boolean dropped) {
            for (int i = 1; i < t.length; i++) {
                if (!t[i].isAfter(t[i - 1])) {
                    String how = t[i].equals(t[i - 1]) ? "repeats" : "goes back from";
                    throw new CsvDataException(src + " line " + ln[i] + ", column '" + timeName + "': time " + t[i] + " " + how
                            + " " + t[i - 1] + " (line " + ln[i - 1] + "); times must increase", src, ln[i], timeName,
                            t[i].toString());
                }
            }
            if (t.length < 2) return o.step;
            TemporalAmount step = o.step != null ? o.step : commonStep(t);
            if (o.gapPolicy == GapPolicy.ERROR) {
                for (int i = 1; i < t.length; i++) {
                    if (!t[i - 1].plus(step).equals(t[i])) {
                        String note = dropped && ln[i] - ln[i - 1] > 1 ? "; the lines between were dropped for missing values" : "";
                        throw new CsvDataException(src + " line " + ln[i] + ", column '" + timeName + "': gap in time: " + t[i]
                                + " follows " + t[i - 1] + " (line " + ln[i - 1] + "), " + describe(t[i - 1], t[i])
                                + " apart where the regular step is " + describe(step) + note
                                + "; choose GapPolicy.ALLOW to accept an irregular time axis", src, ln[i], timeName, t[i].toString());
                    }
                }
            }
            return step;
        }
    }

    /** The most common step: whole months when every time is the first of a month at midnight, else a duration. */
    static TemporalAmount commonStep(LocalDateTime[] t) {
        boolean monthly = true;
        for (LocalDateTime x : t) monthly &= x.getDayOfMonth() == 1 && x.toLocalTime().toSecondOfDay() == 0 && x.getNano() == 0;
        Map<Long, Integer> counts = new HashMap<>();
        for (int i = 1; i < t.length; i++) {
            long d = monthly ? ChronoUnit.MONTHS.between(t[i - 1], t[i]) : Duration.between(t[i - 1], t[i]).toNanos();
            counts.merge(d, 1, Integer::sum);
        }
        long best = 0;
        int bestCount = -1;
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return monthly ? Period.ofMonths((int) best) : Duration.ofNanos(best);
    }

    private static double seconds(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) + t.getNano() * 1e-9;
    }

    private static String describe(LocalDateTime a, LocalDateTime b) {
        return describe(Duration.between(a, b));
    }

    /** A step for people: "1 day", "10 minutes", "1 hour 30 minutes", "1 month". */
    static String describe(TemporalAmount amount) {
        if (amount instanceof Period p) {
            long m = p.toTotalMonths();
            return m + (m == 1 ? " month" : " months");
        }
        Duration d = (Duration) amount;
        if (d.isZero()) return "0 seconds";
        StringBuilder sb = new StringBuilder();
        long days = d.toDays();
        append(sb, days, "day");
        append(sb, d.toHoursPart(), "hour");
        append(sb, d.toMinutesPart(), "minute");
        append(sb, d.toSecondsPart(), "second");
        if (d.toNanosPart() != 0) append(sb, d.toMillisPart(), "millisecond");
        return sb.toString();
    }

    private static void append(StringBuilder sb, long n, String unit) {
        if (n == 0) return;
        if (!sb.isEmpty()) sb.append(' ');
        sb.append(n).append(' ').append(unit).append(n == 1 ? "" : "s");
    }

    private static boolean isMissing(String cell) {
        if (cell.isEmpty()) return true;
        if (cell.length() > 4) return false;
        String s = cell.toLowerCase(Locale.ROOT);
        return s.equals("nan") || s.equals("na") || s.equals("n/a") || s.equals("null");
    }

    /** Plain decimals only: Java's parser would also take "Infinity", hex floats and a trailing 'f'/'d'. */
    private static boolean looksNumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) return false;
        }
        return true;
    }

    private static int[] iota(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    // ---- time formats ---------------------------------------------------------------------

    /** One time format: a parser and how to name it in messages. */
    private static final class TimeParser {
        final String description;
        final java.util.function.Function<String, LocalDateTime> fn;

        TimeParser(String description, java.util.function.Function<String, LocalDateTime> fn) {
            this.description = description;
            this.fn = fn;
        }

        LocalDateTime parse(String s) {
            return fn.apply(s);
        }

        private static final DateTimeFormatter ISO_SPACE = new DateTimeFormatterBuilder()
                .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME).toFormatter();
        private static final DateTimeFormatter JENA = new DateTimeFormatterBuilder().appendPattern("dd.MM.yyyy HH:mm")
                .optionalStart().appendPattern(":ss").optionalEnd().toFormatter();
        private static final DateTimeFormatter DOTTED_DATE = DateTimeFormatter.ofPattern("dd.MM.yyyy");
        private static final DateTimeFormatter SLASH_DATE = DateTimeFormatter.ofPattern("yyyy/MM/dd");
        private static final DateTimeFormatter SLASH_TIME = new DateTimeFormatterBuilder().appendPattern("yyyy/MM/dd HH:mm")
                .optionalStart().appendPattern(":ss").optionalEnd().toFormatter();
        private static final DateTimeFormatter YEAR_MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

        private static final List<TimeParser> KNOWN = List.of(
                new TimeParser("ISO date yyyy-MM-dd", s -> LocalDate.parse(s).atStartOfDay()),
                new TimeParser("ISO date-time yyyy-MM-ddTHH:mm[:ss]", s -> LocalDateTime.parse(s)),
                new TimeParser("yyyy-MM-dd HH:mm[:ss]", s -> LocalDateTime.parse(s, ISO_SPACE)),
                new TimeParser("ISO date-time with offset (converted to UTC)",
                        s -> OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()),
                new TimeParser("dd.MM.yyyy HH:mm[:ss]", s -> LocalDateTime.parse(s, JENA)),
                new TimeParser("dd.MM.yyyy", s -> LocalDate.parse(s, DOTTED_DATE).atStartOfDay()),
                new TimeParser("yyyy/MM/dd", s -> LocalDate.parse(s, SLASH_DATE).atStartOfDay()),
                new TimeParser("yyyy/MM/dd HH:mm[:ss]", s -> LocalDateTime.parse(s, SLASH_TIME)),
                new TimeParser("year-month yyyy-MM", s -> YearMonth.parse(s, YEAR_MONTH).atDay(1).atStartOfDay()));

        /** The first known format that reads {@code sample}, or null. */
        static TimeParser detect(String sample) {
            for (TimeParser p : KNOWN) {
                try {
                    p.parse(sample);
                    return p;
                } catch (DateTimeParseException e) {
                    // try the next format
                }
            }
            return null;
        }

        /** The pattern's parser when it reads {@code sample}, else null. */
        static TimeParser patternOrNull(String pattern, String sample) {
            TimeParser p = pattern(pattern);
            try {
                p.parse(sample);
                return p;
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        static TimeParser pattern(String pattern) {
            DateTimeFormatter f = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
            return new TimeParser(pattern, s -> {
                TemporalAccessor a = f.parseBest(s, LocalDateTime::from, LocalDate::from, YearMonth::from);
                if (a instanceof LocalDateTime t) return t;
                if (a instanceof LocalDate d) return d.atStartOfDay();
                return ((YearMonth) a).atDay(1).atStartOfDay();
            });
        }
    }

    // ---- accessors ------------------------------------------------------------------------

    /** The file (or source name) read. */
    public String source() {
        return source;
    }

    /** Number of rows (after any dropped rows). */
    public int rows() {
        return values.dim(0);
    }

    /**
     * The values, shape (rows, columns), columns in the order of {@link #columns()}: the tensor
     * itself, so {@code normalizer.transformInPlace(series.values())} works without a copy.
     */
    public Tensor values() {
        return values;
    }

    /** The value columns' names: the features in order, then targets that are not features. */
    public String[] columns() {
        return columns.clone();
    }

    /** The index in {@link #columns()} of a column name. */
    public int column(String name) {
        for (int i = 0; i < columns.length; i++) if (columns[i].equals(name)) return i;
        throw new IllegalArgumentException("no column '" + name + "' among " + String.join(", ", columns));
    }

    /** Indices in {@link #columns()} of the features (always 0..features-1). */
    public int[] featureIndices() {
        return featureIndices.clone();
    }

    /** Indices in {@link #columns()} of the targets, in the order asked for. */
    public int[] targetIndices() {
        return targetIndices.clone();
    }

    /** The time column's name, or null when the file has none. */
    public String timeColumn() {
        return timeColumn;
    }

    /** The time of each row, or null without a time column. Offsets were converted to UTC. */
    public LocalDateTime[] times() {
        return times == null ? null : times.clone();
    }

    /** The time of one row. */
    public LocalDateTime time(int row) {
        if (times == null) throw new IllegalStateException(source + " has no time column");
        return times[row];
    }

    /** The regular step (a Duration, or a Period of months), or null without times. */
    public TemporalAmount step() {
        return step;
    }

    /** The line in the file (header = 1) that row {@code row} came from. */
    public long line(int row) {
        return lines[row];
    }

    /** How many missing values a fill policy filled. */
    public int filledValues() {
        return filled;
    }

    /** How many rows {@link FillPolicy#DROP_ROWS} dropped. */
    public int droppedRows() {
        return dropped;
    }

    /**
     * A {@link TimeseriesDataset} builder over {@link #values()} with these features, targets
     * and column names; add lookback, horizon, width and the range.
     */
    public TimeseriesDataset.Builder windows() {
        return TimeseriesDataset.builder(values).features(featureIndices).targetColumns(targetIndices).columnNames(columns);
    }

    @Override
    public String toString() {
        return "CsvSeries[" + source + ", " + rows() + " rows, columns " + Arrays.toString(columns)
                + (timeColumn == null ? "" : ", time '" + timeColumn + "' from " + times[0] + " every " + describe(step)) + "]";
    }
}
