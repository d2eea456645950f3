package io.github.rnn4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIMD-vs-scalar parity: {@link VectorKernels} against the reference {@link PlainKernels}, GEMM
 * in all four transpose combinations with alpha, beta (including beta = 0 over NaN), offsets and
 * leading dimensions wider than the rows, at sizes around the lane width and the register tile
 * (0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 65), and at sizes large enough for the thread pool.
 * Element-wise operations and activations are checked at every length up to four vectors plus
 * a tail, at odd offsets. Everything outside the written window of C must stay untouched.
 *
 * <p>Tolerance. Both implementations round each product and sum in float but in different orders
 * (the vector one splits k into slices and sums lanes separately), so they agree to rounding,
 * not bit for bit. For an entry of C that is a sum of k products plus beta*C, the rounding error
 * of either order is about u * sqrt(k) * M in practice (u = 6e-8 the unit roundoff, M the sum of
 * the absolute values of the terms), u * k * M in the worst case. The check allows
 * {@code 1e-6 * sqrt(k + 1) * M + 1e-30}: about 16 u sqrt(k) M, loose enough for any summation order,
 * and still tighter than the change from dropping a single typical term for every k up to 1024
 * (a dropped term moves the entry by about M / k; at k = 1024 the bound is 1/17 of that, at
 * k = 65 1/300; {@link #toleranceRejectsADroppedTerm} checks that the bound would catch it).
 *
 * <p>Not here: speed (the JMH benchmark in rnn4j-bench measures it).
 */
class VectorKernelsTest {
    private static final int[] SIZES = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 65};
    private static final float SENTINEL = -12345.5f;

    private final PlainKernels plain = new PlainKernels();
    private final VectorKernels vector1 = new VectorKernels(1);

    /** One GEMM problem laid out in larger arrays with offsets, padded leading dimensions and sentinels. */
    private static final class Problem {
        final boolean transA, transB;
        final int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
        final float alpha, beta;
        final float[] a, b, c;

        Problem(SplittableRandom rnd, boolean transA, boolean transB, int m, int n, int k, float alpha, float beta) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.beta = beta;
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            aOff = 3;
            lda = aCols + 5;
            bOff = 7;
            ldb = bCols + 2;
            cOff = 5;
            ldc = n + 3;
            a = random(rnd, aOff + aRows * lda + 4);
            b = random(rnd, bOff + bRows * ldb + 4);
            c = new float[cOff + m * ldc + 6];
            Arrays.fill(c, SENTINEL);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] = beta == 0f ? Float.NaN : (float) (rnd.nextDouble() * 2 - 1);
                }
            }
        }

        float[] run(Kernels kernels) {
            float[] out = c.clone();
            kernels.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, out, cOff, ldc);
            return out;
        }

        float opA(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        /** The sum of absolute values of the terms that make up C[i][j]. */
        double magnitude(int i, int j) {
            double s = beta == 0f ? 0 : Math.abs(beta * c[cOff + i * ldc + j]);
            for (int p = 0; p < k; p++) s += Math.abs(alpha * opA(i, p) * opB(p, j));
            return s;
        }

        double tolerance(int i, int j) {
            return 1e-6 * Math.sqrt(k + 1.0) * magnitude(i, j) + 1e-30;
        }

        String describe() {
            return "gemm(transA=" + transA + ", transB=" + transB + ", m=" + m + ", n=" + n + ", k=" + k
                    + ", alpha=" + alpha + ", beta=" + beta + ")";
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }

    /** Asserts got == want inside the window (within tolerance) and untouched outside it. */
    private static void assertSameGemm(Problem p, float[] want, float[] got) {
        boolean[] inside = new boolean[p.c.length];
        for (int i = 0; i < p.m; i++) {
            for (int j = 0; j < p.n; j++) {
                int idx = p.cOff + i * p.ldc + j;
                inside[idx] = true;
                float w = want[idx], g = got[idx];
                if (!Float.isFinite(g) || !(Math.abs(g - w) <= p.tolerance(i, j))) {
                    fail(p.describe() + ": C[" + i + "][" + j + "] = " + g + ", plain gives " + w
                            + " (tolerance " + p.tolerance(i, j) + ")");
                }
            }
        }
        for (int idx = 0; idx < got.length; idx++) {
            if (!inside[idx] && Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(p.c[idx])) {
                fail(p.describe() + ": wrote outside C's window at array index " + idx + " (" + got[idx] + ")");
            }
        }
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void gemmMatchesPlainAtAwkwardSizes(boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(42 + (transA ? 2 : 0) + (transB ? 1 : 0));
        float[] alphas = {1f, -0.5f};
        float[] betas = {0f, 1f, 0.5f};
        int checked = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    // every (alpha, beta) pair at the small sizes; one rotating pair past 17 to keep it quick
                    boolean all = m <= 17 && n <= 17 && k <= 17;
                    for (int ia = 0; ia < alphas.length; ia++) {
                        for (int ib = 0; ib < betas.length; ib++) {
                            if (!all && (ia * 3 + ib) != (m + n + k) % 6) continue;
                            Problem p = new Problem(rnd, transA, transB, m, n, k, alphas[ia], betas[ib]);
                            assertSameGemm(p, p.run(plain), p.run(vector1));
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 2000, "checked " + checked);
    }

    /** One thread, shapes that cross the packing blocks: k past KC (beta applied once), m past MC, n past NC. */
    @Test
    void gemmAcrossCacheBlockBoundaries() {
        SplittableRandom rnd = new SplittableRandom(8);
        int mr = VectorKernels.MR, nr = VectorKernels.NR, kc = VectorKernels.KC, mc = VectorKernels.MC,
                nc = VectorKernels.NC;
        int[][] shapes = {{mc + mr + 1, nr + 3, kc + 7}, {mr + 1, nc + nr + 1, 3}, {2 * mc + 1, 2 * nr + 1, 2 * kc + 1},
                          {mr, nc, kc}, {mr - 1, nc + 1, kc + 1}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    Problem p = new Problem(rnd, (t & 1) == 1, (t & 2) == 2, s[0], s[1], s[2], t == 2 ? -0.5f : 1f, beta);
                    assertSameGemm(p, p.run(plain), p.run(vector1));
                }
            }
        }
    }

    @Test
    void betaZeroOverwritesNaNEvenWhenKIsZeroOrAlphaIsZero() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int k : new int[] {0, 5}) {
            for (float alpha : new float[] {0f, 1f}) {
                Problem p = new Problem(rnd, false, false, 5, 9, k, alpha, 0f);
                float[] got = p.run(vector1);
                for (int i = 0; i < p.m; i++) {
                    for (int j = 0; j < p.n; j++) {
                        float g = got[p.cOff + i * p.ldc + j];
                        assertTrue(Float.isFinite(g), p.describe() + " left " + g + " at " + i + "," + j);
                        if (k == 0 || alpha == 0f) assertEquals(0f, g, p.describe());
                    }
                }
                assertSameGemm(p, p.run(plain), got);
            }
        }
        // k == 0 with beta = 0.5 only scales C
        Problem p = new Problem(rnd, true, true, 4, 20, 0, 1f, 0.5f);
        float[] got = p.run(vector1);
        assertEquals(0.5f * p.c[p.cOff + p.ldc + 3], got[p.cOff + p.ldc + 3]);
        assertSameGemm(p, p.run(plain), got);
    }

    /**
     * gemmTransASharedB gives the bits of its two gemm(true, false) calls (alpha 1, beta 1) under
     * the vector kernels, on one thread and on pools of 2 and 3 (a column block per thread), for
     * A's narrower than a micro-tile (the two-call path), k past a slice and a ragged last panel;
     * and the plain kernels' values within the GEMM tolerance. Operands sit at offsets in padded
     * arrays; C starts non-zero (it accumulates).
     */
    @Test
    void sharedRightOperandGivesTheBitsOfTwoGemms() {
        SplittableRandom rnd = new SplittableRandom(12);
        int nr = VectorKernels.NR;
        int[][] shapes = {{32, 256, 40, 600}, {3, 8, 5 * nr + 3, 300}, {65, 70, 2 * nr, VectorKernels.KC + 9},
            {4, 6, 1, 50}, {130, 150, 4 * nr + 1, 700}};   // m1, m2, n, k
        for (int threads : new int[]{1, 2, 3}) {
            VectorKernels v = new VectorKernels(threads);
            for (int[] s : shapes) {
                int m1 = s[0], m2 = s[1], n = s[2], k = s[3];
                int lda1 = m1 + 3, lda2 = m2 + 1, ldb = n + 2, ldc1 = n + 5, ldc2 = n + 1;
                float[] a1 = random(rnd, 2 + k * lda1), a2 = random(rnd, 1 + k * lda2);
                float[] b = random(rnd, 3 + k * ldb);
                float[] c1 = random(rnd, 4 + m1 * ldc1), c2 = random(rnd, 2 + m2 * ldc2);
                float[] w1 = c1.clone(), w2 = c2.clone(), g1 = c1.clone(), g2 = c2.clone();
                float[] p1 = c1.clone(), p2 = c2.clone();
                v.gemm(true, false, m1, n, k, 1f, a1, 2, lda1, b, 3, ldb, 1f, w1, 4, ldc1);
                v.gemm(true, false, m2, n, k, 1f, a2, 1, lda2, b, 3, ldb, 1f, w2, 2, ldc2);
                v.gemmTransASharedB(n, k, b, 3, ldb, m1, a1, 2, lda1, g1, 4, ldc1,
                        m2, a2, 1, lda2, g2, 2, ldc2);
                String what = "threads " + threads + " m1=" + m1 + " m2=" + m2 + " n=" + n + " k=" + k;
                assertArrayEquals(w1, g1, what + ": C1");
                assertArrayEquals(w2, g2, what + ": C2");
                plain.gemmTransASharedB(n, k, b, 3, ldb, m1, a1, 2, lda1, p1, 4, ldc1,
                        m2, a2, 1, lda2, p2, 2, ldc2);
                assertCloseTransA(what + ": C1 vs plain", m1, n, k, a1, 2, lda1, b, 3, ldb, c1, p1, g1, 4, ldc1);
                assertCloseTransA(what + ": C2 vs plain", m2, n, k, a2, 1, lda2, b, 3, ldb, c2, p2, g2, 2, ldc2);
            }
        }
    }

    /**
     * The split form (A2's right operand from b2 after column {@code split}) gives the bits of
     * the three GEMMs it stands for, and of sumRowsAdd for the column sums it takes, on one to
     * three threads, at splits on and off the panel
     * width (off it, the default calls), at the ends, and across a cache block of k; the plain
     * kernels' default agrees within tolerance.
     */
    @Test
    void splitSharedRightOperandGivesTheBitsOfItsGemms() {
        SplittableRandom rnd = new SplittableRandom(13);
        int nr = VectorKernels.NR;
        int[][] shapes = {{32, 256, 6 * nr, 600, 4 * nr}, {40, 9, 3 * nr + 5, VectorKernels.KC + 9, nr},
            {6, 70, 4 * nr, 300, 0}, {6, 70, 4 * nr, 300, 4 * nr}, {20, 30, 5 * nr, 200, 2 * nr + 3},
            {3, 8, 2 * nr, 50, nr}};   // m1, m2, n, k, split
        for (int threads : new int[]{1, 2, 3}) {
            VectorKernels v = new VectorKernels(threads);
            for (int[] s : shapes) {
                int m1 = s[0], m2 = s[1], n = s[2], k = s[3], split = s[4];
                int lda1 = m1 + 3, lda2 = m2 + 1, ldb = n + 2, ldb2 = n - split + 4, ldc1 = n + 5, ldc2 = n + 1;
                float[] a1 = random(rnd, 2 + k * lda1), a2 = random(rnd, 1 + k * lda2);
                float[] b = random(rnd, 3 + k * ldb), b2 = random(rnd, 5 + k * ldb2);
                float[] c1 = random(rnd, 4 + m1 * ldc1), c2 = random(rnd, 2 + m2 * ldc2);
                float[] w1 = c1.clone(), w2 = c2.clone(), g1 = c1.clone(), g2 = c2.clone();
                v.gemm(true, false, m1, n, k, 1f, a1, 2, lda1, b, 3, ldb, 1f, w1, 4, ldc1);
                if (split > 0) v.gemm(true, false, m2, split, k, 1f, a2, 1, lda2, b, 3, ldb, 1f, w2, 2, ldc2);
                if (split < n) v.gemm(true, false, m2, n - split, k, 1f, a2, 1, lda2, b2, 5, ldb2, 1f, w2, 2 + split, ldc2);
                // the column sums: B's at 1, b2's at 2 of arrays that start with junk (overwritten)
                float[] sums = random(rnd, n + 3), sums2 = random(rnd, n - split + 4);
                v.gemmTransASharedBSplit(n, k, b, 3, ldb, split, b2, 5, ldb2, m1, a1, 2, lda1, g1, 4, ldc1,
                        m2, a2, 1, lda2, g2, 2, ldc2, sums, 1, sums2, 2);
                String what = "threads " + threads + " m1=" + m1 + " m2=" + m2 + " n=" + n + " k=" + k + " split=" + split;
                assertArrayEquals(w1, g1, what + ": C1");
                assertArrayEquals(w2, g2, what + ": C2");
                float[] ws = new float[n], ws2 = new float[n - split];
                v.sumRowsAdd(k, n, b, 3, ldb, ws, 0);
                v.sumRowsAdd(k, n - split, b2, 5, ldb2, ws2, 0);
                assertArrayEquals(ws, Arrays.copyOfRange(sums, 1, 1 + n), what + ": B's column sums");
                assertArrayEquals(ws2, Arrays.copyOfRange(sums2, 2, 2 + n - split), what + ": b2's column sums");
                float[] p1 = c1.clone(), p2 = c2.clone();
                plain.gemmTransASharedBSplit(n, k, b, 3, ldb, split, b2, 5, ldb2, m1, a1, 2, lda1, p1, 4, ldc1,
                        m2, a2, 1, lda2, p2, 2, ldc2, null, 0, null, 0);
                for (int i = 0; i < p2.length; i++) {
                    assertEquals(g2[i], p2[i], 1e-4 * (1 + Math.abs(g2[i])), what + ": C2 vs plain at " + i);
                }
                for (int i = 0; i < p1.length; i++) {
                    assertEquals(g1[i], p1[i], 1e-4 * (1 + Math.abs(g1[i])), what + ": C1 vs plain at " + i);
                }
            }
        }
    }

    /**
     * A large pooled GEMM runs its k slices over column ranges that a thread with nothing left
     * may take from a slower one (RowQueue): slices over any cut of the columns, in order per
     * column, give the bits of the serial GEMM, for every transpose and for beta 0, 1 and 0.5
     * (scaled once, at slice 0); and the pooled call itself, at a size that takes that path,
     * gives the serial bits.
     */
    @Test
    void gemmSlicesOverAnyColumnRangesGiveTheSerialBits() {
        SplittableRandom rnd = new SplittableRandom(19);
        int nr = VectorKernels.NR, kc = VectorKernels.KC;
        int m = 37, n = 12 * nr + 5, k = 2 * kc + 11;
        int[][] schedule = {{0, 0, 5 * nr}, {0, 5 * nr, n}, {1, 8 * nr, n}, {1, 0, 8 * nr}, {2, 0, 2 * nr},
            {2, 2 * nr, 10 * nr}, {2, 10 * nr, n}};
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (float beta : new float[]{0f, 1f, 0.5f}) {
                    int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 3, ldc = n + 1;
                    float[] a = random(rnd, 1 + (ta ? k : m) * lda), b = random(rnd, 2 + (tb ? n : k) * ldb);
                    float[] c = random(rnd, 3 + m * ldc), want = c.clone(), got = c.clone();
                    VectorKernels.gemmSerial(ta, tb, m, n, k, 0.75f, a, 1, lda, b, 2, ldb, beta, want, 3, ldc);
                    for (int[] st : schedule) {
                        VectorKernels.gemmSlice(st[0], st[1], st[2], ta, tb, m, k, 0.75f, a, 1, lda, b, 2, ldb, beta,
                                got, 3, ldc);
                    }
                    assertArrayEquals(want, got, "transA " + ta + " transB " + tb + " beta " + beta);
                }
            }
        }
        // the pooled path: m·k >= LARGE_OPERAND, one column range per thread
        int mm = 256, nn = 8 * nr, kk = (int) (VectorKernels.LARGE_OPERAND / mm) + 7;
        float[] a = random(rnd, mm * kk), b = random(rnd, kk * nn), c = random(rnd, mm * nn);
        float[] want = c.clone(), got = c.clone();
        VectorKernels.gemmSerial(false, false, mm, nn, kk, 1f, a, 0, kk, b, 0, nn, 1f, want, 0, nn);
        new VectorKernels(2).gemm(false, false, mm, nn, kk, 1f, a, 0, kk, b, 0, nn, 1f, got, 0, nn);
        assertArrayEquals(want, got, "pooled sliced GEMM");
    }

    /**
     * A pooled A^T·B with m at least {@link VectorKernels#TRANSPOSE_MIN_RATIO} times n (a Dense
     * layer's kernel gradient) runs as C^T = B^T·A and gives the bits of the direct serial
     * product, for beta 0, 1 and 0.5, with offsets and leading dimensions wider than the rows;
     * and the columns of C beyond n (ldc > n) are left alone.
     */
    @Test
    void aTallTransposedProductGivesTheBitsOfTheDirectOne() {
        SplittableRandom rnd = new SplittableRandom(23);
        VectorKernels v = new VectorKernels(2);
        int[][] shapes = {{512, 65, 6400}, {300, 4, 2100}, {97, 21, 3001}, {4 * 40, 40, 1100}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            assertTrue((long) m * n * k >= VectorKernels.PARALLEL_MIN_MACS && m >= VectorKernels.TRANSPOSE_MIN_RATIO * n,
                    "shape takes the transposed path");
            for (float beta : new float[]{0f, 1f, 0.5f}) {
                int lda = m + 3, ldb = n + 2, ldc = n + 5;
                float[] a = random(rnd, 1 + k * lda), b = random(rnd, 2 + k * ldb);
                float[] c = random(rnd, 3 + m * ldc), want = c.clone(), got = c.clone();
                VectorKernels.gemmSerial(true, false, m, n, k, 1f, a, 1, lda, b, 2, ldb, beta, want, 3, ldc);
                v.gemm(true, false, m, n, k, 1f, a, 1, lda, b, 2, ldb, beta, got, 3, ldc);
                assertArrayEquals(want, got, m + "x" + n + "x" + k + " beta " + beta);
            }
        }
    }

    /**
     * The split shared product's k slices may come over any cut of the columns (a thread that
     * runs out of work takes some of another's columns from its next slice, RowQueue): slice 0
     * over all columns, slice 1 in two ranges, slice 2 in three taken in reverse order give the
     * bits of the unsplit product and of its column sums, with the split column inside a range.
     */
    @Test
    void splitSharedProductSlicesGiveTheSameBitsOverAnyColumnRanges() {
        SplittableRandom rnd = new SplittableRandom(17);
        int nr = VectorKernels.NR, kc = VectorKernels.KC;
        int m1 = 12, m2 = 40, n = 20 * nr, k = 2 * kc + 37;
        for (int split : new int[]{8 * nr, n}) {
            int lda1 = m1 + 1, lda2 = m2 + 3, ldb = n + 2, ldb2 = n - split + 1, ldc1 = n + 3, ldc2 = n + 2;
            float[] a1 = random(rnd, k * lda1), a2 = random(rnd, k * lda2);
            float[] b = random(rnd, k * ldb), b2 = random(rnd, 1 + k * ldb2);
            float[] c1 = random(rnd, m1 * ldc1), c2 = random(rnd, m2 * ldc2);
            float[][] out = new float[2][], out2 = new float[2][], sumsOut = new float[2][], sums2Out = new float[2][];
            int[][][] schedules = {
                {{0, 0, n}, {1, 0, n}, {2, 0, n}},
                {{0, 0, n}, {1, 0, 9 * nr}, {1, 9 * nr, n}, {2, 15 * nr, n}, {2, 3 * nr, 15 * nr}, {2, 0, 3 * nr}}};
            float[] sums0 = random(rnd, n), sums20 = random(rnd, n - split + 1);   // junk, overwritten
            for (int run = 0; run < 2; run++) {
                float[] g1 = c1.clone(), g2 = c2.clone(), sums = sums0.clone(), sums2 = sums20.clone();
                for (int[] step : schedules[run]) {
                    VectorKernels.sharedBSlice(step[0], step[1], step[2], k, b, 0, ldb, split, b2, 1, ldb2,
                            m1, a1, 0, lda1, g1, 0, ldc1, m2, a2, 0, lda2, g2, 0, ldc2,
                            sums, 0, split < n ? sums2 : null, 1);
                }
                out[run] = g1;
                out2[run] = g2;
                sumsOut[run] = sums;
                sums2Out[run] = sums2;
            }
            String what = "split " + split;
            assertArrayEquals(out[0], out[1], what + ": C1");
            assertArrayEquals(out2[0], out2[1], what + ": C2");
            assertArrayEquals(sumsOut[0], sumsOut[1], what + ": B's column sums");
            if (split < n) assertArrayEquals(sums2Out[0], sums2Out[1], what + ": b2's column sums");
            // and the whole-range schedule is the product itself
            float[] w2 = c2.clone();
            VectorKernels v = new VectorKernels(1);
            v.gemm(true, false, m2, split, k, 1f, a2, 0, lda2, b, 0, ldb, 1f, w2, 0, ldc2);
            if (split < n) v.gemm(true, false, m2, n - split, k, 1f, a2, 0, lda2, b2, 1, ldb2, 1f, w2, split, ldc2);
            assertArrayEquals(w2, out2[0], what + ": C2 against its GEMMs");
        }
    }

    /**
     * want and got (C0 + A^T·B, A k x m) agree within 4·k·2^-24 times the sum of |C0| and the
     * |a|·|b| terms of the element, and got is untouched outside C.
     */
    private static void assertCloseTransA(String what, int m, int n, int k, float[] a, int aOff, int lda, float[] b,
                                          int bOff, int ldb, float[] c0, float[] want, float[] got, int cOff,
                                          int ldc) {
        boolean[] inside = new boolean[got.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int idx = cOff + i * ldc + j;
                inside[idx] = true;
                double mag = Math.abs(c0[idx]);
                for (int p = 0; p < k; p++) mag += Math.abs((double) a[aOff + p * lda + i] * b[bOff + p * ldb + j]);
                double tol = 4.0 * (k + 1) * 0x1p-24 * mag + 1e-30;
                assertTrue(Math.abs(want[idx] - got[idx]) <= tol,
                        what + " at [" + i + "][" + j + "]: " + got[idx] + " vs " + want[idx]
                                + " (tolerance " + tol + ")");
            }
        }
        for (int i = 0; i < got.length; i++) {
            if (!inside[i]) assertEquals(c0[i], got[i], what + ": wrote outside C at " + i);
        }
    }

    @ParameterizedTest(name = "threads={0}")
    @CsvSource({"2", "3"})
    void largeGemmsOnThePoolMatchPlain(int threads) {
        VectorKernels pooled = new VectorKernels(threads);
        assertEquals(threads, pooled.threads());
        SplittableRandom rnd = new SplittableRandom(7);
        // 257x129x300: split by columns; 600x20x300: too narrow, split by rows;
        // 5x20x5000: rows too few, two column blocks; 64x1024x256: a recurrent step. (257x129 cut
        // into 4 * threads column blocks of 32 leaves the last ones empty.)
        int[][] shapes = {{257, 129, 300}, {600, 20, 300}, {5, 20, 5000}, {64, 1024, 256}};
        for (int[] s : shapes) {
            assertTrue((long) s[0] * s[1] * s[2] >= VectorKernels.PARALLEL_MIN_MACS, "not a pooled size");
            for (int t = 0; t < 4; t++) {
                float beta = t == 0 ? 0f : t == 1 ? 1f : 0.5f;
                Problem p = new Problem(rnd, (t & 1) == 1, (t & 2) == 2, s[0], s[1], s[2], t == 3 ? -0.5f : 1f, beta);
                assertSameGemm(p, p.run(plain), p.run(pooled));
            }
        }
    }

    @Test
    void concurrentCallersShareThePoolSafely() throws InterruptedException {
        VectorKernels pooled = new VectorKernels(2);
        int callers = 3;
        List<Problem> problems = new ArrayList<>();
        List<float[]> wants = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < callers; i++) {
            Problem p = new Problem(rnd, i == 1, i == 2, 96 + i, 160, 80, 1f, i == 0 ? 0f : 1f);
            problems.add(p);
            wants.add(p.run(plain));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < 30; r++) assertSameGemm(problems.get(id), wants.get(id), problems.get(id).run(pooled));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) t.join();
        if (failure.get() != null) throw new AssertionError("a concurrent caller failed", failure.get());
    }

    @Test
    void toleranceRejectsADroppedTerm() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int k : new int[] {1, 2, 17, 65, 300, 1024}) {
            Problem p = new Problem(rnd, false, false, 1, 1, k, 1f, 0f);
            float[] want = p.run(plain);
            float[] broken = want.clone();
            // drop the term with the median magnitude, a typical one
            double[] terms = new double[k];
            for (int q = 0; q < k; q++) terms[q] = Math.abs(p.opA(0, q) * p.opB(q, 0));
            Arrays.sort(terms);
            broken[p.cOff] -= (float) terms[k / 2];
            assertTrue(Math.abs(broken[p.cOff] - want[p.cOff]) > p.tolerance(0, 0),
                    "k=" + k + ": a dropped term (" + terms[k / 2] + ") hides inside the tolerance " + p.tolerance(0, 0));
        }
    }

    /**
     * The batch-1 fused product x·A + y·B (+ bias) over row-major weights read in place: against
     * the plain default (two GEMMs and a bias add) at widths around the 8-vector block, the
     * 4-, 2- and 1-vector blocks and the scalar tail, with offsets and leading dimensions wider than the
     * columns; nothing outside the row written; and each column bit-identical whether it is
     * computed in one call or in two calls split at a 16-column boundary (a unit chunk).
     */
    @Test
    void rowTimesTwoMatchesPlainAndDoesNotDependOnWhereTheColumnsAreCut() {
        SplittableRandom rnd = new SplittableRandom(12);
        int[] widths = {0, 1, 7, 8, 9, 16, 17, 24, 31, 32, 40, 48, 56, 63, 64, 65, 72, 88, 130};
        for (int n : widths) {
            for (int kx : new int[] {0, 1, 5}) {
                for (int ky : new int[] {0, 3, 17}) {
                    for (boolean withBias : new boolean[] {false, true}) {
                        int lda = n + 3, ldb = n + 5;
                        float[] x = random(rnd, kx + 2), y = random(rnd, ky + 1);
                        float[] a = random(rnd, 2 + kx * lda), b = random(rnd, 1 + ky * ldb);
                        float[] bias = withBias ? random(rnd, n + 4) : null;
                        float[] cp = new float[n + 6], cv = new float[n + 6];
                        Arrays.fill(cp, SENTINEL);
                        Arrays.fill(cv, SENTINEL);
                        plain.rowTimesTwo(n, x, 2, kx, a, 2, lda, y, 1, ky, b, 1, ldb, bias, 3, cp, 4);
                        vector1.rowTimesTwo(n, x, 2, kx, a, 2, lda, y, 1, ky, b, 1, ldb, bias, 3, cv, 4);
                        String what = "rowTimesTwo n=" + n + " kx=" + kx + " ky=" + ky + " bias=" + withBias;
                        for (int i = 0; i < cv.length; i++) {
                            if (i < 4 || i >= 4 + n) {
                                assertEquals(SENTINEL, cv[i], what + ": wrote outside the row at " + i);
                                continue;
                            }
                            int j = i - 4;
                            double m = withBias ? Math.abs(bias[3 + j]) : 0;
                            for (int p = 0; p < kx; p++) m += Math.abs(x[2 + p] * a[2 + p * lda + j]);
                            for (int q = 0; q < ky; q++) m += Math.abs(y[1 + q] * b[1 + q * ldb + j]);
                            double tol = 1e-6 * Math.sqrt(kx + ky + 1.0) * m + 1e-30;
                            if (!(Math.abs(cp[i] - cv[i]) <= tol)) fail(what + ": column " + j + " plain " + cp[i] + " vector " + cv[i]);
                        }
                        if (n > 16) {
                            float[] cs = new float[n + 6];
                            vector1.rowTimesTwo(16, x, 2, kx, a, 2, lda, y, 1, ky, b, 1, ldb, bias, 3, cs, 4);
                            vector1.rowTimesTwo(n - 16, x, 2, kx, a, 18, lda, y, 1, ky, b, 17, ldb, bias, 19, cs, 20);
                            for (int j = 0; j < n; j++) {
                                assertEquals(Float.floatToRawIntBits(cv[4 + j]), Float.floatToRawIntBits(cs[4 + j]),
                                        what + ": column " + j + " changed when the columns were cut at 16");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The fused LSTM update gives the bits of its definition (the activations through the same
     * kernels' sigmoid and tanh, then f*c + i*g and o*tanh(c')), at unit counts around the lanes,
     * for a row with every unit (stride n) and a slice of units (stride > n), the new cell state
     * written into the same array as the old one, as the layer does; and agrees with the plain
     * kernels to the activations' tolerance.
     */
    @Test
    void lstmPointwiseGivesTheBitsOfItsDefinition() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int n = 0; n <= MAX_LEN; n++) {
            for (int stride : new int[] {n, n + 5}) {
                float[] z = random(rnd, 2 + 4 * stride), c = random(rnd, 2 * n + 7);
                for (int i = 0; i < z.length; i++) z[i] *= 6f;
                float[][] want = new float[4][], got = new float[4][], plainOut = new float[4][];
                for (int run = 0; run < 3; run++) {
                    Kernels k = run == 2 ? plain : vector1;
                    float[] a = new float[1 + 4 * stride], cc = c.clone(), t = new float[n + 3], h = new float[n + 4];
                    if (run == 0) {
                        // the definition, step by step with the vector kernels' activations
                        vector1.sigmoid(n, z, 2, a, 1);
                        vector1.sigmoid(n, z, 2 + stride, a, 1 + stride);
                        vector1.tanh(n, z, 2 + 2 * stride, a, 1 + 2 * stride);
                        vector1.sigmoid(n, z, 2 + 3 * stride, a, 1 + 3 * stride);
                        for (int j = 0; j < n; j++) cc[n + 5 + j] = a[1 + stride + j] * c[1 + j] + a[1 + j] * a[1 + 2 * stride + j];
                        vector1.tanh(n, cc, n + 5, t, 3);
                        for (int j = 0; j < n; j++) h[2 + j] = a[1 + 3 * stride + j] * t[3 + j];
                    } else {
                        k.lstmPointwise(n, Activations.SIGMOID, Activations.TANH, z, 2, a, 1, stride, cc, 1, cc, n + 5, t, 3, h, 2);
                    }
                    float[][] out = run == 0 ? want : run == 1 ? got : plainOut;
                    out[0] = a;
                    out[1] = cc;
                    out[2] = t;
                    out[3] = h;
                }
                String[] names = {"gates", "cell", "tanh(cell)", "h"};
                for (int i = 0; i < 4; i++) {
                    assertEquals(Arrays.toString(want[i]), Arrays.toString(got[i]), names[i] + " n=" + n + " stride=" + stride);
                    assertArrayClose("plain " + names[i] + " n=" + n, want[i], plainOut[i], 1e-6f);
                }
            }
        }
    }

    /** The LSTM pointwise backward: the same operations in the same order in lanes and in the tail, so the bits of the plain definition. */
    @Test
    void lstmBackwardPointwiseGivesTheBitsOfItsDefinition() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int n = 0; n <= MAX_LEN; n++) {
            for (int stride : new int[] {n, n + 3}) {
                float[] a = random(rnd, 1 + 4 * stride), t = random(rnd, n + 2), dh = random(rnd, n + 1),
                        dc = random(rnd, n + 4), c = random(rnd, n + 2);
                float[][] runs = new float[2][];
                for (int run = 0; run < 2; run++) {
                    float[] ar = a.clone(), dhr = dh.clone(), dcr = dc.clone();
                    (run == 0 ? plain : vector1).lstmBackwardPointwise(n, Activations.SIGMOID, Activations.TANH, ar, 1, stride, t, 2, dhr, 1, dcr, 4, c, 2);
                    runs[run] = concat(ar, dhr, dcr);
                }
                assertEquals(Arrays.toString(runs[0]), Arrays.toString(runs[1]), "n=" + n + " stride=" + stride);
            }
        }
    }

    /** The GRU (reset-after) update and its backward: the bits of their definitions, as for the LSTM ones. */
    @Test
    void gruPointwiseAndItsBackwardGiveTheBitsOfTheirDefinitions() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int n = 0; n <= MAX_LEN; n++) {
            for (int stride : new int[] {n, n + 5}) {
                float[] rec = random(rnd, 3 + 3 * stride), a0 = random(rnd, 1 + 3 * stride), hs = random(rnd, 2 * n + 6);
                for (int i = 0; i < rec.length; i++) rec[i] *= 6f;
                // the definition, step by step with the vector kernels' activations
                float[] a = a0.clone(), h = hs.clone(), rh = new float[n + 2];
                vector1.sigmoid(n, rec, 3, a, 1);
                vector1.sigmoid(n, rec, 3 + stride, a, 1 + stride);
                for (int j = 0; j < n; j++) {
                    rh[2 + j] = rec[3 + 2 * stride + j];
                    a[1 + 2 * stride + j] += a[1 + stride + j] * rh[2 + j];
                }
                vector1.tanh(n, a, 1 + 2 * stride, a, 1 + 2 * stride);
                for (int j = 0; j < n; j++) {
                    float z = a[1 + j];
                    h[n + 4 + j] = z * h[1 + j] + (1f - z) * a[1 + 2 * stride + j];
                }
                float[] ag = a0.clone(), hg = hs.clone(), rhg = new float[n + 2];
                vector1.gruPointwise(n, Activations.SIGMOID, Activations.TANH, rec, 3, ag, 1, stride, hg, 1, hg, n + 4, rhg, 2);
                String what = "n=" + n + " stride=" + stride;
                assertEquals(Arrays.toString(concat(a, h, rh)), Arrays.toString(concat(ag, hg, rhg)), "forward " + what);

                float[] dh = random(rnd, n + 1);
                float[][] runs = new float[2][];
                for (int run = 0; run < 2; run++) {
                    float[] ar = a.clone(), dhr = dh.clone(), dR = new float[1 + 3 * stride];
                    (run == 0 ? plain : vector1).gruBackwardPointwise(n, Activations.SIGMOID, Activations.TANH, ar, 1, stride, rh, 2, dhr, 1, h, 1, dR, 1);
                    runs[run] = concat(ar, dhr, dR);
                }
                assertEquals(Arrays.toString(runs[0]), Arrays.toString(runs[1]), "backward " + what);
            }
        }
    }

    private static float[] concat(float[]... parts) {
        int len = 0;
        for (float[] p : parts) len += p.length;
        float[] out = new float[len];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------------- element-wise

    private static final int MAX_LEN = 4 * VectorKernels.L + 3;

    @Test
    void elementWiseOpsMatchPlainAtEveryLengthAroundTheLanes() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n = 0; n <= MAX_LEN; n++) {
            float[] x = random(rnd, n + 9), y = random(rnd, n + 9);
            float alpha = -0.75f;

            float[] yp = y.clone(), yv = y.clone();
            plain.axpy(n, alpha, x, 2, yp, 5);
            vector1.axpy(n, alpha, x, 2, yv, 5);
            assertArrayClose("axpy n=" + n, yp, yv, 1e-6f);

            float[] zp = y.clone(), zv = y.clone();
            plain.mul(n, x, 1, y, 4, zp, 3);
            vector1.mul(n, x, 1, y, 4, zv, 3);
            assertArrayClose("mul n=" + n, zp, zv, 0f);

            float dp = plain.dot(n, x, 3, y, 1), dv = vector1.dot(n, x, 3, y, 1);
            assertEquals(dp, dv, 1e-6f * (n + 1), "dot n=" + n);

            for (int rows : new int[] {1, 3, 9}) {
                int ld = n + 2;
                float[] c = random(rnd, 1 + rows * ld + 1), bias = random(rnd, n + 1);
                float[] cp = c.clone(), cv = c.clone();
                plain.addRowVector(rows, n, bias, 1, cp, 1, ld);
                vector1.addRowVector(rows, n, bias, 1, cv, 1, ld);
                assertArrayClose("addRowVector rows=" + rows + " n=" + n, cp, cv, 0f);

                float[] out = random(rnd, n + 3);
                float[] op = out.clone(), ov = out.clone();
                plain.sumRowsAdd(rows, n, c, 1, ld, op, 2);
                vector1.sumRowsAdd(rows, n, c, 1, ld, ov, 2);
                assertArrayClose("sumRowsAdd rows=" + rows + " n=" + n, op, ov, 1e-6f * rows);
            }
        }
    }

    @Test
    void activationsMatchPlainAtEveryLengthAndInPlace() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int n = 0; n <= MAX_LEN; n++) {
            float[] x = random(rnd, n + 6);
            for (int i = 0; i < x.length; i++) x[i] *= 8f;
            float[] sp = x.clone(), sv = x.clone(), tp = x.clone(), tv = x.clone();
            plain.sigmoid(n, x, 1, sp, 4);
            vector1.sigmoid(n, x, 1, sv, 4);
            assertArrayClose("sigmoid n=" + n, sp, sv, 2.5e-7f);
            plain.tanh(n, x, 2, tp, 2);
            vector1.tanh(n, x, 2, tv, 2);          // in place: src and dst the same range
            assertArrayClose("tanh n=" + n, tp, tv, 2.5e-7f);
        }
    }

    /** Measures the activations' error over a dense grid and the special values; the bounds the Javadoc states. */
    @Test
    void activationsMatchDoublePrecision() {
        int n = 1 << 21;
        float[] x = new float[n];
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < n; i++) {
            // half a uniform grid over [-20, 20], half log-uniform magnitudes 1e-6 .. 1e2 with random signs
            x[i] = i % 2 == 0 ? -20f + 40f * i / n
                    : (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(10, rnd.nextDouble(-6, 2)));
        }
        float[] s = new float[n], t = new float[n];
        vector1.sigmoid(n, x, 0, s, 0);
        vector1.tanh(n, x, 0, t, 0);
        double sAbs = 0, sRel = 0, tAbs = 0, tRel = 0;
        for (int i = 0; i < n; i++) {
            double xs = x[i];
            double ws = 1.0 / (1.0 + Math.exp(-xs)), wt = Math.tanh(xs);
            sAbs = Math.max(sAbs, Math.abs(s[i] - ws));
            if (ws > Float.MIN_NORMAL) sRel = Math.max(sRel, Math.abs(s[i] - ws) / ws);
            tAbs = Math.max(tAbs, Math.abs(t[i] - wt));
            if (wt != 0) tRel = Math.max(tRel, Math.abs(t[i] - wt) / Math.abs(wt));
        }
        System.out.printf("VectorKernels activations over %d points: sigmoid max abs %.2e rel %.2e; "
                + "tanh max abs %.2e rel %.2e%n", n, sAbs, sRel, tAbs, tRel);
        assertTrue(sAbs <= 2.5e-7 && sRel <= 5e-7, "sigmoid error abs " + sAbs + " rel " + sRel);
        assertTrue(tAbs <= 3e-7 && tRel <= 5e-7, "tanh error abs " + tAbs + " rel " + tRel);

        int lanes = VectorKernels.L;
        float[] special = new float[lanes * 2];
        float[] values = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 100f, -100f, 1e-30f};
        for (int i = 0; i < special.length; i++) special[i] = values[i % values.length];
        float[] so = new float[special.length], to = new float[special.length];
        vector1.sigmoid(special.length, special, 0, so, 0);
        vector1.tanh(special.length, special, 0, to, 0);
        for (int i = 0; i < special.length; i++) {
            float v = special[i];
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(so[i]) && Float.isNaN(to[i]), "NaN in, " + so[i] + "/" + to[i] + " out");
                continue;
            }
            assertEquals(Activations.sigmoid(v), so[i], 1e-7f, "sigmoid(" + v + ")");
            assertEquals((float) Math.tanh(v), to[i], 1e-7f, "tanh(" + v + ")");
            assertFalse(so[i] < 0f || so[i] > 1f || to[i] < -1f || to[i] > 1f, "out of range at " + v);
        }
    }

    /**
     * The vector lanes and the scalar tail (also what runs before C2 compiles the loop, per lane)
     * give the same bits: "same seed, same bits" depends on it. Checked over a dense grid, both
     * clamps of exp, and the small-|x| branch of tanh.
     */
    @Test
    void activationLanesEqualTheScalarFormulaBitForBit() {
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 1 << 16;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) rnd.nextDouble(-100, 100);
                case 1 -> (float) rnd.nextDouble(-0.3, 0.3);
                case 2 -> (float) rnd.nextGaussian() * 3f;
                default -> (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(10, rnd.nextDouble(-30, 3)));
            };
        }
        float[] s = new float[n], t = new float[n];
        vector1.sigmoid(n, x, 0, s, 0);
        vector1.tanh(n, x, 0, t, 0);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(VectorKernels.sigmoidS(x[i])), Float.floatToRawIntBits(s[i]),
                    "sigmoid(" + x[i] + "): lane " + s[i] + ", scalar " + VectorKernels.sigmoidS(x[i]));
            assertEquals(Float.floatToRawIntBits(VectorKernels.tanhS(x[i])), Float.floatToRawIntBits(t[i]),
                    "tanh(" + x[i] + "): lane " + t[i] + ", scalar " + VectorKernels.tanhS(x[i]));
        }
    }

    private static void assertArrayClose(String what, float[] want, float[] got, float tol) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tol * Math.max(1f, Math.abs(want[i])))) {
                fail(what + ": index " + i + " plain " + want[i] + " vector " + got[i]);
            }
        }
    }
}
