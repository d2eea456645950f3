package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Baselines on synthetic series whose answer is known: persistence is perfect on a constant
 * series and off by exactly horizon x slope on a ramp, seasonal persistence is perfect on a
 * periodic series, and the linear model recovers an AR(2) recurrence exactly.
 */
class BaselineTest {

    private static Tensor column(int n, java.util.function.IntToDoubleFunction f) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) f.applyAsDouble(i);
        return Tensor.of(d, n, 1);
    }

    @Test
    void persistenceIsPerfectOnAConstantSeries() {
        TimeseriesDataset ds = TimeseriesDataset.builder(column(100, i -> 7.25)).lookback(5).horizon(3).width(4).build();
        Tensor pred = Baseline.persistence().predict(ds);
        assertArrayEquals(new int[]{ds.size(), 4}, pred.shape());
        assertEquals(0, ForecastMetrics.mae(pred, ds.targetTensor()));
        assertEquals(0, ForecastMetrics.rmse(pred, ds.targetTensor()));
    }

    @Test
    void persistenceOnARampIsOffByHorizonTimesSlope() {
        // x_t = 2t; the forecast for step j (row last + horizon + j) is x_last: error 2 * (horizon + j)
        TimeseriesDataset ds = TimeseriesDataset.builder(column(60, i -> 2 * i)).lookback(4).horizon(3).width(2).build();
        Tensor pred = Baseline.persistence().predict(ds);
        Tensor actual = ds.targetTensor();
        double[] perStep = ForecastMetrics.maePerOutput(pred, actual);
        assertEquals(6, perStep[0], 1e-9);
        assertEquals(8, perStep[1], 1e-9);
        assertEquals(7, ForecastMetrics.mae(pred, actual), 1e-9);
        assertEquals(Math.sqrt((36 + 64) / 2.0), ForecastMetrics.rmse(pred, actual), 1e-9);
        // the prediction is the value at the window's last input row
        for (int s = 0; s < ds.size(); s++) assertEquals(2f * ds.lastInputRow(s), pred.get(s, 0));
    }

    @Test
    void seasonalPersistenceIsPerfectOnAPeriodicSeries() {
        float[] period = {3, -1, 4, 1, -5, 9, 2};   // an arbitrary pattern repeated every 7 rows
        Tensor s = column(140, i -> period[i % 7]);
        // horizon 9 > season: the value one season before the target is still in the future, so two seasons back
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(10).horizon(9).width(8).build();
        Tensor pred = Baseline.seasonalPersistence(7).predict(ds);
        assertEquals(0, ForecastMetrics.mae(pred, ds.targetTensor()));
        // the wrong season is not perfect, nor is plain persistence: the check above can fail
        assertTrue(ForecastMetrics.mae(Baseline.seasonalPersistence(6).predict(ds), ds.targetTensor()) > 1);
        assertTrue(ForecastMetrics.mae(Baseline.persistence().predict(ds), ds.targetTensor()) > 1);
    }

    @Test
    void seasonalPersistenceReadsOnlyThePast() {
        // a series that is strictly increasing: any value read after the window's last step would be larger than x_last
        Tensor s = column(200, i -> i);
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(30).horizon(1).width(12).build();
        Tensor pred = Baseline.seasonalPersistence(5).predict(ds);
        for (int k = 0; k < ds.size(); k++) {
            for (int j = 0; j < 12; j++) {
                int t = ds.targetRow(k, j);
                int last = ds.lastInputRow(k);
                float v = pred.get(k, j);
                assertTrue(v <= last, "target row " + t + " forecast from row " + v + " after the window's end " + last);
                assertTrue(v > last - 5, "more than one season before the window's end");
                assertEquals(0, (t - (int) v) % 5);
            }
        }
        // a season longer than the history available
        TimeseriesDataset early = TimeseriesDataset.builder(s).lookback(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Baseline.seasonalPersistence(50).predict(early));
        assertTrue(e.getMessage().contains("before the start of the series"), e.getMessage());
    }

    @Test
    void baselinesFollowTheDatasetsSamplesAndColumns() {
        // two columns; target column 1 only; shuffled dataset: predictions follow the sample order
        Tensor s = Tensor.zeros(50, 2);
        for (int r = 0; r < 50; r++) {
            s.set(r, r, 0);
            s.set(-r, r, 1);
        }
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(3).targetColumns(1).shuffle(5).build();
        Tensor pred = Baseline.persistence().predict(ds);
        for (int k = 0; k < ds.size(); k++) assertEquals(-ds.lastInputRow(k), pred.get(k, 0));
        // Keras-mode targets are pre-shifted: refused
        TimeseriesDataset keras = TimeseriesDataset.kerasCompatible(s, Tensor.zeros(50), 3, 1, 1, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Baseline.persistence().predict(keras));
        assertTrue(e.getMessage().contains("kerasCompatible"), e.getMessage());
    }

    /** x_t = 10 + 3 sin(0.3 t) satisfies x_t = 2cos(0.3) x_{t-1} - x_{t-2} + 10 (2 - 2cos(0.3)): an AR(2) without noise. */
    private static Tensor ar2() {
        return column(400, i -> 10 + 3 * Math.sin(0.3 * i));
    }

    @Test
    void linearModelRecoversAnAR2RecurrenceExactly() {
        Tensor s = ar2();
        Split split = Split.fractions(400, 0.7, 0);
        Split.Parts parts = split.datasets(TimeseriesDataset.builder(s).lookback(2));
        LinearBaseline lin = LinearBaseline.fit(parts.train(), 0);
        double c = Math.cos(0.3);
        // window step 0 is x_{t-2}, step 1 is x_{t-1}
        assertEquals(-1, lin.weight(0, 0, 0), 1e-3);
        assertEquals(2 * c, lin.weight(1, 0, 0), 1e-3);
        assertEquals(10 * (2 - 2 * c), lin.bias(0), 1e-2);
        Tensor pred = lin.predict(parts.test());
        assertTrue(ForecastMetrics.mae(pred, parts.test().targetTensor()) < 1e-4,
                "MAE " + ForecastMetrics.mae(pred, parts.test().targetTensor()));
        // persistence on the same samples is far worse
        assertTrue(ForecastMetrics.mae(Baseline.persistence().predict(parts.test()), parts.test().targetTensor()) > 0.3);
    }

    @Test
    void linearModelForecastsSeveralStepsAhead() {
        // every future value of the sinusoid is a linear function of two past ones, so multi-step is exact too
        Tensor s = ar2();
        Split.Parts parts = Split.fractions(400, 0.7, 0).datasets(TimeseriesDataset.builder(s).lookback(2).horizon(5).width(3));
        LinearBaseline lin = LinearBaseline.fit(parts.train(), 0);
        Tensor pred = lin.predict(parts.test());
        assertArrayEquals(new int[]{parts.test().size(), 3}, pred.shape());
        assertTrue(ForecastMetrics.mae(pred, parts.test().targetTensor()) < 1e-3);
    }

    @Test
    void ridgeShrinksWeightsAndRescuesCollinearWindows() {
        // a constant second column makes the windows collinear with the bias: plain least squares is singular
        Tensor s = Tensor.zeros(200, 2);
        SplittableRandom r = new SplittableRandom(1);
        float x = 0;
        for (int i = 0; i < 200; i++) {
            x = 0.8f * x + (float) r.nextGaussian();   // AR(1): the last step predicts the next one
            s.set(x, i, 0);
            s.set(1f, i, 1);
        }
        TimeseriesDataset ds = TimeseriesDataset.builder(s).lookback(3).targetColumns(0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LinearBaseline.fit(ds, 0));
        assertTrue(e.getMessage().contains("singular") && e.getMessage().contains("use a ridge > 0"), e.getMessage());
        LinearBaseline small = LinearBaseline.fit(ds, 1e-3), large = LinearBaseline.fit(ds, 1e5);
        double normSmall = 0, normLarge = 0;
        for (int t = 0; t < 3; t++) {
            normSmall += Math.abs(small.weight(t, 0, 0));
            normLarge += Math.abs(large.weight(t, 0, 0));
        }
        assertEquals(0.8, small.weight(2, 0, 0), 0.2);
        assertTrue(normLarge < normSmall / 10, normLarge + " vs " + normSmall);
    }

    @Test
    void choleskySolvesAKnownSystem() {
        // A = [[4, 2, 0], [2, 5, 3], [0, 3, 6]], x = [1, -2, 0.5] -> b = A x = [0, -6.5, -3]
        double[] a = {4, 2, 0, 2, 5, 3, 0, 3, 6};
        double[] b = {0, -6.5, -3};
        assertTrue(LinearBaseline.choleskyInPlace(a, 3));
        LinearBaseline.choleskySolve(a, 3, b, 1);
        assertArrayEquals(new double[]{1, -2, 0.5}, b, 1e-12);
        assertTrue(!LinearBaseline.choleskyInPlace(new double[]{1, 2, 2, 4}, 2));   // singular
    }

    @Test
    void metricsInOriginalUnits() {
        // a series in degrees; the model works on z-scores; errors are reported in degrees
        Tensor s = column(100, i -> 15 + 8 * Math.sin(i / 5.0));
        Normalizer n = Normalizer.zScore(s, new RowRange(0, 70));
        Tensor z = n.transform(s);
        TimeseriesDataset raw = TimeseriesDataset.builder(s).lookback(4).horizon(2).startIndex(70).build();
        TimeseriesDataset norm = TimeseriesDataset.builder(z).lookback(4).horizon(2).startIndex(70).build();
        double inDegrees = ForecastMetrics.mae(Baseline.persistence().predict(raw), raw.targetTensor());
        double fromZ = ForecastMetrics.mae(Baseline.persistence().predict(norm), norm.targetTensor(), n, norm.targetColumns());
        double plainZ = ForecastMetrics.mae(Baseline.persistence().predict(norm), norm.targetTensor());
        assertEquals(inDegrees, fromZ, 1e-4);
        assertEquals(inDegrees / n.std()[0], plainZ, 1e-4);
        assertEquals(ForecastMetrics.rmse(Baseline.persistence().predict(raw), raw.targetTensor()),
                ForecastMetrics.rmse(Baseline.persistence().predict(norm), norm.targetTensor(), n, 0), 1e-4);
        assertThrows(IllegalArgumentException.class, () -> ForecastMetrics.mae(Tensor.zeros(2, 1), Tensor.zeros(1, 2)));
    }
}
