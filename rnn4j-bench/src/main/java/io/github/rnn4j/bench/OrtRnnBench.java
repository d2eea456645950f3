package io.github.rnn4j.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.RecurrentWeights;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The ONNX Runtime peer of {@code rnn4j bench}: times ONNX RNN / LSTM / GRU models through ORT's
 * Java API on the configurations of {@code rnn4j bench}, prints a table like its table and writes
 * JSON with the same row keys (cell, config, mode, batch, seq, features, units, warmup, iters,
 * flops_per_iter, seq_per_s, ms_median, ms_min, gflops, ...; step rows add us_per_step), so
 * {@code tools/bench/compare.sh} can divide one by the other. The models come from
 * {@code tools/bench/onnx_rnn_models.py}, one file {@code CELL-CONFIG.onnx} per row.
 *
 * <pre>
 *   /usr/bin/python3 tools/bench/onnx_rnn_models.py --out /tmp/rnn4j-onnx
 *   java --enable-native-access=ALL-UNNAMED -cp rnn4j-bench/target/rnn4j-bench.jar \
 *       io.github.rnn4j.bench.OrtRnnBench --models /tmp/rnn4j-onnx --threads 2 --cells lstm,gru \
 *       --configs medium,step --json ort.json
 *   java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
 *       -cp rnn4j-bench/target/rnn4j-bench.jar io.github.rnn4j.bench.OrtRnnBench --models /tmp/rnn4j-onnx --check
 * </pre>
 * ORT's jar carries its native libraries; shaded into rnn4j-bench.jar they still load (ORT
 * extracts them to a temp dir); {@code --enable-native-access} only silences JDK 25's warning
 * about {@code System.load}.
 * Options: {@code --models DIR} (required), {@code --threads N} (intra-op threads, default 2),
 * {@code --cells} (simple,lstm,gru), {@code --configs} (small, medium, large, charlm, step, or
 * custom BxTxFxH, charlm:BxTxVxH, step:FxH; a configuration without a model file in DIR is
 * skipped with a note), {@code --mode} (inference, training or both: ORT has no training rows,
 * so training gives none but a note, and both means inference; step rows run unless training),
 * {@code --warmup N} and {@code --iters N} (defaults as {@code rnn4j bench}: 30/30 small, 10/10
 * medium, 2/3 large, 3/5 charlm, 3/10 custom; for step rows they count steps, 50000/20000; without
 * --warmup, every row also warms up for at least 1.5 s, as in {@code rnn4j bench}),
 * {@code --spin 0|1} (ORT's {@code session.intra_op.allow_spinning}; default 1, ORT's own
 * default), {@code --seed N}, {@code --json FILE}, {@code --check}, {@code --paired N}: after each
 * seq or charlm row, N rounds in which ORT's session and rnn4j's layer (built in this JVM on the
 * same shape, inference frame, charlm with its Dense(V); weights from the seed, not ORT's) each
 * run for about a second, alternately, 0.25 s apart; the row gets the median and quartiles of the
 * per-round ratios rnn4j/ORT ({@code paired_ratio_median}, ...), measured in one machine state;
 * rnn4j then runs on as many threads as ORT ({@code --threads} sets {@code rnn4j.threads});
 * {@code --ceiling} (with --paired): each round also takes a burst of {@link FmaPeak} on as many
 * threads, and the row gets the ceiling's median GFLOP/s and each side's median share of it.
 *
 * <p>What one iteration is: {@code session.run} on a session created once per row (intra-op
 * threads N, inter-op 1, sequential execution, graph optimisation ALL), with the input
 * {@code OnnxTensor} built once over a direct buffer and the output pinned to a reused direct
 * buffer, so no tensor is created per call. Inputs are sequence-first (T, B, F) (ONNX layout 0;
 * ORT's CPU kernels reject layout 1).
 * <ul>
 *   <li><b>seq</b> configurations: one recurrent op, only Y_h (the last state) is a graph
 *       output, as in rnn4j's returnSequences=false inference; X uniform in [-1, 1);</li>
 *   <li><b>charlm</b>: the op's whole Y, then MatMul + Add (Dense(V)) on every step to the
 *       (T, B, V) logits, as rnn4j's returnSequences=true layer then Dense(V); X one-hot rows of
 *       random token ids, as {@code rnn4j bench} makes them;</li>
 *   <li><b>step</b>: the single-step model (B 1, T 1) with the state fed back on every call: two
 *       sets of state tensors are swapped, the outputs of one call pinned into the buffers that
 *       are the next call's {@code initial_h} (/ {@code initial_c}). As {@code rnn4j bench} does,
 *       the measured steps are timed in blocks of 100 (one {@code nanoTime} pair per block);
 *       {@code us_per_step} is the median block's time per step, {@code seq_per_s} steps/s.</li>
 * </ul>
 * Flops are counted as {@code rnn4j bench} counts them: {@code 2·gates·H·(F+H)·B·T}, plus
 * {@code 2·H·V·B·T} for charlm's Dense. After each row the output is checked finite and
 * non-zero, so an empty or broken graph fails instead of timing nothing.
 *
 * <p>{@code --check} runs the tiny parity fixture the model script writes ({@code check/CELL}:
 * B 3, T 7, F 5, H 6) for SimpleRNN, LSTM and GRU: ORT's Y_h against torch.nn's h_n for the same
 * weights and input (computed by the script with PyTorch), and against rnn4j's own layer loaded
 * with those PyTorch weights through {@link RecurrentWeights#setTorch}; it fails (exit 1) when
 * any difference exceeds 1e-5.
 *
 * <p>What it is not: a test run by {@code mvn test}, a training benchmark (ORT's inference
 * sessions do not train; there are no training rows), or JMH — timing is wall-clock, median and
 * minimum, for comparing on one machine.
 */
public final class OrtRnnBench {
    /** Default warm-up and measured iterations (steps for step rows), as in {@code rnn4j bench}. */
    private static final Map<String, int[]> ITERS = Map.of(
            "small", new int[]{30, 30}, "medium", new int[]{10, 10}, "large", new int[]{2, 3},
            "charlm", new int[]{3, 5}, "step", new int[]{50000, 20000});
    /** Steps timed together between two nanoTime calls in step rows, as in {@code rnn4j bench}. */
    private static final int STEP_BLOCK = 100;
    private static final double CHECK_TOL = 1e-5;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private Path models;
    private int threads = 2;
    private List<String> cells = List.of("simple", "lstm", "gru");
    private List<String> configs = List.of("small", "medium", "large", "charlm", "step");
    private String mode = "both";
    private Integer warmup, iters;
    private boolean check, spin = true;
    private long seed = 42;
    private Path json;
    /** --paired N: rounds of alternated bursts against rnn4j's layer in this JVM (0: off). */
    private int pairedRounds;
    /** --ceiling: each paired round also measures {@link FmaPeak} on the same threads. */
    private boolean ceiling;

    private OrtRnnBench() {
    }

    public static void main(String[] args) throws Exception {
        OrtRnnBench b = new OrtRnnBench();
        b.parse(args);
        System.exit(b.check ? b.runCheck() : b.runBench());
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--check")) {
                check = true;
                continue;
            }
            if (a.equals("--ceiling")) {
                ceiling = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value; see the class Javadoc");
            String v = args[++i];
            switch (a) {
                case "--models" -> models = Path.of(v);
                case "--threads" -> threads = positive(a, v);
                case "--cells" -> cells = list(v);
                case "--configs" -> configs = list(v);
                case "--mode" -> mode = v.trim().toLowerCase(Locale.ROOT);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--iters" -> iters = positive(a, v);
                case "--spin" -> spin = !v.equals("0");
                case "--seed" -> seed = Long.parseLong(v);
                case "--json" -> json = Path.of(v);
                case "--paired" -> pairedRounds = positive(a, v);
                default -> throw new IllegalArgumentException("unknown option " + a + "; see the class Javadoc");
            }
        }
        if (models == null) throw new IllegalArgumentException("--models DIR is required (written by tools/bench/onnx_rnn_models.py)");
        for (String c : cells) {
            if (!List.of("simple", "lstm", "gru").contains(c)) {
                throw new IllegalArgumentException("--cells must be simple, lstm or gru, got '" + c + "'");
            }
        }
        if (!List.of("inference", "training", "both").contains(mode)) {
            throw new IllegalArgumentException("--mode must be inference, training or both, got '" + mode + "'");
        }
        if (warmup != null && warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        if (ceiling && pairedRounds == 0) throw new IllegalArgumentException("--ceiling needs --paired N");
    }

    private static int positive(String opt, String v) {
        int n = Integer.parseInt(v);
        if (n < 1) throw new IllegalArgumentException(opt + " must be >= 1, got " + n);
        return n;
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.trim().toLowerCase(Locale.ROOT));
        return out;
    }

    /** seq, charlm or step, from the configuration's name as {@code rnn4j bench} names them. */
    private static String kind(String config) {
        if (config.equals("charlm") || config.startsWith("charlm:")) return "charlm";
        if (config.equals("step") || config.startsWith("step:")) return "step";
        return "seq";
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.addConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
        return o;
    }

    private String setup() {
        return String.format(Locale.ROOT, "%d intra-op thread(s), 1 inter-op, sequential execution, optimisation ALL, "
                + "allow_spinning %d", threads, spin ? 1 : 0);
    }

    // ---- benchmark ---------------------------------------------------------------------------

    private int runBench() throws OrtException, IOException {
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "ONNX Runtime %s bench (Java API): %s; Java %s; %d CPU(s); models %s%n",
                env.getVersion(), setup(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), models);
        if (pairedRounds > 0) {
            out.printf(Locale.ROOT, "paired side: rnn4j %s, %d thread(s)%n", kernelsWithThreads().getClass().getSimpleName(),
                    Kernels.get().threads());
        }
        out.println("flops: 2*gates*H*(F+H) per sample per step forward (+ 2*H*V per position for charlm's Dense) "
                + "(gates: RNN 1, LSTM 4, GRU 3); inference only");
        out.println("inference = session.run, X (T,B,F) reused, output pinned (seq: Y_h; charlm: op -> MatMul+Add logits); "
                + "step = B1 T1, state fed back each call");
        out.printf(Locale.ROOT, "%-9s %-7s %-9s %5s %4s %4s %5s %5s %10s %10s %9s %8s %8s %8s%n",
                "cell", "config", "mode", "batch", "seq", "feat", "units", "iters",
                "seq/s", "ms median", "ms min", "GFLOP/s", "best", "us/step");
        if (mode.equals("training")) out.println("(ONNX Runtime has no training rows: its inference sessions do not train)");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String c : configs) {
            String kind = kind(c);
            if (mode.equals("training")) continue;
            for (String cell : cells) {
                Path file = models.resolve(cell + "-" + c + ".onnx");
                if (!Files.isRegularFile(file)) {
                    out.printf(Locale.ROOT, "%-9s %-7s (no model %s; skipped)%n", displayName(cell), c, file.getFileName());
                    continue;
                }
                Map<String, Object> r = kind.equals("step") ? runStep(cell, c, file) : runRow(cell, c, kind, file);
                rows.add(r);
                Object us = r.get("us_per_step");
                out.printf(Locale.ROOT, "%-9s %-7s %-9s %5d %4d %4d %5d %5d %10.1f %10.3f %9.3f %8.2f %8.2f %8s%n",
                        r.get("cell"), c, r.get("mode"), r.get("batch"), r.get("seq"), r.get("features"), r.get("units"),
                        r.get("iters"), r.get("seq_per_s"), r.get("ms_median"), r.get("ms_min"), r.get("gflops"),
                        r.get("gflops_best"), us == null ? "-" : String.format(Locale.ROOT, "%.3f", (Double) us));
                if (r.containsKey("paired_ratio_median")) {
                    StringBuilder per = new StringBuilder();
                    for (Object v : (List<?>) r.get("paired_ratios")) per.append(String.format(Locale.ROOT, " %.2f", v));
                    out.printf(Locale.ROOT, "          paired with rnn4j (%d rounds): rnn4j %.2f, ORT %.2f GFLOP/s; ratio rnn4j/ORT "
                                    + "median %.2f (p25 %.2f, p75 %.2f); per round%s%n", r.get("paired_rounds"),
                            r.get("paired_rnn4j_gflops"), r.get("paired_ort_gflops"), r.get("paired_ratio_median"),
                            r.get("paired_ratio_p25"), r.get("paired_ratio_p75"), per);
                    if (r.containsKey("paired_ceiling_gflops")) {
                        out.printf(Locale.ROOT, "          FMA ceiling (FmaPeak, %d thread(s)) %.1f GFLOP/s; of it: rnn4j %.2f, ORT %.2f%n",
                                threads, r.get("paired_ceiling_gflops"), r.get("paired_rnn4j_of_ceiling"),
                                r.get("paired_ort_of_ceiling"));
                    }
                }
                out.flush();
            }
        }
        if (json != null) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tool", "onnxruntime");
            j.put("ort_version", env.getVersion());
            j.put("threads", threads);
            j.put("inter_op_threads", 1);
            j.put("execution_mode", "SEQUENTIAL");
            j.put("optimization_level", "ALL_OPT");
            j.put("allow_spinning", spin ? 1 : 0);
            j.put("java", System.getProperty("java.version"));
            j.put("cpus", Runtime.getRuntime().availableProcessors());
            j.put("models", models.toAbsolutePath().toString());
            j.put("flop_count", "2*gates*H*(F+H)*B*T forward (charlm: F = V one-hot, plus 2*H*V*B*T for Dense(V)); "
                    + "inference only; step rows: per step, B = T = 1");
            j.put("rows", rows);
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(json, Json.write(j) + "\n");
        }
        return 0;
    }

    /** As {@code rnn4j bench}: without --warmup, a row also warms up for at least this long (every side alike). */
    private static final long MIN_WARMUP_NANOS = 1_500_000_000L;

    private boolean stillWarming(long w0) {
        return warmup == null && System.nanoTime() - w0 < MIN_WARMUP_NANOS;
    }

    /** One seq or charlm inference row: session and tensors made once, then timed session.run calls. */
    private Map<String, Object> runRow(String cell, String config, String kind, Path file) throws OrtException {
        int[] it = ITERS.getOrDefault(config, new int[]{3, 10});
        int nWarm = warmup != null ? warmup : it[0];
        int nIter = iters != null ? iters : it[1];
        boolean charlm = kind.equals("charlm");
        String outName = charlm ? "logits" : "Y_h";
        try (OrtSession.SessionOptions o = options(); OrtSession s = env.createSession(file.toString(), o)) {
            long[] xs = shape(s, true, "X");
            long[] ys = shape(s, false, outName);
            int t = (int) xs[0], b = (int) xs[1], f = (int) xs[2];
            int h = units(s, file);
            FloatBuffer xb = direct(t * b * f);
            SplittableRandom r = new SplittableRandom(seed);
            if (charlm) {
                // one-hot rows of random token ids, as rnn4j bench makes them (x[t, b, id] = 1)
                for (int bi = 0; bi < b; bi++) {
                    int prev = r.nextInt(f);
                    for (int ti = 0; ti < t; ti++) {
                        int next = r.nextInt(f);
                        xb.put((ti * b + bi) * f + prev, 1f);
                        prev = next;
                    }
                }
            } else {
                for (int i = 0; i < xb.capacity(); i++) xb.put(i, (float) (r.nextDouble() * 2 - 1));
            }
            int yn = 1;
            for (long d : ys) yn *= (int) d;
            FloatBuffer yb = direct(yn);
            double[] ns = new double[nIter];
            int warmed = 0;
            try (OnnxTensor x = OnnxTensor.createTensor(env, xb, xs); OnnxTensor y = OnnxTensor.createTensor(env, yb, ys)) {
                Map<String, OnnxTensor> in = Map.of("X", x), pinned = Map.of(outName, y);
                for (long w0 = System.nanoTime(); warmed < nWarm || stillWarming(w0); warmed++) step(s, in, pinned);
                for (int i = 0; i < nIter; i++) {
                    long t0 = System.nanoTime();
                    step(s, in, pinned);
                    ns[i] = System.nanoTime() - t0;
                }
            }
            checkOutput(yb, cell + "-" + config);
            double median = median(ns) / 1e9, min = Arrays.stream(ns).min().orElseThrow() / 1e9;
            double perPosition = 2.0 * gates(cell) * h * (double) (f + h) + (charlm ? 2.0 * h * f : 0);
            Map<String, Object> row = row(displayName(cell), config, "inference", b, t, f, h, warmed, nIter,
                    perPosition * b * t, b / median, median, min);
            if (charlm) row.put("vocab", f);
            if (pairedRounds > 0) {
                try (OnnxTensor x = OnnxTensor.createTensor(env, xb, xs); OnnxTensor y = OnnxTensor.createTensor(env, yb, ys)) {
                    Map<String, OnnxTensor> in = Map.of("X", x), pinned = Map.of(outName, y);
                    paired(row, cell, b, t, f, h, charlm, perPosition * b * t, () -> step(s, in, pinned));
                }
            }
            return row;
        }
    }

    /** One call of a side of {@link #paired}. */
    private interface Call {
        void run() throws OrtException;
    }

    /** Calls per second of {@code c} over a burst of at least {@code nanos}. */
    private static double burst(Call c, long nanos) throws OrtException {
        long n = 0, t0 = System.nanoTime(), t;
        do {
            c.run();
            n++;
            t = System.nanoTime() - t0;
        } while (t < nanos);
        return n / (t / 1e9);
    }

    /**
     * The rnn4j kernels for {@code --paired}, with as many threads as ORT's intra-op pool: sets
     * {@code rnn4j.threads} before they load (else rnn4j would run on every core against an ORT
     * told to use fewer), and fails if they were loaded with another count.
     */
    private Kernels kernelsWithThreads() {
        String asked = System.getProperty("rnn4j.threads");
        if (asked != null && !asked.equals(Integer.toString(threads))) {
            throw new IllegalArgumentException("-Drnn4j.threads=" + asked + " but --threads " + threads
                    + ": the paired sides must run on the same number of threads");
        }
        System.setProperty("rnn4j.threads", Integer.toString(threads));
        Kernels k = Kernels.get();
        if (k.threads() != threads) {
            throw new IllegalStateException("rnn4j's " + k.getClass().getSimpleName() + " run " + k.threads()
                    + " thread(s), ORT " + threads + ": the paired sides must run on the same number of threads");
        }
        return k;
    }

    /**
     * The {@code --paired} rounds of a row: rnn4j's layer of the same shape (inference frame;
     * charlm with Dense(V)) built here, both sides warmed up, then bursts of about a second each,
     * alternated (the side going first alternates too), 0.25 s apart so that the other side's idle
     * threads have stopped spinning. Adds the per-round ratios and their median to the row.
     */
    private void paired(Map<String, Object> row, String cell, int b, int t, int f, int h, boolean charlm, double flops,
                        Call ortCall) throws OrtException {
        Layer rnn = switch (cell) {
            case "simple" -> new SimpleRNN(h).returnSequences(charlm);
            case "lstm" -> new LSTM(h).returnSequences(charlm);
            default -> new GRU(h).returnSequences(charlm);
        };
        rnn.build(new int[][]{{t, f}}, seed);
        // each call's outputs are read before the next (as ORT's arena reuses its buffers)
        Layer.Frame rf = rnn.newFrame().inferenceOnly(true).reuseOutputs(true);
        Dense dense = charlm ? new Dense(f) : null;
        Layer.Frame df = null;
        if (dense != null) {
            dense.build(new int[][]{{t, h}}, seed + 1);
            df = dense.newFrame().reuseOutputs(true);
        }
        SplittableRandom r = new SplittableRandom(seed);
        float[] xd = new float[b * t * f];
        if (charlm) {
            for (int i = 0; i < b * t; i++) xd[i * f + r.nextInt(f)] = 1f;
        } else {
            for (int i = 0; i < xd.length; i++) xd[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Tensor[] xs = {Tensor.of(xd, b, t, f)};
        Layer.Frame dfr = df;
        Call mine = () -> {
            Tensor hs = rnn.forward(xs, null, rf, false)[0];
            if (dense != null) dense.forward(new Tensor[]{hs}, null, dfr, false);
        };
        long second = 1_000_000_000L;
        burst(mine, 2 * second);
        burst(ortCall, second);
        double[] ratios = new double[pairedRounds], ours = new double[pairedRounds], theirs = new double[pairedRounds];
        double[] ceil = new double[pairedRounds];
        for (int i = 0; i < pairedRounds; i++) {
            if (i % 2 == 0) {
                ours[i] = burst(mine, second);
                pause();
                theirs[i] = burst(ortCall, second);
            } else {
                theirs[i] = burst(ortCall, second);
                pause();
                ours[i] = burst(mine, second);
            }
            pause();
            ratios[i] = ours[i] / theirs[i];
            if (ceiling) {
                try {
                    ceil[i] = FmaPeak.gflops(threads, second);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in a ceiling burst", e);
                }
                pause();
            }
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        row.put("paired_rounds", pairedRounds);
        row.put("paired_ratios", Arrays.stream(ratios).boxed().toList());
        row.put("paired_ratio_median", median(ratios));
        row.put("paired_ratio_p25", sorted[(pairedRounds - 1) / 4]);
        row.put("paired_ratio_p75", sorted[(3 * (pairedRounds - 1) + 3) / 4]);
        row.put("paired_rnn4j_gflops", median(ours) * flops / 1e9);
        row.put("paired_ort_gflops", median(theirs) * flops / 1e9);
        if (ceiling) {
            double[] of = new double[pairedRounds], ortOf = new double[pairedRounds];
            for (int i = 0; i < pairedRounds; i++) {
                of[i] = ours[i] * flops / 1e9 / ceil[i];
                ortOf[i] = theirs[i] * flops / 1e9 / ceil[i];
            }
            row.put("paired_ceiling_gflops", median(ceil));
            row.put("paired_ceilings", Arrays.stream(ceil).boxed().toList());
            row.put("paired_rnn4j_of_ceiling", median(of));
            row.put("paired_ort_of_ceiling", median(ortOf));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between paired bursts", e);
        }
    }

    /** A step row: one step per call, the state of call i fed to call i+1, timed in blocks. */
    private Map<String, Object> runStep(String cell, String config, Path file) throws OrtException {
        int nWarm = warmup != null ? warmup : ITERS.get("step")[0];
        int nIter = iters != null ? iters : ITERS.get("step")[1];
        int block = Math.min(STEP_BLOCK, nIter);
        int nBlocks = (nIter + block - 1) / block;
        try (OrtSession.SessionOptions o = options(); OrtSession s = env.createSession(file.toString(), o)) {
            long[] xs = shape(s, true, "X");
            long[] hs = shape(s, false, "Y_h");
            boolean lstm = s.getInputInfo().containsKey("initial_c");
            int f = (int) xs[2], h = units(s, file);
            FloatBuffer xb = direct(f);
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < f; i++) xb.put(i, (float) (r.nextDouble() * 2 - 1));
            FloatBuffer[] buf = {direct(h), direct(h), direct(h), direct(h)}; // h0 c0 h1 c1
            double[] ns = new double[nBlocks];
            int warmed;
            try (OnnxTensor x = OnnxTensor.createTensor(env, xb, xs);
                 OnnxTensor h0 = OnnxTensor.createTensor(env, buf[0], hs);
                 OnnxTensor c0 = OnnxTensor.createTensor(env, buf[1], hs);
                 OnnxTensor h1 = OnnxTensor.createTensor(env, buf[2], hs);
                 OnnxTensor c1 = OnnxTensor.createTensor(env, buf[3], hs)) {
                // two fixed input/output pairings, alternated, so nothing is built per call
                Map<String, OnnxTensor> in0 = lstm ? Map.of("X", x, "initial_h", h0, "initial_c", c0)
                        : Map.of("X", x, "initial_h", h0);
                Map<String, OnnxTensor> out0 = lstm ? Map.of("Y_h", h1, "Y_c", c1) : Map.of("Y_h", h1);
                Map<String, OnnxTensor> in1 = lstm ? Map.of("X", x, "initial_h", h1, "initial_c", c1)
                        : Map.of("X", x, "initial_h", h1);
                Map<String, OnnxTensor> out1 = lstm ? Map.of("Y_h", h0, "Y_c", c0) : Map.of("Y_h", h0);
                int n = 0;
                for (long w0 = System.nanoTime(); n < nWarm || stillWarming(w0); n++) {
                    step(s, (n & 1) == 0 ? in0 : in1, (n & 1) == 0 ? out0 : out1);
                }
                warmed = n;
                for (int bI = 0; bI < nBlocks; bI++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < block; i++, n++) step(s, (n & 1) == 0 ? in0 : in1, (n & 1) == 0 ? out0 : out1);
                    ns[bI] = System.nanoTime() - t0;
                }
                checkOutput(buf[(n & 1) == 0 ? 0 : 2], cell + "-" + config); // the last call's output
            }
            double perStep = median(ns) / block / 1e9, minStep = Arrays.stream(ns).min().orElseThrow() / block / 1e9;
            Map<String, Object> row = row(displayName(cell), config, "step", 1, 1, f, h, warmed, nBlocks * block,
                    2.0 * gates(cell) * h * (double) (f + h), 1 / perStep, perStep, minStep);
            row.put("block", block);
            row.put("us_per_step", perStep * 1e6);
            row.put("us_per_step_min", minStep * 1e6);
            return row;
        }
    }

    /** One session.run into pinned outputs; the result does not own them, so closing it keeps them. */
    private static void step(OrtSession s, Map<String, OnnxTensor> in, Map<String, OnnxTensor> pinned) throws OrtException {
        s.run(in, pinned).close();
    }

    private static Map<String, Object> row(String cell, String config, String mode, int b, int t, int f, int h,
                                           int nWarm, int nIter, double flops, double seqPerS, double median, double min) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", cell);
        row.put("config", config);
        row.put("mode", mode);
        row.put("batch", b);
        row.put("seq", t);
        row.put("features", f);
        row.put("units", h);
        row.put("warmup", nWarm);
        row.put("iters", nIter);
        row.put("flops_per_iter", flops);
        row.put("seq_per_s", seqPerS);
        row.put("ms_median", median * 1e3);
        row.put("ms_min", min * 1e3);
        row.put("gflops", flops / median / 1e9);
        row.put("gflops_best", flops / min / 1e9);
        return row;
    }

    /** Fails when the timed graph produced nothing: an all-zero or non-finite output. */
    private static void checkOutput(FloatBuffer y, String what) {
        double abs = 0;
        for (int i = 0; i < y.capacity(); i++) {
            float v = y.get(i);
            if (!Float.isFinite(v)) throw new IllegalStateException(what + ": output " + i + " is " + v);
            abs += Math.abs(v);
        }
        if (abs == 0) throw new IllegalStateException(what + ": the output is all zeros; the model computed nothing");
    }

    // ---- parity check --------------------------------------------------------------------------

    private int runCheck() throws OrtException, IOException {
        System.out.printf(Locale.ROOT, "ONNX Runtime %s parity check (%s): ORT Y_h vs torch.nn h_n vs rnn4j, tolerance %.0e%n",
                env.getVersion(), setup(), CHECK_TOL);
        boolean ok = true;
        for (String cell : List.of("simple", "lstm", "gru")) {
            Path d = models.resolve("check").resolve(cell);
            if (!Files.isDirectory(d)) throw new IOException("no parity fixture " + d + "; run tools/bench/onnx_rnn_models.py");
            try (OrtSession.SessionOptions o = options(); OrtSession s = env.createSession(d.resolve("model.onnx").toString(), o)) {
                long[] xs = shape(s, true, "X");
                int t = (int) xs[0], b = (int) xs[1], f = (int) xs[2];
                int h = units(s, d.resolve("model.onnx")), g = gates(cell) * h;
                float[] x = readF32(d.resolve("x.f32"), t * b * f);
                float[] torch = readF32(d.resolve("torch-h_n.f32"), b * h);
                float[] ort = new float[b * h];
                try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), xs);
                     OrtSession.Result res = s.run(Map.of("X", xt))) {
                    ((OnnxTensor) res.get("Y_h").orElseThrow()).getFloatBuffer().get(ort);
                }
                Map<String, Tensor> w = new LinkedHashMap<>();
                w.put("weight_ih_l0", Tensor.of(readF32(d.resolve("weight_ih_l0.f32"), g * f), g, f));
                w.put("weight_hh_l0", Tensor.of(readF32(d.resolve("weight_hh_l0.f32"), g * h), g, h));
                w.put("bias_ih_l0", Tensor.of(readF32(d.resolve("bias_ih_l0.f32"), g), g));
                w.put("bias_hh_l0", Tensor.of(readF32(d.resolve("bias_hh_l0.f32"), g), g));
                Layer layer = switch (cell) {
                    case "simple" -> new SimpleRNN(h).returnSequences(false);
                    case "lstm" -> new LSTM(h).returnSequences(false);
                    default -> new GRU(h).returnSequences(false);
                };
                layer.build(new int[][]{{t, f}}, seed);
                RecurrentWeights.setTorch(layer, w);
                float[] btf = new float[b * t * f]; // ONNX (T, B, F) -> rnn4j (B, T, F)
                for (int ti = 0; ti < t; ti++) {
                    for (int bi = 0; bi < b; bi++) System.arraycopy(x, (ti * b + bi) * f, btf, (bi * t + ti) * f, f);
                }
                float[] mine = layer.forward(new Tensor[]{Tensor.of(btf, b, t, f)}, null, layer.newFrame(), false)[0].data();
                double dOrt = maxDiff(ort, torch), dMine = maxDiff(mine, torch), dBoth = maxDiff(ort, mine);
                double scale = 0;
                for (float v : torch) scale = Math.max(scale, Math.abs(v));
                boolean pass = dOrt <= CHECK_TOL && dMine <= CHECK_TOL && dBoth <= CHECK_TOL && scale > 0;
                ok &= pass;
                System.out.printf(Locale.ROOT, "%-9s B%d T%d F%d H%d  max|ORT-torch| %.2e  max|rnn4j-torch| %.2e  "
                                + "max|ORT-rnn4j| %.2e  (max|h_n| %.3f)  %s%n", displayName(cell), b, t, f, h,
                        dOrt, dMine, dBoth, scale, pass ? "ok" : "FAIL");
            }
        }
        System.out.println(ok ? "parity: all within " + CHECK_TOL : "parity: FAILED");
        return ok ? 0 : 1;
    }

    private static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalStateException("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    private static float[] readF32(Path p, int n) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        if (bytes.length != 4L * n) {
            throw new IOException(p + ": " + bytes.length + " bytes, expected " + n + " float32 (" + 4L * n + " bytes)");
        }
        float[] out = new float[n];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** The shape of a model input or output, named in the error when the model lacks it. */
    private static long[] shape(OrtSession s, boolean input, String name) throws OrtException {
        NodeInfo info = (input ? s.getInputInfo() : s.getOutputInfo()).get(name);
        if (info == null || !(info.getInfo() instanceof TensorInfo ti)) {
            throw new IllegalArgumentException("the model has no tensor " + (input ? "input" : "output") + " '" + name
                    + "' (inputs " + s.getInputNames() + ", outputs " + s.getOutputNames() + ")");
        }
        return ti.getShape();
    }

    /** The recurrent op's hidden size, which the model script records in the model's metadata. */
    private static int units(OrtSession s, Path file) throws OrtException {
        String u = s.getMetadata().getCustomMetadata().get("units");
        if (u == null) throw new IllegalArgumentException(file + ": no 'units' in the model's metadata; "
                + "write it with tools/bench/onnx_rnn_models.py");
        return Integer.parseInt(u);
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static int gates(String cell) {
        return switch (cell) {
            case "simple" -> 1;
            case "lstm" -> 4;
            default -> 3;
        };
    }

    private static String displayName(String cell) {
        return switch (cell) {
            case "simple" -> "SimpleRNN";
            case "lstm" -> "LSTM";
            default -> "GRU";
        };
    }

    /** A minimal JSON writer for the result maps (strings, numbers, lists, maps); no dependency needed. */
    static final class Json {
        private Json() {
        }

        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(o, sb, "");
            return sb.toString();
        }

        private static void write(Object o, StringBuilder sb, String indent) {
            String in = indent + "  ";
            if (o instanceof Map<?, ?> m) {
                sb.append("{");
                int i = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(i++ == 0 ? "\n" : ",\n").append(in);
                    string(e.getKey().toString(), sb);
                    sb.append(": ");
                    write(e.getValue(), sb, in);
                }
                sb.append(m.isEmpty() ? "}" : "\n" + indent + "}");
            } else if (o instanceof List<?> l) {
                sb.append("[");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "\n" : ",\n").append(in);
                    write(l.get(i), sb, in);
                }
                sb.append(l.isEmpty() ? "]" : "\n" + indent + "]");
            } else if (o instanceof Double d) {
                sb.append(Double.isFinite(d) ? d.toString() : "null");
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else if (o == null) {
                sb.append("null");
            } else {
                string(o.toString(), sb);
            }
        }

        private static void string(String s, StringBuilder sb) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        else sb.append(c);
                    }
                }
            }
            sb.append('"');
        }
    }
}
