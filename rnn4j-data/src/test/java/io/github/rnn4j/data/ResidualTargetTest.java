package io.github.rnn4j.data;

import io.github.rnn4j.models.Dataset;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResidualTarget}: the delta targets are the hand-computed changes from each window's last
 * step (read straight from the series array, not through the class), the inverse gives the levels
 * back to float rounding, a zero output is bit-for-bit the persistence baseline, the fitted scale
 * is the known RMS change of a ramp, and the scales survive a map round trip.
 */
class ResidualTargetTest {
    /** Three columns: a noisy walk, a ramp, noise; row-major (rows, 3). */
    private static Tensor series(int rows) {
        SplittableRandom r = new SplittableRandom(11);
        float[] d = new float[rows * 3];
        double walk = 5;
        for (int i = 0; i < rows; i++) {
            walk += r.nextGaussian();
            d[i * 3] = (float) walk;
            d[i * 3 + 1] = 0.5f * i - 3;
            d[i * 3 + 2] = (float) r.nextGaussian();
        }
        return Tensor.of(d, rows, 3);
    }

    private static TimeseriesDataset windows(Tensor s) {
        // lookback 4 every 2nd row, horizon 3, two steps 2 rows apart, targets columns 2 and 0
        return TimeseriesDataset.builder(s).lookback(4).samplingRate(2).horizon(3).width(2).targetSamplingRate(2)
                .targetColumns(2, 0).build();
    }

    @Test
    void wrappedTargetsAreTheScaledChangesFromTheLastStep() {
        Tensor s = series(80);
        TimeseriesDataset ds = windows(s);
        ResidualTarget rt = ResidualTarget.of(0.5, 4.0);
        Dataset deltas = rt.wrap(ds);
        assertEquals(ds.size(), deltas.size());
        int n = ds.size();
        Tensor x = Tensor.zeros(n, 4, 3), y = Tensor.zeros(n, 4);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (i * 7) % n;   // 7 and n coprime: a permutation
        assertEquals(1, java.math.BigInteger.valueOf(7).gcd(java.math.BigInteger.valueOf(n)).intValue());
        deltas.gather(idx, 0, n, new Tensor[]{x}, new Tensor[]{y});
        float[] a = s.data();
        int[] cols = {2, 0};
        double[] scale = {0.5, 4.0};
        for (int b = 0; b < n; b++) {
            int p = idx[b];                       // window start (stride 1, start 0)
            int last = p + 3 * 2;
            for (int j = 0; j < 2; j++) {
                int t = last + 3 + 2 * j;
                for (int k = 0; k < 2; k++) {
                    double expected = ((double) a[t * 3 + cols[k]] - a[last * 3 + cols[k]]) / scale[k];
                    assertEquals(expected, y.data()[b * 4 + j * 2 + k], 1e-6 * (1 + Math.abs(expected)), "sample " + b);
                }
            }
            assertEquals(a[last * 3 + 1], x.data()[b * 12 + 3 * 3 + 1], "inputs are unchanged");
        }
    }

    @Test
    void toLevelsInvertsToDeltasToFloatRounding() {
        TimeseriesDataset ds = windows(series(120));
        ResidualTarget rt = ResidualTarget.fit(ds);
        Tensor levels = ds.targetTensor();
        Tensor deltas = rt.toDeltas(ds, levels);
        Tensor back = rt.toLevels(ds, deltas);
        for (int i = 0; i < levels.size(); i++) {
            float l = levels.data()[i];
            assertEquals(l, back.data()[i], 2 * Math.ulp(Math.max(Math.abs(l), 1f)), "value " + i);
        }
        // the wrapped dataset's targets are exactly what toDeltas computes
        Tensor y = Tensor.zeros(ds.size(), 4);
        rt.wrap(ds).gather(null, 0, ds.size(), new Tensor[]{Tensor.zeros(ds.size(), 4, 3)}, new Tensor[]{y});
        assertArrayEquals(deltas.data(), y.data());
        // and in double arithmetic the two scalar maps invert each other
        assertEquals(3.75, rt.level(1.25, rt.delta(1.25, 3.75, 1), 1), 1e-12);
    }

    @Test
    void zeroOutputIsExactlyPersistence() {
        TimeseriesDataset ds = windows(series(90));
        ResidualTarget rt = ResidualTarget.fit(ds);
        Tensor forecast = rt.toLevels(ds, Tensor.zeros(ds.size(), 4));
        assertArrayEquals(Baseline.persistence().predict(ds).data(), forecast.data());
        // and the persistence forecast's changes are all zero
        Tensor d = rt.toDeltas(ds, Baseline.persistence().predict(ds));
        for (float v : d.data()) assertEquals(0f, v);
    }

    @Test
    void fittedScaleIsTheRmsChangeOverTheTrainingWindows() {
        // column 1 is the ramp 0.5 i - 3: every change over h rows is 0.5 h; steps 3 and 5 rows ahead -> rms sqrt((1.5^2 + 2.5^2) / 2)
        Tensor s = series(100);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(4).horizon(3).width(2).targetSamplingRate(2).targetColumns(1).build();
        assertEquals(Math.sqrt((1.5 * 1.5 + 2.5 * 2.5) / 2), ResidualTarget.fit(ds).scale()[0], 1e-6);
        // a constant column gets scale 1, not 0
        Tensor c = Tensor.of(new float[]{2, 2, 2, 2, 2, 2, 2, 2}, 8, 1);
        assertEquals(1.0, ResidualTarget.fit(TimeseriesDataset.builder(c).lookback(2).build()).scale()[0]);
    }

    @Test
    void scalesRoundTripThroughAMap() {
        ResidualTarget rt = ResidualTarget.of(0.125, 3.5);
        Map<String, Object> m = rt.toMap();
        assertArrayEquals(rt.scale(), ResidualTarget.fromMap(m).scale());
        assertArrayEquals(new double[]{2.0}, ResidualTarget.fromMap(Map.of("scale", java.util.List.of(2))).scale());
        assertThrows(IllegalArgumentException.class, () -> ResidualTarget.fromMap(Map.of("scale", java.util.List.of(0.0))));
        assertThrows(IllegalArgumentException.class, () -> ResidualTarget.fromMap(Map.of()));
    }

    @Test
    void mismatchesAreRefused() {
        TimeseriesDataset ds = windows(series(60));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResidualTarget.unscaled(1).wrap(ds));
        assertTrue(e.getMessage().contains("2 target column"), e.getMessage());
        TimeseriesDataset keras = TimeseriesDataset.kerasCompatible(new float[]{1, 2, 3, 4, 5, 6}, new float[]{1, 2, 3, 4, 5, 6}, 2, 1, 1, null, null);
        assertThrows(IllegalArgumentException.class, () -> ResidualTarget.fit(keras));
        assertThrows(IllegalArgumentException.class, () -> ResidualTarget.unscaled(2).toLevels(Tensor.zeros(3, 3), Tensor.zeros(3, 2)));
    }
}
