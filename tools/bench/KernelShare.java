/*
 * How close rnn4j's packed micro-kernel runs to the machine's FMA ceiling, round by round: on
 * one thread, short bursts of Kernels.gemmPacked (which runs on the calling thread) (C = A · packed B, M x K times K x N, A read in
 * place as a recurrent layer's state is) alternate with bursts of io.github.rnn4j.bench.FmaPeak
 * (register-only fused multiply-adds, the most any float kernel can do on that thread), and each
 * round prints the kernel's GFLOP/s over that round's ceiling. On a shared VM the share moves in
 * stretches of seconds (session 15 found 0.9 and 0.55 for the same compiled code within one
 * run) while the ceiling hardly moves; the series shows those stretches, a single median hides
 * them.
 *
 * Not a benchmark of rnn4j against a peer (that is `rnn4j bench`, compare.sh, gemm_paired.py)
 * and not a test: a probe of the kernel's rate against the hardware's, for the results report.
 *
 *   java --add-modules jdk.incubator.vector \
 *       -cp rnn4j-core/target/rnn4j-core-0.1.0-SNAPSHOT.jar:rnn4j-bench/target/rnn4j-bench.jar \
 *       tools/bench/KernelShare.java M K N [ROUNDS [MILLIS]]
 *
 * ROUNDS (default 60) rounds of MILLIS (default 80) ms of each; prints the shares, 15 a line,
 * then their 10th, 25th, 50th, 75th and 90th percentiles. A, B and C come from a fixed seed; B is packed once, as a layer's
 * weights are.
 */

import io.github.rnn4j.bench.FmaPeak;
import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.PackedMatrix;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

public class KernelShare {
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: KernelShare M K N [ROUNDS [MILLIS]]");
            System.exit(2);
        }
        int m = positive(args, 0, "M"), k = positive(args, 1, "K"), n = positive(args, 2, "N");
        int rounds = args.length > 3 ? positive(args, 3, "ROUNDS") : 60;
        long nanos = (args.length > 4 ? positive(args, 4, "MILLIS") : 80) * 1_000_000L;
        if ((long) m * k > Integer.MAX_VALUE - 8 || (long) k * n > Integer.MAX_VALUE - 8 || (long) m * n > Integer.MAX_VALUE - 8) {
            System.err.println("KernelShare: M x K, K x N and M x N must each fit in one Java array, got " + m + " x " + k + " x " + n);
            System.exit(2);
        }
        Kernels kern = Kernels.get();
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextDouble(-1, 1);
        PackedMatrix pb = kern.pack(false, k, n, b, 0, n, null);
        double flop = 2.0 * m * n * k;
        long w0 = System.nanoTime();
        while (System.nanoTime() - w0 < 2_000_000_000L) kern.gemmPacked(m, 0, n, a, 0, k, pb, 0f, c, 0, n);
        System.out.printf(Locale.ROOT, "%s; gemmPacked %d x %d x %d on this thread against FmaPeak on one thread, "
                + "%d rounds of %d ms each: share of the ceiling per round%n", kern.name(), m, k, n,
                rounds, nanos / 1_000_000L);
        double[] share = new double[rounds];
        StringBuilder line = new StringBuilder();
        for (int q = 0; q < rounds; q++) {
            long t = System.nanoTime(), calls = 0;
            while (System.nanoTime() - t < nanos) {
                kern.gemmPacked(m, 0, n, a, 0, k, pb, 0f, c, 0, n);
                calls++;
            }
            double gflops = flop * calls / (System.nanoTime() - t);
            share[q] = gflops / FmaPeak.gflops(1, nanos);
            line.append(String.format(Locale.ROOT, "%.2f ", share[q]));
            if (q % 15 == 14 || q == rounds - 1) {
                System.out.println(line.toString().strip());
                line.setLength(0);
            }
        }
        Arrays.sort(share);
        System.out.printf(Locale.ROOT, "share of the ceiling: p10 %.2f, p25 %.2f, median %.2f, p75 %.2f, p90 %.2f%n",
                share[rounds / 10], share[rounds / 4], share[rounds / 2], share[3 * rounds / 4], share[9 * rounds / 10]);
        if (Float.isNaN(c[0])) System.out.println("(NaN in C)");  // keeps the products live
    }

    /** Argument i as a positive int, or exit with usage and the offending value. */
    private static int positive(String[] args, int i, String name) {
        try {
            int v = Integer.parseInt(args[i]);
            if (v > 0) return v;
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("KernelShare: " + name + " must be a positive integer, got '" + args[i] + "'");
        System.err.println("usage: KernelShare M K N [ROUNDS [MILLIS]]");
        System.exit(2);
        return 0;
    }
}
