package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.Period;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CSV loading: the three file formats the project meets (ISO dates with a text column, the Jena
 * climate format, trading days), every error message, and the fill and gap policies.
 */
class CsvSeriesTest {
    @TempDir
    Path dir;

    private Path resource(String name) throws URISyntaxException {
        return Path.of(CsvSeriesTest.class.getResource(name).toURI());
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private CsvDataException fails(Path file, CsvSeries.Options o) {
        return assertThrows(CsvDataException.class, () -> CsvSeries.read(file, o));
    }

    private static void contains(String expected, Exception e) {
        assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in: " + e.getMessage());
    }

    // ---- formats ----------------------------------------------------------------------------

    @Test
    void isoDatesWithChosenFeaturesAndTarget() throws Exception {
        CsvSeries s = CsvSeries.read(resource("weather-daily.csv"), new CsvSeries.Options()
                .timeColumn("date").features("temp_min", "wind").targets("temp_max", "wind"));
        assertEquals(8, s.rows());
        // features first, then targets that are not features
        assertArrayEquals(new String[]{"temp_min", "wind", "temp_max"}, s.columns());
        assertArrayEquals(new int[]{0, 1}, s.featureIndices());
        assertArrayEquals(new int[]{2, 1}, s.targetIndices());
        assertEquals(1.7f, s.values().get(2, 0));    // 2015-03-03 temp_min
        assertEquals(6.2f, s.values().get(6, 1));    // 2015-03-07 wind
        assertEquals(15.0f, s.values().get(5, 2));   // 2015-03-06 temp_max
        assertEquals(LocalDateTime.of(2015, 3, 4, 0, 0), s.time(3));
        assertEquals(Duration.ofDays(1), s.step());
        assertEquals(2, s.line(0));
        assertEquals(9, s.line(7));
        // the windows builder carries the choice of columns
        TimeseriesDataset ds = s.windows().lookback(3).build();
        assertArrayEquals(new int[]{3, 2}, ds.inputShapes()[0]);
        assertEquals(15.0f, ds.targetTensor().get(2, 0));    // window rows 2..4, target row 5: temp_max, wind
        assertEquals(2.9f, ds.targetTensor().get(2, 1));
    }

    @Test
    void jenaClimateFormat() throws Exception {
        CsvSeries s = CsvSeries.read(resource("climate-10min.csv"), new CsvSeries.Options().targets("T (degC)"));
        assertEquals("Date Time", s.timeColumn());                 // detected: the first column reads as a time
        assertArrayEquals(new String[]{"p (mbar)", "T (degC)", "rh (%)"}, s.columns());
        assertEquals(LocalDateTime.of(2010, 2, 1, 0, 50), s.time(5));  // day.month.year
        assertEquals(Duration.ofMinutes(10), s.step());
        assertEquals(-3.42f, s.values().get(2, 1));
        assertArrayEquals(new int[]{1}, s.targetIndices());
    }

    @Test
    void tradingDaysHaveGapsUnlessAllowed() throws Exception {
        Path f = resource("ohlcv-trading-days.csv");
        CsvDataException e = fails(f, new CsvSeries.Options().targets("close"));
        contains("ohlcv-trading-days.csv line 5, column 'date': gap in time: 2001-03-12T00:00 follows 2001-03-09T00:00 "
                + "(line 4), 3 days apart where the regular step is 1 day; choose GapPolicy.ALLOW", e);
        assertEquals(5, e.line());
        CsvSeries s = CsvSeries.read(f, new CsvSeries.Options().targets("close").gapPolicy(GapPolicy.ALLOW));
        assertEquals(6, s.rows());
        assertEquals(1181.00f, s.values().get(3, s.column("close")));
        assertEquals(1.5403e9f, s.values().get(3, s.column("volume")));
    }

    @Test
    void isoDateTimesWithTOrSpaceOffsetsAndYearMonths() throws Exception {
        CsvSeries t = CsvSeries.read(write("t.csv", "time,v\n2020-05-01T10:00,1\n2020-05-01T11:00,2\n"), new CsvSeries.Options());
        assertEquals(Duration.ofHours(1), t.step());
        CsvSeries sp = CsvSeries.read(write("sp.csv", "time,v\n2020-05-01 10:00:00,1\n2020-05-01 10:00:30,2\n"), new CsvSeries.Options());
        assertEquals(LocalDateTime.of(2020, 5, 1, 10, 0, 30), sp.time(1));
        // offsets are converted to UTC: these two rows are one hour apart
        CsvSeries off = CsvSeries.read(write("off.csv", "time,v\n2020-05-01T10:00:00+02:00,1\n2020-05-01T09:00:00Z,2\n"),
                new CsvSeries.Options());
        assertEquals(LocalDateTime.of(2020, 5, 1, 8, 0), off.time(0));
        assertEquals(Duration.ofHours(1), off.step());
        // year-months step by calendar months; a missing month is a gap
        CsvSeries ym = CsvSeries.read(write("ym.csv", "\"Month\",\"Passengers\"\n\"1949-01\",112\n\"1949-02\",118\n\"1949-03\",132\n"),
                new CsvSeries.Options());
        assertEquals(Period.ofMonths(1), ym.step());
        CsvDataException e = fails(write("ym2.csv", "Month,P\n1949-01,1\n1949-02,2\n1949-04,3\n1949-05,4\n"), new CsvSeries.Options());
        contains("line 4, column 'Month': gap in time: 1949-04-01T00:00 follows 1949-02-01T00:00 (line 3)", e);
        contains("where the regular step is 1 month", e);
    }

    @Test
    void explicitTimeFormatAndExplicitStep() throws Exception {
        CsvSeries us = CsvSeries.read(write("us.csv", "day,v\n03/01/2021,1\n03/02/2021,2\n"),
                new CsvSeries.Options().timeColumn("day").timeFormat("MM/dd/yyyy"));
        assertEquals(LocalDateTime.of(2021, 3, 2, 0, 0), us.time(1));
        // every step is 2 hours, but the regular step is said to be 1 hour: the first step is a gap
        CsvDataException e = fails(write("h.csv", "t,v\n2021-01-01T00:00,1\n2021-01-01T02:00,2\n2021-01-01T04:00,3\n"),
                new CsvSeries.Options().step(Duration.ofHours(1)));
        contains("h.csv line 3, column 't': gap in time: 2021-01-01T02:00 follows 2021-01-01T00:00 (line 2), 2 hours apart "
                + "where the regular step is 1 hour", e);
    }

    @Test
    void withoutATimeColumn() throws Exception {
        // the first column is not a time: it is a feature like the others
        CsvSeries s = CsvSeries.read(write("n.csv", "a,b\n1,2\n3,4\n"), new CsvSeries.Options());
        assertNull(s.timeColumn());
        assertNull(s.times());
        assertArrayEquals(new String[]{"a", "b"}, s.columns());
        CsvSeries n = CsvSeries.read(write("d.csv", "date,b\n2020-01-01,2\n2020-01-05,4\n"), new CsvSeries.Options()
                .noTimeColumn().features("b"));
        assertNull(n.times());
        assertEquals(2, n.rows());
    }

    @Test
    void byteOrderMarkIsNotPartOfTheFirstName() throws Exception {
        CsvSeries s = CsvSeries.read(write("bom.csv", "\uFEFFdate,v\n2020-01-01,2\n2020-01-02,4\n"),
                new CsvSeries.Options().timeColumn("date"));
        assertEquals("date", s.timeColumn());
    }

    // ---- errors ------------------------------------------------------------------------------

    @Test
    void missingColumnNamesItAndListsTheAvailableOnes() throws Exception {
        CsvDataException e = fails(resource("weather-daily.csv"), new CsvSeries.Options().targets("temp_mean"));
        contains("weather-daily.csv has no target column 'temp_mean'; its columns are: date, precipitation, temp_max, "
                + "temp_min, wind, weather", e);
        assertEquals("temp_mean", e.column());
        CsvDataException near = fails(resource("weather-daily.csv"), new CsvSeries.Options().features("Wind"));
        contains("has no feature column 'Wind' (did you mean 'wind'?)", near);
        CsvDataException time = fails(resource("weather-daily.csv"), new CsvSeries.Options().timeColumn("time"));
        contains("has no time column 'time'", time);
    }

    @Test
    void nonNumericCellNamesFileLineColumnAndText() throws Exception {
        // the default features are every other column, and 'weather' holds words
        CsvDataException e = fails(resource("weather-daily.csv"), new CsvSeries.Options());
        contains("weather-daily.csv line 2, column 'weather': \"sun\" is not a number (choose the numeric columns with "
                + "Options.features)", e);
        assertEquals(2, e.line());
        assertEquals("sun", e.cell());
        // a blank line does not shift the line numbers: the bad cell is on line 5 of the file
        Path f = write("bad.csv", "t,x,y\n2020-01-01,1,2\n\n2020-01-02,3,4\n2020-01-03,5,1.2.3\n");
        CsvDataException b = fails(f, new CsvSeries.Options());
        assertEquals(f + " line 5, column 'y': \"1.2.3\" is not a number (choose the numeric columns with Options.features)",
                b.getMessage());
        // Java would parse these; a CSV of measurements should not
        contains("\"Infinity\" is not a number", fails(write("inf.csv", "x\n1\nInfinity\n"), new CsvSeries.Options()));
        contains("\"2f\" is not a number", fails(write("f.csv", "x\n1\n2f\n"), new CsvSeries.Options()));
        contains("\"1e99\" is outside the float range", fails(write("big.csv", "x\n1\n1e99\n"), new CsvSeries.Options()));
    }

    @Test
    void missingValuesAreErrorsByDefault() throws Exception {
        Path f = write("gaps.csv", "t,x,y\n2020-01-01,1,2\n2020-01-02,,4\n2020-01-03,5,6\n");
        CsvDataException e = fails(f, new CsvSeries.Options());
        assertEquals(f + " line 3, column 'x': empty cell (missing value); choose a FillPolicy (FORWARD_FILL, "
                + "LINEAR_INTERPOLATE or DROP_ROWS) to accept missing values", e.getMessage());
        assertEquals(3, e.line());
        assertEquals("x", e.column());
        CsvDataException nan = fails(write("nan.csv", "t,x,y\n2020-01-01,1,2\n2020-01-02,3,4\n2020-01-03,5,NaN\n"),
                new CsvSeries.Options());
        contains("line 4, column 'y': \"NaN\" (missing value)", nan);
        // a missing value in a column that was not chosen does not matter
        CsvSeries s = CsvSeries.read(f, new CsvSeries.Options().features("y"));
        assertEquals(3, s.rows());
    }

    @Test
    void forwardFill() throws Exception {
        CsvSeries s = CsvSeries.read(write("ff.csv", "t,x,y\n1,1,10\n2,,20\n3,NA,\n4,4,40\n"),
                new CsvSeries.Options().noTimeColumn().features("x", "y").fillPolicy(FillPolicy.FORWARD_FILL));
        assertArrayEquals(new float[]{1, 10, 1, 20, 1, 20, 4, 40}, s.values().data());
        assertEquals(3, s.filledValues());
        // blank lines at the end of a one-column file are not rows
        contains("has a header but no data rows", fails(write("ff0.csv", "x\n\n\n"), new CsvSeries.Options()));
        CsvDataException first = fails(write("ff1.csv", "x,y\n,1\n2,2\n"), new CsvSeries.Options().fillPolicy(FillPolicy.FORWARD_FILL));
        contains("line 2, column 'x': missing value in the first row; FORWARD_FILL has no earlier value", first);
    }

    @Test
    void linearInterpolationByTimeAndByRow() throws Exception {
        // by row: 0, _, _, 6 -> 2, 4 (in a one-column file a blank line is an empty cell; trailing blank lines are not rows)
        CsvSeries r = CsvSeries.read(write("li.csv", "x\n0\n\nnull\n6\n\n"),
                new CsvSeries.Options().fillPolicy(FillPolicy.LINEAR_INTERPOLATE));
        assertArrayEquals(new float[]{0, 2, 4, 6}, r.values().data());
        assertEquals(4, r.line(2));
        // by time: rows at hours 0, 1, 4 (gaps allowed): the value at hour 1 is a quarter of the way
        CsvSeries t = CsvSeries.read(write("lt.csv", "t,x\n2020-01-01T00:00,0\n2020-01-01T01:00,\n2020-01-01T04:00,8\n"),
                new CsvSeries.Options().fillPolicy(FillPolicy.LINEAR_INTERPOLATE).gapPolicy(GapPolicy.ALLOW));
        assertEquals(2f, t.values().get(1, 0), 1e-6);
        CsvDataException trailing = fails(write("lx.csv", "x,y\n1,1\n2,2\n,3\n"),
                new CsvSeries.Options().fillPolicy(FillPolicy.LINEAR_INTERPOLATE));
        contains("line 4, column 'x': missing value after the last present value of the column", trailing);
        CsvDataException leading = fails(write("ly.csv", "x,y\n1,\n2,2\n3,3\n"),
                new CsvSeries.Options().fillPolicy(FillPolicy.LINEAR_INTERPOLATE));
        contains("line 2, column 'y': missing value before the first present value", leading);
    }

    @Test
    void dropRowsKeepsLineNumbersAndReportsTheGapItMakes() throws Exception {
        Path f = write("dr.csv", "t,x,y\n2020-01-01,1,2\n2020-01-02,,4\n2020-01-03,5,6\n2020-01-04,7,8\n");
        CsvDataException e = fails(f, new CsvSeries.Options().fillPolicy(FillPolicy.DROP_ROWS));
        contains("line 4, column 't': gap in time: 2020-01-03T00:00 follows 2020-01-01T00:00 (line 2), 2 days apart where the "
                + "regular step is 1 day; the lines between were dropped for missing values", e);
        CsvSeries s = CsvSeries.read(f, new CsvSeries.Options().fillPolicy(FillPolicy.DROP_ROWS).gapPolicy(GapPolicy.ALLOW));
        assertEquals(3, s.rows());
        assertEquals(1, s.droppedRows());
        assertArrayEquals(new float[]{1, 2, 5, 6, 7, 8}, s.values().data());
        assertEquals(4, s.line(1));
    }

    @Test
    void timesThatRepeatOrGoBackAreErrorsUnderEveryPolicy() throws Exception {
        for (GapPolicy g : GapPolicy.values()) {
            CsvDataException rep = fails(write("rep.csv", "t,x\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n"),
                    new CsvSeries.Options().gapPolicy(g));
            contains("line 4, column 't': time 2020-01-02T00:00 repeats 2020-01-02T00:00 (line 3); times must increase", rep);
            CsvDataException back = fails(write("back.csv", "t,x\n2020-01-02,1\n2020-01-01,2\n"), new CsvSeries.Options().gapPolicy(g));
            contains("line 3, column 't': time 2020-01-01T00:00 goes back from 2020-01-02T00:00 (line 2)", back);
        }
    }

    @Test
    void badTimeCells() throws Exception {
        CsvDataException later = fails(write("bt.csv", "t,x\n2020-01-01,1\n2020-13-02,2\n"), new CsvSeries.Options());
        contains("bt.csv line 3, column 't': \"2020-13-02\" is not a date/time in the format of the first row (ISO date yyyy-MM-dd)", later);
        CsvDataException unknown = fails(write("bu.csv", "when,x\nyesterday,1\n"), new CsvSeries.Options().timeColumn("when"));
        contains("line 2, column 'when': \"yesterday\" is not a date/time in a known format", unknown);
        CsvDataException empty = fails(write("be.csv", "t,x\n2020-01-01,1\n,2\n"), new CsvSeries.Options().timeColumn("t"));
        contains("line 3, column 't': empty time cell", empty);
    }

    @Test
    void raggedRowsAndEmptyFiles() throws Exception {
        contains("line 3 has 2 cells, the header has 3", fails(write("r.csv", "a,b,c\n1,2,3\n4,5\n"), new CsvSeries.Options()));
        contains("has a header but no data rows", fails(write("h.csv", "a,b\n"), new CsvSeries.Options()));
        contains("is empty (no header line)", fails(write("e.csv", ""), new CsvSeries.Options()));
        contains("'t' is the time column and cannot also be a feature",
                fails(write("tt.csv", "t,x\n2020-01-01,1\n"), new CsvSeries.Options().timeColumn("t").features("t", "x")));
    }

    @Test
    void readsFromAReaderWithASourceName() throws Exception {
        CsvSeries s = CsvSeries.read(new java.io.StringReader("x;y\n1;2\n3;4\n"), "inline", new CsvSeries.Options().delimiter(';'));
        assertEquals("inline", s.source());
        Tensor v = s.values();
        assertArrayEquals(new float[]{1, 2, 3, 4}, v.data());
    }
}
