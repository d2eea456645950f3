package io.github.rnn4j.cli.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.github.rnn4j.cli.plot.ChartAssertions.pixelsNear;
import static io.github.rnn4j.cli.plot.ChartAssertions.readPng;
import static io.github.rnn4j.cli.plot.ChartAssertions.readSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training curves: panels per metric pair, valid PNG and SVG files, clear errors for bad histories. */
class TrainingCurvesTest {

    private static List<Double> decay(double a, double b, int n) {
        List<Double> v = new ArrayList<>();
        for (int e = 0; e < n; e++) v.add(a / (e + 1) + b);
        return v;
    }

    private static Map<String, List<Double>> history(int epochs, String... metrics) {
        Map<String, List<Double>> h = new LinkedHashMap<>();
        double a = 1;
        for (String m : metrics) h.put(m, decay(a += 0.3, 0.1, epochs));
        return h;
    }

    @Test
    void writesOnePngAndOneSvgWithAPanelPerMetricPair(@TempDir Path dir) throws Exception {
        Map<String, List<Double>> h = history(12, "loss", "mae", "val_loss", "val_mae");
        List<Path> files = TrainingCurves.write(h, dir.resolve("training-curves"), EnumSet.allOf(ChartFormat.class));
        assertEquals(List.of(dir.resolve("training-curves.png"), dir.resolve("training-curves.svg")), files);
        int w = 2 * TrainingCurves.PANEL_WIDTH, hgt = TrainingCurves.PANEL_HEIGHT;
        BufferedImage png = readPng(files.get(0), w, hgt);
        readSvg(files.get(1), w, hgt);
        assertTrue(GraphicsEnvironment.isHeadless(), "charts are drawn headless");
        // the validation line (red) and the training dots (blue) are drawn in both panels
        int red = 0xd62728, blue = 0x1f77b4;
        for (int panel = 0; panel < 2; panel++) {
            int x0 = panel * TrainingCurves.PANEL_WIDTH, x1 = x0 + TrainingCurves.PANEL_WIDTH;
            assertTrue(pixelsNear(png, red, 20, x0, x1) > 200, "validation curve in panel " + panel);
            assertTrue(pixelsNear(png, blue, 20, x0, x1) > 200, "training dots in panel " + panel);
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary files are left beside the charts");
        }
    }

    @Test
    void groupsTrainingAndValidationMetricsIntoPanels() {
        List<XYChart> charts = TrainingCurves.charts(history(5, "loss", "val_loss", "mae", "val_mae", "val_acc", "lr"));
        assertEquals(4, charts.size());
        assertEquals("Training and validation loss", charts.get(0).getTitle());
        assertEquals(List.of("training loss", "validation loss"), ChartAssertions.seriesNames(charts.get(0)));
        assertEquals("Training and validation mae", charts.get(1).getTitle());
        assertEquals("Validation acc", charts.get(2).getTitle());
        assertEquals(List.of("validation acc"), ChartAssertions.seriesNames(charts.get(2)));
        assertEquals("Training lr", charts.get(3).getTitle());
        assertEquals("epoch", charts.get(0).getXAxisTitle());
        assertEquals("loss", charts.get(0).getYAxisTitle());
    }

    @Test
    void threePanelsWrapOntoTwoRows(@TempDir Path dir) throws Exception {
        List<Path> files = TrainingCurves.write(history(3, "loss", "val_loss", "mae", "mse"), dir.resolve("c"),
                EnumSet.of(ChartFormat.PNG));
        assertEquals(List.of(dir.resolve("c.png")), files);
        BufferedImage png = readPng(files.get(0), 2 * TrainingCurves.PANEL_WIDTH, 2 * TrainingCurves.PANEL_HEIGHT);
        int w = TrainingCurves.PANEL_WIDTH, h = TrainingCurves.PANEL_HEIGHT;
        assertTrue(pixelsNear(png.getSubimage(0, h, w, h), 0x1f77b4, 20) > 100, "the third panel (mse) is drawn bottom left");
        assertEquals(0, pixelsNear(png.getSubimage(w, h, w, h), 0xffffff, 0) - w * h, "the fourth cell stays blank");
    }

    @Test
    void aSingleEpochIsPlottable(@TempDir Path dir) throws Exception {
        List<Path> files = TrainingCurves.write(history(1, "loss", "val_loss"), dir.resolve("one"), EnumSet.of(ChartFormat.SVG));
        readSvg(files.get(0), TrainingCurves.PANEL_WIDTH, TrainingCurves.PANEL_HEIGHT);
    }

    @Test
    void nanLossIsAClearErrorNamingMetricAndEpoch(@TempDir Path dir) {
        Map<String, List<Double>> h = history(5, "loss", "val_loss");
        List<Double> loss = new ArrayList<>(h.get("loss"));
        loss.set(2, Double.NaN);
        h.put("loss", loss);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurves.write(h, dir.resolve("nan"), EnumSet.allOf(ChartFormat.class)));
        assertTrue(e.getMessage().contains("'loss' is NaN at epoch 3"), e.getMessage());
        assertEquals(0, dir.toFile().list().length, "nothing is written for a bad history");
    }

    @Test
    void infiniteValueIsAnError() {
        Map<String, List<Double>> h = history(4, "loss", "val_loss");
        List<Double> v = new ArrayList<>(h.get("val_loss"));
        v.set(3, Double.POSITIVE_INFINITY);
        h.put("val_loss", v);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCurves.charts(h));
        assertTrue(e.getMessage().contains("'val_loss' is Infinity at epoch 4"), e.getMessage());
    }

    @Test
    void emptyHistoryAndEmptyMetricAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCurves.charts(Map.of()));
        assertTrue(e.getMessage().contains("training history is empty"), e.getMessage());
        Map<String, List<Double>> h = new LinkedHashMap<>();
        h.put("loss", List.of());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingCurves.charts(h));
        assertTrue(e.getMessage().contains("'loss' has no values"), e.getMessage());
    }

    @Test
    void validationOfAnotherLengthIsAnError() {
        Map<String, List<Double>> h = new LinkedHashMap<>();
        h.put("loss", decay(1, 0, 6));
        h.put("val_loss", decay(1, 0, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCurves.charts(h));
        assertTrue(e.getMessage().contains("'val_loss' has 3 epochs but 'loss' has 6"), e.getMessage());
    }

    @Test
    void pathWithExtensionOrNoFormatIsRejected(@TempDir Path dir) {
        Map<String, List<Double>> h = history(3, "loss");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurves.write(h, dir.resolve("curves.png"), EnumSet.of(ChartFormat.PNG)));
        assertTrue(e.getMessage().contains("without extension"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TrainingCurves.write(h, dir.resolve("curves"), EnumSet.noneOf(ChartFormat.class)));
        assertTrue(e.getMessage().contains("no chart format"), e.getMessage());
    }
}
