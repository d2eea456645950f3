package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.VectorKernels;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import io.github.rnn4j.training.Optimizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j bench}: throughput of SimpleRNN, LSTM and GRU layers on the fixed configurations
 * of issue 4 (small, medium, large), in inference and training, printed as sequences/s, ms per
 * iteration (median and min), GFLOP/s and peak heap; optionally written as JSON in the same
 * shape as {@code tools/bench/torch_rnn_bench.py} writes, so {@code tools/bench/compare.sh} can
 * put the two side by side.
 *
 * <p>What one iteration is, and what it deliberately leaves out:
 * <ul>
 *   <li><b>inference</b>: one {@link Layer#forward} of the recurrent layer (returnSequences
 *       false) over a pre-made (B, T, F) tensor with {@code training = false}, reusing one frame
 *       — the layer itself, without {@code Model.predict}'s input checks and frame allocation;</li>
 *   <li><b>training</b>: the steps {@code Model.fit} takes for one batch of a
 *       {@code Sequential(recurrent, Dense(1))} with MSE and Adam — recurrent forward (training),
 *       Dense forward, loss and its gradient, zeroing the gradients, Dense and recurrent backward,
 *       one Adam step — called on the layers directly with reused frames, so no batch is copied
 *       out of a dataset, and fit's safety net (finite checks, the snapshot of the weights that
 *       undoes an overflowing step) is not timed.</li>
 * </ul>
 * Flops counted: {@code 2·gates·H·(F+H)} per sample per step forward (gates: SimpleRNN 1,
 * LSTM 4, GRU 3), three times that for training, as issue 4 states; the Dense layer, the
 * activations and the optimizer are not counted. GFLOP/s is that count over the median time.
 * Peak heap is the larger of the heap pools' summed peak usage over the row (warm-up included,
 * reset after a GC before the row) and the used heap sampled after each iteration: it includes
 * garbage not yet collected, so it is an upper bound on what the row needs, not an exact peak.
 *
 * <p>The thread count of the kernels is fixed when they load: {@code --threads} sets
 * {@code rnn4j.threads} before that, and fails if the kernels are already loaded with another
 * count (inside another program, pass {@code -Drnn4j.threads=N} to the JVM instead).
 *
 * <p>Not here: the charlm and single-step latency configurations of issue 4, and the peers
 * (PyTorch is {@code tools/bench/torch_rnn_bench.py}; ONNX Runtime is not measured yet).
 * Timing is wall-clock per iteration, not JMH; the numbers are for comparing on one machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Throughput of SimpleRNN, LSTM and GRU (inference and training) on issue 4's configurations.")
final class BenchCommand implements Callable<Integer> {

    /** One benchmark configuration: shape plus default warm-up and measured iteration counts. */
    record Config(String name, int batch, int seq, int features, int units, int warmup, int iters) {
    }

    static final Map<String, Config> CONFIGS = new LinkedHashMap<>();

    static {
        // fewer iterations for large: one LSTM training iteration there is ~200 GFLOP
        CONFIGS.put("small", new Config("small", 32, 50, 8, 64, 10, 30));
        CONFIGS.put("medium", new Config("medium", 64, 100, 32, 256, 3, 10));
        CONFIGS.put("large", new Config("large", 128, 200, 128, 512, 1, 3));
    }

