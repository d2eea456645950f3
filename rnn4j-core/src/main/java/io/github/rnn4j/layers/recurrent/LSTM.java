package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Activations;
import io.github.rnn4j.kernels.Kernels;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Long Short-Term Memory layer, Keras's {@code LSTM} (Hochreiter 1997), gates in Keras order i, f, c, o:
 * <pre>
 *   z = x·W + h[t-1]·U + b          (B, 4H), blocks i | f | c | o
 *   i = σ(z_i)  f = σ(z_f)  g = act(z_c)  o = σ(z_o)      σ = recurrentActivation
 *   c[t] = f*c[t-1] + i*g            h[t] = o * act(c[t])
 * </pre>
 * The additive cell path {@code c[t] = f*c[t-1] + ...} is what carries gradients across long
 * spans, as a residual connection does through depth.
 *
 * <pre>{@code
 * Layer lstm = new LSTM(10).recurrentDropout(0.5);   // layers.LSTM(10, recurrent_dropout=0.5)
 * }</pre>
 */
public class LSTM extends Recurrent<LSTM> {
    private boolean unitForgetBias = true;

    /** A layer with {@code units} units and Keras's defaults (unitForgetBias on). */
    public LSTM(int units) {
        super(units);
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static LSTM fromConfig(Map<String, Object> c) {
        LSTM l = new LSTM(((Number) c.get("units")).intValue());
        l.applyConfig(c);
        if (c.containsKey("unit_forget_bias")) l.unitForgetBias((Boolean) c.get("unit_forget_bias"));
        return l;
    }

    /** Initialise the forget-gate bias to 1 (Jozefowicz et al. 2015), as Keras does by default. */
    public LSTM unitForgetBias(boolean b) {
        checkNotBuilt("unitForgetBias");
        this.unitForgetBias = b;
        return this;
    }

    public boolean unitForgetBias() {
        return unitForgetBias;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("unit_forget_bias", unitForgetBias);
        return c;
    }

    @Override
    protected void initBias(SplittableRandom init) {
        super.initBias(init);
        if (unitForgetBias) Arrays.fill(bias.value(), units, 2 * units, 1f);
    }

    @Override
    protected int gates() {
        return 4;
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    protected void stepForward(RecurrentFrame fr, int s, float[] hd, int hdOff) {
        int nb = fr.b, h = units, gh = 4 * h, bh = nb * h;
        float[] a = fr.a, cAll = fr.cAll, hAll = fr.hAll, aux = fr.aux;
        Kernels.get().gemm(false, false, nb, gh, h, 1f, hd, hdOff, h, recurrentKernel.value(), 0, gh,
                1f, a, s * nb * gh, gh);
        Activations ra = recurrentActivation, act = activation;
        for (int b = 0; b < nb; b++) {
            int ao = (s * nb + b) * gh, prev = s * bh + b * h, next = (s + 1) * bh + b * h, xo = s * bh + b * h;
            // gate activations over contiguous blocks (vectorised kernels): i|f, g, o
            ra.apply(2 * h, a, ao, a, ao);
            act.apply(h, a, ao + 2 * h, a, ao + 2 * h);
            ra.apply(h, a, ao + 3 * h, a, ao + 3 * h);
            for (int j = 0; j < h; j++) cAll[next + j] = a[ao + h + j] * cAll[prev + j] + a[ao + j] * a[ao + 2 * h + j];
            act.apply(h, cAll, next, aux, xo);
            for (int j = 0; j < h; j++) hAll[next + j] = a[ao + 3 * h + j] * aux[xo + j];
        }
    }

    @Override
    protected void stepBackward(RecurrentFrame fr, int s, float[] hd, int hdOff) {
        int nb = fr.b, h = units, gh = 4 * h, bh = nb * h;
        float[] a = fr.a, cAll = fr.cAll, aux = fr.aux, dh = fr.dh, dc = fr.dc;
        Activations ra = recurrentActivation, act = activation;
        for (int b = 0; b < nb; b++) {
            int ao = (s * nb + b) * gh, prev = s * bh + b * h, o2 = b * h;
            for (int j = 0; j < h; j++) {
                float i = a[ao + j], f = a[ao + h + j], g = a[ao + 2 * h + j], o = a[ao + 3 * h + j];
                float tc = aux[s * bh + o2 + j];
                float dhj = dh[o2 + j];
                float dct = dc[o2 + j] + dhj * o * act.derivFromOutput(tc);
                a[ao + j] = dct * g * ra.derivFromOutput(i);
                a[ao + h + j] = dct * cAll[prev + j] * ra.derivFromOutput(f);
                a[ao + 2 * h + j] = dct * i * act.derivFromOutput(g);
                a[ao + 3 * h + j] = dhj * tc * ra.derivFromOutput(o);
                dc[o2 + j] = dct * f;
                dh[o2 + j] = 0f;
            }
        }
    }
}
