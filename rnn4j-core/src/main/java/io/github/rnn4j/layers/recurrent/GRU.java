package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Activations;
import io.github.rnn4j.kernels.Kernels;

import java.util.Map;

/**
 * Gated Recurrent Unit, Keras's {@code GRU} (Cho et al. 2014), gates in Keras order z, r, h.
 * <pre>
 *   resetAfter = true (default; PyTorch's and cuDNN's form), bias (2, 3H) = [input; recurrent]:
 *     xz|xr|xh = x·W + b_in           rz|rr|rh = h[t-1]·U + b_rec
 *     z = σ(xz + rz)   r = σ(xr + rr)   hh = act(xh + r * rh)
 *   resetAfter = false (original form), bias (3H):
 *     z = σ(xz + h·U_z)   r = σ(xr + h·U_r)   hh = act(xh + (r * h)·U_h)
 *   h[t] = z * h[t-1] + (1 - z) * hh
 * </pre>
 * With recurrentDropout the dropped state enters the recurrent products only; the update
 * {@code z * h[t-1]} uses the state itself.
 *
 * <pre>{@code
 * Layer gru = new GRU(64).resetAfter(false);
 * }</pre>
 */
public class GRU extends Recurrent<GRU> {
    private boolean resetAfter = true;

    /** A layer with {@code units} units and Keras's defaults (resetAfter true). */
    public GRU(int units) {
        super(units);
    }

    /** Rebuilds a layer from its {@link #getConfig()}. */
    public static GRU fromConfig(Map<String, Object> c) {
        GRU l = new GRU(((Number) c.get("units")).intValue());
        l.applyConfig(c);
        if (c.containsKey("reset_after")) l.resetAfter((Boolean) c.get("reset_after"));
        return l;
    }

    /** Apply the reset gate after the recurrent product (true, default) or before it. */
    public GRU resetAfter(boolean b) {
        checkNotBuilt("resetAfter");
        this.resetAfter = b;
        return this;
    }

