package io.github.rnn4j.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Locale;

/**
 * The machine's ceiling for single-precision arithmetic: every thread runs independent chains of
 * 256-bit (the preferred species) fused multiply-adds on registers only, no memory, and the sum of
 * their rates is the most GFLOP/s any float GEMM or recurrent layer could reach on those threads
 * at that moment. On the shared VMs we measure on, every workload's rate moves by 1.5x within
 * minutes, so a rate alone cannot say how close a side runs to the hardware; a ceiling measured a
 * second apart can (it moved much less: 95-98 GFLOP/s per core, 178-194 on two, in session 14).
 *
 * <p>Not a benchmark of rnn4j (it uses no rnn4j class) and not a test: a yardstick for the paired
 * runs, which take a burst of it each round ({@code tools/bench/torch_rnn_bench.py --paired JAR
 * --ceiling BENCH_JAR}, {@code OrtRnnBench --paired N --ceiling}, {@code tools/bench/gemm_paired.py
 * --ceiling BENCH_JAR}).
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp rnn4j-bench.jar io.github.rnn4j.bench.FmaPeak [--threads N] [--rounds R]
 *       R rounds of: one thread alone, then N threads at once (GFLOP/s summed over the threads)
 *   java --add-modules jdk.incubator.vector -cp rnn4j-bench.jar io.github.rnn4j.bench.FmaPeak --serve [--threads N]
 *       prints "ready THREADS LANES", then answers each line "SECONDS" with "FLOPS NANOSECONDS"
 *       (N threads at once, each for at least SECONDS); "quit" ends
 * </pre>
 * Each thread keeps 12 accumulators (the FMA units' latency times their throughput needs 8-10 on
 * the cores we have) and does 12 FMAs of 2 * LANES flops per iteration, each {@code acc = m * b +
 * acc}: the accumulator is the FMA's destination, as in a GEMM micro-kernel. (A first version
 * wrote {@code acc = acc * m + b}; C2 then copied b into a fresh register before every FMA and
 * spilled accumulators, and the "ceiling" ran 5-26 % below OpenBLAS's sgemm on one thread.)
 */
public final class FmaPeak {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Iterations between clock reads: about 30 us at the rates seen. */
    static final int CHUNK = 100_000;
    static volatile float sink;

    /**
     * CHUNK iterations of the 12 chains, which start from and end in acc (12 vectors): a method
     * called over and over, so C2 compiles it whole (a loop entered once per burst ran in the
     * interpreter until on-stack replacement, at 1 GFLOP/s, in a first version).
     */
    static void chunk(float[] acc) {
        int l = S.length();
        FloatVector a0 = FloatVector.fromArray(S, acc, 0), a1 = FloatVector.fromArray(S, acc, l);
        FloatVector a2 = FloatVector.fromArray(S, acc, 2 * l), a3 = FloatVector.fromArray(S, acc, 3 * l);
        FloatVector a4 = FloatVector.fromArray(S, acc, 4 * l), a5 = FloatVector.fromArray(S, acc, 5 * l);
        FloatVector a6 = FloatVector.fromArray(S, acc, 6 * l), a7 = FloatVector.fromArray(S, acc, 7 * l);
        FloatVector a8 = FloatVector.fromArray(S, acc, 8 * l), a9 = FloatVector.fromArray(S, acc, 9 * l);
        FloatVector a10 = FloatVector.fromArray(S, acc, 10 * l), a11 = FloatVector.fromArray(S, acc, 11 * l);
        FloatVector m = FloatVector.broadcast(S, 0.5f), b = FloatVector.broadcast(S, 1e-9f);
        for (int i = 0; i < CHUNK; i++) {
            a0 = m.fma(b, a0);
            a1 = m.fma(b, a1);
            a2 = m.fma(b, a2);
            a3 = m.fma(b, a3);
            a4 = m.fma(b, a4);
            a5 = m.fma(b, a5);
            a6 = m.fma(b, a6);
            a7 = m.fma(b, a7);
            a8 = m.fma(b, a8);
            a9 = m.fma(b, a9);
            a10 = m.fma(b, a10);
            a11 = m.fma(b, a11);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, l);
        a2.intoArray(acc, 2 * l);
        a3.intoArray(acc, 3 * l);
        a4.intoArray(acc, 4 * l);
        a5.intoArray(acc, 5 * l);
        a6.intoArray(acc, 6 * l);
        a7.intoArray(acc, 7 * l);
        a8.intoArray(acc, 8 * l);
        a9.intoArray(acc, 9 * l);
        a10.intoArray(acc, 10 * l);
        a11.intoArray(acc, 11 * l);
    }

