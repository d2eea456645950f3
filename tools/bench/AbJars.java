/*
 * A/B of two (or more) builds of rnn4j-core inside one JVM: each jar is loaded by its own class
 * loader, and their forward (or forward + backward) passes on the same layer shape alternate,
 * round after round, so both see the same machine state. On a shared VM whose speed drifts by
 * 1.5x within minutes, this is what resolves a change of 5-10 % (separate processes do not).
 *
 * Not a benchmark of rnn4j against a peer (that is `rnn4j bench` and compare.sh): a tool for
 * deciding whether a change to the engine is worth keeping. Not for calls of microseconds (batch-1
 * steps): each jar has its own thread pool, whose idle worker spins for ~100 us after each call
 * and takes a core from the other jar's next calls; tools/bench/StepAbJars.java times those, with
 * pauses that let the idle worker park. It reports the median GFLOP/s of each jar and the paired
 * ratio (time of the first jar / time of the second, per round).
 *
 *   java --add-modules jdk.incubator.vector tools/bench/AbJars.java OLD.jar,NEW.jar CELL B T F H ROUNDS [train]
 *   java --add-modules jdk.incubator.vector tools/bench/AbJars.java OLD.jar,NEW.jar gemm M N K ROUNDS
 *
 * CELL: simple, lstm, gru (reset after), grub (reset before), each with ":seq" for returnSequences
 * (the output every step, as a stacked layer's; else the last one); gemm / gemmTA: C = A·B or A^T·B
 * (M x K times K x N, 2 threads when the kernels have them). Each jar first runs for about a
 * second (warm-up); each round then runs every jar for about 50 ms and takes its mean time per
 * call. Weights and inputs come from fixed seeds, so every jar computes the same thing.
 */

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

