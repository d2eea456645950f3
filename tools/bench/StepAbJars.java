/*
 * A/B of two builds of rnn4j-core on the batch-1 step (a stateful LSTM, or GRU or SimpleRNN,
 * inference frame, one (1, 1, 32) input per call), inside one JVM: each jar is loaded by its own
 * class loader, both warm up for 300,000 steps, then rounds alternate the jars, 10,000 timed
 * steps each after 2,000 untimed ones, with a 3 ms pause before each jar's turn so that the other
 * jar's idle pool worker has parked and does not take a core from it (AbJars cannot time microsecond calls for
 * that reason). Prints each jar's median us/step and the paired ratio (time of the first jar /
 * time of the last, per round; > 1: the last is faster).
 *
 * Not a benchmark against a peer (that is `rnn4j bench --configs step` and compare.sh): a tool
 * for deciding whether a change to the step path is worth keeping. On the shared VMs the same jar
 * against itself gives a median ratio of 0.95-1.08 (each class loader's code is compiled apart,
 * and not always alike): run both orders and take the geometric mean of the two ratios.
 *
 *   java --add-modules jdk.incubator.vector tools/bench/StepAbJars.java OLD.jar,NEW.jar UNITS ROUNDS \
 *       [lstm|gru|simple [SEQ]]
 *
 * SEQ (default 1): timesteps per call, input (1, SEQ, 32): a batch-1 sequence instead of one step
 * (the rounds then make 10,000 / SEQ calls; times are still per step).
 */

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

public class StepAbJars {
    private static final int FEATURES = 32, WARMUP = 300_000, ROUND_WARMUP = 2_000, ROUND_STEPS = 10_000;

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: StepAbJars OLD.jar,NEW.jar UNITS ROUNDS [lstm|gru|simple [SEQ]]");
            System.exit(2);
        }
        String[] jars = args[0].split(",");
        int units = Integer.parseInt(args[1]), rounds = Integer.parseInt(args[2]);
        String cell = args.length >= 4 ? args[3] : "lstm";
        int seq = args.length == 5 ? Integer.parseInt(args[4]) : 1;
        if (seq < 1) throw new IllegalArgumentException("SEQ must be >= 1, got " + seq);
        int roundCalls = Math.max(1, ROUND_STEPS / seq), roundWarmup = Math.max(1, ROUND_WARMUP / seq);
        String cellClass = switch (cell) {
            case "lstm" -> "LSTM";
            case "gru" -> "GRU";
            case "simple" -> "SimpleRNN";
            default -> throw new IllegalArgumentException("CELL must be lstm, gru or simple, got " + cell);
        };
        Runnable[] step = new Runnable[jars.length];
        for (int j = 0; j < jars.length; j++) step[j] = stepOf(jars[j], cellClass, units, seq);
        for (Runnable s : step) {
            for (int i = 0; i < WARMUP / seq; i++) s.run();
        }
        double[][] us = new double[jars.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < jars.length; j++) {
                Thread.sleep(3);
                for (int i = 0; i < roundWarmup; i++) step[j].run();
                long t0 = System.nanoTime();
                for (int i = 0; i < roundCalls; i++) step[j].run();
                us[j][r] = (System.nanoTime() - t0) / 1e3 / ((long) roundCalls * seq);
            }
        }
        for (int j = 0; j < jars.length; j++) {
            double[] v = us[j].clone();
            Arrays.sort(v);
            System.out.printf("%s: median %.2f us/step (min %.2f) over %d rounds%n",
                    jars[j], v[rounds / 2], v[0], rounds);
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = us[0][r] / us[jars.length - 1][r];
        Arrays.sort(ratio);
        System.out.printf("paired ratio first/last: median %.3f (p25 %.3f, p75 %.3f)%n",
                ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    }

    /** One step of a stateful cell layer (LSTM, GRU or SimpleRNN) built from seed 1 in the jar's own class loader. */
    private static Runnable stepOf(String jar, String cellClass, int units, int seq) throws Exception {
        ClassLoader cl = new URLClassLoader(new URL[]{Path.of(jar).toUri().toURL()}, StepAbJars.class.getClassLoader());
        Class<?> cls = cl.loadClass("io.github.rnn4j.layers.recurrent." + cellClass);
        Object layer = cls.getConstructor(int.class).newInstance(units);
        cls.getMethod("stateful", boolean.class).invoke(layer, true);
        cls.getMethod("build", int[][].class, long.class).invoke(layer, new int[][]{{seq, FEATURES}}, 1L);
        Object frame = cls.getMethod("newFrame").invoke(layer);
        try {
            frame.getClass().getMethod("inferenceOnly", boolean.class).invoke(frame, true);
        } catch (NoSuchMethodException older) {
            // a jar from before Layer.Frame.inferenceOnly
        }
        Class<?> tensor = cl.loadClass("io.github.rnn4j.tensor.Tensor");
        Object x = tensor.getMethod("zeros", int[].class).invoke(null, (Object) new int[]{1, seq, FEATURES});
        Object xs = Array.newInstance(tensor, 1);
        Array.set(xs, 0, x);
        Method forward = cls.getMethod("forward", xs.getClass(), cl.loadClass("io.github.rnn4j.layers.Mask"),
                cl.loadClass("io.github.rnn4j.layers.Layer$Frame"), boolean.class);
        return () -> {
            try {
                forward.invoke(layer, xs, null, frame, false);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
