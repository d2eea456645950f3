package io.github.rnn4j.cli.plot;

import io.github.rnn4j.data.box.Box;
import io.github.rnn4j.tensor.Tensor;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The 1-D bounding box task's picture: a few test signals, one panel each, with the true box
 * drawn as a frame around the object and each model's box as a bracket of its own colour above
 * the signal, its IoU in the legend. It draws what it is given; it does not score or choose.
 */
public final class BoxPlot {
    static {
        ChartFiles.headless();
    }

    public static final int PANEL_WIDTH = 820, PANEL_HEIGHT = 360;
    private static final Color SIGNAL = new Color(0x555555), TRUTH = new Color(0x2ca02c);
    private static final Color[] MODELS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private final Tensor signals;
    private final int length;
    private final List<Box> truth;
    private final Map<String, List<Box>> predictions = new LinkedHashMap<>();

    /** @param signals shape (n, length, 1); {@code truth} one box per signal */
    public BoxPlot(Tensor signals, int length, List<Box> truth) {
        if (signals.rank() != 3 || signals.dim(1) != length || signals.dim(2) != 1 || signals.dim(0) != truth.size()) {
            throw new IllegalArgumentException("BoxPlot: signals " + signals.shapeString() + " do not match length " + length
                    + " and " + truth.size() + " true boxes (need (n, length, 1))");
        }
        this.signals = signals;
        this.length = length;
        this.truth = truth;
    }

    /** Adds a model's boxes, one per signal. */
    public BoxPlot prediction(String name, List<Box> boxes) {
        if (boxes.size() != truth.size()) {
            throw new IllegalArgumentException("BoxPlot: '" + name + "' has " + boxes.size() + " boxes for " + truth.size() + " signals");
        }
        if (predictions.containsKey(name)) throw new IllegalArgumentException("BoxPlot: '" + name + "' added twice");
        predictions.put(name, boxes);
        return this;
    }

    /** Panels for the first {@code count} signals. */
    public List<XYChart> charts(int count) {
        int n = Math.min(count, truth.size());
        List<XYChart> charts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] t = new double[length], v = new double[length];
            double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
            for (int s = 0; s < length; s++) {
                t[s] = s;
                v[s] = signals.data()[i * length + s];
                lo = Math.min(lo, v[s]);
                hi = Math.max(hi, v[s]);
            }
            Box b = truth.get(i);
            XYChart c = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title("test signal " + (i + 1) + ": object at " + b).xAxisTitle("step").yAxisTitle("value").build();
            style(c);
            line(c, "signal", t, v, SIGNAL, 1.2f);
            double span = hi - lo, top = hi + 0.1 * span;
            line(c, "true box", new double[]{b.start() - 0.5, b.start() - 0.5, b.end() - 0.5, b.end() - 0.5},
                    new double[]{lo, top, top, lo}, TRUTH, 2.5f);
            int k = 0;
            for (Map.Entry<String, List<Box>> e : predictions.entrySet()) {
                Box p = e.getValue().get(i);
                double y = top + (k + 1) * 0.08 * span, tick = 0.04 * span;
                line(c, String.format(Locale.ROOT, "%s: IoU %.2f", e.getKey(), b.iou(p)),
                        new double[]{p.start() - 0.5, p.start() - 0.5, p.end() - 0.5, p.end() - 0.5},
                        new double[]{y - tick, y, y, y - tick}, MODELS[k % MODELS.length], 2f);
                k++;
            }
            charts.add(c);
        }
        return charts;
    }

    /** Writes the first {@code count} signals' panels, two to a row. */
    public List<Path> write(Path base, int count, Set<ChartFormat> formats) throws IOException {
        return ChartFiles.write(charts(count), 2, base, formats);
    }

    private static void line(XYChart c, String name, double[] x, double[] y, Color color, float width) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(width));
    }

    private static void style(XYChart chart) {
        ChartStyle.plain(chart).setLegendPosition(Styler.LegendPosition.OutsideE);
    }
}
