package io.github.rnn4j.bench;

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.PlainKernels;
import io.github.rnn4j.kernels.VectorKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * JMH benchmark of one GEMM, {@code C = A * B} (m x k times k x n, row-major, beta = 0 so C is
 * overwritten) or, with {@code op=accumulate}, {@code C += A * B} as in the recurrent step, and the
 * two weight-gradient / input-gradient forms ({@code transA}: {@code C += A^T B}; {@code transB}:
 * {@code C = A B^T}). Shapes are {@code N} (square) or {@code MxNxK}. Time per call is the score;
 * {@link GemmBench} turns it into GFLOP/s (2·m·n·k flops per call).
 *
 * <p>Buffers are allocated and touched once per trial, so page faults stay out of the timing.
 * Not a correctness check (VectorKernelsTest is).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class GemmBenchmark {
    @Param({"256", "512", "1024", "2048", "64x1024x256"})
    public String shape;

    /** {@code plain} or {@code vector}. */
    @Param({"vector"})
    public String kernels;

    /** Threads for the vector kernels (plain always uses one). */
    @Param({"2"})
    public int threads;

    /** {@code overwrite} (beta 0), {@code accumulate} (beta 1), {@code transA} or {@code transB}. */
    @Param({"overwrite"})
    public String op;

    private Kernels k;
    private int m, n, kk;
    private float[] a, b, c;

    /** Parses {@code N} or {@code MxNxK} into {m, n, k}. */
    public static int[] dims(String shape) {
        String[] d = shape.toLowerCase().split("x");
        int m = Integer.parseInt(d[0].trim());
        return d.length == 1 ? new int[] {m, m, m}
                : new int[] {m, Integer.parseInt(d[1].trim()), Integer.parseInt(d[2].trim())};
    }

    @Setup
    public void setup() {
        int[] d = dims(shape);
        m = d[0];
        n = d[1];
        kk = d[2];
        k = switch (kernels) {
            case "plain" -> new PlainKernels();
            case "vector" -> new VectorKernels(threads);
            default -> throw new IllegalArgumentException("kernels must be plain or vector, got " + kernels);
        };
        SplittableRandom rnd = new SplittableRandom(1);
        a = new float[m * kk];
        b = new float[kk * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextDouble(-1, 1);
        for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextDouble(-1, 1);
        gemm();   // first call sizes and touches the kernels' packing buffers
    }

    @Benchmark
    public float[] gemm() {
        switch (op) {
            case "overwrite" -> k.gemm(false, false, m, n, kk, 1f, a, 0, kk, b, 0, n, 0f, c, 0, n);
            // C might grow over many calls; the values do not matter for timing (no overflow in 1e6 calls)
            case "accumulate" -> k.gemm(false, false, m, n, kk, 1e-3f, a, 0, kk, b, 0, n, 1f, c, 0, n);
            // A stored k x m, as the weight gradient x^T · dA over T*B rows
            case "transA" -> k.gemm(true, false, m, n, kk, 1e-3f, a, 0, m, b, 0, n, 1f, c, 0, n);
            // B stored n x k, as dX = dA · W^T
            case "transB" -> k.gemm(false, true, m, n, kk, 1f, a, 0, kk, b, 0, kk, 0f, c, 0, n);
            default -> throw new IllegalArgumentException("op must be overwrite, accumulate, transA or transB, got " + op);
        }
        return c;
    }
}
