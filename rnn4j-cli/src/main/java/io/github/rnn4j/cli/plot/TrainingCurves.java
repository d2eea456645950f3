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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Training curves from a Keras-style history ({@code History#history()}): one panel per metric,
 * the training value (dots, as in Chollet's book) beside its {@code val_} twin (line), per epoch.
 * {@code loss}/{@code val_loss} and {@code mae}/{@code val_mae} give two panels side by side;
 * a {@code val_x} without {@code x} gets a panel of its own.
 *
 * <p>It plots what it is given and nothing else: no smoothing, no best-epoch marker. A
 * non-finite value (a diverged run's NaN loss) or an empty metric is an error naming the metric
 * and the epoch, not a silent gap.
 *
 * <pre>{@code
 * History h = model.fit(x, y, new FitOptions().epochs(20).validationSplit(0.2));
 * TrainingCurves.write(h.history(), out.resolve("training-curves"), EnumSet.allOf(ChartFormat.class));
 * }</pre>
 */
public final class TrainingCurves {
    static {
        ChartFiles.headless();
    }

    /** Size of one metric's panel in pixels. */
    public static final int PANEL_WIDTH = 640, PANEL_HEIGHT = 420;
    private static final Color TRAIN = new Color(0x1f77b4), VALIDATION = new Color(0xd62728);

    private TrainingCurves() {
    }

    /**
     * One chart per metric pair, in the order the metrics first appear in the history.
     *
     * @throws IllegalArgumentException for an empty history, an empty or non-finite metric, or a
     *                                  validation metric with a different number of epochs than its twin
     */
    public static List<XYChart> charts(Map<String, List<Double>> history) {
        if (history == null || history.isEmpty()) {
            throw new IllegalArgumentException("training history is empty: nothing to plot");
        }
        Map<String, String[]> panels = new LinkedHashMap<>(); // metric -> {train key or null, val key or null}
        for (String key : history.keySet()) {
            boolean val = key.startsWith("val_") && key.length() > 4;
            String metric = val ? key.substring(4) : key;
            String[] pair = panels.computeIfAbsent(metric, k -> new String[2]);
            pair[val ? 1 : 0] = key;
        }
        List<XYChart> charts = new ArrayList<>();
        for (Map.Entry<String, String[]> p : panels.entrySet()) {
            String metric = p.getKey(), trainKey = p.getValue()[0], valKey = p.getValue()[1];
            double[] train = trainKey == null ? null : values(trainKey, history.get(trainKey));
            double[] val = valKey == null ? null : values(valKey, history.get(valKey));
            if (train != null && val != null && train.length != val.length) {
                throw new IllegalArgumentException("'" + valKey + "' has " + val.length + " epochs but '" + trainKey
                        + "' has " + train.length + "; training curves need one value per epoch for both");
            }
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title(title(metric, train != null, val != null)).xAxisTitle("epoch").yAxisTitle(metric).build();
            style(chart);
            if (train != null) {
                XYSeries s = chart.addSeries("training " + metric, epochs(train.length), train);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.CIRCLE);
                s.setMarkerColor(TRAIN);
            }
            if (val != null) {
                XYSeries s = chart.addSeries("validation " + metric, epochs(val.length), val);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.NONE);
                s.setLineColor(VALIDATION);
                s.setLineStyle(new BasicStroke(2f));
            }
            charts.add(chart);
        }
        return charts;
    }

    /**
     * Writes all panels into one picture per format, two panels to a row.
     *
     * @param base the path without extension, e.g. {@code out/training-curves}
     * @return the files written
     */
    public static List<Path> write(Map<String, List<Double>> history, Path base, Set<ChartFormat> formats)
            throws IOException {
        return ChartFiles.write(charts(history), 2, base, formats);
    }

    private static String title(String metric, boolean train, boolean val) {
        if (train && val) return "Training and validation " + metric;
        return (train ? "Training " : "Validation ") + metric;
    }

    private static void style(XYChart chart) {
        var st = ChartStyle.plain(chart);
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setMarkerSize(7);
        st.setXAxisDecimalPattern("0");
    }

    private static double[] epochs(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    private static double[] values(String key, List<Double> v) {
        if (v == null || v.isEmpty()) throw new IllegalArgumentException("training history metric '" + key + "' has no values");
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            Double d = v.get(i);
            if (d == null || !Double.isFinite(d)) {
                throw new IllegalArgumentException("training history metric '" + key + "' is " + d + " at epoch " + (i + 1)
                        + "; plot only the epochs before training diverged");
            }
            out[i] = d;
        }
        return out;
    }
}
