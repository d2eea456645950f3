package io.github.rnn4j.cli.plot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static io.github.rnn4j.cli.plot.ChartAssertions.pixelsNear;
import static io.github.rnn4j.cli.plot.ChartAssertions.readPng;
import static io.github.rnn4j.cli.plot.ChartAssertions.readSvg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forecast-vs-actual plots: dates or indices on the time axis, valid files, clear errors. */
class ForecastPlotTest {
    private static final int N = 90;

    private static List<LocalDate> days(int n) {
        List<LocalDate> d = new ArrayList<>();
        for (int i = 0; i < n; i++) d.add(LocalDate.of(2015, 10, 1).plusDays(i));
        return d;
    }

    private static double[] wave(int n, double phase) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 12 + 6 * Math.sin(0.2 * i + phase);
        return v;
    }

    private static ForecastPlot seattle() {
        return new ForecastPlot("Seattle temp_max, test period").yLabel("temp_max").unit("°C")
                .dates(days(N)).actual(wave(N, 0)).forecast("LSTM", wave(N, 0.1)).baseline("persistence", wave(N, 0.2));
    }

    @Test
    void writesPngAndSvgWithTitleAxesAndAllSeries(@TempDir Path dir) throws Exception {
        List<Path> files = seattle().write(dir.resolve("forecast"), EnumSet.allOf(ChartFormat.class));
        assertEquals(List.of(dir.resolve("forecast.png"), dir.resolve("forecast.svg")), files);
        BufferedImage png = readPng(files.get(0), ForecastPlot.WIDTH, ForecastPlot.HEIGHT);
        readSvg(files.get(1), ForecastPlot.WIDTH, ForecastPlot.HEIGHT);
        assertTrue(pixelsNear(png, 0x000000, 30) > 500, "actual series (black) is drawn");
        assertTrue(pixelsNear(png, 0x1f77b4, 20) > 300, "model forecast (blue) is drawn");
        assertTrue(pixelsNear(png, 0xff7f0e, 20) > 150, "baseline (orange, dashed) is drawn");
        // readable by others, like any output file (a temp file's owner-only mode must not leak)
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertTrue(Files.getPosixFilePermissions(files.get(0)).contains(PosixFilePermission.OWNER_READ));
            assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain"))),
                    Files.getPosixFilePermissions(files.get(0)), "chart files get the default permissions");
        }
    }

    @Test
    void chartCarriesLabelsUnitAndSeriesNames() {
        XYChart c = seattle().chart();
        assertEquals("Seattle temp_max, test period", c.getTitle());
        assertEquals("date", c.getXAxisTitle());
        assertEquals("temp_max (°C)", c.getYAxisTitle());
        assertEquals(List.of("actual", "LSTM", "persistence"), ChartAssertions.seriesNames(c));
    }

    @Test
    void dateTimesAndIndicesAreAxesToo(@TempDir Path dir) throws Exception {
        List<LocalDateTime> t = new ArrayList<>();
        for (int i = 0; i < 40; i++) t.add(LocalDateTime.of(2009, 1, 1, 0, 10).plusMinutes(10L * i));
        XYChart c = new ForecastPlot("Jena T").yLabel("T").unit("degC").times(t)
                .actual(wave(40, 0)).forecast("GRU", wave(40, 0.3)).chart();
        assertEquals("time", c.getXAxisTitle());

        List<Path> files = new ForecastPlot("steps").indices(500).size(400, 300)
                .actual(new float[]{1, 2, 3}).forecast("m", new float[]{1, 2, 2.5f})
                .write(dir.resolve("steps"), EnumSet.of(ChartFormat.PNG));
        readPng(files.get(0), 400, 300);
        assertEquals("time step", new ForecastPlot("x").actual(new double[]{1}).forecast("m", new double[]{1}).chart().getXAxisTitle());
    }

    @Test
    void rewritingReplacesTheFile(@TempDir Path dir) throws Exception {
        Path png = seattle().write(dir.resolve("f"), EnumSet.of(ChartFormat.PNG)).get(0);
        byte[] first = Files.readAllBytes(png);
        new ForecastPlot("another").size(300, 200).actual(wave(5, 0)).forecast("m", wave(5, 1))
                .write(dir.resolve("f"), EnumSet.of(ChartFormat.PNG));
        assertNotEquals(first.length, Files.size(png));
        readPng(png, 300, 200);
        assertEquals(1, dir.toFile().list().length, "no temporary files are left");
    }

    @Test
    void nanInAForecastNamesSeriesIndexAndDate(@TempDir Path dir) {
        double[] f = wave(N, 0.1);
        f[31] = Double.NaN;
        ForecastPlot p = new ForecastPlot("t").dates(days(N)).actual(wave(N, 0)).forecast("LSTM", f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.write(dir.resolve("nan"), EnumSet.allOf(ChartFormat.class)));
        assertTrue(e.getMessage().contains("series 'LSTM' is NaN at index 31 (2015-11-01T00:00)"), e.getMessage());
        assertEquals(0, dir.toFile().list().length, "nothing is written");
    }

    @Test
    void nanInActualIsAnErrorToo() {
        double[] a = wave(10, 0);
        a[0] = Double.NEGATIVE_INFINITY;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ForecastPlot("t").indices(7).actual(a).forecast("m", wave(10, 0)).chart());
        assertTrue(e.getMessage().contains("series 'actual' is -Infinity at index 0 (step 7)"), e.getMessage());
    }

    @Test
    void emptyOrMissingSeriesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ForecastPlot("t").actual(new double[0]).forecast("m", new double[0]).chart());
        assertTrue(e.getMessage().contains("the actual series is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ForecastPlot("t").forecast("m", wave(3, 0)).chart());
        assertTrue(e.getMessage().contains("has no actual series"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ForecastPlot("t").actual(wave(3, 0)).chart());
        assertTrue(e.getMessage().contains("has no forecast series"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ForecastPlot("t").actual(wave(3, 0)).forecast("m", new double[0]).chart());
        assertTrue(e.getMessage().contains("series 'm' has 0 values but the actual series has 3"), e.getMessage());
    }

    @Test
    void misalignedAxisDuplicateNamesAndUnorderedTimesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ForecastPlot("t").dates(days(4)).actual(wave(5, 0)).forecast("m", wave(5, 0)).chart());
        assertTrue(e.getMessage().contains("time axis has 4 points but the actual series has 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ForecastPlot("t").actual(wave(5, 0)).forecast("m", wave(5, 0)).baseline("m", wave(5, 0)).chart());
        assertTrue(e.getMessage().contains("two series named 'm'"), e.getMessage());
        List<LocalDate> d = new ArrayList<>(days(3));
        d.set(2, d.get(0));
        e = assertThrows(IllegalArgumentException.class, () -> new ForecastPlot("t").dates(d));
        assertTrue(e.getMessage().contains("time axis must increase, but index 2 (2015-10-01T00:00)"), e.getMessage());
    }
}
