/*
 * The rnn4j side of tools/bench/gemm_paired.py: a process that stays warm and runs bursts of
 * C = A·B with rnn4j's kernels on command, so that a driver can alternate it with OpenBLAS in
 * bursts of a fraction of a second (both then see the same machine state, which on a shared VM
 * moves by 1.5x within minutes).
 *
 * Not a benchmark by itself and not a test: it prints nothing but one line per command.
 *
 *   java --add-modules jdk.incubator.vector -cp rnn4j-core.jar tools/bench/GemmBurst.java
 *
 * Protocol (stdin / stdout, one line each): "M N K SECONDS" runs C = A·B (M x K times K x N,
 * float, fixed seeds, C reused) for at least SECONDS and answers "calls nanoseconds"; "quit" ends.
 * The kernels and thread count are rnn4j's usual choice (system properties rnn4j.kernels,
 * rnn4j.threads).
 */

import io.github.rnn4j.kernels.Kernels;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

public class GemmBurst {
    public static void main(String[] args) throws Exception {
        Kernels k = Kernels.get();
        System.out.println("ready " + k.name() + " threads " + k.threads());
        System.out.flush();
        Map<String, float[][]> operands = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("quit")) break;
            int m = Integer.parseInt(w[0]), n = Integer.parseInt(w[1]), kk = Integer.parseInt(w[2]);
            long budget = (long) (Double.parseDouble(w[3]) * 1e9);
            float[][] abc = operands.computeIfAbsent(m + "x" + n + "x" + kk, s -> {
                SplittableRandom r = new SplittableRandom(1);
                float[] a = new float[m * kk], b = new float[kk * n];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                return new float[][] {a, b, new float[m * n]};
            });
            long calls = 0, t0 = System.nanoTime(), t;
            do {
                k.gemm(false, false, m, n, kk, 1f, abc[0], 0, kk, abc[1], 0, n, 0f, abc[2], 0, n);
                calls++;
                t = System.nanoTime() - t0;
            } while (t < budget);
            System.out.println(calls + " " + t);
            System.out.flush();
        }
    }
}
