package io.github.rnn4j.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loss values and gradients against references that do not come from this code: PyTorch
 * (golden/torch-training/torch_losses_optim.json, made by tools/golden/torch_losses_optim.py),
 * the numbers printed in Keras's own docstrings, and plain double arithmetic in the test.
 */
class LossValueTest {
    static JsonNode golden() throws IOException {
        try (InputStream in = LossValueTest.class.getResourceAsStream("/golden/torch-training/torch_losses_optim.json")) {
            if (in == null) throw new IllegalStateException("golden file missing from test resources");
            return new ObjectMapper().readTree(in);
        }
    }

    static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = (float) a.get(i).asDouble();
        return f;
    }

    static int[] ints(JsonNode a) {
        int[] f = new int[a.size()];
        for (int i = 0; i < f.length; i++) f[i] = a.get(i).asInt();
        return f;
    }

    @Test
    void matchesPyTorch() throws IOException {
        JsonNode root = golden();
        assertTrue(root.get("torch_version").asText().startsWith("1."), "golden records the torch version");
        int n = 0;
        for (JsonNode c : root.get("losses")) {
            JsonNode cfg = c.get("config");
            boolean logits = cfg.path("from_logits").asBoolean(false);
            double ls = cfg.path("label_smoothing").asDouble(0);
            Loss loss = switch (c.get("loss").asText()) {
                case "mse" -> new MeanSquaredError();
                case "mae" -> new MeanAbsoluteError();
                case "huber" -> new Huber(cfg.get("delta").asDouble());
                case "binary_crossentropy" -> new BinaryCrossentropy(logits, ls);
                case "categorical_crossentropy" -> new CategoricalCrossentropy(logits, ls);
                case "sparse_categorical_crossentropy" -> new SparseCategoricalCrossentropy(logits);
                default -> throw new IllegalStateException(c.get("loss").asText());
            };
            Tensor p = Tensor.of(floats(c.get("pred")), ints(c.get("pred_shape")));
            Tensor y = Tensor.of(floats(c.get("true")), ints(c.get("true_shape")));
            Tensor g = Tensor.zeros(p.shape());
            double v = loss.forward(p, y, g);
            String name = c.get("name").asText();
            double ref = c.get("value").asDouble();
            assertEquals(ref, v, 1e-6 * Math.max(1, Math.abs(ref)), name + " value");
            float[] rg = floats(c.get("grad"));
            for (int i = 0; i < rg.length; i++) {
                assertEquals(rg[i], g.data()[i], 1e-6 + 1e-5 * Math.abs(rg[i]), name + " grad[" + i + "]");
            }
            n++;
        }
        assertEquals(30, n);
    }

    /** The examples in Keras 3's loss docstrings (keras/src/losses/losses.py), 3 decimals as printed. */
    @Test
    void kerasDocstringExamples() {
        Tensor yt = Tensor.of(new float[][]{{0, 1}, {0, 0}});
        assertEquals(0.5, new MeanSquaredError().forward(Tensor.of(new float[][]{{1, 1}, {1, 0}}), yt, null), 1e-7);
        assertEquals(0.5, new MeanAbsoluteError().forward(Tensor.of(new float[][]{{1, 1}, {1, 0}}), yt, null), 1e-7);
        Tensor p = Tensor.of(new float[][]{{0.6f, 0.4f}, {0.4f, 0.6f}});
        assertEquals(0.155, new Huber().forward(p, yt, null), 5e-4);
        assertEquals(0.815, new BinaryCrossentropy().forward(p, yt, null), 5e-4);
        // from_logits: y_true [0, 1, 0, 0], y_pred [-18.6, 0.51, 2.94, -12.8] -> 0.865
        assertEquals(0.865, new BinaryCrossentropy(true).forward(Tensor.of(new float[]{-18.6f, 0.51f, 2.94f, -12.8f}, 4),
                Tensor.of(new float[]{0, 1, 0, 0}, 4), null), 5e-4);
        // categorical: the 0 probability is clipped to epsilon -> 1.177
        Tensor probs = Tensor.of(new float[][]{{0.05f, 0.95f, 0f}, {0.1f, 0.8f, 0.1f}});
        assertEquals(1.177, new CategoricalCrossentropy().forward(probs, Tensor.of(new float[][]{{0, 1, 0}, {0, 0, 1}}), null), 5e-4);
        assertEquals(1.177, new SparseCategoricalCrossentropy().forward(probs, Tensor.of(new float[]{1, 2}, 2), null), 5e-4);
    }

    @Test
    void epsilonClipMatchesKerasFloat32Bounds() {
        // p = 1 with target 0: Keras clips to float32(1 - 1e-7) and takes -log(1 - c)
        double c = (float) (1 - 1e-7);
        double v = new BinaryCrossentropy().forward(Tensor.of(new float[]{1f}, 1, 1), Tensor.of(new float[]{0f}, 1, 1), null);
        assertEquals(-Math.log(1 - c), v, 1e-9);
        // p = 0 with target 1: -log(float32(1e-7))
        double v0 = new BinaryCrossentropy().forward(Tensor.of(new float[]{0f}, 1, 1), Tensor.of(new float[]{1f}, 1, 1), null);
        assertEquals(-Math.log((float) 1e-7), v0, 1e-9);
    }

    @Test
    void logitLossesStayFiniteForHugeLogits() {
        Tensor z = Tensor.of(new float[][]{{1000f, -1000f, 0f}});
        Tensor g = Tensor.zeros(1, 3);
        double v = new SparseCategoricalCrossentropy(true).forward(z, Tensor.of(new float[]{1f}, 1), g);
        assertEquals(2000.0, v, 1e-9);
        assertArrayEquals(new float[]{1f, -1f, 0f}, g.data(), 1e-7f);
        Tensor gb = Tensor.zeros(1, 1);
        double b = new BinaryCrossentropy(true).forward(Tensor.of(new float[]{-1000f}, 1, 1), Tensor.of(new float[]{1f}, 1, 1), gb);
        assertEquals(1000.0, b, 1e-9);
        assertEquals(-1f, gb.data()[0], 1e-7f);
    }

    @Test
    void meanOverTimestepsAndUnmaskedRows() {
        // (B=2, T=2, F=1): per-row squared errors 1, 4, 9, 16
        Tensor p = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2, 1);
        Tensor y = Tensor.zeros(2, 2, 1);
        assertEquals((1 + 4 + 9 + 16) / 4.0, new MeanSquaredError().forward(p, y, null), 1e-12);
        float[] mask = {1, 0, 1, 1};
        assertEquals((1 + 9 + 16) / 3.0, new MeanSquaredError().forward(p, y, null, mask, null), 1e-12);
        // per-sample weights: sample 0 weight 3, sample 1 weight 0.5; Keras divides by the row count
        float[] w = {3f, 0.5f};
        assertEquals((3 * (1 + 4) + 0.5 * (9 + 16)) / 4.0, new MeanSquaredError().forward(p, y, w, null, null), 1e-12);
        // all masked: 0, and the gradient is zeroed
        Tensor g = Tensor.zeros(2, 2, 1).fill(5f);
        assertEquals(0.0, new MeanSquaredError().forward(p, y, null, new float[4], g));
        assertArrayEquals(new float[4], g.data());
    }

    @Test
    void sparseLabelErrorsNameSampleValueAndClassesAndLeaveGradientAlone() {
        Tensor z = Tensor.zeros(2, 3, 5);
        Tensor g = Tensor.zeros(2, 3, 5).fill(7f);
        Loss l = new SparseCategoricalCrossentropy(true);
        Tensor bad = Tensor.of(new float[]{0, 1, 2, 3, 5, 0}, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(z, bad, g));
        assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("timestep 1")
                && e.getMessage().contains("5.0") && e.getMessage().contains("5 classes"), e.getMessage());
        for (float v : g.data()) assertEquals(7f, v);

        Tensor frac = Tensor.of(new float[]{0, 1.5f}, 2);
        e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4), frac, null));
        assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("1.5") && e.getMessage().contains("4 classes"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4), Tensor.of(new float[]{-1, 0}, 2), null));
        assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4), Tensor.of(new float[]{Float.NaN, 0}, 2), null));
        // wrong target shape
        e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(2, 4), Tensor.zeros(2, 4), null));
        assertTrue(e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void shapeChecks() {
        // (B) against (B, 1) is fine, as Keras squeezes
        assertEquals(1.0, new MeanSquaredError().forward(Tensor.of(new float[]{1, 1}, 2, 1), Tensor.zeros(2), null), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MeanSquaredError().forward(Tensor.zeros(2, 3), Tensor.zeros(3, 2), null));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MeanSquaredError().forward(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertThrows(IllegalArgumentException.class,
                () -> new MeanSquaredError().forward(Tensor.zeros(2, 3), Tensor.zeros(2, 3), new float[3], null, null));
    }

    @Test
    void namesLookupAndConfigRoundTrip() {
        assertInstanceOf(MeanSquaredError.class, Losses.get("mse"));
        assertInstanceOf(MeanSquaredError.class, Losses.get("mean_squared_error"));
        assertInstanceOf(MeanSquaredError.class, Losses.get("MeanSquaredError"));
        assertInstanceOf(MeanAbsoluteError.class, Losses.get("mae"));
        assertInstanceOf(Huber.class, Losses.get("huber"));
        assertInstanceOf(BinaryCrossentropy.class, Losses.get("binary_crossentropy"));
        assertInstanceOf(CategoricalCrossentropy.class, Losses.get("categorical_crossentropy"));
        assertInstanceOf(SparseCategoricalCrossentropy.class, Losses.get("sparse_categorical_crossentropy"));
        assertThrows(IllegalArgumentException.class, () -> Losses.get("hinge"));
        assertEquals("mean_squared_error", new MeanSquaredError().name());
        assertEquals("huber_loss", new Huber().name());

        Loss[] all = {new MeanSquaredError(), new MeanAbsoluteError(), new Huber(0.7), new BinaryCrossentropy(true, 0.1),
                new CategoricalCrossentropy(false, 0.2), new SparseCategoricalCrossentropy(true)};
        for (Loss l : all) {
            Map<String, Object> s = Losses.serialize(l);
            Loss back = Losses.deserialize(s);
            assertEquals(l.className(), back.className());
            assertEquals(l.getConfig(), back.getConfig());
        }
        assertEquals(0.7, ((Huber) Losses.deserialize(Losses.serialize(new Huber(0.7)))).delta());
        assertTrue(((BinaryCrossentropy) Losses.deserialize(Losses.serialize(new BinaryCrossentropy(true)))).fromLogits());
    }
}
