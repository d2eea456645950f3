package io.github.rnn4j.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link GemmBenchmark} and prints GFLOP/s per shape, kernels and operation.
 *
 * <pre>
 *   java -jar rnn4j-bench.jar                       # the default table (vector and plain)
 *   java -jar rnn4j-bench.jar --shapes 1024,2048 --kernels vector --threads 2 --ops overwrite
 *   java -cp rnn4j-bench.jar org.openjdk.jmh.Main GemmBenchmark -p shape=512   # plain JMH
 * </pre>
 * Options: {@code --shapes} (N or MxNxK, comma-separated), {@code --kernels} (plain,vector),
 * {@code --threads}, {@code --ops} (overwrite, accumulate, transA, transB), {@code --plain-max}
 * (largest m·n·k the slow plain kernels are run at; default 1024³), {@code --iterations},
 * {@code --forks}. Each result line gives the mean GFLOP/s over the measurement iterations
 * and the range (slowest to fastest iteration), so the noise of a shared machine shows.
 *
 * <p>Not a test and not run by {@code mvn test}.
 */
public final class GemmBench {
    private GemmBench() {
    }

    public static void main(String[] args) throws RunnerException {
        List<String> shapes = List.of("256", "512", "1024", "2048", "64x1024x256", "32x256x64",
                "128x2048x512", "6400x1024x256");
        List<String> kernels = List.of("vector", "plain");
        List<String> ops = List.of("overwrite");
        String threads = "2";
        long plainMax = 1024L * 1024 * 1024;
        int iterations = 5, forks = 1;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--shapes" -> shapes = List.of(v.split(","));
                case "--kernels" -> kernels = List.of(v.split(","));
                case "--ops" -> ops = List.of(v.split(","));
                case "--threads" -> threads = v;
                case "--plain-max" -> plainMax = Long.parseLong(v);
                case "--iterations" -> iterations = Integer.parseInt(v);
                case "--forks" -> forks = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class Javadoc");
            }
            i++;
        }
        List<String[]> rows = new ArrayList<>();
        for (String kern : kernels) {
            List<String> use = new ArrayList<>();
            for (String s : shapes) {
                int[] d = GemmBenchmark.dims(s);
                if (!kern.equals("plain") || (long) d[0] * d[1] * d[2] <= plainMax) use.add(s);
            }
            if (use.isEmpty()) continue;
            ChainedOptionsBuilder o = new OptionsBuilder()
                    .include(GemmBenchmark.class.getName() + ".gemm$")
                    .param("shape", use.toArray(String[]::new))
                    .param("kernels", kern)
                    .param("threads", kern.equals("plain") ? "1" : threads)
                    .param("op", ops.toArray(String[]::new))
                    .measurementIterations(iterations)
                    .forks(forks);
            if (kern.equals("plain")) {
                o.warmupIterations(1).warmupTime(TimeValue.seconds(2)).measurementTime(TimeValue.seconds(2));
            }
            Collection<RunResult> results = new Runner(o.build()).run();
            for (RunResult r : results) {
                var p = r.getParams();
                int[] d = GemmBenchmark.dims(p.getParam("shape"));
                double flops = 2.0 * d[0] * d[1] * d[2];
                var st = r.getPrimaryResult().getStatistics();   // microseconds per call
                rows.add(new String[] {p.getParam("shape"), d[0] + "x" + d[1] + "x" + d[2], p.getParam("op"),
                        kern, p.getParam("threads"),
                        fmt(flops / st.getMean() / 1e3), fmt(flops / st.getMax() / 1e3), fmt(flops / st.getMin() / 1e3),
                        String.format(Locale.ROOT, "%.1f", st.getMean())});
            }
        }
        System.out.println();
        System.out.println("GEMM GFLOP/s (2*m*n*k per call; mean over iterations, range = slowest..fastest iteration)");
        System.out.printf(Locale.ROOT, "%-14s %-16s %-10s %-7s %-7s %10s %18s %12s%n",
                "shape", "m x n x k", "op", "kernels", "threads", "GFLOP/s", "range", "us/call");
        for (String[] r : rows) {
            System.out.printf(Locale.ROOT, "%-14s %-16s %-10s %-7s %-7s %10s %18s %12s%n",
                    r[0], r[1], r[2], r[3], r[4], r[5], r[6] + ".." + r[7], r[8]);
        }
        if (rows.isEmpty()) System.out.println("(nothing ran: " + Arrays.toString(args) + ")");
    }

    private static String fmt(double gflops) {
        return String.format(Locale.ROOT, "%.1f", gflops);
    }
}