    @Option(names = "--cells", split = ",", paramLabel = "CELL", defaultValue = "simple,lstm,gru",
            description = "comma-separated: simple, lstm, gru (default: ${DEFAULT-VALUE})")
    List<String> cells;
    @Option(names = "--configs", split = ",", paramLabel = "NAME", defaultValue = "small,medium,large",
            description = "comma-separated: small, medium, large, or BxTxFxH for a custom shape (default: ${DEFAULT-VALUE})")
    List<String> configs;
    @Option(names = "--mode", defaultValue = "both", description = "inference, training or both (default: ${DEFAULT-VALUE})")
    String mode;
    @Option(names = "--warmup", paramLabel = "N", description = "warm-up iterations per row (default: 10 small, 3 medium, 1 large)")
    Integer warmup;
    @Option(names = "--iters", paramLabel = "N", description = "measured iterations per row (default: 30 small, 10 medium, 3 large)")
    Integer iters;
    @Option(names = "--threads", paramLabel = "N", description = "kernel threads (sets rnn4j.threads before the kernels load)")
    Integer threads;
    @Option(names = "--seed", defaultValue = "42", description = "seed for weights and data (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Override
    public Integer call() throws IOException {
        List<String> cellList = new ArrayList<>();
        for (String c : cells) {
            String k = c.trim().toLowerCase(Locale.ROOT);
            if (!List.of("simple", "lstm", "gru").contains(k)) {
                throw new IllegalArgumentException("--cells must be simple, lstm or gru, got '" + c + "'");
            }
            cellList.add(k);
        }
        List<Config> cfgs = new ArrayList<>();
        for (String c : configs) cfgs.add(config(c.trim()));
        String m = mode.trim().toLowerCase(Locale.ROOT);
        if (!List.of("inference", "training", "both").contains(m)) {
            throw new IllegalArgumentException("--mode must be inference, training or both, got '" + mode + "'");
        }
        if (warmup != null && warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        if (iters != null && iters < 1) throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
        int kernelThreads = loadKernels();
        Kernels k = Kernels.get();

        PrintStream out = System.out;
        out.printf(Locale.ROOT, "rnn4j bench: kernels %s, %d thread(s); Java %s; %d CPU(s)%n",
                k.getClass().getSimpleName(), kernelThreads, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        out.println("flops: 2*gates*H*(F+H) per sample per step forward, 3x for training (gates: SimpleRNN 1, LSTM 4, GRU 3)");
        out.println("inference = Layer.forward (returnSequences=false, reused frame); "
                + "training = forward + MSE + backward + Adam step of recurrent -> Dense(1)");
        out.printf(Locale.ROOT, "%-9s %-7s %-9s %5s %4s %4s %5s %5s %10s %10s %9s %8s %8s %9s%n",
                "cell", "config", "mode", "batch", "seq", "feat", "units", "iters",
                "seq/s", "ms median", "ms min", "GFLOP/s", "best", "heap MiB");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Config c : cfgs) {
            for (String cell : cellList) {
                for (String md : m.equals("both") ? List.of("inference", "training") : List.of(m)) {
                    Map<String, Object> r = runRow(cell, c, md);
                    rows.add(r);
                    out.printf(Locale.ROOT, "%-9s %-7s %-9s %5d %4d %4d %5d %5d %10.1f %10.3f %9.3f %8.2f %8.2f %9.1f%n",
                            r.get("cell"), c.name(), md, c.batch(), c.seq(), c.features(), c.units(), r.get("iters"),
                            r.get("seq_per_s"), r.get("ms_median"), r.get("ms_min"), r.get("gflops"),
                            r.get("gflops_best"), r.get("peak_heap_mib"));
                    out.flush();
                }
            }
        }
        if (json != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tool", "rnn4j");
            j.put("kernels", k.getClass().getSimpleName());
            j.put("threads", kernelThreads);
            j.put("java", System.getProperty("java.version"));
            j.put("cpus", Runtime.getRuntime().availableProcessors());
            j.put("flop_count", "2*gates*H*(F+H)*B*T forward; 3x for training");
            j.put("rows", rows);
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), j);
        }
        return 0;
    }

