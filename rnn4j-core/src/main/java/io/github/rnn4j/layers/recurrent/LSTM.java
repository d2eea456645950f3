package io.github.rnn4j.layers.recurrent;

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
    protected void prepareCell(RecurrentFrame fr, int nb, int nt) {
        fr.rec = RecurrentFrame.grow(fr.rec, nb * 4 * units);
    }

    @Override
    protected int fusedGates() {
        return 4;
    }

    @Override
    public int stateCount() {
        return 2;
    }

    @Override
    protected void stepForward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                               int j1) {
        int h = units, gh = 4 * h, w = j1 - j0;
        float[] a = fr.a, cAll = fr.cAll, hAll = fr.hAll, aux = fr.aux;
        int aBase = stepOffset(fr, s, gh), tBase = stepOffset(fr, s, h);
        // the whole pre-activation x·W + h·U + b per gate is made in the small [B, GH] buffer rec
        // (overwritten, never read first: a product that added into a[s] stalled on loading it
        // from memory); the activations then write a[s]
        float[] rec = fr.rec;
        fusedProduct(fr, s, b0, b1, j0, j1, hd, hdOff, rec, gh);
        Kernels k = Kernels.get();
        for (int b = b0; b < b1; b++) {
            int ao = aBase + b * gh + j0, prev = stateOffset(fr, s) + b * h + j0;
            int next = stateOffset(fr, s + 1) + b * h + j0;
            k.lstmPointwise(w, recurrentActivation, activation, rec, b * gh + j0, a, ao, h, cAll, prev, cAll, next,
                    aux, tBase + b * h + j0, hAll, next);
        }
    }

    @Override
    protected void stepBackward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                                int j1) {
        int nb = fr.b, h = units, gh = 4 * h, bh = nb * h;
        float[] a = fr.a, cAll = fr.cAll, aux = fr.aux, dh = fr.dh, dc = fr.dc;
        Kernels k = Kernels.get();
        for (int b = b0; b < b1; b++) {
            int ao = (s * nb + b) * gh, prev = s * bh + b * h, o2 = b * h;
            k.lstmBackwardPointwise(j1 - j0, recurrentActivation, activation, a, ao + j0, h, aux, s * bh + o2 + j0,
                    dh, o2 + j0, dc, o2 + j0, cAll, prev + j0);
        }
    }
}
