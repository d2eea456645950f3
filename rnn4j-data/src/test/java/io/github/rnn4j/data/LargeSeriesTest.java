package io.github.rnn4j.data;

import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Windows over a series of 20 million rows (80 MB of floats) stay index arithmetic: building
 * the dataset, its splits and gathering batches allocate next to nothing, while copying the
 * windows would take 20M x 48 floats (3.8 GB). Measured with the JVM's per-thread allocation
 * counter, which counts every byte this thread allocates.
 */
class LargeSeriesTest {
    static final int ROWS = 20_000_000;
    static final int LOOKBACK = 48;

    private static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().threadId());
    }

    @Test
    void tensOfMillionsOfRowsInBoundedMemory() {
        Tensor series = Tensor.zeros(ROWS, 1);
        float[] d = series.data();
        for (int i = 0; i < ROWS; i++) d[i] = i * 0.5f;

        // warm-up on a small series, so class loading is not counted below
        Split.fractions(100, 0.8, 0.1).datasets(TimeseriesDataset.builder(Tensor.zeros(100, 1)).lookback(4));

        long before = allocated();
        TimeseriesDataset ds = TimeseriesDataset.builder(series).lookback(LOOKBACK).horizon(1).build();
        long buildBytes = allocated() - before;

        assertEquals(ROWS - LOOKBACK, ds.size());
        assertSame(d, ds.backingArray());
        long copyBytes = (long) ds.size() * LOOKBACK * Float.BYTES;           // what materializing the windows would take
        long seriesBytes = (long) d.length * Float.BYTES;
        assertTrue(buildBytes < 64 * 1024, "building " + ds.size() + " windows allocated " + buildBytes + " bytes");
        assertTrue(copyBytes > 40 * seriesBytes, "copies would be " + copyBytes + " bytes vs the series' " + seriesBytes);

        // a chronological split: three more datasets, still nothing per window
        before = allocated();
        Split split = Split.fractions(ROWS, 0.8, 0.1);
        Split.Parts parts = split.datasets(TimeseriesDataset.builder(series).lookback(LOOKBACK));
        long splitBytes = allocated() - before;
        assertTrue(splitBytes < 64 * 1024, "split datasets allocated " + splitBytes + " bytes");
        assertEquals(16_000_000 - LOOKBACK, parts.train().size());

        // gathering a batch of random windows into reused tensors allocates nothing
        int batch = 1024;
        Tensor[] xs = {Tensor.zeros(batch, LOOKBACK, 1)}, ys = {Tensor.zeros(batch, 1)};
        int[] idx = new int[batch];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < batch; i++) idx[i] = r.nextInt(ds.size());
        ds.gather(idx, 0, batch, xs, ys);   // warm-up (class loading, JIT)
        before = allocated();
        for (int rep = 0; rep < 20; rep++) ds.gather(idx, 0, batch, xs, ys);
        long gatherBytes = allocated() - before;
        assertTrue(gatherBytes < 4096, "20 gathers of " + batch + " windows allocated " + gatherBytes + " bytes");

        // and the gathered values are the windows' own values
        for (int b = 0; b < batch; b += 97) {
            int p = idx[b];
            for (int i = 0; i < LOOKBACK; i += 11) assertEquals(d[p + i], xs[0].get(b, i, 0));
            assertEquals(d[p + LOOKBACK], ys[0].get(b, 0));
        }

        // shuffling once costs one int per window: O(rows), never O(rows x lookback)
        before = allocated();
        TimeseriesDataset shuffled = ds.shuffled(3);
        long shuffleBytes = allocated() - before;
        assertTrue(shuffleBytes <= (long) ds.size() * Integer.BYTES + 64 * 1024, "shuffle allocated " + shuffleBytes);
        assertSame(d, shuffled.backingArray());
    }
}
