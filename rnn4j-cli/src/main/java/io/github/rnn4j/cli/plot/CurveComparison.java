package io.github.rnn4j.cli.plot;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Training and validation curves of several runs on one chart, e.g. the same forecast with and
 * without recurrent dropout: per run, the training metric as a dashed line with dots and its
 * {@code val_} twin as a solid line, one colour per run. Several panels (one per task) go side
 * by side. The runs are read from the {@code history.csv} that {@code rnn4j forecast} writes
 * (Keras's CSVLogger layout: {@code epoch,loss,...,val_loss,...}).
 *
 * <pre>{@code
 * java -cp rnn4j.jar io.github.rnn4j.cli.plot.CurveComparison --out docs/figures/jena-dropout --metric loss \
 *     --panel "1 h ahead" "RD 0=/tmp/h1-rd0" "RD 0.3=/tmp/h1-rd3" --panel "6 h ahead" "RD 0=/tmp/h6-rd0" "RD 0.3=/tmp/h6-rd3"
 * }</pre>
 *
 * <p>{@code --hline LABEL=VALUE} adds a grey horizontal reference line to the current panel (e.g. the
 * validation loss of the persistence forecast, computed elsewhere).
 *
 * <p>It plots what the files hold: no smoothing, no best-epoch marker, no averaging over seeds.
 * Not a replacement for {@link TrainingCurves} (one run, every metric).
 */
public final class CurveComparison {
    static {
        ChartFiles.headless();
    }

    /** Colours of the first runs of a panel (more runs reuse them in order). */
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd)};

    private CurveComparison() {
    }

    /** One run: a label and its Keras-style history. */
    public record Run(String label, Map<String, List<Double>> history) {
    }

    /**
     * One panel comparing {@code metric} (and {@code val_metric}) of the runs.
     *
     * @throws IllegalArgumentException when a run has neither the metric nor its validation twin,
     *                                  or a value is not finite
     */
    public static XYChart chart(String title, String metric, List<Run> runs, boolean logY) {
        return chart(title, metric, runs, Map.of(), logY);
    }

    /** {@link #chart(String, String, List, boolean)} with horizontal reference lines (label to value), drawn in grey. */
    public static XYChart chart(String title, String metric, List<Run> runs, Map<String, Double> references, boolean logY) {
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs to compare");
        XYChart c = new XYChartBuilder().width(TrainingCurves.PANEL_WIDTH).height(TrainingCurves.PANEL_HEIGHT)
                .title(title).xAxisTitle("epoch").yAxisTitle(metric + (logY ? " (log scale)" : "")).build();
        // beside the plot: the curves of overfitting runs fill every corner
        var st = ChartStyle.plain(c);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
        st.setMarkerSize(5);
        st.setXAxisDecimalPattern("0");
        st.setYAxisLogarithmic(logY);
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            Color colour = COLOURS[i % COLOURS.length];
            double[] train = values(r, metric), val = values(r, "val_" + metric);
            if (train == null && val == null) {
                throw new IllegalArgumentException("run '" + r.label() + "' has neither '" + metric + "' nor 'val_" + metric + "'; it has "
                        + r.history().keySet());
            }
            if (train != null) {
                XYSeries s = c.addSeries(r.label() + ": training", epochs(train.length), train);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(colour);
                s.setLineColor(colour);
                s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 4f}, 0f));
            }
            if (val != null) {
                XYSeries s = c.addSeries(r.label() + ": validation", epochs(val.length), val);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(colour);
                s.setLineStyle(new BasicStroke(2.5f));
            }
        }
        int epochs = 1;
        for (XYSeries s : c.getSeriesCollection()) epochs = Math.max(epochs, s.getXData().length);
        for (Map.Entry<String, Double> ref : references.entrySet()) {
            if (!Double.isFinite(ref.getValue())) throw new IllegalArgumentException("reference '" + ref.getKey() + "' is " + ref.getValue());
            XYSeries s = c.addSeries(ref.getKey(), new double[]{1, epochs}, new double[]{ref.getValue(), ref.getValue()});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(0x7f7f7f));
            s.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{2f, 3f}, 0f));
        }
        return c;
    }

    /**
     * Reads a CSVLogger file ({@code epoch,loss,...}): every column but {@code epoch}, in order.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException for a row with a different number of fields than the header
     */
    public static Map<String, List<Double>> readHistory(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) throw new IllegalArgumentException(csv + " is empty");
        String[] header = lines.get(0).split(",", -1);
        Map<String, List<Double>> h = new LinkedHashMap<>();
        for (String k : header) if (!k.equals("epoch")) h.put(k, new ArrayList<>());
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != header.length) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + " has " + f.length + " fields, the header " + header.length);
            }
            for (int k = 0; k < f.length; k++) if (!header[k].equals("epoch")) h.get(header[k]).add(Double.parseDouble(f[k]));
        }
        return h;
    }

    /** Writes the panels side by side, at most {@code columns} to a row. */
    public static List<Path> write(List<XYChart> panels, int columns, Path base, Set<ChartFormat> formats) throws IOException {
        return ChartFiles.write(panels, columns, base, formats);
    }

    /**
     * {@code --out BASE [--metric loss] [--log-y] [--svg] [--panel TITLE] [--hline LABEL=VALUE] LABEL=RUN_DIR ... [--panel TITLE] ...}:
     * reads {@code RUN_DIR/history.csv} of each run and writes {@code BASE.png} (and {@code BASE.svg} with {@code --svg}).
     */
    public static void main(String[] args) throws IOException {
        Path out = null;
        String metric = "loss";
        boolean logY = false, svg = false;
        Map<String, List<Run>> panels = new LinkedHashMap<>();
        Map<String, Map<String, Double>> refs = new LinkedHashMap<>();
        String panel = "Training and validation";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> out = Path.of(args[++i]);
                case "--metric" -> metric = args[++i];
                case "--log-y" -> logY = true;
                case "--svg" -> svg = true;
                case "--panel" -> panel = args[++i];
                case "--hline" -> {
                    String h = args[++i];
                    int eq = h.lastIndexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("expected --hline LABEL=VALUE, got '" + h + "'");
                    refs.computeIfAbsent(panel, k -> new LinkedHashMap<>()).put(h.substring(0, eq), Double.parseDouble(h.substring(eq + 1)));
                }
                default -> {
                    int eq = a.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("expected LABEL=RUN_DIR, got '" + a + "'");
                    Path dir = Path.of(a.substring(eq + 1));
                    panels.computeIfAbsent(panel, k -> new ArrayList<>()).add(new Run(a.substring(0, eq), readHistory(dir.resolve("history.csv"))));
                }
            }
        }
        if (out == null || panels.isEmpty()) {
            throw new IllegalArgumentException("usage: CurveComparison --out BASE [--metric loss] [--log-y] [--svg] [--panel TITLE] [--hline LABEL=VALUE] LABEL=RUN_DIR ...");
        }
        List<XYChart> charts = new ArrayList<>();
        for (Map.Entry<String, List<Run>> p : panels.entrySet()) charts.add(chart(p.getKey(), metric, p.getValue(), refs.getOrDefault(p.getKey(), Map.of()), logY));
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        for (Path p : write(charts, charts.size(), out, svg ? EnumSet.allOf(ChartFormat.class) : EnumSet.of(ChartFormat.PNG))) {
            System.out.println("Wrote " + p);
        }
    }

    private static double[] values(Run r, String key) {
        List<Double> v = r.history().get(key);
        if (v == null || v.isEmpty()) return null;
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            Double d = v.get(i);
            if (d == null || !Double.isFinite(d)) {
                throw new IllegalArgumentException("run '" + r.label() + "': '" + key + "' is " + d + " at epoch " + (i + 1));
            }
            out[i] = d;
        }
        return out;
    }

    private static double[] epochs(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }
}
