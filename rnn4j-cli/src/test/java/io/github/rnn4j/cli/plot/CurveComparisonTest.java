package io.github.rnn4j.cli.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.github.rnn4j.cli.plot.ChartAssertions.pixelsNear;
import static io.github.rnn4j.cli.plot.ChartAssertions.readPng;
import static io.github.rnn4j.cli.plot.ChartAssertions.seriesNames;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CurveComparison}: history.csv files are read column by column, each run adds a training
 * and a validation series, and the command line writes one PNG with a panel per --panel, in
 * both runs' colours.
 */
class CurveComparisonTest {
    private static Path history(Path dir, String name, double scale) throws Exception {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        StringBuilder s = new StringBuilder("epoch,loss,mae,val_loss,val_mae\n");
        for (int e = 0; e < 6; e++) {
            s.append(e).append(',').append(scale / (e + 1)).append(",0.5,").append(scale * (0.5 + 0.1 * e)).append(",0.6\n");
        }
        Files.writeString(d.resolve("history.csv"), s);
        return d;
    }

    @Test
    void readsEveryColumnButTheEpoch(@TempDir Path dir) throws Exception {
        Map<String, List<Double>> h = CurveComparison.readHistory(history(dir, "a", 2).resolve("history.csv"));
        assertEquals(List.of("loss", "mae", "val_loss", "val_mae"), List.copyOf(h.keySet()));
        assertEquals(6, h.get("loss").size());
        assertEquals(2.0 / 3, h.get("loss").get(2), 1e-12);
        assertEquals(2 * 0.7, h.get("val_loss").get(2), 1e-12);
    }

    @Test
    void eachRunAddsATrainingAndAValidationSeries(@TempDir Path dir) throws Exception {
        Map<String, List<Double>> a = CurveComparison.readHistory(history(dir, "a", 1).resolve("history.csv"));
        Map<String, List<Double>> b = Map.of("val_loss", List.of(0.3, 0.2));
        XYChart c = CurveComparison.chart("t", "loss", List.of(new CurveComparison.Run("RD 0", a), new CurveComparison.Run("RD 0.3", b)), false);
        assertEquals(List.of("RD 0: training", "RD 0: validation", "RD 0.3: validation"), seriesNames(c));
        assertArrayEquals(new double[]{1, 2, 3, 4, 5, 6}, c.getSeriesCollection().stream().filter(x -> x.getName().equals("RD 0: training")).findFirst().orElseThrow().getXData());
        XYChart r = CurveComparison.chart("t", "loss", List.of(new CurveComparison.Run("RD 0", a)), Map.of("persistence", 0.62), false);
        org.knowm.xchart.XYSeries ref = r.getSeriesCollection().stream().filter(x -> x.getName().equals("persistence")).findFirst().orElseThrow();
        assertArrayEquals(new double[]{1, 6}, ref.getXData());      // across all 6 epochs
        assertArrayEquals(new double[]{0.62, 0.62}, ref.getYData());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CurveComparison.chart("t", "accuracy", List.of(new CurveComparison.Run("RD 0", a)), false));
        assertTrue(e.getMessage().contains("accuracy"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CurveComparison.chart("t", "loss",
                List.of(new CurveComparison.Run("x", Map.of("loss", List.of(1.0, Double.NaN)))), false));
    }

    @Test
    void commandLineWritesOnePngWithAPanelPerTask(@TempDir Path dir) throws Exception {
        Path a = history(dir, "a", 1), b = history(dir, "b", 2), c = history(dir, "c", 3);
        Path out = dir.resolve("fig/cmp");
        CurveComparison.main(new String[]{"--out", out.toString(), "--metric", "loss", "--panel", "first", "x=" + a, "y=" + b,
                "--panel", "second", "--hline", "persistence=1.5", "x=" + c});
        Path png = dir.resolve("fig/cmp.png");
        BufferedImage img = readPng(png, 2 * TrainingCurves.PANEL_WIDTH, TrainingCurves.PANEL_HEIGHT);
        // the first run's blue and the second's orange in the first panel; only blue in the second
        int w = TrainingCurves.PANEL_WIDTH;
        assertTrue(pixelsNear(img, 0x1f77b4, 30, 0, w) > 200, "blue in panel 1");
        assertTrue(pixelsNear(img, 0xff7f0e, 30, 0, w) > 200, "orange in panel 1");
        assertTrue(pixelsNear(img, 0x1f77b4, 30, w, 2 * w) > 200, "blue in panel 2");
        assertTrue(pixelsNear(img, 0xff7f0e, 30, w, 2 * w) < 20, "no orange in panel 2");
        assertTrue(pixelsNear(img, 0x7f7f7f, 8, w, 2 * w) > 50, "grey reference line in panel 2");
        assertTrue(Files.notExists(dir.resolve("fig/cmp.svg")));
        assertThrows(IllegalArgumentException.class, () -> CurveComparison.main(new String[]{"--out", out.toString(), "nolabel"}));
    }
}
