package io.github.rnn4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.ModelConfig;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.Losses;
import io.github.rnn4j.training.Optimizer;
import io.github.rnn4j.training.Optimizers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The rnn4j model file ({@code .rnn4j}): architecture as Keras-shaped JSON, weights as raw
 * float32, optional compile settings and optimizer state, all under one checksum.
 *
 * <pre>
 *   offset  size  field
 *   0       8     magic "RNN4JMDL"
 *   8       4     format version (int32, big-endian), currently 1
 *   12      8     payload length N (int64, big-endian)
 *   20      N     payload:
 *                   4   header length H (int32, big-endian)
 *                   H   header, UTF-8 JSON: {"format", "format_version", "rnn4j_version",
 *                       "model": {"class_name", "config"}, "weights": [{"name", "shape"}...],
 *                       "compile": {...} or null, "optimizer_state": [{"name", "length"}...] or null,
 *                       "provenance": {"seed", "saved_at", "java_version"},
 *                       "metadata": {...} application data (e.g. normalization statistics)}
 *                   ... float32 little-endian values of every weight, in "weights" order,
 *                       then of every optimizer state entry, in "optimizer_state" order
 *   20+N    8     CRC-32 of the payload (int64, big-endian)
 * </pre>
 *
 * Saving writes a temporary file next to the target and moves it into place atomically, so an
 * existing file is never left half-written. Loading reads and verifies the whole file (magic,
 * version, length, checksum, JSON, every weight shape) before it builds anything, so a truncated
 * or corrupted file gives a clear error, never a half-loaded model. No Java serialization.
 *
 * <pre>{@code
 * ModelFile.save(model, Path.of("forecast.rnn4j"), true);   // with optimizer state
 * Model again = ModelFile.load(Path.of("forecast.rnn4j"));
 * }</pre>
 */
public final class ModelFile {
    /** The magic number at offset 0. */
    public static final byte[] MAGIC = "RNN4JMDL".getBytes(StandardCharsets.US_ASCII);
    /** The format version this code writes. */
    public static final int FORMAT_VERSION = 1;
    /** The library version recorded in files. */
    public static final String RNN4J_VERSION = "0.1.0";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFile() {
    }

    /**
     * Saves the model with application metadata: a JSON-able map (strings, numbers, booleans,
     * lists, maps) stored in the header under "metadata", e.g. the normalization statistics and
     * window settings a forecaster needs to predict in original units. Read it back with
     * {@link #read}.
     */
    public static void save(Model model, Path file, boolean includeOptimizer, Map<String, Object> metadata) throws IOException {
        Files.write(file, toBytes(model, includeOptimizer, metadata), true);
    }

    /** Saves the model, with its optimizer state if {@code includeOptimizer} and it is compiled. */
    public static void save(Model model, Path file, boolean includeOptimizer) throws IOException {
        Files.write(file, toBytes(model, includeOptimizer), true);
    }

    /** Saves the model with its optimizer state. */
    public static void save(Model model, Path file) throws IOException {
        save(model, file, true);
    }

    /** The complete file contents for a model. */
    public static byte[] toBytes(Model model, boolean includeOptimizer) throws IOException {
        return toBytes(model, includeOptimizer, null);
    }

