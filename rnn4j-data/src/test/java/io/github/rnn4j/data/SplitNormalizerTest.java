package io.github.rnn4j.data;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chronological splits (no window straddles a boundary) and a normalizer fitted on training rows only. */
class SplitNormalizerTest {

    @Test
    void fractionsCutInTimeOrder() {
        Split s = Split.fractions(10, 0.7, 0.2);
        assertEquals(new RowRange(0, 7), s.train());
        assertEquals(new RowRange(7, 9), s.validation());
        assertEquals(new RowRange(9, 10), s.test());
        Split noVal = Split.fractions(1000, 0.85, 0);
        assertEquals(850, noVal.train().end());
        assertTrue(noVal.validation().isEmpty());
        assertEquals(150, noVal.test().size());
        assertThrows(IllegalArgumentException.class, () -> Split.fractions(10, 0.7, 0.4));
        assertThrows(IllegalArgumentException.class, () -> Split.fractions(10, 0, 0.4));
        assertThrows(IllegalArgumentException.class, () -> Split.at(10, 6, 5));
    }

    @Test
    void byTimeSplitsAtTheFirstRowOnOrAfterEachMoment() {
        LocalDateTime[] t = new LocalDateTime[10];
        for (int i = 0; i < 10; i++) t[i] = LocalDate.of(2020, 1, 1).plusDays(2L * i).atStartOfDay();   // every other day
        Split s = Split.byTime(t, LocalDate.of(2020, 1, 8), LocalDate.of(2020, 1, 15));
        // 2020-01-08 is not a row: validation starts at 01-09 (row 4); test at 01-15 (row 7)
        assertEquals(new RowRange(0, 4), s.train());
        assertEquals(new RowRange(4, 7), s.validation());
        assertEquals(new RowRange(7, 10), s.test());
        LocalDateTime[] unsorted = {t[0], t[2], t[1]};
        assertThrows(IllegalArgumentException.class, () -> Split.byTime(unsorted, t[1], t[2]));
    }

    @Test
    void windowsNeverStraddleABoundary() {
        Tensor series = TimeseriesDatasetTest.indexSeries(200, 1);
        Split split = Split.fractions(200, 0.6, 0.2);   // [0,120) [120,160) [160,200)
        Split.Parts parts = split.datasets(TimeseriesDataset.builder(series).lookback(7).samplingRate(2).horizon(3).width(2));
        check(parts.train(), split.train());
        check(parts.validation(), split.validation());
        check(parts.test(), split.test());
        // the last training window's last target row is the last training row or before it
        TimeseriesDataset tr = parts.train();
        assertTrue(tr.targetRow(tr.size() - 1, 1) <= 119);
        // the first validation window starts on the boundary, the last test target is the last row or before
        assertEquals(120, parts.validation().windowStart(0));
        assertEquals(199, parts.test().targetRow(parts.test().size() - 1, 1));
        // every row of the test part that can be a target is one: the parts' windows cover what they can
        assertEquals(160, parts.test().windowStart(0));
    }

    private static void check(TimeseriesDataset ds, RowRange part) {
        Tensor[] xy = ds.materialize();
        for (float v : xy[0].data()) assertTrue(part.contains((int) (v / 100)), "input row " + v / 100 + " outside " + part);
        for (float v : xy[1].data()) assertTrue(part.contains((int) (v / 100)), "target row " + v / 100 + " outside " + part);
    }

    @Test
    void splitNamesThePartTooShortForAWindow() {
        Tensor series = Tensor.zeros(100, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Split.fractions(100, 0.9, 0.05).datasets(TimeseriesDataset.builder(series).lookback(10)));
        assertTrue(e.getMessage().startsWith("the validation part [90, 95)"), e.getMessage());
        assertNull(Split.fractions(100, 0.8, 0).datasets(TimeseriesDataset.builder(series).lookback(10)).validation());
    }

    /** Two columns: a ramp and a sine; test-period values are whatever {@code testValue} says. */
    private static Tensor series(float testValue) {
        Tensor t = Tensor.zeros(100, 2);
        for (int r = 0; r < 100; r++) {
            boolean test = r >= 80;
            t.set(test ? testValue : r, r, 0);
            t.set(test ? -testValue : (float) Math.sin(r), r, 1);
        }
        return t;
    }

