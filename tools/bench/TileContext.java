/*
 * How fast the 6 x 16 register tile runs inside a recurrent step's product, against the same tile
 * on data that stays in L1, both threads at once: each thread multiplies its own ROWS rows of
 * [h | x | 1] (in place, K floats a row) by one shared packed weight matrix (K x N, 16-column
 * panels), as rnn4j's time loop split by rows does, and the two orders of the loops are timed in
 * turn with the L1-resident tile (kc 256, a 16 KiB panel) in 0.1 s bursts:
 *   panel  panel by panel, every row tile under each panel (VectorKernels.gemmPacked's order);
 *   tile   tile by tile, every panel under each tile (the tile's rows stay in L1, B streams).
 * Prints each round's GFLOP/s and, per order, the median (p25, p75) of the per-round ratio to the
 * L1 tile: what the layout costs the loop at that moment of the machine. docs/results.md, session 10.
 *
 * Not a benchmark of rnn4j: a standalone probe (no rnn4j classes; the tile is ThreadRates.tile,
 * the loop of rnn4j's microRows6). JDK 22+ compiles ThreadRates.java from the same directory.
 *
 *   java --add-modules jdk.incubator.vector tools/bench/TileContext.java ROWS K N [ROUNDS]
 *   e.g. 30 578 2048 (the charlm LSTM, 32 rows a thread), 60 641 2048 (large, 64 a thread)
 */

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

public class TileContext {
    static final int NR = 16;

    interface Work {
        void run(int thread);
    }

    /** Both threads run w until the burst ends; passes per second, summed. */
    static double burst(Work w, long nanos) throws InterruptedException {
        long[] passes = new long[2];
        long t0 = System.nanoTime();
        Thread[] th = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            th[t] = new Thread(() -> {
                long n = 0;
                while (System.nanoTime() - t0 < nanos) {
                    w.run(id);
                    n++;
                }
                passes[id] = n;
            });
            th[t].start();
        }
        for (Thread x : th) x.join();
        return (passes[0] + passes[1]) * 1e9 / (System.nanoTime() - t0);
    }

    public static void main(String[] args) throws InterruptedException {
        int rows = Integer.parseInt(args[0]) / 6 * 6, k = Integer.parseInt(args[1]), n = Integer.parseInt(args[2]) / NR * NR;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        if (rows < 6 || k < 1 || n < NR || rounds < 1) throw new IllegalArgumentException("ROWS >= 6, K >= 1, N >= 16, ROUNDS >= 1");
        SplittableRandom r = new SplittableRandom(1);
        float[] bp = new float[k * n];
        for (int i = 0; i < bp.length; i++) bp[i] = (float) (r.nextDouble() - 0.5) * 1e-2f;
        float[][] a = new float[2][rows * k], c = new float[2][rows * n];
        float[][] aL1 = new float[2][6 * 256], bL1 = new float[2][256 * NR], cL1 = new float[2][6 * NR];
        for (float[] x : a) for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() - 0.5);
        int panels = n / NR;
        Work l1 = t -> {
            for (int q = 0; q < 100; q++) ThreadRates.tile(256, aL1[t], 0, 256, bL1[t], 0, cL1[t], 0, NR);
        };
        Work panelOrder = t -> {
            for (int j = 0; j < panels; j++) {
                for (int i = 0; i < rows; i += 6) ThreadRates.tile(k, a[t], i * k, k, bp, j * k * NR, c[t], i * n + j * NR, n);
            }
        };
        Work tileOrder = t -> {
            for (int i = 0; i < rows; i += 6) {
                for (int j = 0; j < panels; j++) ThreadRates.tile(k, a[t], i * k, k, bp, j * k * NR, c[t], i * n + j * NR, n);
            }
        };
        double flopL1 = 2.0 * 6 * 256 * NR * 100, flopStep = 2.0 * rows * k * n;
        long burst = 100_000_000L;
        double[] panelRatio = new double[rounds], tileRatio = new double[rounds];
        for (int round = -5; round < rounds; round++) {   // five rounds of warm-up
            double g1 = flopL1 * burst(l1, burst) / 1e9;
            double gp = flopStep * burst(panelOrder, burst) / 1e9;
            double gt = flopStep * burst(tileOrder, burst) / 1e9;
            if (round < 0) continue;
            panelRatio[round] = gp / g1;
            tileRatio[round] = gt / g1;
            System.out.printf(Locale.ROOT, "round %2d: L1 tile %.1f, panel order %.1f, tile order %.1f GFLOP/s (2 threads)%n",
                    round, g1, gp, gt);
        }
        System.out.printf(Locale.ROOT, "%d rows a thread, K %d, N %d; ratio to the L1 tile, median (p25, p75): panel order %s, tile order %s%n",
                rows, k, n, quartiles(panelRatio), quartiles(tileRatio));
    }

    static String quartiles(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "%.3f (%.3f, %.3f)", s[s.length / 2], s[(s.length - 1) / 4], s[(3 * (s.length - 1) + 3) / 4]);
    }
}