    /** The complete file contents for a model with metadata (may be null). */
    public static byte[] toBytes(Model model, boolean includeOptimizer, Map<String, Object> metadata) throws IOException {
        model.build();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("format", "rnn4j-model");
        header.put("format_version", FORMAT_VERSION);
        header.put("rnn4j_version", RNN4J_VERSION);
        header.put("model", ModelConfig.toConfig(model));
        List<Param> params = model.params();
        List<Object> weights = new ArrayList<>();
        long floats = 0;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("name", paramPath(model, p));
            w.put("shape", p.shape());
            weights.add(w);
            floats += p.size();
        }
        header.put("weights", weights);
        Optimizer opt = model.optimizer();
        Map<String, float[]> optState = null;
        if (opt != null) {
            Map<String, Object> compile = new LinkedHashMap<>();
            compile.put("optimizer", Optimizers.serialize(opt));
            List<Object> ls = new ArrayList<>();
            for (Loss l : model.losses()) ls.add(Losses.serialize(l));
            compile.put("loss", ls);
            compile.put("metrics", Arrays.asList(model.metricNames()));
            header.put("compile", compile);
            if (includeOptimizer) optState = opt.state(params);
        } else {
            header.put("compile", null);
        }
        List<Object> stateIndex = null;
        if (optState != null) {
            stateIndex = new ArrayList<>();
            for (Map.Entry<String, float[]> e : optState.entrySet()) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("name", e.getKey());
                s.put("length", e.getValue().length);
                stateIndex.add(s);
                floats += e.getValue().length;
            }
        }
        header.put("optimizer_state", stateIndex);
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("seed", model.seed());
        prov.put("saved_at", Instant.now().toString());
        prov.put("java_version", System.getProperty("java.version"));
        header.put("provenance", prov);
        header.put("metadata", metadata == null ? new LinkedHashMap<>() : metadata);

        byte[] h = JSON.writeValueAsBytes(header);
        long payloadLen = 4L + h.length + 4L * floats;
        if (payloadLen > Integer.MAX_VALUE - 64) throw new IOException("model too large for format version 1: " + payloadLen + " bytes");
        ByteBuffer buf = ByteBuffer.allocate((int) (20 + payloadLen + 8));
        buf.put(MAGIC).putInt(FORMAT_VERSION).putLong(payloadLen);
        int payloadStart = buf.position();
        buf.putInt(h.length).put(h);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        for (Param p : params) for (float v : p.value()) buf.putFloat(v);
        if (optState != null) for (float[] v : optState.values()) for (float x : v) buf.putFloat(x);
        buf.order(ByteOrder.BIG_ENDIAN);
        CRC32 crc = new CRC32();
        crc.update(buf.array(), payloadStart, (int) payloadLen);
        buf.putLong(crc.getValue());
        return buf.array();
    }

    private static String paramPath(Model model, Param p) {
        for (var l : model.layers()) if (l.params().contains(p)) return l.name() + "/" + p.name();
        return p.name();
    }

    /** Loads a model saved by {@link #save}, with compile settings and optimizer state if present. */
    public static Model load(Path file) throws IOException {
        return load(file, true);
    }

    /**
     * Loads a model; with {@code compile} false the compile settings and optimizer state are
     * ignored (Keras's {@code load_model(compile=False)}), e.g. for a model trained with a custom
     * loss that cannot be rebuilt from its name. The file is verified in full either way.
     */
    public static Model load(Path file, boolean compile) throws IOException {
        return readFile(file, compile).model();
    }

    /** Loads a model (compiled if the file says how) and its metadata (empty when none was saved). */
    public static Loaded read(Path file) throws IOException {
        return readFile(file, true);
    }

    private static Loaded readFile(Path file, boolean compile) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("model file " + file + " does not exist", e);
        }
        try {
            return parseChecked(bytes, compile);
        } catch (ModelFileException e) {
            throw new ModelFileException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses and verifies file contents, then builds the model (compiled if the file says how). */
    public static Model fromBytes(byte[] bytes) throws IOException {
        return fromBytes(bytes, true);
    }

    /** {@link #fromBytes(byte[])}, optionally ignoring the compile settings and optimizer state. */
    public static Model fromBytes(byte[] bytes, boolean compile) throws IOException {
        return parseChecked(bytes, compile).model();
    }

    private static Loaded parseChecked(byte[] bytes, boolean compile) throws IOException {
        try {
            return parse(bytes, compile);
        } catch (ModelFileException e) {
            throw e;
        } catch (RuntimeException e) {
            // a header that is valid JSON but not of this format's shape (wrong types, missing keys)
            throw new ModelFileException("malformed header: " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Loaded parse(byte[] bytes, boolean compileModel) throws IOException {
        if (bytes.length < 20 + 8) throw new ModelFileException("file is truncated (" + bytes.length + " bytes)");
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[8];
        buf.get(magic);
        if (!Arrays.equals(magic, MAGIC)) throw new ModelFileException("not an rnn4j model file (bad magic number)");
        int version = buf.getInt();
        if (version != FORMAT_VERSION) {
            throw new ModelFileException("model file format version " + version + " is not supported (this rnn4j reads "
                    + FORMAT_VERSION + ")");
        }
        long payloadLen = buf.getLong();
        if (payloadLen < 4 || 20 + payloadLen + 8 != bytes.length) {
            throw new ModelFileException("file is truncated or has trailing data: payload length " + payloadLen
                    + ", file length " + bytes.length);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 20, (int) payloadLen);
        long stored = ByteBuffer.wrap(bytes, (int) (20 + payloadLen), 8).getLong();
        if (stored != crc.getValue()) throw new ModelFileException("checksum mismatch: the file is corrupted");
        int hLen = buf.getInt();
        if (hLen < 2 || hLen > payloadLen - 4) throw new ModelFileException("bad header length " + hLen);
        Map<String, Object> header;
        try {
            header = JSON.readValue(bytes, buf.position(), hLen, Map.class);
        } catch (IOException e) {
            throw new ModelFileException("header is not valid JSON: " + e.getMessage(), e);
        }
        buf.position(buf.position() + hLen);
        if (!"rnn4j-model".equals(header.get("format"))) throw new ModelFileException("header format is not 'rnn4j-model'");

        // rebuild the architecture and check every weight shape before touching any value
        Model model;
        try {
            model = ModelConfig.fromConfig((Map<String, Object>) header.get("model"));
            model.build();
        } catch (RuntimeException e) {
            throw new ModelFileException("cannot rebuild the architecture: " + e.getMessage(), e);
        }
        List<Param> params = model.params();
        List<Object> weights = (List<Object>) header.get("weights");
        if (weights == null || weights.size() != params.size()) {
            throw new ModelFileException("file has " + (weights == null ? 0 : weights.size()) + " weights, the architecture has "
                    + params.size());
        }
        long floats = 0;
        for (int i = 0; i < params.size(); i++) {
            Map<String, Object> w = (Map<String, Object>) weights.get(i);
            List<Number> shape = (List<Number>) w.get("shape");
            int[] s = shape.stream().mapToInt(Number::intValue).toArray();
            if (!Arrays.equals(s, params.get(i).shape())) {
                throw new ModelFileException("weight " + w.get("name") + " has shape " + Arrays.toString(s)
                        + " in the file, the architecture needs " + Arrays.toString(params.get(i).shape()));
            }
            floats += params.get(i).size();
        }
        List<Object> stateIndex = (List<Object>) header.get("optimizer_state");
        if (stateIndex != null) for (Object o : stateIndex) floats += ((Number) ((Map<String, Object>) o).get("length")).longValue();
        if (4L + hLen + 4L * floats != payloadLen) {
            throw new ModelFileException("payload holds " + (payloadLen - 4 - hLen) + " bytes of values, the header describes "
                    + 4L * floats);
        }
        buf.order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> values = new ArrayList<>();
        for (Param p : params) {
            float[] v = new float[p.size()];
            buf.asFloatBuffer().get(v);
            buf.position(buf.position() + 4 * v.length);
            values.add(v);
        }
        Map<String, float[]> state = null;
        if (stateIndex != null) {
            state = new LinkedHashMap<>();
            for (Object o : stateIndex) {
                Map<String, Object> s = (Map<String, Object>) o;
                float[] v = new float[((Number) s.get("length")).intValue()];
                buf.asFloatBuffer().get(v);
                buf.position(buf.position() + 4 * v.length);
                state.put((String) s.get("name"), v);
            }
        }
        for (int i = 0; i < params.size(); i++) System.arraycopy(values.get(i), 0, params.get(i).value(), 0, params.get(i).size());
        Map<String, Object> compile = compileModel ? (Map<String, Object>) header.get("compile") : null;
        if (compile != null) {
            try {
                Optimizer opt = Optimizers.deserialize(compile.get("optimizer"));
                List<Object> ls = (List<Object>) compile.get("loss");
                Loss[] losses = new Loss[ls.size()];
                for (int i = 0; i < losses.length; i++) losses[i] = Losses.deserialize(ls.get(i));
                List<String> metrics = (List<String>) compile.getOrDefault("metrics", List.of());
                model.compile(opt, losses, null, metrics.toArray(new String[0]));
                if (state != null) opt.loadState(params, state);
            } catch (RuntimeException e) {
                throw new ModelFileException("cannot restore the compile settings: " + e.getMessage(), e);
            }
        }
        Object meta = header.get("metadata");
        return new Loaded(model, meta instanceof Map<?, ?> mm ? (Map<String, Object>) mm : new LinkedHashMap<>());
    }

    /** A loaded model with the application metadata it was saved with. */
    public record Loaded(Model model, Map<String, Object> metadata) {
    }

    /** Writes {@code bytes} to {@code file} through a temporary file and an atomic move. */
    static final class Files {
        static byte[] readAllBytes(Path p) throws IOException {
            return java.nio.file.Files.readAllBytes(p);
        }

        static void write(Path file, byte[] bytes, boolean atomic) throws IOException {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) java.nio.file.Files.createDirectories(dir);
            // not Files.createTempFile: its files are owner-only (0600), and the model file would
            // keep that mode after the move; CREATE_NEW gives the usual mode (0666 less umask)
            Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime())
                    + Integer.toHexString(System.identityHashCode(bytes)) + ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.hasRemaining()) ch.write(b);
                    ch.force(true);
                }
                try {
                    java.nio.file.Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    java.nio.file.Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        }
    }
}
