/*
 * A floor under the batch-1 LSTM step on this machine: the least time one step of an LSTM with
 * 128 units and 32 features (the `rnn4j bench --configs step` row) can take when its product is
 * written as well as we know how, with nothing else around it. Issue 4 asks for under 3 us.
 *
 * Not a benchmark of rnn4j and not a peer: a standalone probe (no rnn4j classes). Each thread
 * owns half the units (64 of each gate's 128 columns); per step it computes its four gates as
 * [h | x] (160 values) times its columns of the weights plus the bias, 8 accumulators of 8 floats
 * per gate (the shape of rnn4j's batch-1 product), then a cheap stand-in for the activations
 * (linear sigmoid, x / (1 + |x|) for tanh: no transcendental at all) and the cell update, and
 * writes its half of the next h. With two threads the halves meet once per step through a spin
 * on a counter (no pool, no queue, no checks, no allocation). Modes:
 *
 *   one     one thread computes both halves
 *   two     two threads, one half each, meeting every step (the real dependency: the next step
 *           needs all of h)
 *   indep   two threads, one half each, never meeting (the product's own rate when both cores
 *           stream their weights at once)
 *
 * Weights are read packed (each gate's 64 columns as one contiguous [160, 64] panel) unless
 * `-Dinplace=true`, which reads them in place from the row-major [160, 512] matrix (what rnn4j's
 * stateful step does: it cannot keep packed weights between calls that may change them).
 *
 *   java --add-modules jdk.incubator.vector [-Dinplace=true] tools/bench/StepFloor.java one|two|indep [ROUNDS]
 *
 * Prints microseconds per step for each round of 200,000 steps (the first round includes
 * compilation).
 */

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

public class StepFloor {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int F = 32, H = 128, K = F + H, G = 4, HALF = H / 2, GH = G * H, STEPS = 200_000;
    static final boolean IN_PLACE = Boolean.getBoolean("inplace");

    /** One thread's half: its columns [j0, j0 + 64) of every gate, as panels or in place. */
    static final class Half {
        final int j0;
        final float[][] panel = new float[G][K * HALF];
        final float[] w, bias, gates = new float[G * HALF], c;

        Half(float[] w, float[] bias, float[] c, int j0) {
            this.j0 = j0;
            this.w = w;
            this.bias = bias;
            this.c = c;
            for (int g = 0; g < G; g++) {
                for (int k = 0; k < K; k++) System.arraycopy(w, k * GH + g * H + j0, panel[g], k * HALF, HALF);
            }
        }

        /** One step of this half: gates from xh = [h | x], then c and the next h's half into hOut. */
        void step(float[] xh, float[] hOut) {
            for (int g = 0; g < G; g++) {
                if (IN_PLACE) product(xh, w, g * H + j0, GH, bias, g * H + j0, gates, g * HALF);
                else product(xh, panel[g], 0, HALF, bias, g * H + j0, gates, g * HALF);
            }
            for (int j = 0; j < HALF; j++) {
                float i = sig(gates[j]), f = sig(gates[HALF + j]), cc = th(gates[2 * HALF + j]), o = sig(gates[3 * HALF + j]);
                float cn = f * c[j0 + j] + i * cc;
                c[j0 + j] = cn;
                hOut[j0 + j] = o * th(cn);
            }
        }
    }

