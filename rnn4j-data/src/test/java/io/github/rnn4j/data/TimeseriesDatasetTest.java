package io.github.rnn4j.data;

import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Window index arithmetic of {@link TimeseriesDataset}: against windows computed by hand, against
 * the examples in Keras's documentation of {@code timeseries_dataset_from_array}, and
 * {@code gather} against a direct slice of the array.
 */
class TimeseriesDatasetTest {

    /** A series whose value at (row, column) is {@code 100 * row + column}, so every value names its place. */
    static Tensor indexSeries(int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) d[r * cols + c] = 100f * r + c;
        return Tensor.of(d, rows, cols);
    }

    static float[] range(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return d;
    }

    /** The input rows of every sample, read back from gathered values of a 1-column index series. */
    static int[][] windowsOf(TimeseriesDataset ds) {
        Tensor x = Tensor.zeros(ds.size(), ds.sequenceLength(), 1);
        ds.gather(null, 0, ds.size(), new Tensor[]{x}, null);
        int[][] w = new int[ds.size()][ds.sequenceLength()];
        for (int s = 0; s < ds.size(); s++) for (int i = 0; i < ds.sequenceLength(); i++) w[s][i] = (int) x.get(s, i, 0);
        return w;
    }

    // ---- Keras's documented examples -------------------------------------------------------

    @Test
    void kerasExample1IndicesWithSamplingRateAndStride() {
        // "Consider indices [0, 1, ... 98]. With sequence_length=10, sampling_rate=2, sequence_stride=3"
        TimeseriesDataset ds = TimeseriesDataset.kerasCompatible(range(99), null, 10, 3, 2, null, null);
        int[][] w = windowsOf(ds);
        assertArrayEquals(new int[]{0, 2, 4, 6, 8, 10, 12, 14, 16, 18}, w[0]);
        assertArrayEquals(new int[]{3, 5, 7, 9, 11, 13, 15, 17, 19, 21}, w[1]);
        assertArrayEquals(new int[]{6, 8, 10, 12, 14, 16, 18, 20, 22, 24}, w[2]);
        assertArrayEquals(new int[]{78, 80, 82, 84, 86, 88, 90, 92, 94, 96}, w[w.length - 1]);
        // windows start at 0, 3, ..., 78: 27 of them ("the last 2 data points are discarded")
        assertEquals(27, ds.size());
        assertEquals(0, ds.targetShapes().length);
    }

    @Test
    void kerasExample2TemporalRegression() {
        // input_data = data[:-10]; targets = data[10:]; sequence_length=10
        float[] data = new float[30];
        for (int i = 0; i < data.length; i++) data[i] = 0.5f * i * i - 3;
        float[] input = Arrays.copyOfRange(data, 0, 20), targets = Arrays.copyOfRange(data, 10, 30);
        TimeseriesDataset ds = TimeseriesDataset.kerasCompatible(input, targets, 10, 1, 1, null, null);
        Tensor[] xy = ds.materialize();
        for (int i = 0; i < 10; i++) assertEquals(data[i], xy[0].get(0, i, 0));   // inputs[0] == data[:10]
        assertEquals(data[10], xy[1].get(0, 0));                                    // targets[0] == data[10]
        // every window k: inputs data[k..k+9], target data[k+10]
        assertEquals(11, ds.size());
        for (int k = 0; k < ds.size(); k++) {
            for (int i = 0; i < 10; i++) assertEquals(data[k + i], xy[0].get(k, i, 0));
            assertEquals(data[k + 10], xy[1].get(k, 0));
        }
        assertArrayEquals(new int[]{1}, ds.targetShapes()[0]);
    }

    @Test
    void kerasExample3NonOverlappingManyToMany() {
        float[] x = range(100);
        float[] y = new float[100];
        for (int i = 0; i < 100; i++) y[i] = 2 * x[i];
        TimeseriesDataset in = TimeseriesDataset.kerasCompatible(x, null, 20, 20, 1, null, null);
        TimeseriesDataset out = TimeseriesDataset.kerasCompatible(y, null, 20, 20, 1, null, null);
        assertEquals(5, in.size());
        Tensor xi = in.materialize()[0], yi = out.materialize()[0];
        for (int i = 0; i < 20; i++) {
            assertEquals(x[i], xi.get(0, i, 0));                // inputs[0] == X[:20]
            assertEquals(y[20 + i], yi.get(1, i, 0));           // targets[1] == Y[20:40]
        }
    }

    @Test
    void kerasCountFormulaWithStartAndEndIndex() {
        // num_seqs = end - start - (L - 1) * r = 40 - 5 - 4 * 3 = 23; starts 5, 9, ..., 5 + 20 (stride 4): 6 windows
        float[] t = range(50);
        for (int i = 0; i < t.length; i++) t[i] += 1000;
        TimeseriesDataset ds = TimeseriesDataset.kerasCompatible(range(50), t, 5, 4, 3, 5, 40);
        assertEquals(6, ds.size());
        int[][] w = windowsOf(ds);
        assertArrayEquals(new int[]{5, 8, 11, 14, 17}, w[0]);
        assertArrayEquals(new int[]{25, 28, 31, 34, 37}, w[5]);
        // target of the window starting at row p is targets[p]
        Tensor y = ds.targetTensor();
        for (int k = 0; k < 6; k++) assertEquals(1000 + 5 + 4 * k, y.get(k, 0));
        // the last window's last step (37) is below end_index (40)
        assertTrue(w[5][4] < 40);
    }

    @Test
    void kerasCapsWindowsAtTheTargetsLength() {
        // num_seqs = min(20 - 2, len(targets) = 7) = 7: windows start at 0..6
        TimeseriesDataset ds = TimeseriesDataset.kerasCompatible(range(20), range(7), 3, 1, 1, null, null);
        assertEquals(7, ds.size());
        // with a start index the cap is still len(targets), so targets[start + p] runs past the end: Keras fails later, here at once
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimeseriesDataset.kerasCompatible(range(20), range(7), 3, 1, 1, 4, null));
        assertTrue(e.getMessage().contains("targets has 7 rows"), e.getMessage());
    }

    @Test
    void kerasArgumentChecksAsInKeras() {
        float[] d = range(10);
        assertMessage("`start_index` must be 0 or greater", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, -1, null));
        assertMessage("`start_index` must be lower than the length of the data",
                () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, 10, null));
        assertMessage("`end_index` must be higher than `start_index`",
                () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, 5, 5));
        // Keras refuses an explicit end_index equal to len(data)
        assertMessage("`end_index` must be lower than the length of the data",
                () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, null, 10));
        assertMessage("`end_index` must be higher than 0", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, null, -3));
        assertMessage("`sampling_rate` must be higher than 0", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 0, null, null));
        assertMessage("`sampling_rate` must be lower than the length", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 1, 10, null, null));
        assertMessage("`sequence_stride` must be higher than 0", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 0, 1, null, null));
        assertMessage("`sequence_stride` must be lower than the length", () -> TimeseriesDataset.kerasCompatible(d, null, 2, 10, 1, null, null));
        // 0 means "not given" for start_index, as Keras's truthiness test has it
        assertEquals(9, TimeseriesDataset.kerasCompatible(d, null, 2, 1, 1, 0, null).size());
        // a window longer than the data gives an empty dataset, as in Keras
        assertEquals(0, TimeseriesDataset.kerasCompatible(d, null, 11, 1, 1, null, null).size());
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(expected), "message was: " + ex.getMessage());
    }

    // ---- forecasting windows, by hand ------------------------------------------------------

    @Test
    void forecastWindowsByHand() {
        // rows 0..29, lookback 4, samplingRate 2, stride 3, horizon 5, width 2, targetSamplingRate 1.
        // window at p: inputs p, p+2, p+4, p+6; last = p+6; targets p+11, p+12. Span = 13 rows.
        // rows [2, 27): p = 2, 5, 8, 11, 14 (14 + 12 = 26 < 27; 17 + 12 = 29 >= 27) -> 5 windows
        Tensor s = indexSeries(30, 1);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(4).samplingRate(2).sequenceStride(3).horizon(5).width(2)
                .startIndex(2).endIndex(27).build();
        assertEquals(5, ds.size());
        int[][] w = windowsOf(ds);
        assertArrayEquals(new int[]{200, 400, 600, 800}, w[0]);
        assertArrayEquals(new int[]{1400, 1600, 1800, 2000}, w[4]);
        Tensor y = ds.targetTensor();
        assertArrayEquals(new float[]{1300, 1400}, row(y, 0));
        assertArrayEquals(new float[]{2500, 2600}, row(y, 4));
        assertEquals(8, ds.lastInputRow(0));
        assertEquals(13, ds.targetRow(0, 0));
        assertEquals(26, ds.targetRow(4, 1));
    }

    private static float[] row(Tensor t, int r) {
        int k = t.dim(1);
        return Arrays.copyOfRange(t.data(), r * k, (r + 1) * k);
    }

    @Test
    void windowAndTargetNeverPassEndIndex() {
        Tensor s = indexSeries(100, 1);
        for (int len = 1; len <= 6; len++) {
            for (int rate = 1; rate <= 3; rate++) {
                for (int stride = 1; stride <= 4; stride++) {
                    for (int h = 0; h <= 3; h++) {
                        for (int width = 1; width <= 3; width++) {
                            TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(len).samplingRate(rate)
                                    .sequenceStride(stride).horizon(h).width(width).targetSamplingRate(2)
                                    .startIndex(7).endIndex(61).build();
                            int n = 0;
                            // brute force: every start p from 7 on, stride apart, whose last target row is < 61
                            for (int p = 7; p + (len - 1) * rate + h + (width - 1) * 2 < 61; p += stride) {
                                assertEquals(p, ds.windowStart(n));
                                assertEquals(p + (len - 1) * rate + h + (width - 1) * 2, ds.targetRow(n, width - 1));
                                n++;
                            }
                            assertEquals(n, ds.size(), "len " + len + " rate " + rate + " stride " + stride);
                        }
                    }
                }
            }
        }
    }

    @Test
    void gatherEqualsDirectSliceWithChosenColumns() {
        // 5 columns; features 3, 0, 4 (not contiguous, reordered), targets columns 2 and 1, 3 steps every 2 rows
        Tensor s = indexSeries(60, 5);
        float[] d = s.data();
        TimeseriesDataset ds = TimeseriesDataset.builder(s).features(3, 0, 4).targetColumns(2, 1).lookback(6).samplingRate(3)
                .sequenceStride(2).horizon(4).width(3).targetSamplingRate(2).build();
        assertArrayEquals(new int[]{6, 3}, ds.inputShapes()[0]);
        assertArrayEquals(new int[]{6}, ds.targetShapes()[0]);
        int[] indices = {5, 0, ds.size() - 1, 3, 3};
        Tensor x = Tensor.zeros(4, 6, 3).fill(-1), y = Tensor.zeros(4, 6).fill(-1);
        ds.gather(indices, 1, 5, new Tensor[]{x}, new Tensor[]{y});
        int[] feats = {3, 0, 4}, tcols = {2, 1};
        for (int b = 0; b < 4; b++) {
            int p = ds.windowStart(indices[1 + b]);
            assertEquals(2 * indices[1 + b], p);
            for (int i = 0; i < 6; i++) {
                for (int f = 0; f < 3; f++) assertEquals(d[(p + i * 3) * 5 + feats[f]], x.get(b, i, f));
            }
            int last = p + 15;
            for (int j = 0; j < 3; j++) {
                for (int c = 0; c < 2; c++) assertEquals(d[(last + 4 + 2 * j) * 5 + tcols[c]], y.get(b, j * 2 + c));
            }
        }
        // contiguous features take the arraycopy path: same values
        TimeseriesDataset contiguous = TimeseriesDataset.builder(s).features(1, 2, 3).lookback(6).build();
        Tensor xc = contiguous.materialize()[0];
        for (int i = 0; i < 6; i++) for (int f = 0; f < 3; f++) assertEquals(d[(7 + i) * 5 + 1 + f], xc.get(7, i, f));
    }

    @Test
    void gatherChecksBatchShapes() {
        TimeseriesDataset ds = TimeseriesDataset.builder(indexSeries(20, 2)).lookback(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ds.gather(null, 0, 4, new Tensor[]{Tensor.zeros(4, 3, 1)}, null));
        assertTrue(e.getMessage().contains("[4, 3, 1]") && e.getMessage().contains("[4, 3, 2]"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> ds.gather(null, 0, 4, new Tensor[]{Tensor.zeros(4, 3, 2)}, new Tensor[]{Tensor.zeros(4, 1)}));
        assertTrue(e2.getMessage().contains("target batch"), e2.getMessage());
    }

    @Test
    void separateTargetArrayOnTheSameTimeAxis() {
        Tensor s = indexSeries(20, 2);
        float[] t = new float[20];
        for (int i = 0; i < 20; i++) t[i] = -i;
        TimeseriesDataset ds = TimeseriesDataset.builder(s).targets(Tensor.of(t, 20)).lookback(3).horizon(2).build();
        Tensor y = ds.targetTensor();
        for (int k = 0; k < ds.size(); k++) assertEquals(-(k + 2 + 2), y.get(k, 0));
        assertMessage("targets have 19 rows", () -> TimeseriesDataset.builder(s).targets(Tensor.zeros(19)).lookback(3).build());
    }

    @Test
    void shuffleIsASeededPermutationOfTheSameWindows() {
        Tensor s = indexSeries(200, 1);
        TimeseriesDataset plain = TimeseriesDataset.builder(s).lookback(5).build();
        TimeseriesDataset a = TimeseriesDataset.builder(s).lookback(5).shuffle(42).build();
        TimeseriesDataset b = plain.shuffled(42);
        TimeseriesDataset c = plain.shuffled(43);
        assertEquals(plain.size(), a.size());
        Set<Integer> starts = new HashSet<>();
        boolean moved = false, differs = false;
        for (int i = 0; i < a.size(); i++) {
            starts.add(a.windowStart(i));
            assertEquals(a.windowStart(i), b.windowStart(i));     // same seed, same order
            moved |= a.windowStart(i) != plain.windowStart(i);
            differs |= a.windowStart(i) != c.windowStart(i);
        }
        assertEquals(plain.size(), starts.size());                 // a permutation: every window once
        assertTrue(moved && differs);
        // gathered values still match their window
        Tensor[] xy = a.materialize();
        for (int i = 0; i < a.size(); i++) {
            assertEquals(100f * a.windowStart(i), xy[0].get(i, 0, 0));
            assertEquals(100f * (a.windowStart(i) + 5), xy[1].get(i, 0));
        }
    }

    @Test
    void inputsOnlyWindowsReachTheLastRow() {
        Tensor s = indexSeries(10, 1);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(4).inputsOnly().build();
        assertEquals(7, ds.size());                     // starts 0..6; the newest window ends on row 9
        assertEquals(9, ds.lastInputRow(ds.size() - 1));
        assertFalse(ds.hasTargets());
        assertEquals(0, ds.targetShapes().length);
        assertEquals(1, ds.materialize().length);
    }

    @Test
    void builderErrorsNameTheOption() {
        Tensor s = indexSeries(10, 2);
        assertMessage("sequenceLength (lookback) is not set", () -> TimeseriesDataset.builder(s).build());
        assertMessage("samplingRate must be positive, got 0", () -> TimeseriesDataset.builder(s).lookback(2).samplingRate(0).build());
        assertMessage("horizon must be 0 or more, got -1", () -> TimeseriesDataset.builder(s).lookback(2).horizon(-1).build());
        assertMessage("column 2 is outside the 2 columns", () -> TimeseriesDataset.builder(s).lookback(2).features(0, 2).build());
        assertMessage("endIndex 11", () -> TimeseriesDataset.builder(s).lookback(2).endIndex(11).build());
        // lookback 4, rate 2, horizon 3, width 2 needs (4-1)*2 + 3 + 1 + 1 = 11 rows; there are 10
        assertMessage("fewer than the 11 one window and its target span",
                () -> TimeseriesDataset.builder(s).lookback(4).samplingRate(2).horizon(3).width(2).build());
        assertEquals(1, TimeseriesDataset.builder(indexSeries(11, 2)).lookback(4).samplingRate(2).horizon(3).width(2).build().size());
    }

    @Test
    void validateNamesTheRowColumnAndWindowOfTheFirstBadValue() {
        Tensor s = indexSeries(30, 3);
        s.set(Float.NaN, 12, 1);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(4).targetColumns(2).columnNames("a", "b", "c").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ds::validate);
        // the first window reading row 12 starts at row 9 (rows 9..12)
        assertTrue(e.getMessage().contains("column 'b' (1) is NaN at row 12, read by the window starting at row 9"), e.getMessage());
        // column 1 not used: fine
        TimeseriesDataset other = TimeseriesDataset.builder(s).features(0, 2).lookback(4).targetColumns(2).build();
        other.validate();
        // a NaN in a row no window reads (stride 5 and rate 1 skip row 4 of windows of 3) is not reported
        Tensor t = indexSeries(30, 1);
        t.set(Float.POSITIVE_INFINITY, 3, 0);
        TimeseriesDataset skip = TimeseriesDataset.builder(t).lookback(3).sequenceStride(5).inputsOnly().build();
        skip.validate();
        t.set(Float.POSITIVE_INFINITY, 21, 0);   // read by the window at 20 (rows 20..22)
        assertMessage("is Infinity at row 21, read by the window starting at row 20", skip::validate);
        // a bad target value
        Tensor u = indexSeries(30, 1);
        u.set(Float.NaN, 29, 0);
        assertMessage("target column 0 is NaN at row 29, the target of the window starting at row 25",
                () -> TimeseriesDataset.builder(u).lookback(4).build().validate());
    }

    @Test
    void windowsShareTheCallersArray() {
        Tensor s = indexSeries(50, 2);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(5).build();
        assertSame(s.data(), ds.backingArray());
        Dataset asCore = ds;   // what Model.fit reads
        Tensor x = Tensor.zeros(1, 5, 2);
        s.set(-7f, 3, 1);      // a change to the series is seen by the next gather: no copy was made
        asCore.gather(new int[]{0}, 0, 1, new Tensor[]{x}, null);
        assertEquals(-7f, x.get(0, 3, 1));
        assertNotEquals(0, ds.size());
    }
}
