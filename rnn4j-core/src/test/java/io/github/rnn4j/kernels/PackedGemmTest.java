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
 * the same columns (both transpose layouts of B, row counts around the 4-row micro-kernel, column
 * counts around the panels, k across a packing slice), nothing written outside the range, and
 * the same bits for a column whatever range it is computed in; {@link Kernels#parallel} runs its
 * parts at the same time (they meet at a barrier) and passes a part's failure to the caller
 * without leaving the others waiting.
 */
class PackedGemmTest {
    private final PlainKernels plain = new PlainKernels();
    private final VectorKernels vector = new VectorKernels(1);

    @Test
    void packedProductsMatchPlainOnEveryAlignedRange() {
        SplittableRandom r = new SplittableRandom(5);
        int nr = vector.columnAlign();
        for (boolean transB : new boolean[]{false, true}) {
            for (int m : new int[]{1, 2, 3, 4, 5, 6, 9}) {
                for (int n : new int[]{1, nr - 1, nr, nr + 1, 40, 3 * nr}) {
                    for (int k : new int[]{1, 7, 40, VectorKernels.KC + 1, 300}) {
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
        int nr = vector.columnAlign(), m = 7, n = 3 * nr + 5, k = 300;
        float[] b = random(r, k * n), a = random(r, m * k);
        PackedMatrix p = vector.pack(false, k, n, b, 0, n, null);
        float[] whole = new float[m * n], pieces = new float[m * n];
        vector.gemmPacked(m, 0, n, a, 0, k, p, 0f, whole, 0, n);
        vector.gemmPacked(m, 0, nr, a, 0, k, p, 0f, pieces, 0, n);
        vector.gemmPacked(m, nr, 2 * nr, a, 0, k, p, 0f, pieces, 0, n);
        vector.gemmPacked(m, 2 * nr, n, a, 0, k, p, 0f, pieces, 0, n);
        assertArrayEquals(whole, pieces);
        // and a row alone (the batch-1 path) gives the row's bits of the full product
        float[] row = new float[n];
        vector.gemmPacked(1, 0, n, a, 5 * k, k, p, 0f, row, 0, n);
        for (int j = 0; j < n; j++) assertEquals(whole[5 * n + j], row[j], 0f, "column " + j);
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

    @Test
    @Timeout(20)
    void parallelPartsRunTogetherAndFailuresReachTheCaller() {
        VectorKernels pooled = new VectorKernels(2);
        SpinBarrier barrier = new SpinBarrier();
        barrier.reset(2);
        AtomicInteger met = new AtomicInteger();
        // each part waits for the other 1,000 times: only parts running at the same time finish
        assertTrue(pooled.parallel(2, part -> {
            for (int i = 0; i < 1000; i++) barrier.await();
            met.incrementAndGet();
        }));
        assertEquals(2, met.get());
        assertFalse(pooled.parallel(3, part -> fail("ran with more parts than threads")));
        assertFalse(plain.parallel(2, part -> fail("plain kernels have no pool")));

        barrier.reset(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pooled.parallel(2, part -> {
            try {
                if (part == 1) throw new IllegalStateException("part 1 failed");
                for (int i = 0; i < 10; i++) barrier.await();
            } catch (RuntimeException ex) {
                barrier.breakBarrier();
                throw ex;
            }
        }));
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
        // the pool is usable afterwards
        barrier.reset(2);
        assertTrue(pooled.parallel(2, part -> barrier.await()));
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