    /** out[oo .. oo+64) = bias + xh · w's 64 columns from col (row stride ld). */
    static void product(float[] xh, float[] w, int col, int ld, float[] bias, int bo, float[] out, int oo) {
        FloatVector s0 = FloatVector.fromArray(S, bias, bo), s1 = FloatVector.fromArray(S, bias, bo + 8);
        FloatVector s2 = FloatVector.fromArray(S, bias, bo + 16), s3 = FloatVector.fromArray(S, bias, bo + 24);
        FloatVector s4 = FloatVector.fromArray(S, bias, bo + 32), s5 = FloatVector.fromArray(S, bias, bo + 40);
        FloatVector s6 = FloatVector.fromArray(S, bias, bo + 48), s7 = FloatVector.fromArray(S, bias, bo + 56);
        for (int k = 0, i = col; k < K; k++, i += ld) {
            FloatVector v = FloatVector.broadcast(S, xh[k]);
            s0 = v.fma(FloatVector.fromArray(S, w, i), s0);
            s1 = v.fma(FloatVector.fromArray(S, w, i + 8), s1);
            s2 = v.fma(FloatVector.fromArray(S, w, i + 16), s2);
            s3 = v.fma(FloatVector.fromArray(S, w, i + 24), s3);
            s4 = v.fma(FloatVector.fromArray(S, w, i + 32), s4);
            s5 = v.fma(FloatVector.fromArray(S, w, i + 40), s5);
            s6 = v.fma(FloatVector.fromArray(S, w, i + 48), s6);
            s7 = v.fma(FloatVector.fromArray(S, w, i + 56), s7);
        }
        s0.intoArray(out, oo);
        s1.intoArray(out, oo + 8);
        s2.intoArray(out, oo + 16);
        s3.intoArray(out, oo + 24);
        s4.intoArray(out, oo + 32);
        s5.intoArray(out, oo + 40);
        s6.intoArray(out, oo + 48);
        s7.intoArray(out, oo + 56);
    }

    static float sig(float x) {
        return 0.5f + 0.25f * x;
    }

    static float th(float x) {
        return x / (1 + Math.abs(x));
    }

    static volatile boolean stop;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "two";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        if (!mode.equals("one") && !mode.equals("two") && !mode.equals("indep")) {
            System.err.println("usage: StepFloor one|two|indep [ROUNDS]");
            System.exit(2);
        }
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[K * GH], bias = new float[GH], c = new float[H];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 0.05);
        Half h0 = new Half(w, bias, c, 0), h1 = new Half(w, bias, c, HALF);
        float[][] xh = {new float[K], new float[K]};   // [h | x] of step s in xh[s & 1]
        for (int i = 0; i < F; i++) xh[0][H + i] = xh[1][H + i] = 0.3f;
        System.out.printf(Locale.ROOT, "StepFloor %s, weights %s; Java %s%n", mode, IN_PLACE ? "in place" : "packed",
                System.getProperty("java.version"));
        if (mode.equals("indep")) {
            Thread[] ts = new Thread[2];
            for (int t = 0; t < 2; t++) {
                Half half = t == 0 ? h0 : new Half(w, bias, new float[H], HALF);
                int id = t;
                ts[t] = new Thread(() -> {
                    float[] in = new float[K], out = new float[K];
                    for (int rd = 0; rd < rounds; rd++) {
                        long t0 = System.nanoTime();
                        for (int s = 0; s < STEPS; s++) half.step(in, out);
                        System.out.printf(Locale.ROOT, "thread %d: %.3f us per half step%n", id,
                                (System.nanoTime() - t0) / 1e3 / STEPS);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            return;
        }
        boolean two = mode.equals("two");
        AtomicLong go = new AtomicLong(-1), done = new AtomicLong(-1);
        if (two) {
            Thread t = new Thread(() -> {
                for (long s = 0; ; s++) {
                    while (go.get() < s) {
                        if (stop) return;
                        Thread.onSpinWait();
                    }
                    h1.step(xh[(int) (s & 1)], xh[(int) ((s + 1) & 1)]);
                    done.set(s);
                }
            });
            t.setDaemon(true);
            t.start();
        }
        for (int rd = 0; rd < rounds; rd++) {
            long t0 = System.nanoTime();
            for (long s = (long) rd * STEPS; s < (long) (rd + 1) * STEPS; s++) {
                float[] in = xh[(int) (s & 1)], out = xh[(int) ((s + 1) & 1)];
                if (two) {
                    go.set(s);
                    h0.step(in, out);
                    while (done.get() < s) Thread.onSpinWait();
                } else {
                    h0.step(in, out);
                    h1.step(in, out);
                }
            }
            System.out.printf(Locale.ROOT, "%.3f us per step (h[0] %.5f)%n", (System.nanoTime() - t0) / 1e3 / STEPS, xh[0][0]);
        }
        stop = true;
    }
}