    public boolean resetAfter() {
        return resetAfter;
    }

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("reset_after", resetAfter);
        return c;
    }

    @Override
    protected int gates() {
        return 3;
    }

    @Override
    public int stateCount() {
        return 1;
    }

    @Override
    protected int[] biasShape() {
        return resetAfter ? new int[]{2, 3 * units} : new int[]{3 * units};
    }

    @Override
    protected void prepareCell(RecurrentFrame fr, int nb, int nt) {
        fr.rec = RecurrentFrame.grow(fr.rec, nb * 3 * units);
        if (resetAfter) fr.dR = RecurrentFrame.grow(fr.dR, nt * nb * 3 * units);
    }

    /** z and r take x·W + h·U in one product; the candidate needs x·W_h apart (see the class comment). */
    @Override
    protected int fusedGates() {
        return 2;
    }

    /** resetAfter: the input and the recurrent biases of z and r, summed. */
    @Override
    protected float[] fusedBias(RecurrentFrame fr) {
        if (!useBias || !resetAfter) return super.fusedBias(fr);
        int gh = 3 * units, n = 2 * units;
        float[] b = bias.value();
        fr.biasSum = RecurrentFrame.grow(fr.biasSum, n);
        for (int i = 0; i < n; i++) fr.biasSum[i] = b[i] + b[gh + i];
        return fr.biasSum;
    }

    @Override
    protected float[] recurrentGrad(RecurrentFrame fr) {
        return resetAfter ? fr.dR : fr.a;
    }

    @Override
    protected int recurrentWidth() {
        return resetAfter ? 3 * units : 2 * units;
    }

    /** Reset after: dR's z and r columns are the gate gradients (dz, dr); its candidate's are dhh * r. */
    @Override
    protected int recurrentGradSharedColumns(RecurrentFrame fr) {
        return resetAfter ? 2 * units : super.recurrentGradSharedColumns(fr);
    }

    @Override
    protected void packCellWeights(RecurrentFrame fr, Kernels k, boolean backward) {
        // reset-before backward: d(r*hd) = dhhPre · U_h^T
        if (backward && !resetAfter) fr.cellPack = k.pack(true, units, units, recurrentKernel.value(), 2 * units,
                3 * units, fr.cellPack);
    }

    @Override
    protected int forwardPhases() {
        return resetAfter ? 1 : 2;   // reset-before: (r*hd)·U_h needs r*hd of every unit
    }

    @Override
    protected int backwardPhases() {
        return resetAfter ? 1 : 2;   // reset-before: dhhPre·U_h^T needs dhhPre of every unit
    }

    @Override
    protected void stepForward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                               int j1) {
        int h = units, gh = 3 * h, w = j1 - j0;
        float[] a = fr.a, hAll = fr.hAll, aux = fr.aux;
        Kernels k = Kernels.get();
        Activations ra = recurrentActivation, act = activation;
        int aBase = stepOffset(fr, s, gh), xBase = stepOffset(fr, s, h);
        float[] rec = fr.rec;
        if (phase == 0) {
            // z, r: x·W + h·U + biases in one product each, into rec; the candidate's x·W_h + b_h into a[s]
            fusedProduct(fr, s, b0, b1, j0, j1, hd, hdOff, rec, gh);
            inputProduct(fr, s, 2, b0, b1, j0, j1, a, aBase, gh);
        }
        if (resetAfter) {
            // rh = h·U_h + the recurrent bias of h
            recurrentProduct(fr, 2, b0, b1, j0, j1, hd, hdOff, 0f, rec, 0, gh);
            if (useBias) k.addRowVector(b1 - b0, w, bias.value(), gh + 2 * h + j0, rec, b0 * gh + 2 * h + j0, gh);
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh + j0, prev = stateOffset(fr, s) + b * h + j0;
                k.gruPointwise(w, ra, act, rec, b * gh + j0, a, ao, h, hAll, prev, hAll,
                        stateOffset(fr, s + 1) + b * h + j0, aux, xBase + b * h + j0);
            }
        } else if (phase == 0) {
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh + j0, ro = b * gh + j0, xo = xBase + b * h + j0;
                ra.apply(w, rec, ro, a, ao);                         // z
                ra.apply(w, rec, ro + h, a, ao + h);                 // r
                for (int j = 0; j < w; j++) aux[xo + j] = a[ao + h + j] * hd[hdOff + b * h + j0 + j];
            }
        } else {
            // a[s]'s candidate slot holds x·W_h + b_h: add (r * hd)·U_h of every unit (phase 0 made r * hd)
            recurrentProduct(fr, 2, b0, b1, j0, j1, aux, xBase, 1f, a, aBase, gh);
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh + j0, prev = stateOffset(fr, s) + b * h + j0;
                int next = stateOffset(fr, s + 1) + b * h + j0;
                act.apply(w, a, ao + 2 * h, a, ao + 2 * h);          // hh
                for (int j = 0; j < w; j++) {
                    float z = a[ao + j];
                    hAll[next + j] = z * hAll[prev + j] + (1f - z) * a[ao + 2 * h + j];
                }
            }
        }
    }

    @Override
    protected void stepBackward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1, int j0,
                                int j1) {
        int nb = fr.b, h = units, gh = 3 * h, bh = nb * h;
        float[] a = fr.a, hAll = fr.hAll, aux = fr.aux, dh = fr.dh;
        Activations ra = recurrentActivation, act = activation;
        int aBase = s * nb * gh;
        if (resetAfter) {
            Kernels k = Kernels.get();
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh + j0, prev = s * bh + b * h + j0;
                k.gruBackwardPointwise(j1 - j0, ra, act, a, ao, h, aux, prev, dh, b * h + j0, hAll, prev, fr.dR, ao);
            }
        } else if (phase == 0) {
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh, prev = s * bh + b * h;
                for (int j = j0; j < j1; j++) {
                    float z = a[ao + j], hh = a[ao + 2 * h + j];
                    float g = dh[b * h + j];
                    a[ao + 2 * h + j] = g * (1f - z) * act.derivFromOutput(hh);
                    a[ao + j] = g * (hAll[prev + j] - hh) * ra.derivFromOutput(z);
                    dh[b * h + j] = g * z;
                }
            }
        } else {
            // d(r*hd) = dhhPre · U_h^T, for units [j0, j1)
            float[] tmp = fr.tmp;
            recurrentProductT(fr, fr.cellPack, 2 * h, h, b0, b1, j0, j1, a, aBase + 2 * h, gh, tmp, 0, h);
            for (int b = b0; b < b1; b++) {
                int ao = aBase + b * gh;
                for (int j = j0; j < j1; j++) {
                    float r = a[ao + h + j];
                    float d = tmp[b * h + j];
                    a[ao + h + j] = d * hd[hdOff + b * h + j] * ra.derivFromOutput(r);
                    float m = fr.rmask == null ? 1f : fr.rmask[b * h + j];
                    dh[b * h + j] += d * r * m;
                }
            }
        }
    }

    @Override
    protected void biasGradsFromSums(RecurrentFrame fr, float[] sums, int shared) {
        super.biasGradsFromSums(fr, sums, shared);
        if (!resetAfter) return;
        // the recurrent bias row: dR's sums, which are the gate gradients' before column shared
        int gh = 3 * units;
        float[] g = bias.grad();
        for (int j = 0; j < gh; j++) g[gh + j] += j < shared ? sums[j] : sums[gh + j - shared];
    }

    @Override
    protected void biasGrads(RecurrentFrame fr, int rows) {
        super.biasGrads(fr, rows);
        if (resetAfter) Kernels.get().sumRowsAdd(rows, 3 * units, fr.dR, 0, 3 * units, bias.grad(), 3 * units);
    }

    @Override
    protected void extraWeightGrads(RecurrentFrame fr) {
        if (!resetAfter) {
            int h = units, gh = 3 * h, rows = fr.t * fr.b;
            // dU_h += (r*hd)^T · dhhPre over all steps
            Kernels.get().gemm(true, false, h, h, rows, 1f, fr.aux, 0, h, fr.a, 2 * h, gh, 1f,
                    recurrentKernel.grad(), 2 * h, gh);
        }
    }
}
