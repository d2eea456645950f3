package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Kernels;

import java.util.Map;

/**
 * Fully-connected recurrent layer, Keras's {@code SimpleRNN}: {@code h[t] = act(x[t]·W + h[t-1]·U + b)}.
 *
 * <pre>{@code
 * Layer rnn = new SimpleRNN(32).returnSequences(true);
 * }</pre>
 *
 * Only the step math lives here; time, masking, dropout and states are {@link Recurrent}'s.
 */
public class SimpleRNN extends Recurrent<SimpleRNN> {

    /** A layer with {@code units} units and Keras's defaults (tanh, glorot_uniform, orthogonal, zeros). */
    public SimpleRNN(int units) {
        super(units);
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static SimpleRNN fromConfig(Map<String, Object> c) {
        SimpleRNN l = new SimpleRNN(((Number) c.get("units")).intValue());
        l.applyConfig(c);
        return l;
    }

    @Override
    protected int gates() {
        return 1;
    }

    @Override
    public int stateCount() {
        return 1;
    }

    @Override
    protected void stepForward(RecurrentFrame fr, int s, float[] hd, int hdOff) {
        int nb = fr.b, h = units, bh = nb * h;
        Kernels k = Kernels.get();
        int aOff = s * bh;
        k.gemm(false, false, nb, h, h, 1f, hd, hdOff, h, recurrentKernel.value(), 0, h, 1f, fr.a, aOff, h);
        activation.apply(bh, fr.a, aOff, fr.a, aOff);
        System.arraycopy(fr.a, aOff, fr.hAll, (s + 1) * bh, bh);
    }

    @Override
    protected void stepBackward(RecurrentFrame fr, int s, float[] hd, int hdOff) {
        int bh = fr.b * units, aOff = s * bh;
        float[] a = fr.a, dh = fr.dh;
        for (int i = 0; i < bh; i++) {
            a[aOff + i] = dh[i] * activation.derivFromOutput(a[aOff + i]);
            dh[i] = 0f;
        }
    }
}