    /** A named configuration, or {@code BxTxFxH} (then 3 warm-up and 10 measured iterations). */
    static Config config(String s) {
        Config c = CONFIGS.get(s.toLowerCase(Locale.ROOT));
        if (c != null) return c;
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        if (p.length == 4) {
            try {
                int[] v = Arrays.stream(p).mapToInt(Integer::parseInt).toArray();
                if (Arrays.stream(v).allMatch(x -> x > 0)) return new Config(s, v[0], v[1], v[2], v[3], 3, 10);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("--configs: unknown configuration '" + s
                + "' (use small, medium, large or BxTxFxH with positive integers)");
    }

    /** Sets rnn4j.threads if asked, loads the kernels, and returns the thread count they use. */
    private int loadKernels() {
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
            System.setProperty("rnn4j.threads", Integer.toString(threads));
        }
        Kernels k = Kernels.get();
        int actual = k instanceof VectorKernels v ? v.threads() : 1;
        if (threads != null && actual != threads) {
            throw new IllegalStateException("the kernels were already loaded with " + actual + " thread(s), --threads "
                    + threads + " cannot change that now" + (k instanceof VectorKernels ? "; pass -Drnn4j.threads=" + threads
                    + " to the JVM" : " (plain kernels are single-threaded; run java with --add-modules jdk.incubator.vector)"));
        }
        return actual;
    }

    static int gates(String cell) {
        return switch (cell) {
            case "simple" -> 1;
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> throw new IllegalArgumentException(cell);
        };
    }

    static String displayName(String cell) {
        return switch (cell) {
            case "simple" -> "SimpleRNN";
            case "lstm" -> "LSTM";
            default -> "GRU";
        };
    }

    private static Layer newCell(String cell, int units) {
        return switch (cell) {
            case "simple" -> new SimpleRNN(units).returnSequences(false);
            case "lstm" -> new LSTM(units).returnSequences(false);
            default -> new GRU(units).returnSequences(false);
        };
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    /** Builds the layers, warms up, times {@code iters} iterations, and returns the row. */
    private Map<String, Object> runRow(String cell, Config c, String md) {
        boolean training = md.equals("training");
        int nWarm = warmup != null ? warmup : c.warmup();
        int nIter = iters != null ? iters : c.iters();
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = random(r, c.batch(), c.seq(), c.features());
        Tensor[] xs = {x};
        Layer rnn = newCell(cell, c.units());
        rnn.build(new int[][]{{c.seq(), c.features()}}, seed);
        Layer.Frame rf = rnn.newFrame();

        Dense dense = null;
        Layer.Frame df = null;
        Tensor y = null, g = null;
        Optimizer opt = null;
        MeanSquaredError mse = null;
        List<Param> params = null;
        if (training) {
            dense = new Dense(1);
            dense.build(new int[][]{{c.units()}}, seed + 1);
            df = dense.newFrame();
            y = random(r, c.batch(), 1);
            g = Tensor.zeros(c.batch(), 1);
            opt = new Adam(1e-3);
            mse = new MeanSquaredError();
            params = new ArrayList<>(rnn.params());
            params.addAll(dense.params());
        }

        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
        for (MemoryPoolMXBean p : heap) p.resetPeakUsage();

        Runtime rt = Runtime.getRuntime();
        long sampled = rt.totalMemory() - rt.freeMemory();
        long[] ns = new long[nIter];
        double lastLoss = Double.NaN;
        for (int it = -nWarm; it < nIter; it++) {
            long t0 = System.nanoTime();
            if (!training) {
                rnn.forward(xs, null, rf, false);
            } else {
                Tensor h = rnn.forward(xs, null, rf, true)[0];
                Tensor p = dense.forward(new Tensor[]{h}, null, df, true)[0];
                lastLoss = mse.forward(p, y, g);
                for (Param q : params) q.zeroGrad();
                Tensor gh = dense.backward(new Tensor[]{g}, df)[0];
                rnn.backward(new Tensor[]{gh}, rf);
                opt.step(params);
            }
            long dt = System.nanoTime() - t0;
            if (it >= 0) ns[it] = dt;
            sampled = Math.max(sampled, rt.totalMemory() - rt.freeMemory());
        }
        // G1 updates some pools' peaks only at a GC, so also keep the used heap seen after each iteration
        long peak = 0;
        for (MemoryPoolMXBean p : heap) peak += p.getPeakUsage().getUsed();
        peak = Math.max(peak, sampled);

        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        double median = (nIter % 2 == 1 ? sorted[nIter / 2] : (sorted[nIter / 2 - 1] + sorted[nIter / 2]) / 2.0) / 1e9;
        double min = sorted[0] / 1e9;
        double flops = 2.0 * gates(cell) * c.units() * (double) (c.features() + c.units()) * c.batch() * c.seq()
                * (training ? 3 : 1);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", displayName(cell));
        row.put("config", c.name());
        row.put("mode", md);
        row.put("batch", c.batch());
        row.put("seq", c.seq());
        row.put("features", c.features());
        row.put("units", c.units());
        row.put("warmup", nWarm);
        row.put("iters", nIter);
        row.put("flops_per_iter", flops);
        row.put("seq_per_s", c.batch() / median);
        row.put("ms_median", median * 1e3);
        row.put("ms_min", min * 1e3);
        row.put("gflops", flops / median / 1e9);
        row.put("gflops_best", flops / min / 1e9);
        row.put("peak_heap_mib", peak / (1024.0 * 1024.0));
        if (training) row.put("last_loss", lastLoss);
        return row;
    }
}
