package io.github.rnn4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.ModelTesting;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import io.github.rnn4j.training.RMSprop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model file ({@link ModelFile}): round trips with and without optimizer state, resuming
 * training bit for bit, the documented byte layout read independently, every kind of damage
 * refused with a {@link ModelFileException}, and atomic replacement of an existing file. The
 * backward-compatibility fixture is in {@link ModelFileFixtureTest}.
 */
class ModelFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Sequential model(long seed) {
        Sequential m = new Sequential(new InputLayer(-1, 3), new LSTM(4).returnSequences(true), new GRU(3), new Dense(2));
        m.seed(seed);
        return m;
    }

    private static final Tensor X = rand(1, 10, 5, 3);
    private static final Tensor Y = rand(2, 10, 2);

    private static Sequential trained(long seed) {
        Sequential m = model(seed);
        m.compile(new Adam(1e-2), new MeanSquaredError(), "mae");
        m.fit(X, Y, new FitOptions().epochs(2).batchSize(4).verbose(0));
        return m;
    }

    @Test
    void roundTripWithOptimizerState(@TempDir Path dir) throws Exception {
        Sequential m = trained(3);
        Path f = dir.resolve("m.rnn4j");
        ModelFile.save(m, f, true);
        Model back = ModelFile.load(f);
        assertBitsEqual(m.getWeights(), back.getWeights(), "weights");
        assertBitsEqual(m.predict(X), back.predict(X), "predictions");
        assertEquals(m.name(), back.name());
        assertEquals(m.seed(), back.seed());
        assertEquals("Adam", back.optimizer().className());
        assertEquals(m.optimizer().learningRate(), back.optimizer().learningRate());
        assertEquals(6, back.optimizer().iterations(), "2 epochs of 3 steps");
        assertArrayEquals(new String[]{"mae"}, back.metricNames());
        assertEquals("MeanSquaredError", back.losses()[0].className());
        Map<String, float[]> want = m.optimizer().state(m.params()), got = back.optimizer().state(back.params());
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) assertArrayEquals(want.get(k), got.get(k), "optimizer slot " + k);
        assertEquals(m.summary().replace(m.name(), "?"), back.summary().replace(back.name(), "?"));
        assertTrue(back instanceof Sequential, "a Sequential loads as a Sequential");
    }

    @Test
    void roundTripWithoutOptimizerStateAndUncompiled(@TempDir Path dir) throws Exception {
        Sequential m = trained(4);
        Path f = dir.resolve("m.rnn4j");
        ModelFile.save(m, f, false);
        Model back = ModelFile.load(f);
        assertBitsEqual(m.getWeights(), back.getWeights(), "weights");
        assertEquals("Adam", back.optimizer().className(), "compile settings are kept");
        assertEquals(0, back.optimizer().iterations(), "but not the optimizer state");
        assertTrue(Files.size(f) < ModelFile.toBytes(m, true).length, "smaller without the slots");

        Sequential plain = model(5);
        ModelFile.save(plain, f);
        Model p = ModelFile.load(f);
        assertNull(p.optimizer(), "an uncompiled model loads uncompiled");
        assertBitsEqual(plain.predict(X), p.predict(X), "predictions");

        // compile=false ignores compile settings, as Keras's load_model(compile=False)
        ModelFile.save(m, f, true);
        Model nc = ModelFile.load(f, false);
        assertNull(nc.optimizer());
        assertBitsEqual(m.getWeights(), nc.getWeights(), "weights");
    }

    @Test
    void resumingFromAFileIsBitIdenticalToUninterruptedTraining(@TempDir Path dir) throws Exception {
        for (boolean shuffle : new boolean[]{false, true}) {
            Sequential a = model(9), b = model(9);
            a.compile(new Adam(1e-2), new MeanSquaredError());
            b.compile(new Adam(1e-2), new MeanSquaredError());
            FitOptions o = new FitOptions().batchSize(3).shuffle(shuffle).verbose(0);
            History ha = a.fit(X, Y, o.epochs(3));
            b.fit(X, Y, new FitOptions().batchSize(3).shuffle(shuffle).verbose(0).epochs(1));
            Path f = dir.resolve("resume-" + shuffle + ".rnn4j");
            ModelFile.save(b, f);
            Model c = ModelFile.load(f);
            History hc = c.fit(X, Y, new FitOptions().batchSize(3).shuffle(shuffle).verbose(0).epochs(3).initialEpoch(1));
            assertBitsEqual(a.getWeights(), c.getWeights(), "weights after resuming (shuffle " + shuffle + ")");
            assertEquals(ha.get("loss").subList(1, 3), hc.get("loss"), "losses of epochs 2 and 3");
            assertEquals(List.of(1, 2), hc.epochs());
            assertEquals(a.optimizer().iterations(), c.optimizer().iterations());
        }
        // other optimizers resume too
        Sequential a = model(10), b = model(10);
        a.compile(new RMSprop(1e-2), new MeanSquaredError());
        b.compile(new RMSprop(1e-2), new MeanSquaredError());
        a.fit(X, Y, new FitOptions().batchSize(4).verbose(0).epochs(2));
        b.fit(X, Y, new FitOptions().batchSize(4).verbose(0).epochs(1));
        Model c = ModelFile.fromBytes(ModelFile.toBytes(b, true));
        c.fit(X, Y, new FitOptions().batchSize(4).verbose(0).epochs(2).initialEpoch(1));
        assertBitsEqual(a.getWeights(), c.getWeights(), "RMSprop resumed");
    }

    /** Reads a file as the class comment documents it, without ModelFile's reader. */
    @Test
    void fileLayoutIsTheDocumentedOne() throws Exception {
        Sequential m = trained(6);
        byte[] bytes = ModelFile.toBytes(m, true);
        assertArrayEquals("RNN4JMDL".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 8));
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(1, b.getInt(8), "format version");
        long payload = b.getLong(12);
        assertEquals(bytes.length, 20 + payload + 8);
        CRC32 crc = new CRC32();
        crc.update(bytes, 20, (int) payload);
        assertEquals(crc.getValue(), b.getLong((int) (20 + payload)));
        int hLen = b.getInt(20);
        @SuppressWarnings("unchecked")
        Map<String, Object> header = JSON.readValue(new String(bytes, 24, hLen, StandardCharsets.UTF_8), Map.class);
        assertEquals("rnn4j-model", header.get("format"));
        assertEquals(1, header.get("format_version"));
        for (String k : new String[]{"rnn4j_version", "model", "weights", "compile", "optimizer_state", "provenance"}) {
            assertTrue(header.containsKey(k), k);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> ws = (List<Map<String, Object>>) header.get("weights");
        List<Tensor> weights = m.getWeights();
        assertEquals(weights.size(), ws.size());
        assertEquals("lstm/kernel", ws.get(0).get("name"));
        assertEquals(List.of(3, 16), ws.get(0).get("shape"));
        ByteBuffer vals = ByteBuffer.wrap(bytes, 24 + hLen, bytes.length - 24 - hLen).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor w : weights) {
            for (float v : w.data()) assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(vals.getFloat()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> prov = (Map<String, Object>) header.get("provenance");
        assertEquals(6, ((Number) prov.get("seed")).intValue());
    }

    // ---- damage ---------------------------------------------------------------------------------

    private static ModelFileException refused(byte[] bytes, String expected) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.fromBytes(bytes));
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void truncatedFilesAreRefused() throws Exception {
        byte[] bytes = ModelFile.toBytes(trained(1), true);
        for (int cut : new int[]{0, 5, 19, 27, 100, bytes.length / 2, bytes.length - 8, bytes.length - 1}) {
            refused(Arrays.copyOf(bytes, cut), "truncated");
        }
        refused(Arrays.copyOf(bytes, bytes.length + 4), "trailing");
    }

    @Test
    void flippedBytesFailTheChecksum() throws Exception {
        byte[] bytes = ModelFile.toBytes(trained(1), true);
        for (int at : new int[]{24, 40, bytes.length / 2, bytes.length - 9}) {
            byte[] b = bytes.clone();
            b[at] ^= 0x04;
            refused(b, "checksum");
        }
        byte[] b = bytes.clone();
        b[bytes.length - 1] ^= 1; // the checksum itself
        refused(b, "checksum");
    }

    @Test
    void wrongMagicAndFutureVersionsAreRefused(@TempDir Path dir) throws Exception {
        byte[] bytes = ModelFile.toBytes(trained(1), true);
        byte[] magic = bytes.clone();
        magic[3] = 'X';
        refused(magic, "magic");
        refused("{\"format\": \"keras\"}".getBytes(StandardCharsets.UTF_8), "truncated");
        byte[] future = bytes.clone();
        ByteBuffer.wrap(future).putInt(8, 2);
        ModelFileException e = refused(future, "version 2");
        assertTrue(e.getMessage().contains("reads 1"), e.getMessage());
        // through load, the path is named
        Path f = dir.resolve("future.rnn4j");
        Files.write(f, future);
        ModelFileException le = assertThrows(ModelFileException.class, () -> ModelFile.load(f));
        assertTrue(le.getMessage().contains("future.rnn4j"), le.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ModelFile.load(dir.resolve("none.rnn4j")));
        assertTrue(missing.getMessage().contains("none.rnn4j"), missing.getMessage());
    }

    /** Re-encodes a file with an edited header (and a valid checksum), keeping its values. */
    @SuppressWarnings("unchecked")
    static byte[] withHeader(byte[] bytes, Consumer<Map<String, Object>> edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long payload = b.getLong(12);
        int hLen = b.getInt(20);
        Map<String, Object> header = JSON.readValue(new String(bytes, 24, hLen, StandardCharsets.UTF_8), Map.class);
        edit.accept(header);
        byte[] h = JSON.writeValueAsBytes(header);
        int values = (int) (payload - 4 - hLen);
        long newPayload = 4L + h.length + values;
        ByteBuffer out = ByteBuffer.allocate((int) (20 + newPayload + 8));
        out.put(bytes, 0, 12).putLong(newPayload).putInt(h.length).put(h).put(bytes, 24 + hLen, values);
        CRC32 crc = new CRC32();
        crc.update(out.array(), 20, (int) newPayload);
        out.putLong(crc.getValue());
        return out.array();
    }

    @Test
    @SuppressWarnings("unchecked")
    void headerAndWeightShapeMismatchesAreRefused() throws Exception {
        byte[] bytes = ModelFile.toBytes(trained(2), true);
        // the editor itself is faithful: an unedited copy loads
        assertBitsEqual(ModelFile.fromBytes(bytes).getWeights(), ModelFile.fromBytes(withHeader(bytes, h -> { }))
                .getWeights(), "re-encoded file");
        // a weight's shape in the header disagrees with the architecture
        refused(withHeader(bytes, h -> ((List<Map<String, Object>>) h.get("weights")).get(0).put("shape", List.of(16, 3))),
                "shape");
        // the architecture changed (more units) but the weights did not
        refused(withHeader(bytes, h -> {
            Map<String, Object> cfg = (Map<String, Object>) ((Map<String, Object>) h.get("model")).get("config");
            Map<String, Object> lstm = (Map<String, Object>) ((List<Map<String, Object>>) cfg.get("layers")).get(1).get("config");
            lstm.put("units", 5);
        }), "shape");
        // one weight missing from the header
        refused(withHeader(bytes, h -> ((List<Object>) h.get("weights")).remove(4)), "weights");
        // optimizer state lengths that do not add up to the payload
        refused(withHeader(bytes, h -> ((List<Map<String, Object>>) h.get("optimizer_state")).get(1).put("length", 1)),
                "payload");
        // a header of the wrong shape: wrong types, unknown layer, not this format
        refused(withHeader(bytes, h -> h.put("weights", "oops")), "header");
        refused(withHeader(bytes, h -> ((List<Map<String, Object>>) h.get("weights")).get(0).remove("shape")), "header");
        refused(withHeader(bytes, h -> {
            Map<String, Object> cfg = (Map<String, Object>) ((Map<String, Object>) h.get("model")).get("config");
            ((List<Map<String, Object>>) cfg.get("layers")).get(1).put("class_name", "Transformer");
        }), "Transformer");
        refused(withHeader(bytes, h -> h.put("format", "keras")), "format");
        refused(withHeader(bytes, h -> ((Map<String, Object>) h.get("compile")).put("optimizer", "adagrad")), "compile");
    }

    // ---- atomic replacement ---------------------------------------------------------------------

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void savingOverAnExistingFileIsAtomic(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("model.rnn4j");
        Sequential m = trained(3);
        ModelFile.save(m, f);
        byte[] old = Files.readAllBytes(f);
        assertEquals(List.of(f), listing(dir), "no temporary file left behind");

        // a model that cannot be written: no input shape, so it cannot be built
        Sequential unbuildable = new Sequential(new LSTM(3), new Dense(1));
        assertThrows(IllegalStateException.class, () -> ModelFile.save(unbuildable, f));
        assertArrayEquals(old, Files.readAllBytes(f), "the old file is intact");
        assertEquals(List.of(f), listing(dir), "no temporary file left behind");

        // a target that cannot be replaced (a non-empty directory): the temporary file is removed
        Path d = dir.resolve("taken.rnn4j");
        Files.createDirectories(d.resolve("inside"));
        assertThrows(IOException.class, () -> ModelFile.save(m, d));
        assertEquals(List.of(f, d), listing(dir));

        // a successful overwrite replaces the content completely
        Sequential other = trained(4);
        ModelFile.save(other, f, false);
        assertBitsEqual(other.getWeights(), ModelFile.load(f).getWeights(), "new content");
        assertFalse(Arrays.equals(old, Files.readAllBytes(f)));
        assertEquals(List.of(f, d), listing(dir));
    }

    @Test
    void savedFilesGetTheUsualPermissionsNotOwnerOnly(@TempDir Path dir) throws Exception {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        Path ref = dir.resolve("reference.txt");
        Files.write(ref, new byte[]{1});
        Path f = dir.resolve("m.rnn4j");
        ModelFile.save(trained(1), f);
        assertEquals(Files.getPosixFilePermissions(ref), Files.getPosixFilePermissions(f),
                "a model file is created like any other file (umask), not 0600 like a temp file");
        ModelFile.save(trained(2), f); // replacing keeps them too
        assertEquals(Files.getPosixFilePermissions(ref), Files.getPosixFilePermissions(f));
    }

    @Test
    void sharedLayersAndEncoderDecoderStatesRoundTrip() throws Exception {
        // a layer called twice (node index 1 in the config) and a layer fed another's states
        var enc = io.github.rnn4j.layers.Input.of("enc", -1, 2);
        var dec = io.github.rnn4j.layers.Input.of("dec", -1, 2);
        var shared = new Dense(3).activation("tanh");
        var e = shared.call(enc);
        var d = shared.call(dec);
        var states = new LSTM(4).returnState(true).callMulti(e);
        var out = new Dense(1).call(new LSTM(4).returnSequences(true).call(d, states[1], states[2]));
        Model m = Model.of(new io.github.rnn4j.layers.SymbolicTensor[]{enc, dec},
                new io.github.rnn4j.layers.SymbolicTensor[]{out}).seed(12);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        Tensor[] x = {rand(1, 4, 6, 2), rand(2, 4, 3, 2)};
        m.fit(x, new Tensor[]{rand(3, 4, 3, 1)}, new FitOptions().epochs(2).batchSize(2).verbose(0));
        Model back = ModelFile.fromBytes(ModelFile.toBytes(m, true));
        assertEquals(m.countParams(), back.countParams(), "the shared layer's weights are stored once");
        assertBitsEqual(m.predict(x, 4)[0], back.predict(x, 4)[0], "predictions");
        // the rebuilt graph really shares: changing its one Dense kernel changes both branches
        assertEquals(m.layers().size(), back.layers().size());
    }

    @Test
    void functionalModelsRoundTrip() throws Exception {
        var a = io.github.rnn4j.layers.Input.of("tokens", -1);
        var b = io.github.rnn4j.layers.Input.of("extra", 2);
        var emb = new io.github.rnn4j.layers.Embedding(12, 4).maskZero(true).call(a);
        var h = new io.github.rnn4j.layers.recurrent.Bidirectional(new LSTM(3)).call(emb);
        var cat = new io.github.rnn4j.layers.Concatenate().call(h, b);
        var out = new Dense(1).call(cat);
        Model m = Model.of(new io.github.rnn4j.layers.SymbolicTensor[]{a, b},
                new io.github.rnn4j.layers.SymbolicTensor[]{out}).seed(5);
        m.compile(new Adam(1e-2), new MeanSquaredError());
        Tensor[] x = {ModelTesting.ids(1, 12, 6, 5), rand(2, 6, 2)};
        m.fit(x, new Tensor[]{rand(3, 6, 1)}, new FitOptions().epochs(2).batchSize(3).verbose(0));
        Model back = ModelFile.fromBytes(ModelFile.toBytes(m, true));
        assertBitsEqual(m.predict(x, 6)[0], back.predict(x, 6)[0], "functional predictions");
        assertEquals(m.optimizer().iterations(), back.optimizer().iterations());
        assertFalse(back instanceof Sequential);
    }
}
