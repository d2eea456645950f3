package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.assertClose;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.assertZero;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.grads;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.row;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.sampleSteps;

/**
 * The masking property of the recurrent layers: a batch of post-padded sequences run with
 * {@code Mask.fromLengths} gives, sample by sample, what running each sequence alone and
 * unpadded gives: outputs at the valid steps, last output, final states, input gradients,
 * initial-state gradients, and (summed over samples) the weight gradients; padded steps get a
 * zero input gradient, and a fully masked sample keeps its initial state.
 *
 * <p>The expected values come from other runs of the same layer (batch of one, true length), so
 * this checks the mask bookkeeping of {@link Recurrent}, not the cell math (the gradient checks
 * and the PyTorch parity tests do that). Padded steps hold random values, not zeros, so a layer
 * that ignored the mask would fail. Keras semantics for the padded outputs: the previous output
 * (or zeros with zeroOutputForMask); with goBackwards the reversed padded sequence starts with
 * padding, during which the state stays the initial one and the outputs are zeros.
 */
class RecurrentMaskingTest {
    private static final int T = 6, F = 3, H = 4;
    /** Includes a length equal to T, a length of 1 and a fully masked sample. */
    private static final int[] LENGTHS = {6, 1, 3, 0, 4, 2};
    private static final double TOL = 1e-6;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Cell cell : Cell.values()) {
            for (boolean goBackwards : new boolean[]{false, true}) {
                for (boolean withState : new boolean[]{false, true}) {
                    list.add(Arguments.of(cell, goBackwards, false, false, withState));
                    list.add(Arguments.of(cell, goBackwards, true, false, withState));
                    list.add(Arguments.of(cell, goBackwards, true, true, withState));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} goBackwards={1} returnSequences={2} zeroOutputForMask={3} initialState={4}")
    @MethodSource("cases")
    void paddedBatchEqualsSeparateUnpaddedRuns(Cell cell, boolean goBackwards, boolean returnSequences,
                                               boolean zeroOutputForMask, boolean withState) {
        Recurrent<?> layer = build(cell.create(H).goBackwards(goBackwards).returnSequences(returnSequences)
                .returnState(true).zeroOutputForMask(zeroOutputForMask), F, withState, 7);
        int nb = LENGTHS.length, ns = layer.stateCount();
        SplittableRandom r = new SplittableRandom(100 + cell.ordinal());
        Tensor x = random(r, 1f, nb, T, F);
        Tensor[] in = new Tensor[withState ? 1 + ns : 1];
        in[0] = x;
        for (int i = 1; i < in.length; i++) in[i] = random(r, 0.8f, nb, H);
        Mask mask = Mask.fromLengths(T, LENGTHS);

        Layer.Frame frame = layer.newFrame();
        Tensor[] out = layer.forward(in, mask, frame, false);
        Tensor[] dy = new Tensor[out.length];
        for (int k = 0; k < out.length; k++) dy[k] = random(r, 1f, out[k].shape());
        layer.zeroGrads();
        Tensor[] dIn = layer.backward(copies(dy), frame);
        float[][] batchGrads = grads(layer);
        layer.zeroGrads();

        float[] y = out[0].data(), dyd = dy[0].data(), dx = dIn[0].data();
        for (int b = 0; b < nb; b++) {
            int len = LENGTHS[b];
            String at = layer.where() + " sample " + b + " (length " + len + ")";
            if (len == 0) {
                checkFullyMasked(at, layer, in, out, dy, dIn, b);
                continue;
            }
            Tensor[] inB = new Tensor[in.length];
            inB[0] = sampleSteps(x, b, 0, len);
            for (int i = 1; i < in.length; i++) inB[i] = row(in[i], b);
            Layer.Frame fb = layer.newFrame();
            Tensor[] o = layer.forward(inB, null, fb, false);
            float[] yb = o[0].data();

            // outputs, and the upstream gradient the separate run must see to match the batch's loss
            Tensor[] dyB = new Tensor[o.length];
            if (returnSequences) {
                dyB[0] = Tensor.zeros(1, len, H);
                float[] g = dyB[0].data();
                int pad = T - len;
                for (int s = 0; s < T; s++) {
                    int bo = (b * T + s) * H;
                    String step = at + " output step " + s;
                    if (!goBackwards) {
                        if (s < len) {
                            assertClose(step, yb, s * H, y, bo, H, TOL);
                            System.arraycopy(dyd, bo, g, s * H, H);
                        } else if (zeroOutputForMask) {
                            assertZero(step, y, bo, H);
                        } else {
                            // a padded step repeats the last valid output, so its gradient flows there
                            assertClose(step, yb, (len - 1) * H, y, bo, H, TOL);
                            for (int j = 0; j < H; j++) g[(len - 1) * H + j] += dyd[bo + j];
                        }
                    } else {
                        if (s < pad) {
                            // leading padding in processing order: no valid output yet, so zeros
                            assertZero(step, y, bo, H);
                        } else {
                            assertClose(step, yb, (s - pad) * H, y, bo, H, TOL);
                            System.arraycopy(dyd, bo, g, (s - pad) * H, H);
                        }
                    }
                }
            } else {
                assertClose(at + " last output", yb, 0, y, b * H, H, TOL);
                dyB[0] = row(dy[0], b);
            }
            for (int i = 0; i < ns; i++) {
                assertClose(at + " final state " + i, o[1 + i].data(), 0, out[1 + i].data(), b * H, H, TOL);
                dyB[1 + i] = row(dy[1 + i], b);
            }

            Tensor[] dInB = layer.backward(dyB, fb); // accumulates this sample's weight gradients
            assertClose(at + " input gradient (valid steps)", dInB[0].data(), 0, dx, b * T * F, len * F, TOL);
            assertZero(at + " input gradient (padded steps)", dx, (b * T + len) * F, (T - len) * F);
            for (int i = 1; i < in.length; i++) {
                assertClose(at + " initial state " + (i - 1) + " gradient", dInB[i].data(), 0,
                        dIn[i].data(), b * H, H, TOL);
            }
        }
        float[][] summed = grads(layer);
        for (int p = 0; p < summed.length; p++) {
            String what = layer.where() + " gradient of " + layer.params().get(p).name()
                    + " (batch vs sum of separate runs)";
            assertClose(what, summed[p], batchGrads[p], TOL);
        }
    }

    /** A sample of length 0: zeros out, initial state kept, no input gradient, state gradient passed straight through. */
    private static void checkFullyMasked(String at, Recurrent<?> layer, Tensor[] in, Tensor[] out, Tensor[] dy,
                                         Tensor[] dIn, int b) {
        int perSample = out[0].size() / out[0].dim(0);
        assertZero(at + " output", out[0].data(), b * perSample, perSample);
        for (int i = 0; i < layer.stateCount(); i++) {
            float[] expect = in.length > 1 ? in[1 + i].data() : new float[out[1 + i].size()];
            assertClose(at + " final state " + i + " (= initial)", expect, b * H, out[1 + i].data(), b * H, H, 0);
        }
        assertZero(at + " input gradient", dIn[0].data(), b * T * F, T * F);
        for (int i = 1; i < in.length; i++) {
            assertClose(at + " initial state " + (i - 1) + " gradient (= final state gradient)",
                    dy[i].data(), b * H, dIn[i].data(), b * H, H, 0);
        }
    }

    // ---- the same property through Bidirectional(LSTM) --------------------------------------

    static Stream<Arguments> bidirectionalCases() {
        List<Arguments> list = new ArrayList<>();
        for (boolean returnSequences : new boolean[]{true, false}) {
            for (String merge : new String[]{"concat", "mul"}) {
                for (boolean withState : new boolean[]{false, true}) list.add(Arguments.of(returnSequences, merge, withState));
            }
        }
        return list.stream();
    }

    /**
     * Bidirectional sets zeroOutputForMask on both copies when it returns sequences, so the
     * padded steps of the merged output are the merge of two zeros, and their gradient goes
     * nowhere; the valid steps, last output and all four states match the separate runs.
     */
    @ParameterizedTest(name = "Bidirectional(LSTM) returnSequences={0} merge={1} initialState={2}")
    @MethodSource("bidirectionalCases")
    void bidirectionalPaddedBatchEqualsSeparateUnpaddedRuns(boolean returnSequences, String merge, boolean withState) {
        Bidirectional bi = new Bidirectional(new LSTM(H).returnSequences(returnSequences).returnState(true), merge);
        int ns = 2 * bi.stateCount();
        int[][] shapes = new int[withState ? 1 + ns : 1][];
        shapes[0] = new int[]{-1, F};
        for (int i = 1; i < shapes.length; i++) shapes[i] = new int[]{H};
        bi.build(shapes, 13);
        SplittableRandom r = new SplittableRandom(200);
        for (var p : bi.params()) {
            for (int i = 0; i < p.size(); i++) p.value()[i] = (float) (r.nextDouble() - 0.5);
        }
        int nb = LENGTHS.length;
        Tensor x = random(r, 1f, nb, T, F);
        Tensor[] in = new Tensor[shapes.length];
        in[0] = x;
        for (int i = 1; i < in.length; i++) in[i] = random(r, 0.8f, nb, H);
        Mask mask = Mask.fromLengths(T, LENGTHS);

        Layer.Frame frame = bi.newFrame();
        Tensor[] out = bi.forward(in, mask, frame, false);
        assertEquals(1 + ns, out.length);
        Tensor[] dy = new Tensor[out.length];
        for (int k = 0; k < out.length; k++) dy[k] = random(r, 1f, out[k].shape());
        bi.zeroGrads();
        Tensor[] dIn = bi.backward(copies(dy), frame);
        float[][] batchGrads = grads(bi);
        bi.zeroGrads();

        int w = out[0].dim(-1); // H, or 2H for concat
        float[] y = out[0].data(), dx = dIn[0].data();
        for (int b = 0; b < nb; b++) {
            int len = LENGTHS[b];
            String at = bi.where() + " sample " + b + " (length " + len + ")";
            if (len == 0) {
                int perSample = out[0].size() / nb;
                assertZero(at + " output", y, b * perSample, perSample);
                for (int i = 0; i < ns; i++) {
                    float[] expect = withState ? in[1 + i].data() : new float[nb * H];
                    assertClose(at + " final state " + i + " (= initial)", expect, b * H, out[1 + i].data(), b * H, H, 0);
                }
                assertZero(at + " input gradient", dx, b * T * F, T * F);
                continue;
            }
            Tensor[] inB = new Tensor[in.length];
            inB[0] = sampleSteps(x, b, 0, len);
            for (int i = 1; i < in.length; i++) inB[i] = row(in[i], b);
            Layer.Frame fb = bi.newFrame();
            Tensor[] o = bi.forward(inB, null, fb, false);
            Tensor[] dyB = new Tensor[o.length];
            if (returnSequences) {
                for (int t = 0; t < T; t++) {
                    int bo = (b * T + t) * w;
                    if (t < len) {
                        assertClose(at + " output step " + t, o[0].data(), t * w, y, bo, w, TOL);
                    } else {
                        assertZero(at + " output step " + t + " (padded)", y, bo, w);
                    }
                }
                dyB[0] = Tensor.zeros(1, len, w);
                System.arraycopy(dy[0].data(), b * T * w, dyB[0].data(), 0, len * w);
            } else {
                assertClose(at + " last output", o[0].data(), 0, y, b * w, w, TOL);
                dyB[0] = row(dy[0], b);
            }
            for (int i = 0; i < ns; i++) {
                assertClose(at + " state " + i, o[1 + i].data(), 0, out[1 + i].data(), b * H, H, TOL);
                dyB[1 + i] = row(dy[1 + i], b);
            }
            Tensor[] dInB = bi.backward(dyB, fb);
            assertClose(at + " input gradient (valid steps)", dInB[0].data(), 0, dx, b * T * F, len * F, TOL);
            assertZero(at + " input gradient (padded steps)", dx, (b * T + len) * F, (T - len) * F);
            for (int i = 1; i < in.length; i++) {
                assertClose(at + " initial state " + (i - 1) + " gradient", dInB[i].data(), 0, dIn[i].data(), b * H, H, TOL);
            }
        }
        float[][] summed = grads(bi);
        for (int p = 0; p < summed.length; p++) {
            assertClose(bi.where() + " gradient of parameter " + p + " (" + bi.params().get(p).name()
                    + ", batch vs sum of separate runs)", summed[p], batchGrads[p], TOL);
        }
    }

    private static Tensor[] copies(Tensor[] t) {
        Tensor[] c = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) c[i] = t[i].copy();
        return c;
    }
}
