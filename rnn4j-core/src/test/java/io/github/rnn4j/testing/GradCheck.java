package io.github.rnn4j.testing;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Central finite-difference gradient check for any {@link Layer}.
 *
 * <p>The scalar checked is {@code L = sum_k sum(out_k * W_k)} with fixed random weights W_k, so
 * dL/dout_k = W_k is fed to backward and every input and parameter gradient is compared with
 * {@code (L(v+eps) - L(v-eps)) / 2eps}, computed in float32 by re-running forward. Tolerance:
 * float32 central differences with eps = 1e-2 on O(1) values carry truncation error
 * O(eps^2 * f''') ~ 1e-4 and rounding error ~ 1e-7 * |L| / eps ~ 1e-4 at these tiny sizes, so
 * {@code |a - n| <= atol + rtol * max(|a|, |n|)} with atol = 2e-3 and rtol = 2e-2 separates a
 * right gradient from a wrong one (a wrong term is off by O(0.1) or more).
 *
 * <p>Forward must be deterministic between calls: layers with dropout are checked in inference
 * mode, or with training=true only when they draw no randomness.
 */
public final class GradCheck {
    public static final float EPS = 1e-2f;
    public static final double ATOL = 2e-3;
    public static final double RTOL = 2e-2;

    private GradCheck() {
    }

    /** Runs the check; fails the test with the first mismatching entry. */
    public static void check(Layer layer, Tensor[] inputs, Mask mask, boolean training, boolean[] differentiable, long seed) {
        Layer.Frame frame = layer.newFrame();
        Tensor[] out = layer.forward(inputs, mask, frame, training);
        SplittableRandom r = new SplittableRandom(seed);
        Tensor[] w = new Tensor[out.length];
        for (int k = 0; k < out.length; k++) {
            w[k] = Tensor.zeros(out[k].shape());
            for (int i = 0; i < w[k].size(); i++) w[k].data()[i] = (float) (r.nextDouble() * 2 - 1);
        }
        layer.zeroGrads();
        Tensor[] dIn = layer.backward(copyAll(w), frame);

        for (Param p : layer.params()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = keep + EPS;
                double lp = loss(layer, inputs, mask, training, w);
                v[i] = keep - EPS;
                double lm = loss(layer, inputs, mask, training, w);
                v[i] = keep;
                compare(layer + " param " + p.name() + "[" + i + "]", p.grad()[i], (lp - lm) / (2 * EPS));
            }
        }
        for (int k = 0; k < inputs.length; k++) {
            if (differentiable != null && !differentiable[k]) continue;
            float[] v = inputs[k].data();
            for (int i = 0; i < v.length; i++) {
                float keep = v[i];
                v[i] = keep + EPS;
                double lp = loss(layer, inputs, mask, training, w);
                v[i] = keep - EPS;
                double lm = loss(layer, inputs, mask, training, w);
                v[i] = keep;
                float a = dIn[k] == null ? 0f : dIn[k].data()[i];
                compare(layer + " input " + k + "[" + i + "]", a, (lp - lm) / (2 * EPS));
            }
        }
    }

    /** Checks every input as differentiable, inference mode, no mask. */
    public static void check(Layer layer, Tensor... inputs) {
        check(layer, inputs, null, false, null, 42);
    }

    private static Tensor[] copyAll(Tensor[] t) {
        Tensor[] c = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) c[i] = t[i].copy();
        return c;
    }

    private static double loss(Layer layer, Tensor[] inputs, Mask mask, boolean training, Tensor[] w) {
        Tensor[] out = layer.forward(inputs, mask, layer.newFrame(), training);
        double s = 0;
        for (int k = 0; k < out.length; k++) {
            float[] o = out[k].data(), ww = w[k].data();
            for (int i = 0; i < o.length; i++) s += (double) o[i] * ww[i];
        }
        return s;
    }

    private static void compare(String what, double analytic, double numeric) {
        double tol = ATOL + RTOL * Math.max(Math.abs(analytic), Math.abs(numeric));
        if (!(Math.abs(analytic - numeric) <= tol)) {
            fail(what + ": analytic " + analytic + " vs numeric " + numeric);
        }
    }

    /** A tensor of uniform values in [-scale, scale]. */
    public static Tensor random(SplittableRandom r, float scale, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return t;
    }
}
