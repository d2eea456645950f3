package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.VectorKernels;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.ModelState;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.MeanSquaredError;
import io.github.rnn4j.training.Optimizer;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j bench}: speed of SimpleRNN, LSTM and GRU layers on the configurations of issue 4,
 * printed as sequences/s, ms per iteration (median and min), GFLOP/s, peak heap and peak RSS;
 * optionally written as JSON in the same shape as {@code tools/bench/torch_rnn_bench.py} writes
 * (rows keyed by cell, config and mode), so {@code tools/bench/compare.sh} can put the two side
 * by side.
 *
 * <p>Configurations (B batch, T steps, F features, H units):
 * <ul>
 *   <li><b>small</b> 32x50x8x64, <b>medium</b> 64x100x32x256, <b>large</b> 128x200x128x512, or a
 *       custom {@code BxTxFxH}: one recurrent layer (returnSequences false);</li>
 *   <li><b>charlm</b> (B 64, T 100, vocabulary 65, H 512), or a custom {@code charlm:BxTxVxH}: a
 *       character model, recurrent layer (returnSequences true) then {@code Dense(V)} on every
 *       step, sparse categorical cross-entropy from logits over all B·T positions. The input is
 *       <em>one-hot</em>: V features per step, made once from random token ids before timing
 *       (the same in the PyTorch script), so F = V in the flop count; the targets are the next
 *       token ids. One-hot rather than an Embedding keeps the issue's formula exact and the two
 *       tools' inputs identical;</li>
 *   <li><b>step</b> (B 1, F 32, H 128), or a custom {@code step:FxH}: single-step stateful
 *       latency, mode {@code step}, one row per cell.</li>
 * </ul>
 *
 * <p>What one iteration is, and what it deliberately leaves out:
 * <ul>
 *   <li><b>inference</b>: one {@link Layer#forward} of the recurrent layer over a pre-made
 *       (B, T, F) tensor with {@code training = false}, reusing one frame — the layer itself,
 *       without {@code Model.predict}'s input checks and frame allocation; for charlm, followed by
 *       the Dense forward to the (B, T, V) logits;</li>
 *   <li><b>training</b>: the steps {@code Model.fit} takes for one batch of a
 *       {@code Sequential(recurrent, Dense(1))} with MSE and Adam (charlm: {@code Dense(V)} and
 *       sparse categorical cross-entropy from logits) — recurrent forward (training), Dense
 *       forward, loss and its gradient, zeroing the gradients, Dense and recurrent backward (no
 *       gradient for the input data, as fit asks none, {@code Frame.inputGradients}), one
 *       Adam step — called on the layers directly with reused frames, so no batch is copied out
 *       of a dataset, and fit's safety net (finite checks, the snapshot of the weights that undoes
 *       an overflowing step) is not timed. {@code --dropout} and {@code --recurrent-dropout} set
 *       the recurrent layer's dropout and recurrentDropout in training rows (Keras's variational
 *       masks, drawn once per batch); the row records both. Inference rows never drop.
 *       {@code --recurrent-dropout-cost R} makes each training row twice from the same seed, with
 *       {@code --recurrent-dropout} and with R, and alternates their iterations in one process
 *       (warm-up included), so the second row's {@code paired_time_ratio} (median over iterations
 *       of its time over the first's) is the cost of R measured in the same moments;</li>
 *   <li><b>step</b>: one forward of a {@code stateful} recurrent layer (returnSequences false)
 *       on a (1, 1, F) tensor with a reused frame that promises fixed weights
 *       ({@code Frame.weightsFixed}: the layer keeps its weights packed between calls,
 *       as a peer's inference session holds its own); the layer carries (h, c) to the next call.
 *       50,000 warm-up steps (and at least 1.5 s), then 20,000 measured in blocks of 100 (one
 *       {@code nanoTime} pair per block); {@code us_per_step} is the median block's time per
 *       step, {@code seq_per_s} is steps/s, so ratios against the peer work as for the other
 *       rows. {@code --warmup} and {@code --iters} count steps here. The row also records
 *       {@code us_per_step_in_place}: the same layer through a second frame without that
 *       promise (weights read in place), its blocks alternated with the first frame's, and
 *       {@code us_per_step_model}: the same through the streaming API
 *       {@code Model.step(x, state)} on {@code Sequential(InputLayer(-1, F), cell)} with
 *       {@code stepWeightsFixed(true)}, which by design makes a new immutable state per call (so
 *       one model serves many streams; it keeps its workspaces per thread); both are
 *       informational, the row's figure is the first. Step rows are made unless
 *       {@code --mode training}.</li>
 * </ul>
 * Flops counted: {@code 2·gates·H·(F+H)} per sample per step forward (gates: SimpleRNN 1,
 * LSTM 4, GRU 3), plus for charlm the output Dense's {@code 2·H·V} per position; three times
 * that for training, as issue 4 states. The seq configurations' Dense(1), the activations, the
 * loss and the optimizer are not counted. GFLOP/s is that count over the median time.
 *
 * <p>Memory, per row: peak heap is the larger of the heap pools' summed peak usage over the row
 * (warm-up included, reset after a GC before the row) and the used heap sampled after each
 * iteration: it includes garbage not yet collected, so it is an upper bound on what the row
 * needs. Peak RSS is the process's {@code VmHWM} from {@code /proc/self/status}, reset to the
 * current RSS at the row's start by writing 5 to {@code /proc/self/clear_refs} (Linux): the
 * process's peak resident memory <em>during</em> the row, which includes the JVM and whatever
 * heap earlier rows made it commit — not the row's own footprint. Where the reset is refused the
 * row gets the process's peak so far (the JSON says which); where {@code /proc} is unreadable,
 * null. The process's overall peak RSS is printed at the end and stored in the JSON.
 *
 * <p>The thread count of the kernels is fixed when they load: {@code --threads} sets
 * {@code rnn4j.threads} before that, and fails if the kernels are already loaded with another
 * count (inside another program, pass {@code -Drnn4j.threads=N} to the JVM instead).
 *
 * <p>{@code --serve} prints no rows: it keeps the process warm and runs bursts of a row's
 * workload (the same {@code Workload} as the rows) on commands from stdin, for
 * {@code torch_rnn_bench.py --paired}, which alternates them with PyTorch's bursts.
 *
 * <p>Not here: the peers (PyTorch is {@code tools/bench/torch_rnn_bench.py}, which has no
 * recurrent dropout; ONNX Runtime is {@code io.github.rnn4j.bench.OrtRnnBench} in the rnn4j-bench
 * module; {@code tools/bench/compare.sh} runs all three). Timing is wall-clock, not JMH; the
 * numbers are for comparing on one machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Speed of SimpleRNN, LSTM and GRU (inference, training, single-step latency) on issue 4's configurations.")
final class BenchCommand implements Callable<Integer> {

    static final String SEQ = "seq";
    static final String CHARLM = "charlm";
    static final String STEP = "step";
    /** Steps timed together between two nanoTime calls in step rows. */
    static final int STEP_BLOCK = 100;
    /**
     * Warm-up steps of a step row: enough for C2 to compile the step with the Vector API
     * intrinsics (after 2,000 an LSTM step of 8 units still took 13.6 us, 0.66 us after 200,000;
     * at 128 units 7-10.5 us against 5.8-6.8 after 50,000). The peers' runners use the same count.
     */
    static final int STEP_WARMUP = 50_000;
    /**
     * Least warm-up time of a row when {@code --warmup} is not given: the default counts finish
     * in well under a second for small and step rows, before C2 has compiled the kernels (LSTM
     * and GRU small inference ran 1.45x and 2-3.5x faster after 1,000 warm-up iterations than
     * after 30). The peers' runners warm up the same way.
     */
    static final long MIN_WARMUP_NANOS = 1_500_000_000L;

    /**
     * One benchmark configuration: its kind (seq, charlm, step), shape (for charlm, features is
     * the vocabulary; for step, batch and seq are 1) and default warm-up and measured counts
     * (iterations, or steps for step rows).
     */
    record Config(String name, String kind, int batch, int seq, int features, int units, int warmup, int iters) {
    }

    static final Map<String, Config> CONFIGS = new LinkedHashMap<>();

    static {
        // fewer iterations for large: one LSTM training iteration there is ~200 GFLOP
        CONFIGS.put("small", new Config("small", SEQ, 32, 50, 8, 64, 30, 30));
        CONFIGS.put("medium", new Config("medium", SEQ, 64, 100, 32, 256, 10, 10));
        CONFIGS.put("large", new Config("large", SEQ, 128, 200, 128, 512, 2, 3));
        // an LSTM training iteration is ~46 GFLOP
        CONFIGS.put("charlm", new Config("charlm", CHARLM, 64, 100, 65, 512, 3, 5));
        CONFIGS.put("step", new Config("step", STEP, 1, 1, 32, 128, STEP_WARMUP, 20000));
    }

    @Option(names = "--cells", split = ",", paramLabel = "CELL", defaultValue = "simple,lstm,gru",
            description = "comma-separated: simple, lstm, gru (default: ${DEFAULT-VALUE})")
    List<String> cells;
    @Option(names = "--configs", split = ",", paramLabel = "NAME", defaultValue = "small,medium,large,charlm,step",
            description = "comma-separated: small, medium, large, charlm, step, or a custom BxTxFxH, charlm:BxTxVxH, "
                    + "step:FxH (default: ${DEFAULT-VALUE})")
    List<String> configs;
    @Option(names = "--mode", defaultValue = "both",
            description = "inference, training or both (default: ${DEFAULT-VALUE}); step configurations run unless training")
    String mode;
    @Option(names = "--warmup", paramLabel = "N",
            description = "warm-up iterations per row (default: 30 small, 10 medium, 2 large, 3 charlm;"
                    + " steps: 50000 step; without this option, also at least 1.5 s)")
    Integer warmup;
    @Option(names = "--iters", paramLabel = "N",
            description = "measured iterations per row (default: 30 small, 10 medium, 3 large, 5 charlm; steps: 20000 step)")
    Integer iters;
    @Option(names = "--threads", paramLabel = "N", description = "kernel threads (sets rnn4j.threads before the kernels load)")
    Integer threads;
    @Option(names = "--dropout", paramLabel = "R", defaultValue = "0",
            description = "dropout of the recurrent layer's inputs in training rows (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--recurrent-dropout", paramLabel = "R", defaultValue = "0",
            description = "recurrentDropout of the recurrent layer in training rows (default: ${DEFAULT-VALUE})")
    double recurrentDropout;
    @Option(names = "--recurrent-dropout-cost", paramLabel = "R",
            description = "training rows run twice, alternately in one process: with --recurrent-dropout and with R; "
                    + "prints the paired cost of R (median over iterations of the time ratio)")
    Double recurrentDropoutCost;
    @Option(names = "--seed", defaultValue = "42", description = "seed for weights and data (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;
    @Option(names = "--serve",
            description = "instead of rows, answer commands from stdin, one per line: 'CELL CONFIG MODE SECONDS' runs "
                    + "that row's workload (a seq or charlm configuration, inference or training) for at least SECONDS "
                    + "and prints 'ITERATIONS NANOSECONDS'; 'quit' ends (for tools/bench/torch_rnn_bench.py --paired)")
    boolean serve;

    /** Whether VmHWM could be reset at the start of every row so far. */
    private boolean rssPerRow = true;
    /** The process's peak RSS seen so far (MiB), NaN if /proc is unreadable. */
    private double processPeakRss = Double.NaN;

    @Override
    public Integer call() throws IOException {
        List<String> cellList = new ArrayList<>();
        for (String c : cells) cellList.add(cell(c, "--cells"));
        List<Config> cfgs = new ArrayList<>();
        for (String c : configs) cfgs.add(config(c.trim()));
        String m = mode.trim().toLowerCase(Locale.ROOT);
        if (!List.of("inference", "training", "both").contains(m)) {
            throw new IllegalArgumentException("--mode must be inference, training or both, got '" + mode + "'");
        }
        if (warmup != null && warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        if (iters != null && iters < 1) throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        if (!(recurrentDropout >= 0 && recurrentDropout < 1)) {
            throw new IllegalArgumentException("--recurrent-dropout must be in [0, 1), got " + recurrentDropout);
        }
        if (recurrentDropoutCost != null && !(recurrentDropoutCost >= 0 && recurrentDropoutCost < 1)) {
            throw new IllegalArgumentException("--recurrent-dropout-cost must be in [0, 1), got " + recurrentDropoutCost);
        }
        processPeakRss = vmHwmMib();
        int kernelThreads = loadKernels();
        Kernels k = Kernels.get();

        PrintStream out = System.out;
        if (serve) return serve(System.in, out, kernelThreads);
        out.printf(Locale.ROOT, "rnn4j bench: kernels %s, %d thread(s); Java %s; %d CPU(s)%n",
                k.getClass().getSimpleName(), kernelThreads, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        out.println("flops: 2*gates*H*(F+H) per sample per step forward (+ 2*H*V per position for charlm's Dense), "
                + "3x for training (gates: SimpleRNN 1, LSTM 4, GRU 3)");
        out.println("inference = Layer.forward (reused frame; charlm: + Dense(V)); training = forward + loss + backward "
                + "(no input gradient, as in a model) + Adam step of recurrent -> Dense(1) with MSE (charlm: Dense(V), "
                + "sparse cross-entropy from logits, one-hot input); step = stateful forward on (1, 1, F)");
        if (dropout > 0 || recurrentDropout > 0) {
            out.printf(Locale.ROOT, "training rows: dropout %s, recurrentDropout %s%n", dropout, recurrentDropout);
        }
        out.printf(Locale.ROOT, "%-9s %-7s %-9s %5s %4s %4s %5s %5s %10s %10s %9s %8s %8s %9s %9s %8s%n",
                "cell", "config", "mode", "batch", "seq", "feat", "units", "iters",
                "seq/s", "ms median", "ms min", "GFLOP/s", "best", "heap MiB", "RSS MiB", "us/step");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Config c : cfgs) {
            List<String> modes = c.kind().equals(STEP)
                    ? (m.equals("training") ? List.of() : List.of(STEP))
                    : (m.equals("both") ? List.of("inference", "training") : List.of(m));
            for (String cell : cellList) {
                for (String md : modes) {
                    List<Map<String, Object>> made = md.equals(STEP) ? List.of(runStepRow(cell, c))
                            : md.equals("training") && recurrentDropoutCost != null
                            ? runRows(cell, c, md, new double[]{recurrentDropout, recurrentDropoutCost})
                            : List.of(runRow(cell, c, md));
                    for (Map<String, Object> r : made) printRow(out, c, md, r);
                    rows.addAll(made);
                    if (made.size() == 2) {
                        Map<String, Object> base = made.get(0), with = made.get(1);
                        out.printf(Locale.ROOT, "          recurrentDropout %s vs %s, alternated: median time ratio %.3f "
                                        + "(cost %+.1f %%); ratio of the medians %.3f%n",
                                with.get("recurrent_dropout"), base.get("recurrent_dropout"), with.get("paired_time_ratio"),
                                ((Double) with.get("paired_time_ratio") - 1) * 100,
                                (Double) with.get("ms_median") / (Double) base.get("ms_median"));
                    }
                    out.flush();
                }
            }
        }
        out.printf(Locale.ROOT, "peak RSS of the process: %s MiB (VmHWM%s)%n", mib(nanToNull(processPeakRss)),
                rssPerRow ? "; per row: the peak during the row, reset through /proc/self/clear_refs"
                        : "; per row: the process's peak so far, the reset was refused");
        if (json != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tool", "rnn4j");
            j.put("kernels", k.getClass().getSimpleName());
            j.put("threads", kernelThreads);
            j.put("java", System.getProperty("java.version"));
            j.put("cpus", Runtime.getRuntime().availableProcessors());
            j.put("flop_count", "2*gates*H*(F+H)*B*T forward (charlm: F = V one-hot, plus 2*H*V*B*T for Dense(V)); "
                    + "3x for training; step rows: per step, B = T = 1");
            j.put("peak_rss_mib", nanToNull(processPeakRss));
            j.put("peak_rss_scope", rssPerRow ? "row" : "process so far");
            j.put("rows", rows);
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), j);
        }
        return 0;
    }

    /** One line of the table (and the step rows' streaming-API figure under it). */
    private static void printRow(PrintStream out, Config c, String md, Map<String, Object> r) {
        Object us = r.get("us_per_step");
        out.printf(Locale.ROOT, "%-9s %-7s %-9s %5d %4d %4d %5d %5d %10.1f %10.3f %9.3f %8.2f %8.2f %9.1f %9s %8s%n",
                r.get("cell"), c.name(), md, c.batch(), c.seq(), c.features(), c.units(), r.get("iters"),
                r.get("seq_per_s"), r.get("ms_median"), r.get("ms_min"), r.get("gflops"),
                r.get("gflops_best"), r.get("peak_heap_mib"), mib(r.get("peak_rss_mib")),
                us == null ? "-" : String.format(Locale.ROOT, "%.3f", (Double) us));
        if (us != null) {
            out.printf(Locale.ROOT, "          (weights read in place, a frame without weightsFixed: %.3f us/step; Model.step, "
                    + "the streaming API, a new state per call: %.3f us/step)%n",
                    (Double) r.get("us_per_step_in_place"), (Double) r.get("us_per_step_model"));
        }
    }

    /**
     * A named configuration, or a custom {@code BxTxFxH}, {@code charlm:BxTxVxH} (3 warm-up and
     * 10 measured iterations) or {@code step:FxH} (50,000 warm-up and 20,000 measured steps).
     */
    static Config config(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        Config c = CONFIGS.get(lower);
        if (c != null) return c;
        String kind = SEQ;
        String dims = lower;
        int n = 4;
        if (lower.startsWith(CHARLM + ":")) {
            kind = CHARLM;
            dims = lower.substring(CHARLM.length() + 1);
        } else if (lower.startsWith(STEP + ":")) {
            kind = STEP;
            dims = lower.substring(STEP.length() + 1);
            n = 2;
        }
        String[] p = dims.split("x");
        if (p.length == n) {
            try {
                int[] v = Arrays.stream(p).mapToInt(Integer::parseInt).toArray();
                if (Arrays.stream(v).allMatch(x -> x > 0)) {
                    return kind.equals(STEP)
                            ? new Config(s, STEP, 1, 1, v[0], v[1], STEP_WARMUP, 20000)
                            : new Config(s, kind, v[0], v[1], v[2], v[3], 3, 10);
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("--configs: unknown configuration '" + s
                + "' (use small, medium, large, charlm, step, or BxTxFxH, charlm:BxTxVxH, step:FxH with positive integers)");
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

    private static Recurrent<?> newCell(String cell, int units, boolean returnSequences, double dropout,
                                        double recurrentDropout) {
        Recurrent<?> r = switch (cell) {
            case "simple" -> new SimpleRNN(units);
            case "lstm" -> new LSTM(units);
            default -> new GRU(units);
        };
        r.returnSequences(returnSequences);
        r.dropout(dropout);
        r.recurrentDropout(recurrentDropout);
        return r;
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    // ---- memory ---------------------------------------------------------------------------------

    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final Path PROC_CLEAR_REFS = Path.of("/proc/self/clear_refs");

    /** The process's peak resident set (VmHWM) in MiB, or NaN where /proc is not readable. */
    static double vmHwmMib() {
        try {
            for (String line : Files.readAllLines(PROC_STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] p = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(p[0]) / 1024.0;   // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: no RSS figure
        }
        return Double.NaN;
    }

    /** Resets VmHWM to the current RSS (Linux 4.0+); false if the kernel refuses. */
    private static boolean resetPeakRss() {
        try {
            Files.writeString(PROC_CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Object nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String mib(Object v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f", (Double) v);
    }

    /** Peak heap and peak RSS over one row: {@link #start} before it, {@link #sample} after each iteration. */
    private final class Peaks {
        private final List<MemoryPoolMXBean> heap;
        private final Runtime rt = Runtime.getRuntime();
        private long sampled;

        Peaks() {
            System.gc();
            heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
            for (MemoryPoolMXBean p : heap) p.resetPeakUsage();
            processPeakRss = Math.max(processPeakRss, vmHwmMib());   // NaN stays NaN: /proc unreadable
            if (!resetPeakRss()) rssPerRow = false;
            sampled = rt.totalMemory() - rt.freeMemory();
        }

        void sample() {
            sampled = Math.max(sampled, rt.totalMemory() - rt.freeMemory());
        }

        /** Writes peak_heap_mib, peak_rss_mib and updates the process peak. */
        void finish(Map<String, Object> row) {
            // G1 updates some pools' peaks only at a GC, so also keep the used heap seen after each iteration
            long peak = 0;
            for (MemoryPoolMXBean p : heap) peak += p.getPeakUsage().getUsed();
            peak = Math.max(peak, sampled);
            double rss = vmHwmMib();
            processPeakRss = Math.max(processPeakRss, rss);
            row.put("peak_heap_mib", peak / (1024.0 * 1024.0));
            row.put("peak_rss_mib", nanToNull(rss));
        }
    }

    // ---- rows ---------------------------------------------------------------------------------

    /**
     * One row's work, built once: the recurrent layer (and Dense, loss, Adam for training or
     * charlm), its input and reused frames; {@link #once} runs one iteration and returns its
     * nanoseconds. Rows time it alone; the recurrent-dropout cost pairs two and alternates them.
     */
    private final class Workload {
        final boolean training;
        final boolean charlm;
        final double rowDropout;
        final double rowRecurrentDropout;
        final Layer rnn;
        final Layer.Frame rf;
        final Tensor[] xs;
        Tensor y;
        Dense dense;
        Layer.Frame df;
        Tensor g;
        Optimizer opt;
        Loss loss;
        List<Param> params;
        double lastLoss = Double.NaN;

        Workload(String cell, Config c, String md, double rowDropout, double rowRecurrentDropout) {
            training = md.equals("training");
            charlm = c.kind().equals(CHARLM);
            this.rowDropout = training ? rowDropout : 0;
            this.rowRecurrentDropout = training ? rowRecurrentDropout : 0;
            int nb = c.batch(), nt = c.seq(), nf = c.features(), nh = c.units();
            SplittableRandom r = new SplittableRandom(seed);
            Tensor x;
            if (charlm) {
                // random token ids (B, T+1): one-hot inputs are ids[:, :T], targets ids[:, 1:]
                x = Tensor.zeros(nb, nt, nf);
                y = Tensor.zeros(nb, nt);
                float[] xd = x.data(), yd = y.data();
                for (int b = 0; b < nb; b++) {
                    int prev = r.nextInt(nf);
                    for (int t = 0; t < nt; t++) {
                        int next = r.nextInt(nf);
                        xd[(b * nt + t) * nf + prev] = 1f;
                        yd[b * nt + t] = next;
                        prev = next;
                    }
                }
            } else {
                x = random(r, nb, nt, nf);
            }
            xs = new Tensor[]{x};
            rnn = newCell(cell, nh, charlm, this.rowDropout, this.rowRecurrentDropout);
            rnn.build(new int[][]{{nt, nf}}, seed);
            // as in a model: no gradient for the data (PyTorch's input does not require one
            // either), and each iteration's outputs consumed before the next (Frame.reuseOutputs)
            rf = rnn.newFrame().inferenceOnly(!training).inputGradients(false).reuseOutputs(true);
            if (training || charlm) {
                dense = new Dense(charlm ? nf : 1);
                dense.build(new int[][]{charlm ? new int[]{nt, nh} : new int[]{nh}}, seed + 1);
                df = dense.newFrame().reuseOutputs(true);
            }
            if (training) {
                if (charlm) {
                    g = Tensor.zeros(nb, nt, nf);
                    loss = new SparseCategoricalCrossentropy(true);
                } else {
                    y = random(r, nb, 1);
                    g = Tensor.zeros(nb, 1);
                    loss = new MeanSquaredError();
                }
                opt = new Adam(1e-3);
                params = new ArrayList<>(rnn.params());
                params.addAll(dense.params());
            }
        }

        /** One iteration (see the class comment for what it is); its wall-clock nanoseconds. */
        long once() {
            long t0 = System.nanoTime();
            if (!training) {
                Tensor h = rnn.forward(xs, null, rf, false)[0];
                if (charlm) dense.forward(new Tensor[]{h}, null, df, false);
            } else {
                Tensor h = rnn.forward(xs, null, rf, true)[0];
                Tensor p = dense.forward(new Tensor[]{h}, null, df, true)[0];
                lastLoss = loss.forward(p, y, g);
                for (Param q : params) q.zeroGrad();
                Tensor gh = dense.backward(new Tensor[]{g}, df)[0];
                rnn.backward(new Tensor[]{gh}, rf);
                opt.step(params);
            }
            return System.nanoTime() - t0;
        }
    }

    /**
     * A cell name as given (any case, spaces around it) in the lower-case form the rows use;
     * {@code what} names the input in the error.
     */
    static String cell(String given, String what) {
        String k = given.trim().toLowerCase(Locale.ROOT);
        if (!List.of("simple", "lstm", "gru").contains(k)) {
            throw new IllegalArgumentException(what + " must be simple, lstm or gru, got '" + given + "'");
        }
        return k;
    }

    /**
     * The {@code --serve} loop: a warm process that runs bursts of a row's workload on command, so
     * that a peer's driver can alternate its own bursts with rnn4j's a fraction of a second apart
     * (both then see the same state of a shared machine). Workloads are built on first use and
     * kept. A malformed command is answered with a line starting "error:" and the loop goes on.
     */
    int serve(InputStream in, PrintStream out, int kernelThreads) throws IOException {
        out.printf(Locale.ROOT, "ready %s %d%n", Kernels.get().getClass().getSimpleName(), kernelThreads);
        out.flush();
        Map<String, Workload> built = new HashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 1 && w[0].equals("quit")) break;
            try {
                if (w.length != 4) {
                    throw new IllegalArgumentException("expected 'CELL CONFIG MODE SECONDS' or 'quit', got '" + line + "'");
                }
                String cell = cell(w[0], "CELL"), md = w[2].toLowerCase(Locale.ROOT);
                Config c = config(w[1]);
                if (c.kind().equals(STEP)) throw new IllegalArgumentException("step configurations are not served");
                if (!md.equals("inference") && !md.equals("training")) {
                    throw new IllegalArgumentException("MODE must be inference or training, got '" + w[2] + "'");
                }
                double seconds = Double.parseDouble(w[3]);
                if (!(seconds >= 0 && seconds <= 3600)) {
                    throw new IllegalArgumentException("SECONDS must be in [0, 3600], got " + w[3]);
                }
                Workload wl = built.computeIfAbsent(cell + " " + c.name() + " " + md,
                        key -> new Workload(cell, c, md, dropout, recurrentDropout));
                long budget = (long) (seconds * 1e9), total = 0, n = 0;
                do {
                    total += wl.once();
                    n++;
                } while (total < budget);
                out.println(n + " " + total);
            } catch (RuntimeException e) {
                out.println("error: " + e.getMessage());
            }
            out.flush();
        }
        return 0;
    }

    /** A seq or charlm row: builds the layers, warms up, times {@code iters} iterations. */
    private Map<String, Object> runRow(String cell, Config c, String md) {
        return runRows(cell, c, md, new double[]{recurrentDropout}).get(0);
    }

    /**
     * Rows of one configuration that differ only in the recurrent dropout rate, one per rate:
     * the workloads are built, warmed up in turn, then timed alternately (iteration i of every
     * rate before iteration i+1 of any), so that a slow moment of a shared machine falls on all
     * of them alike.
     */
    private List<Map<String, Object>> runRows(String cell, Config c, String md, double[] rates) {
        int nWarm = warmup != null ? warmup : c.warmup();
        int nIter = iters != null ? iters : c.iters();
        Workload[] w = new Workload[rates.length];
        for (int i = 0; i < rates.length; i++) w[i] = new Workload(cell, c, md, dropout, rates[i]);
        Peaks peaks = new Peaks();
        long[][] ns = new long[rates.length][nIter];
        int warmed = 0;
        for (long t0 = System.nanoTime(); warmed < nWarm || stillWarming(t0); warmed++) {
            for (Workload wi : w) {
                wi.once();
                peaks.sample();
            }
        }
        for (int it = 0; it < nIter; it++) {
            for (int i = 0; i < rates.length; i++) {
                ns[i][it] = w[i].once();
                peaks.sample();
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            Map<String, Object> row = rowOf(cell, c, md, w[i], warmed, ns[i]);
            peaks.finish(row);
            rows.add(row);
        }
        if (rates.length == 2) {
            // the paired cost: median over iterations of (time with rate 2) / (time with rate 1)
            double[] ratio = new double[nIter];
            for (int it = 0; it < nIter; it++) ratio[it] = ns[1][it] / (double) ns[0][it];
            Arrays.sort(ratio);
            double median = nIter % 2 == 1 ? ratio[nIter / 2] : (ratio[nIter / 2 - 1] + ratio[nIter / 2]) / 2;
            rows.get(1).put("paired_time_ratio", median);
        }
        return rows;
    }

    /** The row's figures from its measured iteration times. */
    private Map<String, Object> rowOf(String cell, Config c, String md, Workload w, int nWarm, long[] ns) {
        int nb = c.batch(), nt = c.seq(), nf = c.features(), nh = c.units();
        long[] sorted = ns.clone();
        Arrays.sort(sorted);
        double median = median(sorted) / 1e9;
        double min = sorted[0] / 1e9;
        double perPosition = 2.0 * gates(cell) * nh * (double) (nf + nh) + (w.charlm ? 2.0 * nh * nf : 0);
        double flops = perPosition * nb * nt * (w.training ? 3 : 1);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", displayName(cell));
        row.put("config", c.name());
        row.put("mode", md);
        row.put("batch", nb);
        row.put("seq", nt);
        row.put("features", nf);
        row.put("units", nh);
        if (w.charlm) row.put("vocab", nf);
        row.put("warmup", nWarm);
        row.put("iters", ns.length);
        row.put("flops_per_iter", flops);
        row.put("seq_per_s", nb / median);
        row.put("ms_median", median * 1e3);
        row.put("ms_min", min * 1e3);
        row.put("gflops", flops / median / 1e9);
        row.put("gflops_best", flops / min / 1e9);
        if (w.training) {
            row.put("dropout", w.rowDropout);
            row.put("recurrent_dropout", w.rowRecurrentDropout);
            row.put("last_loss", w.lastLoss);
        }
        return row;
    }

    /** A step row: a stateful layer on (1, 1, F), timed in blocks of {@link #STEP_BLOCK} steps. */
    private Map<String, Object> runStepRow(String cell, Config c) {
        int nWarm = warmup != null ? warmup : c.warmup();
        int nIter = iters != null ? iters : c.iters();
        int block = Math.min(STEP_BLOCK, nIter);
        int nBlocks = (nIter + block - 1) / block;
        int nf = c.features(), nh = c.units();
        SplittableRandom r = new SplittableRandom(seed);
        Tensor[] xs = {random(r, 1, 1, nf)};
        Recurrent<?> rnn = newCell(cell, nh, false, 0, 0);
        rnn.stateful(true);
        rnn.build(new int[][]{{1, nf}}, seed);
        // the row's frame promises fixed weights (the layer may keep them packed between calls,
        // as a peer's inference session keeps its own); a second frame reads them in place, its
        // blocks alternated with the first's
        Layer.Frame rf = rnn.newFrame().inferenceOnly(true).weightsFixed(true);
        Layer.Frame inPlace = rnn.newFrame().inferenceOnly(true);

        Peaks peaks = new Peaks();
        int warmed = 0;
        for (long t0 = System.nanoTime(); warmed < nWarm || stillWarming(t0); warmed++) {
            rnn.forward(xs, null, rf, false);
            rnn.forward(xs, null, inPlace, false);
        }
        long[] ns = new long[nBlocks], nsInPlace = new long[nBlocks];
        for (int bI = 0; bI < nBlocks; bI++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) rnn.forward(xs, null, rf, false);
            ns[bI] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            for (int i = 0; i < block; i++) rnn.forward(xs, null, inPlace, false);
            nsInPlace[bI] = System.nanoTime() - t0;
            peaks.sample();
        }
        float[] finalH = rnn.carriedStates()[0];

        // the same through the streaming API, for reference
        Model model = new Sequential(new InputLayer(-1, nf), newCell(cell, nh, false, 0, 0)).stepWeightsFixed(true);
        ModelState st = model.initialState(1);
        Tensor x1 = xs[0].reshape(1, nf);
        for (int i = 0; i < nWarm; i++) st = model.step(x1, st).state();
        long[] nsModel = new long[nBlocks];
        for (int bI = 0; bI < nBlocks; bI++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) st = model.step(x1, st).state();
            nsModel[bI] = System.nanoTime() - t0;
            peaks.sample();
        }

        Arrays.sort(ns);
        Arrays.sort(nsInPlace);
        Arrays.sort(nsModel);
        double perStep = median(ns) / block / 1e9;
        double minStep = ns[0] / (double) block / 1e9;
        double flops = 2.0 * gates(cell) * nh * (double) (nf + nh);
        boolean finite = true;
        for (float v : finalH) finite &= Float.isFinite(v);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", displayName(cell));
        row.put("config", c.name());
        row.put("mode", STEP);
        row.put("batch", 1);
        row.put("seq", 1);
        row.put("features", nf);
        row.put("units", nh);
        row.put("warmup", warmed);
        row.put("iters", nBlocks * block);
        row.put("block", block);
        row.put("flops_per_iter", flops);
        row.put("seq_per_s", 1 / perStep);
        row.put("ms_median", perStep * 1e3);
        row.put("ms_min", minStep * 1e3);
        row.put("gflops", flops / perStep / 1e9);
        row.put("gflops_best", flops / minStep / 1e9);
        row.put("us_per_step", perStep * 1e6);
        row.put("us_per_step_min", minStep * 1e6);
        row.put("us_per_step_in_place", median(nsInPlace) / block / 1e3);
        row.put("us_per_step_model", median(nsModel) / block / 1e3);
        row.put("state_finite", finite);
        peaks.finish(row);
        return row;
    }

    /**
     * Whether a row that started warming up at {@code t0} is still short of
     * {@link #MIN_WARMUP_NANOS} (no floor under an explicit --warmup).
     */
    private boolean stillWarming(long t0) {
        return warmup == null && System.nanoTime() - t0 < MIN_WARMUP_NANOS;
    }

    /** Median of a sorted array. */
    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
