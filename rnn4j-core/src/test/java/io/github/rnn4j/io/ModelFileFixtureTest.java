package io.github.rnn4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Backward compatibility, Tribuo-style: models saved by an earlier build (committed under
 * src/test/resources/fixtures/, written once by {@link ModelFileFixtureWriter}) must still load,
 * with their optimizer state, and predict what they predicted when saved. A failure here means
 * the file format or the numerics changed; bump the format version and keep a reader for the
 * old one rather than regenerating the fixture.
 */
class ModelFileFixtureTest {
    /** Float32 rounding headroom for a future kernel (e.g. SIMD) summing in another order. */
    private static final double TOL = 1e-6;

    @ParameterizedTest
    @ValueSource(strings = {"sequential-v1", "functional-v1"})
    @SuppressWarnings("unchecked")
    void oldSavedModelStillLoadsAndPredictsTheSame(String name) throws Exception {
        Map<String, Object> expected;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + name + "-expected.json")) {
            assertNotNull(in, "fixture " + name + "-expected.json");
            expected = new ObjectMapper().readValue(in, Map.class);
        }
        byte[] file;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + expected.get("model_file"))) {
            assertNotNull(in, "fixture " + expected.get("model_file"));
            file = in.readAllBytes();
        }
        Model m = ModelFile.fromBytes(file);
        assertEquals(((Number) expected.get("optimizer_iterations")).longValue(), m.optimizer().iterations());
        Tensor[] x = tensors((List<Object>) expected.get("inputs"));
        Tensor[] want = tensors((List<Object>) expected.get("predictions"));
        Tensor[] got = m.predict(x, x[0].dim(0));
        assertEquals(want.length, got.length);
        for (int k = 0; k < want.length; k++) {
            assertArrayEquals(want[k].shape(), got[k].shape());
            for (int i = 0; i < want[k].size(); i++) {
                float a = want[k].data()[i], b = got[k].data()[i];
                if (!(Math.abs(a - b) <= TOL)) fail(name + " output " + k + " value " + i + ": saved " + a + ", now " + b);
            }
        }
        // and it re-saves to a file that loads to the same model
        Model again = ModelFile.fromBytes(ModelFile.toBytes(m, true));
        assertArrayEquals(got[0].data(), again.predict(x, x[0].dim(0))[0].data());
    }

    @SuppressWarnings("unchecked")
    private static Tensor[] tensors(List<Object> list) {
        Tensor[] out = new Tensor[list.size()];
        for (int i = 0; i < out.length; i++) {
            Map<String, Object> e = (Map<String, Object>) list.get(i);
            int[] shape = ((List<Number>) e.get("shape")).stream().mapToInt(Number::intValue).toArray();
            List<Number> v = (List<Number>) e.get("values");
            float[] d = new float[v.size()];
            for (int j = 0; j < d.length; j++) d[j] = v.get(j).floatValue();
            out[i] = Tensor.of(d, shape);
        }
        return out;
    }
}
