package io.github.rnn4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Packed weights and parallel regions, the two kernel features the split recurrent time loop
 * stands on: {@link Kernels#gemmPacked} on every aligned column range against the plain GEMM of
 * the same columns (both transpose layouts of B, row counts around the 6-, 5- and 4-row tiles, column
 * counts around the panels, k across a packing slice), nothing written outside the range, and
 * the same bits for a column whatever range it is computed in; {@link Kernels#parallel} with a
 * {@link PhaseQueue} runs phases in order on the pool's threads, finishes with one thread alone,
 * and passes a chunk's failure to the caller without leaving the others waiting.
 */
class PackedGemmTest {
    private final PlainKernels plain = new PlainKernels();
    private final VectorKernels vector = new VectorKernels(1);

    @Test
    void packedProductsMatchPlainOnEveryAlignedRange() {
        SplittableRandom r = new SplittableRandom(5);
        int nr = vector.columnAlign();
        for (boolean transB : new boolean[]{false, true}) {
            for (int m : new int[]{1, 2, 3, 4, 5, 6, 8, 9, 13, 14, 32}) {   // 6-, 5- and 4-row tiles, leftover rows
                // up to seven panels: the one-row path takes four, two, then one at a time
                for (int n : new int[]{1, nr - 1, nr, nr + 1, 40, 3 * nr, 4 * nr + 3, 7 * nr}) {
                    int kp = VectorKernels.KP_MAX;
                    for (int k : new int[]{1, 7, 40, kp, kp + 1, 2 * kp + 3}) {   // one, two and three k slices
                        // the row tiling does not depend on the depth: the deep cases take a few batch sizes
                        if (k > 40 && m != 1 && m != 5 && m != 14 && m != 32) continue;
                        // the wide ones are for the one-row path's blocks: the leftover rows, two slices at most
                        if (n > 3 * nr && (k > kp + 1 || (m != 1 && m != 9 && m != 13))) continue;
                        int ldb = (transB ? k : n) + 3, bOff = 2, lda = k + 1, aOff = 1, ldc = n + 2, cOff = 3;
                        float[] b = random(r, bOff + (transB ? n : k) * ldb);
                        float[] a = random(r, aOff + m * lda);
                        float[] c0 = random(r, cOff + m * ldc);
                        for (Kernels kern : new Kernels[]{vector, plain}) {
                            PackedMatrix p = kern.pack(transB, k, n, b, bOff, ldb, null);
                            int align = kern.columnAlign();
                            for (int j0 = 0; j0 < n; j0 += align) {
                                for (int j1 = j0 + 1; j1 <= n; j1 += Math.max(1, (n - j0) / 3)) {
                                    for (float beta : new float[]{0f, 1f}) {
                                        float[] want = c0.clone(), got = c0.clone();
                                        plain.gemm(false, transB, m, j1 - j0, k, 1f, a, aOff, lda, b,
                                                transB ? bOff + j0 * ldb : bOff + j0, ldb, beta, want, cOff + j0, ldc);
                                        kern.gemmPacked(m, j0, j1, a, aOff, lda, p, beta, got, cOff, ldc);
                                        String what = kern.name() + " transB=" + transB + " m=" + m + " n=" + n
                                                + " k=" + k + " columns [" + j0 + ", " + j1 + ") beta=" + beta;
                                        compare(what, want, got, c0, m, ldc, cOff + j0, j1 - j0, k);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aColumnHasTheSameBitsWhateverRangeComputesIt() {
        SplittableRandom r = new SplittableRandom(8);
        // rows in two 5-row tiles and a 4-row tile; k in two slices
        int nr = vector.columnAlign(), m = 14, n = 3 * nr + 5, k = VectorKernels.KP_MAX + 45;
        float[] b = random(r, k * n), a = random(r, m * k);
        PackedMatrix p = vector.pack(false, k, n, b, 0, n, null);
        float[] whole = new float[m * n], pieces = new float[m * n];
        vector.gemmPacked(m, 0, n, a, 0, k, p, 0f, whole, 0, n);
        vector.gemmPacked(m, 0, nr, a, 0, k, p, 0f, pieces, 0, n);
        vector.gemmPacked(m, nr, 2 * nr, a, 0, k, p, 0f, pieces, 0, n);
        vector.gemmPacked(m, 2 * nr, n, a, 0, k, p, 0f, pieces, 0, n);
        assertArrayEquals(whole, pieces);
        // and each row alone (the batch-1 path) gives the row's bits of the full product, whatever
        // tile computed it there
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            vector.gemmPacked(1, 0, n, a, i * k, k, p, 0f, row, 0, n);
            for (int j = 0; j < n; j++) {
                assertEquals(Float.floatToRawIntBits(whole[i * n + j]), Float.floatToRawIntBits(row[j]), "row " + i + " column " + j);
            }
        }
    }

    @Test
    void theTilePlanCoversEveryRowAndLeavesAsFewAsAnyCutCould() {
        for (int m = 1; m <= 300; m++) {
            int plan = VectorKernels.tilePlan(m), q5 = plan & 0xff, q4 = plan >>> 8;
            int q6 = (m - 5 * q5 - 4 * q4) / 6, left = m - 6 * q6 - 5 * q5 - 4 * q4;
            assertTrue(q5 >= 0 && q4 >= 0 && q6 >= 0 && left >= 0, "m=" + m + ": " + q6 + "/" + q5 + "/" + q4);
            // every cut into 6-, 5- and 4-row tiles, by brute force: none leaves fewer single rows,
            // and none with as few leaves uses fewer 4-row tiles (the slowest per row)
            int fewest = m, fewest4 = m;
            for (int a = 0; 6 * a <= m; a++) {
                for (int b = 0; 6 * a + 5 * b <= m; b++) {
                    for (int c = 0; 6 * a + 5 * b + 4 * c <= m; c++) {
                        int l = m - 6 * a - 5 * b - 4 * c;
                        if (l < fewest || l == fewest && c < fewest4) {
                            fewest = l;
                            fewest4 = c;
                        }
                    }
                }
            }
            assertEquals(fewest, left, "rows left to the one-row path, m=" + m);
            assertEquals(fewest4, q4, "4-row tiles, m=" + m);
        }
    }

    @Test
    void aLargePackSplitAmongThreadsGivesTheSerialPack() {
        // above VectorKernels.PACK_PARALLEL_MIN_FLOATS: the pool's threads pack panel ranges;
        // k > KP_MAX (two slices), n not a multiple of 16 (a padded last panel), both layouts
        VectorKernels two = new VectorKernels(2), one = new VectorKernels(1);
        SplittableRandom r = new SplittableRandom(7);
        int k = 900, n = 300;
        assertTrue((long) k * 304 >= VectorKernels.PACK_PARALLEL_MIN_FLOATS);
        float[] b = random(r, k * n + 5);
        for (boolean trans : new boolean[]{false, true}) {
            int ld = trans ? k : n;
            PackedMatrix want = one.pack(trans, k, n, b, 5, ld, null);
            PackedMatrix got = two.pack(trans, k, n, b, 5, ld, null);
            assertEquals(want.data.length, got.data.length);
            for (int i = 0; i < want.data.length; i++) {
                assertEquals(Float.floatToRawIntBits(want.data[i]), Float.floatToRawIntBits(got.data[i]),
                        "trans " + trans + " at " + i);
            }
        }
    }

    @Test
    void packReusesStorageAndRejectsUnalignedRanges() {
        SplittableRandom r = new SplittableRandom(2);
        float[] b = random(r, 20 * 20);
        PackedMatrix p = vector.pack(false, 20, 20, b, 0, 20, null);
        assertTrue(p == vector.pack(false, 20, 10, b, 0, 20, p), "storage not reused");
        assertEquals(10, p.n());
        if (vector.columnAlign() > 1) {
            assertThrows(IllegalArgumentException.class,
                    () -> vector.gemmPacked(2, 1, 5, b, 0, 20, p, 0f, new float[40], 0, 20));
        }
        PackedMatrix view = plain.pack(false, 20, 20, b, 0, 20, null);
        assertThrows(IllegalArgumentException.class,
                () -> plain.gemmPacked(2, 0, 5, b, 0, 20, p, 0f, new float[40], 0, 20), "panels read as a view");
        assertFalse(view == p);
    }

    /**
     * Region parts are claimed, not assigned: over many back-to-back regions (and GEMMs between
     * them, which reuse the pool's ticket) every part runs exactly once per region and never
     * after its region returned, whether its worker or the caller ran it.
     */
    @Test
    @Timeout(30)
    void everyRegionPartRunsOnceAndOnlyWhileItsRegionRuns() {
        VectorKernels pooled = new VectorKernels(3);
        int regions = 20_000;
        java.util.concurrent.atomic.AtomicIntegerArray runs = new java.util.concurrent.atomic.AtomicIntegerArray(3);
        AtomicInteger current = new AtomicInteger(-1), stale = new AtomicInteger();
        float[] a = new float[64 * 64], c = new float[64 * 64];
        for (int i = 0; i < regions; i++) {
            int id = i;
            current.set(id);
            assertTrue(pooled.parallel(3, part -> {
                if (current.get() != id) stale.incrementAndGet();
                runs.incrementAndGet(part);
            }));
            current.set(-1);
            if (i % 1000 == 0) pooled.gemm(false, false, 64, 64, 64, 1f, a, 0, 64, a, 0, 64, 0f, c, 0, 64);
        }
        for (int p = 0; p < 3; p++) assertEquals(regions, runs.get(p), "part " + p + " runs");
        assertEquals(0, stale.get(), "parts that ran after their region returned");
    }

    @Test
    @Timeout(20)
    void phasedChunksRunInOrderOnThePoolAndFailuresReachTheCaller() {
        VectorKernels pooled = new VectorKernels(2);
        int phases = 500, chunks = 3;
        PhaseQueue q = new PhaseQueue();
        q.reset(phases, chunks);
        // each chunk of phase p reads what every chunk of phase p-1 wrote
        int[][] val = new int[phases + 1][chunks];
        java.util.Set<Thread> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.IntConsumer body = part -> {
            workers.add(Thread.currentThread());
            for (long t = -1; (t = q.claim(part, t)) >= 0; ) {
                int p = (int) (t / chunks), c = (int) (t % chunks);
                int sum = 0;
                for (int i = 0; i < chunks; i++) sum += val[p][i];
                val[p + 1][c] = sum + 1;
                q.complete();
            }
        };
        assertTrue(pooled.parallel(2, body));
        // recompute the recurrence exactly as the chunks do, in int arithmetic with wrap-around
        int[] ref = new int[chunks];
        for (int p = 0; p < phases; p++) {
            int sum = 0;
            for (int v : ref) sum += v;
            java.util.Arrays.fill(ref, sum + 1);
        }
        assertArrayEquals(ref, val[phases], "a phase started before the previous one was complete");
        assertTrue(workers.size() >= 1);
        assertFalse(pooled.parallel(3, part -> fail("ran with more parts than threads")));
        assertFalse(plain.parallel(2, part -> fail("plain kernels have no pool")));

        // one thread alone finishes everything (no barrier waits for absent threads)
        q.reset(10, 4);
        AtomicInteger alone = new AtomicInteger();
        for (long t = -1; (t = q.claim(0, t)) >= 0; ) {
            alone.incrementAndGet();
            q.complete();
        }
        assertEquals(40, alone.get());

        // a part takes its own chunk of each phase first, then the others still free
        q.reset(3, 4);
        java.util.List<Long> order = new java.util.ArrayList<>();
        for (long t = -1; (t = q.claim(6, t)) >= 0; ) {
            order.add(t);
            q.complete();
        }
        assertEquals(java.util.List.of(2L, 0L, 1L, 3L, 6L, 4L, 5L, 7L, 10L, 8L, 9L, 11L), order);

        // a failing chunk releases the others and reaches the caller
        q.reset(50, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pooled.parallel(2, part -> {
            for (long t = -1; (t = q.claim(part, t)) >= 0; ) {
                if (t == 7) {
                    q.fail();
                    throw new IllegalStateException("chunk 7 failed");
                }
                q.complete();
            }
        }));
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
        q.reset(1, 1);
        assertTrue(pooled.parallel(2, part -> {
            for (long t = -1; (t = q.claim(part, t)) >= 0; ) q.complete();
        }), "the pool is usable after a failure");
    }

    private static void compare(String what, float[] want, float[] got, float[] orig, int m, int ldc, int col0, int w, int k) {
        boolean[] inside = new boolean[got.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < w; j++) {
                int idx = col0 + i * ldc + j;
                inside[idx] = true;
                double tol = 1e-6 * Math.sqrt(k + 1.0) * (k + 1);
                if (!(Math.abs(got[idx] - want[idx]) <= tol)) {
                    fail(what + ": C[" + i + "][" + j + "] = " + got[idx] + ", plain gives " + want[idx]);
                }
            }
        }
        for (int idx = 0; idx < got.length; idx++) {
            if (!inside[idx] && Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(orig[idx])) {
                fail(what + ": wrote outside the range at index " + idx);
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }
}