    @Test
    void statisticsComeFromTrainingRowsOnly() {
        Split split = Split.fractions(100, 0.6, 0.2);
        Normalizer a = Normalizer.zScore(series(0), split.train());
        Normalizer b = Normalizer.zScore(series(1e6f), split.train());
        assertArrayEquals(a.mean(), b.mean());
        assertArrayEquals(a.std(), b.std());
        Normalizer ma = Normalizer.minMax(series(0), split.train()), mb = Normalizer.minMax(series(1e6f), split.train());
        assertArrayEquals(ma.max(), mb.max());
        // the same fit over all rows does see the test period: the check above can fail
        assertNotEquals(Normalizer.zScore(series(0), new RowRange(0, 100)).mean()[0],
                Normalizer.zScore(series(1e6f), new RowRange(0, 100)).mean()[0]);
        // hand-computed statistics of rows 0..59 of the ramp: mean 29.5, population variance (60^2 - 1) / 12
        assertEquals(29.5, a.mean()[0], 1e-9);
        assertEquals(Math.sqrt((60.0 * 60 - 1) / 12), a.std()[0], 1e-9);
        assertEquals(0, ma.min()[0]);
        assertEquals(59, ma.max()[0]);
    }

    @Test
    void transformAndInverseRoundTrip() {
        Tensor s = series(3);
        Normalizer n = Normalizer.zScore(s, new RowRange(0, 60));
        Tensor z = n.transform(s);
        assertEquals((s.get(10, 0) - 29.5) / n.std()[0], z.get(10, 0), 1e-5);
        Tensor back = n.inverseTransform(z);
        for (int i = 0; i < s.size(); i++) assertEquals(s.data()[i], back.data()[i], 1e-4);
        // in place: the same numbers without a copy
        Tensor inPlace = s.copy();
        n.transformInPlace(inPlace);
        assertArrayEquals(z.data(), inPlace.data());
        // min-max maps the training range onto [0, 1]
        Normalizer mm = Normalizer.minMax(s, new RowRange(0, 60));
        Tensor m = mm.transform(s);
        assertEquals(0, m.get(0, 0), 1e-7);
        assertEquals(1, m.get(59, 0), 1e-7);
    }

    @Test
    void inverseTargetsBringsPredictionsBackInOriginalUnits() {
        // three columns with different scales; targets are columns 2 and 0, two steps: layout [s0c2, s0c0, s1c2, s1c0]
        Tensor s = Tensor.zeros(50, 3);
        for (int r = 0; r < 50; r++) {
            s.set(r, r, 0);
            s.set(1000 + 3 * r, r, 1);
            s.set(-5 + 0.1f * r * r, r, 2);
        }
        Normalizer n = Normalizer.zScore(s, new RowRange(0, 40));
        Tensor norm = n.transform(s);
        TimeseriesDataset ds = TimeseriesDataset.builder(norm).lookback(3).horizon(2).width(2).targetColumns(2, 0).build();
        Tensor inOriginal = n.inverseTargets(ds.targetTensor(), ds.targetColumns());
        TimeseriesDataset raw = TimeseriesDataset.builder(s).lookback(3).horizon(2).width(2).targetColumns(2, 0).build();
        Tensor expected = raw.targetTensor();
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.data()[i], inOriginal.data()[i], 1e-3);
        assertThrows(IllegalArgumentException.class, () -> n.inverseTargets(Tensor.zeros(2, 3), 2, 0));
    }

    @Test
    void constantColumnIsShiftedNotDividedByZero() {
        Tensor s = Tensor.zeros(10, 1).fill(4f);
        Normalizer n = Normalizer.zScore(s, new RowRange(0, 10));
        assertEquals(0, n.std()[0]);
        assertEquals(1, n.scale()[0]);
        assertEquals(0f, n.transform(s).get(3, 0));
    }

    @Test
    void fitRejectsNaNNamingRowAndColumn() {
        Tensor s = Tensor.zeros(10, 2);
        s.set(Float.NaN, 6, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalizer.fit(Normalizer.Method.Z_SCORE, s, new RowRange(0, 8), "temp", "wind"));
        assertTrue(e.getMessage().contains("NaN at row 6, column 'wind' (1)"), e.getMessage());
        // outside the fit rows it does not matter
        Normalizer.zScore(s, new RowRange(0, 6));
    }

    @Test
    void mapRoundTripsThroughJson() throws Exception {
        Tensor s = series(2);
        for (Normalizer.Method m : Normalizer.Method.values()) {
            Normalizer n = Normalizer.fit(m, s, new RowRange(5, 70), "ramp", "sine");
            String json = new ObjectMapper().writeValueAsString(n.toMap());
            Map<String, Object> back = new ObjectMapper().readValue(json, new TypeReference<Map<String, Object>>() {
            });
            Normalizer r = Normalizer.fromMap(back);
            assertEquals(m, r.method());
            assertEquals(new RowRange(5, 70), r.fitRows());
            assertArrayEquals(new String[]{"ramp", "sine"}, r.columnNames());
            assertArrayEquals(n.scale(), r.scale());
            assertArrayEquals(n.transform(s).data(), r.transform(s).data());
            assertTrue(json.contains("\"method\":\"" + m.key() + "\""), json);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Normalizer.fromMap(Map.of("method", "zscore", "mean", java.util.List.of(1.0), "std", "x")));
        assertTrue(e.getMessage().contains("'std' must be a list of numbers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalizer.fromMap(Map.of("method", "robust")));
    }
}
