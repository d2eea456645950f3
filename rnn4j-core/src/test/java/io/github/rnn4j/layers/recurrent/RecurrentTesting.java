package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.util.SplittableRandom;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small helpers shared by the recurrent behaviour tests: the four cell variants, building a
 * layer with randomised (seeded) weights, running forward/backward on a fresh frame, and
 * comparing float arrays with a message that says where they differ.
 *
 * <p>Not a test harness of its own and not a reference implementation: every expected value in
 * the tests comes from a different run of the layer (another batch layout, direction or call
 * split), never from numbers copied out of the code under test.
 */
final class RecurrentTesting {
    private RecurrentTesting() {
    }

    /** The cell variants every behaviour test runs over. */
    enum Cell {
        SIMPLE_RNN(SimpleRNN::new),
        LSTM(io.github.rnn4j.layers.recurrent.LSTM::new),
        GRU_RESET_AFTER(u -> new GRU(u).resetAfter(true)),
        GRU_RESET_BEFORE(u -> new GRU(u).resetAfter(false));

        private final IntFunction<Recurrent<?>> make;

        Cell(IntFunction<Recurrent<?>> make) {
            this.make = make;
        }

        Recurrent<?> create(int units) {
            return make.apply(units);
        }
    }

    /**
     * Builds {@code layer} for inputs (time unknown, f features), plus its initial states when
     * {@code withState}, and overwrites every weight with seeded values in [-0.5, 0.5] so that
     * biases are non-zero and every path carries signal.
     */
    static <L extends Recurrent<?>> L build(L layer, int f, boolean withState, long seed) {
        int[][] shapes = new int[withState ? 1 + layer.stateCount() : 1][];
        shapes[0] = new int[]{-1, f};
        for (int i = 1; i < shapes.length; i++) shapes[i] = new int[]{layer.units()};
        layer.build(shapes, seed);
        SplittableRandom r = new SplittableRandom(seed * 31 + 1);
        for (Param p : layer.params()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() - 0.5);
        }
        return layer;
    }

    /** Copies every weight of {@code from} into {@code to} (same architecture). */
    static void copyWeights(Recurrent<?> from, Recurrent<?> to) {
        for (int i = 0; i < from.params().size(); i++) {
            Param p = from.params().get(i);
            to.params().get(i).set(p.value(), p.shape(), to.where());
        }
    }

    /** Uniform values in [-scale, scale]. */
    static Tensor random(SplittableRandom r, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return t;
    }

    /** Forward with a fresh frame. */
    static Tensor[] run(Layer layer, Tensor[] in, io.github.rnn4j.layers.Mask mask, boolean training) {
        return layer.forward(in, mask, layer.newFrame(), training);
    }

    /** Copies of every parameter gradient, in parameter order. */
    static float[][] grads(Layer layer) {
        float[][] g = new float[layer.params().size()][];
        for (int i = 0; i < g.length; i++) g[i] = layer.params().get(i).grad().clone();
        return g;
    }

    /** Copies of every parameter value, in parameter order. */
    static float[][] values(Layer layer) {
        float[][] g = new float[layer.params().size()][];
        for (int i = 0; i < g.length; i++) g[i] = layer.params().get(i).value().clone();
        return g;
    }

    /** Steps [t0, t0+len) of sample b of a [B, T, F] tensor, as a [1, len, F] tensor. */
    static Tensor sampleSteps(Tensor x, int b, int t0, int len) {
        int nt = x.dim(1), nf = x.dim(2);
        Tensor y = Tensor.zeros(1, len, nf);
        System.arraycopy(x.data(), (b * nt + t0) * nf, y.data(), 0, len * nf);
        return y;
    }

    /** Row b of a [B, H] tensor as [1, H]. */
    static Tensor row(Tensor x, int b) {
        return x.slice0(b, b + 1);
    }

    /** x with its time axis reversed. */
    static Tensor reverseTime(Tensor x) {
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        Tensor y = Tensor.zeros(nb, nt, nf);
        for (int b = 0; b < nb; b++) {
            for (int t = 0; t < nt; t++) {
                System.arraycopy(x.data(), (b * nt + t) * nf, y.data(), (b * nt + nt - 1 - t) * nf, nf);
            }
        }
        return y;
    }

    /** Fails unless |a[aOff+i] - e[eOff+i]| <= tol for i in [0, n). */
    static void assertClose(String what, float[] e, int eOff, float[] a, int aOff, int n, double tol) {
        for (int i = 0; i < n; i++) {
            double d = Math.abs((double) a[aOff + i] - e[eOff + i]);
            if (!(d <= tol)) {
                fail(what + ": entry " + i + " is " + a[aOff + i] + ", expected " + e[eOff + i]
                        + " (difference " + d + ", tolerance " + tol + ")");
            }
        }
    }

    static void assertClose(String what, float[] e, float[] a, double tol) {
        if (e.length != a.length) fail(what + ": length " + a.length + ", expected " + e.length);
        assertClose(what, e, 0, a, 0, e.length, tol);
    }

    /** Fails unless a[off..off+n) is all exactly zero. */
    static void assertZero(String what, float[] a, int off, int n) {
        for (int i = 0; i < n; i++) {
            if (a[off + i] != 0f) fail(what + ": entry " + i + " is " + a[off + i] + ", expected 0");
        }
    }
}
