package io.github.rnn4j.models;

import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small helpers shared by the model, model-file and callback tests: seeded random data, bitwise
 * comparisons of weight lists, slicing along time. Not a test itself and not a fixture builder;
 * every expected value in the tests is computed there, not here.
 */
public final class ModelTesting {
    private ModelTesting() {
    }

    /** Uniform values in [-1, 1) from a fixed seed. */
    public static Tensor rand(long seed, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    /** Whole-number ids in [0, vocab) stored as floats. */
    public static Tensor ids(long seed, int vocab, int... shape) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(vocab);
        return t;
    }

    /** Deep copies of tensors. */
    public static List<Tensor> copies(List<Tensor> ts) {
        List<Tensor> c = new ArrayList<>();
        for (Tensor t : ts) c.add(t.copy());
        return c;
    }

    /** True when both lists have the same shapes and bit-identical values. */
    public static boolean bitsEqual(List<Tensor> a, List<Tensor> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).hasShape(b.get(i).shape())) return false;
            float[] x = a.get(i).data(), y = b.get(i).data();
            for (int j = 0; j < x.length; j++) {
                if (Float.floatToRawIntBits(x[j]) != Float.floatToRawIntBits(y[j])) return false;
            }
        }
        return true;
    }

    /** Asserts bit-identical tensor lists, naming the first difference. */
    public static void assertBitsEqual(List<Tensor> want, List<Tensor> got, String what) {
        assertEquals(want.size(), got.size(), what + ": number of tensors");
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i).shape(), got.get(i).shape(), what + ": shape of tensor " + i);
            assertArrayEquals(want.get(i).data(), got.get(i).data(), what + ": values of tensor " + i);
        }
    }

    /** Asserts bit-identical tensors. */
    public static void assertBitsEqual(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        assertArrayEquals(want.data(), got.data(), what + ": values");
    }

    /** Asserts equal shapes and values within {@code tol}. */
    public static void assertClose(Tensor want, Tensor got, double tol, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] a = want.data(), b = got.data();
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= tol)) {
                fail(what + ": value " + i + " differs: " + a[i] + " vs " + b[i] + " (tolerance " + tol + ")");
            }
        }
    }

    /** Whether every value of every tensor is finite. */
    public static boolean allFinite(List<Tensor> ts) {
        for (Tensor t : ts) if (t.firstNonFinite() >= 0) return false;
        return true;
    }

    /** Timestep t of a (B, T, ...) tensor as (B, ...). */
    public static Tensor step(Tensor x, int t) {
        int[] s = x.shape();
        int b = s[0], nt = s[1], inner = x.size() / (b * nt);
        int[] o = new int[s.length - 1];
        o[0] = b;
        System.arraycopy(s, 2, o, 1, s.length - 2);
        Tensor out = Tensor.zeros(o);
        for (int i = 0; i < b; i++) System.arraycopy(x.data(), (i * nt + t) * inner, out.data(), i * inner, inner);
        return out;
    }

    /** Rows [from, to) of the first axis. */
    public static Tensor rows(Tensor x, int from, int to) {
        return x.slice0(from, to);
    }
}
