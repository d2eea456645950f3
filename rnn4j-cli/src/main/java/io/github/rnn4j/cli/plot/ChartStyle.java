package io.github.rnn4j.cli.plot;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.XYStyler;

import java.awt.Color;
import java.util.Locale;

/**
 * The look every rnn4j chart shares: white chart and plot, light grey grid lines, numbers
 * formatted in {@link Locale#ROOT} (a decimal point whatever the machine's locale). Each chart
 * class adds its own legend, markers and axes; this sets only what they all have in common.
 */
final class ChartStyle {
    private ChartStyle() {
    }

    /** Applies the shared look to {@code chart} and returns its styler for the chart's own settings. */
    static XYStyler plain(XYChart chart) {
        XYStyler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xdddddd));
        st.setLocale(Locale.ROOT);
        return st;
    }
}