public class AbJars {
    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: AbJars OLD.jar,NEW.jar CELL B T F H ROUNDS [train] | OLD.jar,NEW.jar gemm|gemmTA M N K ROUNDS");
            System.exit(2);
        }
        String[] jars = args[0].split(",");
        String cell = args[1];
        boolean gemm = cell.startsWith("gemm");
        int[] dims = new int[gemm ? 3 : 4];
        for (int i = 0; i < dims.length; i++) dims[i] = Integer.parseInt(args[2 + i]);
        int rounds = Integer.parseInt(args[2 + dims.length]);
        boolean train = !gemm && args.length > 3 + dims.length && args[3 + dims.length].equals("train");
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);

        double flops;
        if (gemm) {
            flops = 2.0 * dims[0] * dims[1] * dims[2];
        } else {
            int gates = cell.startsWith("lstm") ? 4 : cell.startsWith("gru") ? 3 : 1;
            flops = 2.0 * gates * dims[3] * (dims[2] + dims[3]) * dims[0] * dims[1] * (train ? 3 : 1);
        }
        Runnable[] runs = new Runnable[jars.length];
        for (int i = 0; i < jars.length; i++) {
            ClassLoader cl = new URLClassLoader(new URL[]{Path.of(jars[i]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            runs[i] = gemm ? gemmRun(cl, cell.equals("gemmTA"), dims) : layerRun(cl, cell, dims, train);
        }
        // warm-up: each jar runs for about a second (the JIT compiles its hot paths), which also
        // times one call; a round then runs each jar for about 50 ms (at least 3 calls)
        int[] reps = new int[jars.length];
        for (int i = 0; i < jars.length; i++) {
            long t0 = System.nanoTime(), calls = 0;
            while (System.nanoTime() - t0 < 1_000_000_000L || calls < 3) {
                runs[i].run();
                calls++;
            }
            double perCall = (System.nanoTime() - t0) / (double) calls;
            reps[i] = (int) Math.max(3, Math.min(1_000_000, 50e6 / perCall));
        }
        List<List<Double>> gf = new ArrayList<>();
        for (int i = 0; i < jars.length; i++) gf.add(new ArrayList<>());
        List<Double> ratio = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            double[] perCall = new double[jars.length];
            for (int i = 0; i < jars.length; i++) {
                long t0 = System.nanoTime();
                for (int it = 0; it < reps[i]; it++) runs[i].run();
                perCall[i] = (System.nanoTime() - t0) / (double) reps[i];
                gf.get(i).add(flops / perCall[i]);
            }
            ratio.add(perCall[0] / perCall[jars.length - 1]);
        }
        String what = cell + " " + String.join("x", java.util.Arrays.stream(dims).mapToObj(Integer::toString).toList())
                + (gemm ? "" : train ? " training" : " inference");
        for (int i = 0; i < jars.length; i++) {
            List<Double> x = gf.get(i);
            Collections.sort(x);
            System.out.printf(Locale.ROOT, "%-60s %s: median %.2f GFLOP/s = %.2f us per call (min %.2f, max %.2f GFLOP/s, "
                    + "%d rounds of %d calls)%n", jars[i], what, x.get(x.size() / 2), flops / x.get(x.size() / 2) / 1e3,
                    x.get(0), x.get(x.size() - 1), x.size(), reps[i]);
        }
        Collections.sort(ratio);
        System.out.printf(Locale.ROOT, "paired ratio, time of the first jar / time of the last (> 1: the last is faster): "
                + "median %.3f (p25 %.3f, p75 %.3f)%n", ratio.get(ratio.size() / 2), ratio.get(ratio.size() / 4),
                ratio.get(3 * ratio.size() / 4));
    }

    /** A recurrent layer built from seed 1 on (B, T, F) inputs from seed 1; forward, and backward when training. */
    private static Runnable layerRun(ClassLoader cl, String cell, int[] d, boolean train) throws Exception {
        int nb = d[0], nt = d[1], nf = d[2], nh = d[3];
        boolean seq = cell.endsWith(":seq");
        if (seq) cell = cell.substring(0, cell.length() - 4);
        String pkg = "io.github.rnn4j.layers.recurrent.";
        Class<?> cls = cl.loadClass(pkg + switch (cell) {
            case "lstm" -> "LSTM";
            case "gru", "grub" -> "GRU";
            case "simple" -> "SimpleRNN";
            default -> throw new IllegalArgumentException("cell must be simple, lstm, gru, grub, gemm or gemmTA, got " + cell);
        });
        Object layer = cls.getConstructor(int.class).newInstance(nh);
        if (cell.equals("grub")) cls.getMethod("resetAfter", boolean.class).invoke(layer, false);
        if (seq) cls.getMethod("returnSequences", boolean.class).invoke(layer, true);
        cls.getMethod("build", int[][].class, long.class).invoke(layer, new int[][]{{nt, nf}}, 1L);
        Object frame = cls.getMethod("newFrame").invoke(layer);
        try {
            // inference as predict runs it (builds from before the flag keep every step anyway)
            frame.getClass().getMethod("inferenceOnly", boolean.class).invoke(frame, !train);
        } catch (NoSuchMethodException older) {
            // a jar from before Layer.Frame.inferenceOnly
        }
        try {
            // training as a model's first layer runs it: no gradient for the data
            frame.getClass().getMethod("inputGradients", boolean[].class).invoke(frame, (Object) new boolean[]{false});
        } catch (NoSuchMethodException older) {
            // a jar from before Layer.Frame.inputGradients (it always makes dx)
        }
        try {
            // each round's outputs are read before the next, as in a model's fit
            frame.getClass().getMethod("reuseOutputs", boolean.class).invoke(frame, true);
        } catch (NoSuchMethodException older) {
            // a jar from before Layer.Frame.reuseOutputs (new output tensors at every call)
        }
        Class<?> tensor = cl.loadClass("io.github.rnn4j.tensor.Tensor");
        Method of = tensor.getMethod("of", float[].class, int[].class);
        SplittableRandom rnd = new SplittableRandom(1);
        Object x = of.invoke(null, random(rnd, nb * nt * nf), new int[]{nb, nt, nf});
        Object dy = seq ? of.invoke(null, random(rnd, nb * nt * nh), new int[]{nb, nt, nh})
                : of.invoke(null, random(rnd, nb * nh), new int[]{nb, nh});
        Object xs = Array.newInstance(tensor, 1), dys = Array.newInstance(tensor, 1);
        Array.set(xs, 0, x);
        Array.set(dys, 0, dy);
        Class<?> frameCls = cl.loadClass("io.github.rnn4j.layers.Layer$Frame");
        Method forward = cls.getMethod("forward", xs.getClass(), cl.loadClass("io.github.rnn4j.layers.Mask"), frameCls,
                boolean.class);
        Method backward = cls.getMethod("backward", dys.getClass(), frameCls);
        return () -> {
            try {
                forward.invoke(layer, xs, null, frame, train);
                if (train) backward.invoke(layer, dys, frame);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /** One GEMM of fixed random matrices through the jar's kernels. */
    private static Runnable gemmRun(ClassLoader cl, boolean transA, int[] d) throws Exception {
        int m = d[0], n = d[1], k = d[2];
        Class<?> kernels = cl.loadClass("io.github.rnn4j.kernels.Kernels");
        Object kern = kernels.getMethod("get").invoke(null);
        Method gemm = kernels.getMethod("gemm", boolean.class, boolean.class, int.class, int.class, int.class, float.class,
                float[].class, int.class, int.class, float[].class, int.class, int.class, float.class, float[].class,
                int.class, int.class);
        SplittableRandom rnd = new SplittableRandom(2);
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = new float[m * n];
        return () -> {
            try {
                gemm.invoke(kern, transA, false, m, n, k, 1f, a, 0, transA ? m : k, b, 0, n, 0f, c, 0, n);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }
}
