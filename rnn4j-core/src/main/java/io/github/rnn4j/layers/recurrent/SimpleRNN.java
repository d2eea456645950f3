package io.github.rnn4j.layers.recurrent;


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
    protected void prepareCell(RecurrentFrame fr, int nb, int nt) {
        fr.rec = RecurrentFrame.grow(fr.rec, nb * units);
    }

    @Override
    protected int fusedGates() {
        return 1;
    }

    @Override
    public int stateCount() {
        return 1;
    }

    @Override
    protected void stepForward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                               int j1) {
        int h = units, w = j1 - j0;
        int aOff = stepOffset(fr, s, h), hOff = stateOffset(fr, s + 1);
        // the pre-activations x·W + h·U + b are made in the small [B, H] buffer rec, the activation writes a[s] (see LSTM)
        fusedProduct(fr, s, b0, b1, j0, j1, hd, hdOff, fr.rec, h);
        for (int b = b0; b < b1; b++) {
            int o = aOff + b * h + j0, ro = b * h + j0;
            activation.apply(w, fr.rec, ro, fr.a, o);
            System.arraycopy(fr.a, o, fr.hAll, hOff + ro, w);
        }
    }

    @Override
    protected void stepBackward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                                int j1) {
        int h = units, aOff = s * fr.b * h;
        float[] a = fr.a, dh = fr.dh;
        for (int b = b0; b < b1; b++) {
            for (int j = b * h + j0; j < b * h + j1; j++) {
                a[aOff + j] = dh[j] * activation.derivFromOutput(a[aOff + j]);
                dh[j] = 0f;
            }
        }
    }
}
