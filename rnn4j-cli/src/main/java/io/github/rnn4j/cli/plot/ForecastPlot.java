package io.github.rnn4j.cli.plot;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;

/**
 * A forecast-vs-actual plot of a test period: the actual series in black, each model's forecast
 * as a coloured line, each baseline (persistence, seasonal persistence) dashed, over a time axis
 * of dates, date-times or plain step indices, with a title and a y-axis label carrying the unit.
 *
 * <p>Every series is aligned to the time axis: value {@code i} of each belongs to time {@code i}.
 * It is a plot, not an evaluator: it computes no error, and it refuses (with the series name,
 * index and time) a NaN or infinite value rather than drawing a gap that would hide a bug.
 *
 * <pre>{@code
 * new ForecastPlot("Seattle daily maximum temperature, test period")
 *         .yLabel("temp_max").unit("°C")
 *         .dates(testDates)
 *         .actual(yTrue)
 *         .forecast("LSTM", yPred)
 *         .baseline("persistence", yLast)
 *         .write(out.resolve("forecast"), EnumSet.allOf(ChartFormat.class));
 * }</pre>
 */
public final class ForecastPlot {
    static {
        ChartFiles.headless();
    }

    /** Default size in pixels. */
    public static final int WIDTH = 1100, HEIGHT = 500;
    private static final Color[] MODEL_COLORS = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0x8c564b)};
    private static final Color[] BASELINE_COLORS = {new Color(0xff7f0e), new Color(0x7f7f7f), new Color(0xbcbd22)};

    private final String title;
    private String xLabel, yLabel = "value", unit;
    private List<Date> times;
    private boolean timesHaveClock;
    private long firstIndex;
    private double[] actual;
    private String actualName = "actual";
    private final List<Line> lines = new ArrayList<>();
    private int width = WIDTH, height = HEIGHT;

    private record Line(String name, double[] values, boolean baseline) {
    }

    /** A plot with this title (e.g. the dataset, target and period). */
    public ForecastPlot(String title) {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("a forecast plot needs a title");
        this.title = title;
    }

    /** Label of the time axis; default "date", "time" or "time step" by the kind of axis. */
    public ForecastPlot xLabel(String label) {
        this.xLabel = label;
        return this;
    }

    /** Name of the plotted quantity, e.g. {@code temp_max}; default "value". */
    public ForecastPlot yLabel(String label) {
        this.yLabel = label;
        return this;
    }

    /** Unit of the plotted quantity, shown as {@code "temp_max (°C)"}; null or blank for none. */
    public ForecastPlot unit(String unit) {
        this.unit = unit;
        return this;
    }

    /** Pixel size of the picture. */
    public ForecastPlot size(int width, int height) {
        if (width < 100 || height < 100) throw new IllegalArgumentException("plot size must be at least 100x100, got " + width + "x" + height);
        this.width = width;
        this.height = height;
        return this;
    }

    /** A time axis of days. */
    public ForecastPlot dates(List<LocalDate> dates) {
        List<LocalDateTime> t = new ArrayList<>(dates.size());
        for (LocalDate d : dates) t.add(d.atStartOfDay());
        return times(t);
    }

    /** A time axis of date-times (taken as UTC, shown as written). */
    public ForecastPlot times(List<LocalDateTime> times) {
        List<Date> out = new ArrayList<>(times.size());
        boolean clock = false;
        for (int i = 0; i < times.size(); i++) {
            LocalDateTime t = times.get(i);
            if (t == null) throw new IllegalArgumentException("time axis has null at index " + i);
            if (i > 0 && !t.isAfter(times.get(i - 1))) {
                throw new IllegalArgumentException("time axis must increase, but index " + i + " (" + t
                        + ") does not come after " + times.get(i - 1));
            }
            clock |= !t.toLocalTime().equals(LocalTime.MIDNIGHT);
            out.add(Date.from(t.toInstant(ZoneOffset.UTC)));
        }
        this.times = out;
        this.timesHaveClock = clock;
        return this;
    }

    /** A time axis of step indices {@code first, first+1, ...} (the default, from 0). */
    public ForecastPlot indices(long first) {
        this.times = null;
        this.firstIndex = first;
        return this;
    }

    /** The true values over the period. */
    public ForecastPlot actual(double[] values) {
        this.actual = values.clone();
        return this;
    }

    /** The true values over the period, under another legend name than "actual". */
    public ForecastPlot actual(String name, double[] values) {
        this.actualName = checkName(name);
        return actual(values);
    }

    /** {@link #actual(double[])} for float data, as tensors hold it. */
    public ForecastPlot actual(float[] values) {
        return actual(toDouble(values));
    }

    /** A model's forecast, a solid coloured line. */
    public ForecastPlot forecast(String name, double[] values) {
        lines.add(new Line(checkName(name), values.clone(), false));
        return this;
    }

    /** {@link #forecast(String, double[])} for float data. */
    public ForecastPlot forecast(String name, float[] values) {
        return forecast(name, toDouble(values));
    }

    /** A baseline's forecast (persistence, seasonal persistence), a dashed line. */
    public ForecastPlot baseline(String name, double[] values) {
        lines.add(new Line(checkName(name), values.clone(), true));
        return this;
    }

    /** {@link #baseline(String, double[])} for float data. */
    public ForecastPlot baseline(String name, float[] values) {
        return baseline(name, toDouble(values));
    }

    /**
     * Builds the chart.
     *
     * @throws IllegalArgumentException when there is no actual series or no forecast, a series is
     *                                  empty, has another length than the time axis, or holds a
     *                                  non-finite value; or two series share a name
     */
    public XYChart chart() {
        if (actual == null) throw new IllegalArgumentException("forecast plot '" + title + "' has no actual series");
        if (actual.length == 0) throw new IllegalArgumentException("forecast plot '" + title + "': the actual series is empty");
        if (lines.isEmpty()) throw new IllegalArgumentException("forecast plot '" + title + "' has no forecast series");
        int n = actual.length;
        if (times != null && times.size() != n) {
            throw new IllegalArgumentException("forecast plot '" + title + "': time axis has " + times.size()
                    + " points but the actual series has " + n);
        }
        checkFinite(actualName, actual);
        List<String> names = new ArrayList<>(List.of(actualName));
        for (Line l : lines) {
            if (names.contains(l.name)) throw new IllegalArgumentException("forecast plot '" + title + "': two series named '" + l.name + "'");
            names.add(l.name);
            if (l.values.length != n) {
                throw new IllegalArgumentException("forecast plot '" + title + "': series '" + l.name + "' has "
                        + l.values.length + " values but the actual series has " + n + " (align forecasts to the time axis)");
            }
            checkFinite(l.name, l.values);
        }
        String x = xLabel != null ? xLabel : times == null ? "time step" : timesHaveClock ? "time" : "date";
        String y = unit == null || unit.isBlank() ? yLabel : yLabel + " (" + unit + ")";
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(x).yAxisTitle(y).build();
        var st = ChartStyle.plain(chart);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setMarkerSize(n <= 60 ? 5 : 0);
        st.setTimezone(TimeZone.getTimeZone("UTC"));
        if (times != null) st.setDatePattern(timesHaveClock ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd");
        else st.setXAxisDecimalPattern("0");

        float lineWidth = n > 400 ? 1f : 1.6f;
        addLine(chart, actualName, actual, Color.BLACK, new BasicStroke(lineWidth + 0.4f), n);
        int model = 0, base = 0;
        for (Line l : lines) {
            Color c = l.baseline ? BASELINE_COLORS[base++ % BASELINE_COLORS.length] : MODEL_COLORS[model++ % MODEL_COLORS.length];
            BasicStroke stroke = l.baseline
                    ? new BasicStroke(lineWidth, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{6f, 4f}, 0f)
                    : new BasicStroke(lineWidth);
            addLine(chart, l.name, l.values, c, stroke, n);
        }
        return chart;
    }

    /**
     * Builds the chart and writes it as {@code base.png} / {@code base.svg}.
     *
     * @return the files written
     */
    public List<Path> write(Path base, Set<ChartFormat> formats) throws IOException {
        return ChartFiles.write(List.of(chart()), 1, base, formats);
    }

    private void addLine(XYChart chart, String name, double[] y, Color color, BasicStroke stroke, int n) {
        XYSeries s;
        if (times != null) {
            List<Double> ys = new ArrayList<>(n);
            for (double v : y) ys.add(v);
            s = chart.addSeries(name, times, ys);
        } else {
            double[] xs = new double[n];
            for (int i = 0; i < n; i++) xs[i] = firstIndex + i;
            s = chart.addSeries(name, xs, y);
        }
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        if (n <= 60) {
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(color);
        } else {
            s.setMarker(SeriesMarkers.NONE);
        }
    }

    private void checkFinite(String name, double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                String at = times != null ? " (" + times.get(i).toInstant().atOffset(ZoneOffset.UTC).toLocalDateTime() + ")"
                        : " (step " + (firstIndex + i) + ")";
                throw new IllegalArgumentException("forecast plot '" + title + "': series '" + name + "' is " + v[i]
                        + " at index " + i + at);
            }
        }
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a plotted series needs a name");
        return name;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }
}
