package io.github.rnn4j.layers.recurrent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Parity with PyTorch: every golden file under {@code golden/torch/} (made by
 * {@code tools/golden/torch_golden.py}: nn.RNN(tanh) / nn.LSTM / nn.GRU, 1-2 layers, uni- and
 * bidirectional, batch_first) is rebuilt from rnn4j layers and checked for outputs, final states
 * and every gradient of both losses.
 *
 * <p>A PyTorch module with L layers and D directions is built here as L rnn4j layers (a
 * {@link Bidirectional} when D = 2), each with returnSequences and returnState, called one after
 * the other through {@link Layer#forward}/{@link Layer#backward} with one frame each; h0/c0 go in
 * as each layer's initial-state inputs (forward direction first) and the gradient of the next
 * layer's input is the output gradient of the one below. The weights come in through
 * {@link RecurrentWeights#setTorch} (PyTorch layout) or {@link RecurrentWeights#setKeras} (the
 * file's Keras-layout copy, converted by the Python script, not by rnn4j).
 *
 * <p>Tolerances. The goldens are float64 results for float32-exact inputs; rnn4j computes in
 * float32 (unit roundoff 6e-8). Values are O(1), sequences 5-7 steps, sums of at most ~20 terms
 * per dot product, so forward rounding stays near 1e-6: outputs and states are checked to 1e-5
 * absolute. Gradients pile up more operations (BPTT through every step and layer, sums over
 * batch and time of up to ~|40| for weight gradients), so they are checked relatively:
 * {@code |got - want| <= 1e-4 * |want| + 1e-5}, the absolute floor covering entries that are
 * near zero through cancellation. A real error (a wrong gate order, a missing bias, a dropped
 * term) moves values by 1e-2 or more. Measured worst cases (JDK 25, plain kernels): outputs and
 * states 2e-7 (2% of the bound); gradients 1.6e-6 absolute, at most 8% of their bound.
 *
 * <p>Not here: masking, dropout and stateful mode (PyTorch's modules have no mask; the other
 * recurrent tests cover them).
 */
class TorchParityTest {
    private static final String DIR = "/golden/torch/";
    static final double OUT_ATOL = 1e-5;
    static final double GRAD_RTOL = 1e-4;
    static final double GRAD_ATOL = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();

    // ---- reading the goldens --------------------------------------------------------------

    static JsonNode read(String name) {
        try (InputStream in = TorchParityTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing test resource " + DIR + name);
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> files() {
        List<String> names = new ArrayList<>();
        for (JsonNode e : read("index.json").get("files")) names.add(e.get("file").asText());
        return names;
    }

    /** A tensor field as float32 (the generator checked its text reads back to the same float32). */
    static Tensor tensor(JsonNode t) {
        int[] shape = shape(t);
        JsonNode d = t.get("data");
        float[] v = new float[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) d.get(i).doubleValue();
        return Tensor.of(v, shape);
    }

    /** A tensor field as the float64 values it holds. */
    static double[] doubles(JsonNode t) {
        JsonNode d = t.get("data");
        double[] v = new double[d.size()];
        for (int i = 0; i < v.length; i++) v[i] = d.get(i).doubleValue();
        return v;
    }

    static int[] shape(JsonNode t) {
        JsonNode s = t.get("shape");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).intValue();
        return shape;
    }

    /** One golden case: its sizes and tensors. */
    static final class Case {
        final String name;
        final JsonNode root;
        final String cell;
        final int layers, dirs, batch, time, input, hidden;

        Case(String file) {
            root = read(file);
            name = root.get("name").asText();
            cell = root.get("cell").asText();
            JsonNode c = root.get("config");
            layers = c.get("num_layers").intValue();
            dirs = c.get("num_directions").intValue();
            batch = c.get("batch").intValue();
            time = c.get("seq_len").intValue();
            input = c.get("input_size").intValue();
            hidden = c.get("hidden_size").intValue();
            assertTrue(c.get("batch_first").booleanValue(), name + ": only batch_first goldens are supported");
        }

        int states() {
            return cell.equals("LSTM") ? 2 : 1;
        }

        JsonNode get(String path) {
            JsonNode n = root;
            for (String p : path.split("\\.")) {
                n = n.get(p);
                assertNotNull(n, name + ": no field " + path);
            }
            return n;
        }

        /** Slice [i] of a [L*D, B, H] tensor as (B, H). */
        Tensor stateSlice(String path, int i) {
            return tensor(get(path)).slice0(i, i + 1).reshape(batch, hidden);
        }

        Map<String, Tensor> torchParams() {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = get("params").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), tensor(e.getValue()));
            }
            return m;
        }
    }

    // ---- building and running the stack ---------------------------------------------------

    static Recurrent newCell(String cell, int units) {
        return switch (cell) {
            case "RNN_TANH" -> new SimpleRNN(units);
            case "LSTM" -> new LSTM(units);
            case "GRU" -> new GRU(units); // resetAfter=true by default, PyTorch's form
            default -> throw new IllegalArgumentException("unknown cell " + cell);
        };
    }

    /** L layers (Bidirectional for D = 2), built with initial-state inputs and random initial weights. */
    static List<Layer> buildStack(Case c) {
        List<Layer> stack = new ArrayList<>();
        for (int k = 0; k < c.layers; k++) {
            Recurrent cell = newCell(c.cell, c.hidden).returnSequences(true).returnState(true);
            cell.name("l" + k);
            Layer l = c.dirs == 2 ? new Bidirectional(cell).name("bi" + k) : cell;
            int[][] shapes = new int[1 + c.dirs * c.states()][];
            shapes[0] = new int[]{c.time, k == 0 ? c.input : c.dirs * c.hidden};
            for (int i = 1; i < shapes.length; i++) shapes[i] = new int[]{c.hidden};
            // random (non-PyTorch) initial weights: any entry the adapter fails to write shows up
            l.build(shapes, 1000 + k);
            stack.add(l);
        }
        return stack;
    }

    /** Outputs of the stack and the gradients of one loss. */
    static final class Run {
        Tensor output;
        Tensor[] hN; // [L*D] of (B, H)
        Tensor[] cN;
        Tensor dx;
        Tensor[] dh0;
        Tensor[] dc0;
    }

    /**
     * Forward through the stack, then backward for loss.output ({@code full = false}) or
     * loss.full ({@code full = true}).
     */
    static Run run(Case c, List<Layer> stack, boolean full) {
        int sc = c.states(), nd = c.dirs, nl = c.layers;
        Run r = new Run();
        r.hN = new Tensor[nl * nd];
        r.cN = new Tensor[nl * nd];
        Layer.Frame[] frames = new Layer.Frame[nl];
        Tensor in = tensor(c.get("inputs.x"));
        for (int k = 0; k < nl; k++) {
            Tensor[] inputs = new Tensor[1 + nd * sc];
            inputs[0] = in;
            for (int d = 0; d < nd; d++) {
                inputs[1 + d * sc] = c.stateSlice("inputs.h0", k * nd + d);
                if (sc == 2) inputs[2 + d * sc] = c.stateSlice("inputs.c0", k * nd + d);
            }
            frames[k] = stack.get(k).newFrame();
            Tensor[] out = stack.get(k).forward(inputs, null, frames[k], false);
            assertEquals(1 + nd * sc, out.length, c.name + ": outputs of layer " + k);
            for (int d = 0; d < nd; d++) {
                r.hN[k * nd + d] = out[1 + d * sc];
                if (sc == 2) r.cN[k * nd + d] = out[2 + d * sc];
            }
            in = out[0];
        }
        r.output = in;

        for (Layer l : stack) l.zeroGrads();
        r.dh0 = new Tensor[nl * nd];
        r.dc0 = new Tensor[nl * nd];
        Tensor dy = tensor(c.get("loss_weights.output"));
        for (int k = nl - 1; k >= 0; k--) {
            Tensor[] g = new Tensor[1 + nd * sc];
            g[0] = dy;
            if (full) {
                for (int d = 0; d < nd; d++) {
                    g[1 + d * sc] = c.stateSlice("loss_weights.h_n", k * nd + d);
                    if (sc == 2) g[2 + d * sc] = c.stateSlice("loss_weights.c_n", k * nd + d);
                }
            }
            Tensor[] dIn = stack.get(k).backward(g, frames[k]);
            assertEquals(1 + nd * sc, dIn.length, c.name + ": input gradients of layer " + k);
            for (int d = 0; d < nd; d++) {
                r.dh0[k * nd + d] = dIn[1 + d * sc];
                if (sc == 2) r.dc0[k * nd + d] = dIn[2 + d * sc];
            }
            dy = dIn[0];
        }
        r.dx = dy;
        return r;
    }

    // ---- comparisons ----------------------------------------------------------------------

    static void assertClose(String what, double[] want, float[] got, double atol, double rtol) {
        assertEquals(want.length, got.length, what + ": size");
        for (int i = 0; i < want.length; i++) {
            double tol = atol + rtol * Math.abs(want[i]);
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + "[" + i + "]: got " + got[i] + ", PyTorch " + want[i] + " (diff " + Math.abs(got[i] - want[i])
                        + " > tol " + tol + ")");
            }
        }
    }

    /** Stacks (B, H) slices back into the [L*D, B, H] layout of the goldens. */
    static float[] stackStates(Tensor[] s) {
        int n = s[0].size();
        float[] all = new float[s.length * n];
        for (int i = 0; i < s.length; i++) System.arraycopy(s[i].data(), 0, all, i * n, n);
        return all;
    }

    static void checkForward(Case c, Run r) {
        assertEquals(Arrays.toString(shape(c.get("outputs.output"))), r.output.shapeString(), c.name + ": output shape");
        assertClose(c.name + " output", doubles(c.get("outputs.output")), r.output.data(), OUT_ATOL, 0);
        assertClose(c.name + " h_n", doubles(c.get("outputs.h_n")), stackStates(r.hN), OUT_ATOL, 0);
        if (c.states() == 2) assertClose(c.name + " c_n", doubles(c.get("outputs.c_n")), stackStates(r.cN), OUT_ATOL, 0);
    }

    static void checkInputGrads(Case c, Run r, String section) {
        assertClose(c.name + " " + section + ".x", doubles(c.get(section + ".x")), r.dx.data(), GRAD_ATOL, GRAD_RTOL);
        assertClose(c.name + " " + section + ".h0", doubles(c.get(section + ".h0")), stackStates(r.dh0), GRAD_ATOL, GRAD_RTOL);
        if (c.states() == 2) {
            assertClose(c.name + " " + section + ".c0", doubles(c.get(section + ".c0")), stackStates(r.dc0), GRAD_ATOL, GRAD_RTOL);
        }
    }

    // ---- the tests --------------------------------------------------------------------------

    @Test
    void goldensCoverEveryConfiguration() {
        Set<String> seen = new TreeSet<>();
        for (JsonNode e : read("index.json").get("files")) {
            seen.add(e.get("cell").asText() + " L" + e.get("num_layers").intValue()
                    + (e.get("bidirectional").booleanValue() ? " bi" : " uni") + " H" + e.get("hidden_size").intValue());
        }
        for (String cell : List.of("RNN_TANH", "LSTM", "GRU")) {
            for (String layout : List.of(" L1 uni", " L1 bi", " L2 uni", " L2 bi")) {
                for (String size : List.of(" H6", " H5")) {
                    assertTrue(seen.contains(cell + layout + size), "no golden for " + cell + layout + size + "; have " + seen);
                }
            }
        }
        JsonNode gen = read("index.json").get("generator");
        for (String f : List.of("torch_version", "numpy_version", "python_version", "generated")) {
            assertTrue(gen.hasNonNull(f), "index.json does not record " + f);
        }
    }

    /** PyTorch weights through {@link RecurrentWeights#setTorch}; outputs, states and all gradients of both losses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void torchLayout(String file) {
        Case c = new Case(file);
        List<Layer> stack = buildStack(c);
        RecurrentWeights.setTorch(stack, c.torchParams());
        for (boolean full : new boolean[]{false, true}) {
            String section = full ? "grads_full" : "grads";
            Run r = run(c, stack, full);
            checkForward(c, r);
            checkInputGrads(c, r, section);
            Map<String, Tensor> grads = RecurrentWeights.getTorchGradients(stack);
            Set<String> want = new TreeSet<>();
            c.get("param_names").forEach(n -> want.add(n.asText()));
            assertEquals(want, new TreeSet<>(grads.keySet()), c.name + ": gradient names");
            for (String name : want) {
                Tensor g = grads.get(name);
                assertEquals(Arrays.toString(shape(c.get(section + "." + name))), g.shapeString(), c.name + " " + name);
                assertClose(c.name + " " + section + "." + name, doubles(c.get(section + "." + name)), g.data(),
                        GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    /**
     * The file's Keras-layout weights through {@link RecurrentWeights#setKeras}; outputs and
     * states, and the Keras-layout parameter gradients compared with PyTorch's after a
     * conversion written here, independently of the adapter.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void kerasLayout(String file) {
        Case c = new Case(file);
        List<Layer> stack = buildStack(c);
        for (int k = 0; k < c.layers; k++) {
            List<Tensor> w = new ArrayList<>();
            for (int d = 0; d < c.dirs; d++) {
                JsonNode kw = c.get("keras_weights.l" + k + (d == 1 ? "_reverse" : ""));
                for (String n : List.of("kernel", "recurrent_kernel", "bias")) w.add(tensor(kw.get(n)));
            }
            RecurrentWeights.setKeras(stack.get(k), w);
        }
        Run r = run(c, stack, true);
        checkForward(c, r);
        checkInputGrads(c, r, "grads_full");
        for (int k = 0; k < c.layers; k++) {
            List<Param> params = stack.get(k).params();
            assertEquals(3 * c.dirs, params.size(), c.name + ": params of layer " + k);
            for (int d = 0; d < c.dirs; d++) {
                String sfx = k + (d == 1 ? "_reverse" : "");
                Param kernel = params.get(3 * d), rec = params.get(3 * d + 1), bias = params.get(3 * d + 2);
                assertEquals("kernel", kernel.name());
                assertEquals("recurrent_kernel", rec.name());
                assertEquals("bias", bias.name());
                String where = c.name + " grads_full (Keras layout) l" + sfx + " ";
                assertClose(where + "kernel", kerasMatrix(c, c.get("grads_full.weight_ih_l" + sfx)), kernel.grad(),
                        GRAD_ATOL, GRAD_RTOL);
                assertClose(where + "recurrent_kernel", kerasMatrix(c, c.get("grads_full.weight_hh_l" + sfx)), rec.grad(),
                        GRAD_ATOL, GRAD_RTOL);
                assertClose(where + "bias", kerasBias(c, c.get("grads_full.bias_ih_l" + sfx),
                        c.get("grads_full.bias_hh_l" + sfx)), bias.grad(), GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    /** PyTorch gate block feeding Keras block kb: GRU's Keras z, r, h are PyTorch's blocks 1, 0, 2. */
    private static int torchBlock(Case c, int kb) {
        return c.cell.equals("GRU") ? new int[]{1, 0, 2}[kb] : kb;
    }

    /** A PyTorch (G*H, F) gradient as the Keras (F, G*H) one. */
    private static double[] kerasMatrix(Case c, JsonNode torch) {
        int[] s = shape(torch);
        int gh = s[0], f = s[1], h = c.hidden;
        double[] t = doubles(torch), k = new double[gh * f];
        for (int col = 0; col < gh; col++) {
            int row = torchBlock(c, col / h) * h + col % h;
            for (int i = 0; i < f; i++) k[i * gh + col] = t[row * f + i];
        }
        return k;
    }

    /** The Keras bias gradient: the (equal) PyTorch bias gradients for RNN/LSTM, both rows for GRU. */
    private static double[] kerasBias(Case c, JsonNode ih, JsonNode hh) {
        double[] bi = doubles(ih), bh = doubles(hh);
        int gh = bi.length, h = c.hidden;
        boolean gru = c.cell.equals("GRU");
        double[] k = new double[gru ? 2 * gh : gh];
        for (int col = 0; col < gh; col++) {
            int row = torchBlock(c, col / h) * h + col % h;
            if (gru) {
                k[col] = bi[row];
                k[gh + col] = bh[row];
            } else {
                // b_ih and b_hh only appear summed, so PyTorch gives them the same gradient
                assertEquals(bi[row], bh[row], 1e-12, c.name + ": bias gradients differ");
                k[col] = bi[row];
            }
        }
        return k;
    }
}
