package io.github.rnn4j.layers;

import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's {@code Dropout}, inverted: in training each value is dropped with probability
 * {@code rate} and the kept ones are scaled by {@code 1/(1-rate)}, so inference is the
 * identity. Backward multiplies by the same mask, kept in the frame.
 *
 * <p>{@code noiseShape} is Keras's {@code noise_shape}: the shape of the random mask including
 * the batch axis, with -1 (None) for "as the input" and 1 for "shared along this axis"; e.g.
 * {@code noiseShape(-1, 1, -1)} drops the same features at every timestep. Randomness comes
 * from the layer's generator, seeded by the model at build, or from {@link #seed(long)} when
 * set (Keras's {@code seed}). Any input rank; the mask passes through.
 *
 * <p>Not the recurrent layers' dropout: those draw one mask per sequence batch inside
 * {@code Recurrent}.
 *
 * <pre>{@code
 * Layer drop = new Dropout(0.5).noiseShape(-1, 1, -1);   // layers.Dropout(0.5, noise_shape=(None, 1, None))
 * }</pre>
 */
public class Dropout extends Layer {
    private final double rate;
    private int[] noiseShape;
    private Long seed;

    /** Drops a fraction {@code rate} in [0, 1) of the values in training. */
    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout: rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static Dropout fromConfig(Map<String, Object> c) {
        Object r = c.get("rate");
        if (r == null) throw new IllegalArgumentException("Dropout: config has no 'rate'");
        Dropout d = new Dropout(LayerSupport.number(r, "rate", "Dropout"));
        d.applyBaseConfig(c);
        if (c.get("noise_shape") != null) d.noiseShape(LayerSupport.intList(c.get("noise_shape"), "noise_shape", d.where()));
        if (c.get("seed") != null) d.seed((long) LayerSupport.number(c.get("seed"), "seed", d.where()));
        return d;
    }

    /** The mask's shape including the batch axis; -1 takes the input's size, 1 shares. */
    public Dropout noiseShape(int... shape) {
        checkNotBuilt("noiseShape");
        for (int s : shape) {
            if (s == 0 || s < -1) {
                throw new IllegalArgumentException(where() + ": noise_shape entries must be positive or -1 (None), got "
                        + Arrays.toString(shape));
            }
        }
        this.noiseShape = shape.clone();
        return this;
    }

    /** A fixed seed for this layer's masks (otherwise the model's seed decides). */
    public Dropout seed(long s) {
        checkNotBuilt("seed");
        this.seed = s;
        return this;
    }

    public double rate() {
        return rate;
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        LayerSupport.checkShapeCount(this, in, 1);
        if (noiseShape != null) {
            int[] s = in[0];
            boolean ok = noiseShape.length == s.length + 1;
            for (int i = 0; ok && i < s.length; i++) {
                int n = noiseShape[i + 1];
                ok = n == -1 || n == 1 || s[i] < 0 || n == s[i];
            }
            if (!ok) {
                throw new IllegalArgumentException(where() + ": noise_shape " + Arrays.toString(noiseShape)
                        + " does not fit input " + LayerSupport.batchShape(s) + " (each entry must be -1, 1 or the input's size)");
            }
        }
        return new int[][]{in[0].clone()};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        if (seed != null) rng = new SplittableRandom(seed);
    }

    @Override
    public void reseed(long s) {
        super.reseed(seed == null ? s : s ^ (seed * 0x9E3779B97F4A7C15L));
    }

    static final class DropoutFrame extends Frame {
        boolean active;
        float[] mask;   // [size of x]: 0 or 1/(1-rate)
        float[] noise;  // [noise size]
        int[] counter, noiseStride;
        int[] shape;
    }

    @Override
    public Frame newFrame() {
        return new DropoutFrame();
    }

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        LayerSupport.requireBuilt(this);
        checkInputCount(inputs, 1, 1);
        Tensor x = inputs[0];
        LayerSupport.checkInput(this, x, 0);
        DropoutFrame fr = (DropoutFrame) frame;
        fr.shape = x.shape();
        fr.active = training && rate > 0;
        Tensor y = fr.outputCopy(0, x, fr.shape);
        if (!fr.active) return new Tensor[]{y};
        int n = x.size();
        fr.mask = LayerSupport.grow(fr.mask, n);
        float keep = (float) (1.0 / (1.0 - rate));
        if (noiseShape == null) {
            for (int i = 0; i < n; i++) fr.mask[i] = rng.nextDouble() < rate ? 0f : keep;
        } else {
            broadcastNoise(fr, x, keep);
        }
        float[] yd = y.data();
        for (int i = 0; i < n; i++) yd[i] *= fr.mask[i];
        return new Tensor[]{y};
    }

    /** Draws the noise-shaped mask and spreads it over the input's shape (size-1 axes shared). */
    private void broadcastNoise(DropoutFrame fr, Tensor x, float keep) {
        int rank = x.rank();
        if (noiseShape.length != rank) {
            throw new IllegalArgumentException(where() + ": noise_shape " + Arrays.toString(noiseShape)
                    + " has rank " + noiseShape.length + ", input " + x.shapeString() + " has rank " + rank);
        }
        fr.counter = LayerSupport.grow(fr.counter, rank);
        fr.noiseStride = LayerSupport.grow(fr.noiseStride, rank);
        int ns = 1;
        for (int d = rank - 1; d >= 0; d--) {
            int size = noiseShape[d] == -1 ? x.dim(d) : noiseShape[d];
            if (size != 1 && size != x.dim(d)) {
                throw new IllegalArgumentException(where() + ": noise_shape " + Arrays.toString(noiseShape)
                        + " does not fit input " + x.shapeString());
            }
            fr.noiseStride[d] = size == 1 ? 0 : ns;
            ns *= size;
        }
        fr.noise = LayerSupport.grow(fr.noise, ns);
        for (int i = 0; i < ns; i++) fr.noise[i] = rng.nextDouble() < rate ? 0f : keep;
        int[] c = fr.counter;
        Arrays.fill(c, 0, rank, 0);
        int n = x.size(), at = 0;
        for (int i = 0; i < n; i++) {
            fr.mask[i] = fr.noise[at];
            // odometer over the input's multi-index, tracking the noise offset
            for (int d = rank - 1; d >= 0; d--) {
                at += fr.noiseStride[d];
                if (++c[d] < x.dim(d)) break;
                at -= fr.noiseStride[d] * c[d];
                c[d] = 0;
            }
        }
    }

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        DropoutFrame fr = (DropoutFrame) frame;
        Tensor dy = gradOutputs[0];
        if (dy == null) return new Tensor[]{fr.output(1, false, fr.shape)};
        LayerSupport.checkGrad(this, dy, fr.shape, 0);
        Tensor dx = fr.outputCopy(1, dy, fr.shape);
        if (fr.active) {
            float[] d = dx.data();
            for (int i = 0; i < d.length; i++) d[i] *= fr.mask[i];
        }
        return new Tensor[]{dx};
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("rate", rate);
        c.put("noise_shape", noiseShape == null ? null : LayerSupport.toList(noiseShape));
        c.put("seed", seed);
        return c;
    }
}
