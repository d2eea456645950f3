/*
 * How fast each of two threads runs the same register-tiled FMA loop, every half second: on a
 * shared VM the vCPUs are often not equally fast (another tenant on a core's sibling), and a
 * fixed half of the work per thread then ends when the slower thread does. This is the
 * measurement behind the work-stealing splits (RowQueue) in docs/results.md, session 9.
 *
 * Not a benchmark of rnn4j: a standalone probe of the machine (no rnn4j classes). Each thread
 * runs a 6 x 16 tile loop (the shape of rnn4j's micro-kernel) over its own 30 x 289 panel of A
 * and 960 columns of B, and counts passes; the main thread prints both rates (GFLOP/s) per half
 * second and how many half seconds had one thread more than 1.25x faster than the other.
 *
 *   java --add-modules jdk.incubator.vector tools/bench/ThreadRates.java [SECONDS]
 */

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

public class ThreadRates {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = 8, NR = 16, KC = 289, M = 30, N = 960, LDA = 320;

    static void tile(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + p]); c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]); c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]); c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]); c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]); c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]); c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L); ci += ldc;
        c10.intoArray(c, ci); c11.intoArray(c, ci + L); ci += ldc;
        c20.intoArray(c, ci); c21.intoArray(c, ci + L); ci += ldc;
        c30.intoArray(c, ci); c31.intoArray(c, ci + L); ci += ldc;
        c40.intoArray(c, ci); c41.intoArray(c, ci + L); ci += ldc;
        c50.intoArray(c, ci); c51.intoArray(c, ci + L);
    }

    public static void main(String[] args) throws InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        AtomicLongArray passes = new AtomicLongArray(2);
        for (int t = 0; t < 2; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                float[] a = new float[M * LDA + 8], bp = new float[N * KC + 64], c = new float[M * N];
                java.util.SplittableRandom r = new java.util.SplittableRandom(id);
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble() * 1e-3f;
                for (int i = 0; i < bp.length; i++) bp[i] = (float) r.nextDouble() * 1e-3f;
                for (;;) {
                    for (int j = 0; j < N / NR; j++) {
                        for (int i = 0; i < M; i += 6) tile(KC, a, i * LDA, LDA, bp, j * KC * NR, c, i * N + j * NR, N);
                    }
                    passes.incrementAndGet(id);
                }
            }, "rates-" + t);
            th.setDaemon(true);
            th.start();
        }
        double flop = 2.0 * M * N * KC;
        Thread.sleep(3000);   // compiled and warm
        long p0 = passes.get(0), p1 = passes.get(1);
        int apart = 0, total = 2 * seconds;
        StringBuilder line = new StringBuilder("GFLOP/s per half second, thread 0 / thread 1:\n");
        for (int s = 0; s < total; s++) {
            Thread.sleep(500);
            long q0 = passes.get(0), q1 = passes.get(1);
            double g0 = (q0 - p0) * flop / 0.5e9, g1 = (q1 - p1) * flop / 0.5e9;
            p0 = q0;
            p1 = q1;
            if (Math.max(g0, g1) > 1.25 * Math.min(g0, g1)) apart++;
            line.append(String.format(Locale.ROOT, "%.0f/%.0f ", g0, g1));
            if (s % 10 == 9) line.append('\n');
        }
        System.out.println(line);
        System.out.printf(Locale.ROOT, "half seconds with one thread > 1.25x the other: %d of %d%n", apart, total);
    }
}