    /** Chunks until at least `nanos` have passed; returns {iterations, nanos}. */
    static long[] burst(long nanos) {
        float[] acc = new float[12 * S.length()];
        java.util.Arrays.fill(acc, 1f);
        long iters = 0, t0 = System.nanoTime(), t;
        do {
            chunk(acc);
            iters += CHUNK;
            t = System.nanoTime() - t0;
        } while (t < nanos);
        // m * b is far below half an ulp of the accumulators (which start at 1), so they stay 1:
        // no overflow, no subnormals; reading them keeps every chain alive
        float sum = 0;
        for (float v : acc) sum += v;
        sink = sum;
        return new long[]{iters, t};
    }

    private FmaPeak() {
    }

    /**
     * GFLOP/s of `threads` threads running the chains at once, each for at least `nanos` (the
     * first call also compiles the loop: about a second).
     */
    public static double gflops(int threads, long nanos) throws InterruptedException {
        warm();
        double[] r = together(threads, nanos);
        return r[0] / r[1];
    }

    private static boolean warm;

    private static synchronized void warm() {
        if (!warm) {
            for (int i = 0; i < 3; i++) burst(400_000_000L);   // C2 compiles chunk()
            warm = true;
        }
    }

    static double flopsPerIteration() {
        return 12.0 * 2 * S.length();
    }

    /** `threads` threads at once, each for at least `nanos`: {flops summed over threads, longest nanos}. */
    static double[] together(int threads, long nanos) throws InterruptedException {
        long[][] out = new long[threads][];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = new Thread(() -> out[id] = burst(nanos));
        }
        for (Thread th : ts) th.start();
        for (Thread th : ts) th.join();
        double flops = 0;
        long longest = 0;
        for (long[] r : out) {
            flops += r[0] * flopsPerIteration();
            longest = Math.max(longest, r[1]);
        }
        return new double[]{flops, longest};
    }

    private static int positive(String[] args, int i) {
        if (i >= args.length) usage(args[i - 1] + " needs a value");
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= 1) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        usage(args[i - 1] + " must be a whole number >= 1, got '" + args[i] + "'");
        return -1;
    }

    private static void usage(String problem) {
        System.err.println("FmaPeak: " + problem + "; usage: FmaPeak [--threads N] [--rounds R] [--serve]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        int threads = 2, rounds = 5;
        boolean serve = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = positive(args, ++i);
                case "--rounds" -> rounds = positive(args, ++i);
                case "--serve" -> serve = true;
                default -> usage("unknown option '" + args[i] + "'");
            }
        }
        warm();
        if (serve) {
            System.out.println("ready " + threads + " " + S.length());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            for (String line; (line = in.readLine()) != null; ) {
                line = line.trim();
                if (line.equals("quit")) break;
                double seconds;
                try {
                    seconds = Double.parseDouble(line);
                } catch (NumberFormatException e) {
                    seconds = Double.NaN;
                }
                if (!(seconds > 0 && seconds <= 3600)) {
                    System.out.println("error: expected SECONDS (a number in (0, 3600]) or quit, got '" + line + "'");
                    continue;
                }
                double[] r = together(threads, (long) (seconds * 1e9));
                System.out.println(String.format(Locale.ROOT, "%.0f %d", r[0], (long) r[1]));
            }
            return;
        }
        System.out.printf(Locale.ROOT, "FMA ceiling, %d-bit vectors (%d lanes), 12 chains per thread%n",
                S.vectorBitSize(), S.length());
        for (int r = 0; r < rounds; r++) {
            double[] one = together(1, 1_000_000_000L);
            double[] all = together(threads, 1_000_000_000L);
            System.out.printf(Locale.ROOT, "round %d: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s%n",
                    r + 1, one[0] / one[1], threads, all[0] / all[1]);
        }
    }
}
