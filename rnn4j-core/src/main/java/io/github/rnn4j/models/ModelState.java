package io.github.rnn4j.models;

import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.tensor.Tensor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recurrent states of a model for {@link Model#step}: for each recurrent layer call, its h
 * (and c), one row per independent stream. Immutable: {@code step} returns a new one, so a
 * state can be kept, branched (beam search) or shared between threads freely.
 *
 * <p>{@link #toBytes()} / {@link #fromBytes} save and restore a state in a small binary format,
 * big-endian, never Java serialization: magic {@code R4JS}, version (2), batch, number of layer
 * calls, then per call its key (UTF), state count, and per state its units and the float32
 * values; last, a CRC-32 of everything before it (int64), so a damaged state is refused rather
 * than silently resumed.
 */
public final class ModelState {
    private static final int MAGIC = 0x52344A53; // "R4JS"
    private static final int VERSION = 2;
    private final Model model;
    private final int batch;
    private final Map<String, Tensor[]> states;

    ModelState(Model model, int batch, Map<String, Tensor[]> states) {
        this.model = model;
        this.batch = batch;
        this.states = Collections.unmodifiableMap(states);
    }

    static ModelState zeros(Model model, int batch) {
        if (batch <= 0) throw new IllegalArgumentException("initialState: batch must be positive, got " + batch);
        Map<String, Tensor[]> m = new LinkedHashMap<>();
        Graph g = model.graph();
        for (int k = 0; k < g.calls.size(); k++) {
            SymbolicTensor.Call c = g.calls.get(k);
            if (c.layer() instanceof Recurrent r) {
                Tensor[] st = new Tensor[r.stateCount()];
                for (int i = 0; i < st.length; i++) st[i] = Tensor.zeros(batch, r.units());
                m.put(key(k, r), st);
            }
        }
        return new ModelState(model, batch, m);
    }

    static String key(int callIndex, Recurrent r) {
        return r.name() + "#" + callIndex;
    }

    Model model() {
        return model;
    }

    /** Number of streams (batch rows). */
    public int batch() {
        return batch;
    }

    /** The layer-call keys ("lstm#1"), in graph order. */
    public java.util.Set<String> keys() {
        return states.keySet();
    }

    /** Copies of the states of one layer call (h, then c for LSTM). */
    public Tensor[] states(String key) {
        Tensor[] s = states.get(key);
        if (s == null) throw new IllegalArgumentException("no recurrent state '" + key + "'; have " + states.keySet());
        Tensor[] c = new Tensor[s.length];
        for (int i = 0; i < s.length; i++) c[i] = s[i].copy();
        return c;
    }

    /** The state as bytes (see the class comment for the format). */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bo);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(batch);
            out.writeInt(states.size());
            for (Map.Entry<String, Tensor[]> e : states.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                for (Tensor t : e.getValue()) {
                    out.writeInt(t.dim(1));
                    for (float v : t.data()) out.writeFloat(v);
                }
            }
            out.flush();
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bo.toByteArray());
            out.writeLong(crc.getValue());
            out.flush();
            return bo.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Restores a state saved by {@link #toBytes()} for this model, checking every layer and shape. */
    public static ModelState fromBytes(Model model, byte[] bytes) {
        ModelState ref = zeros(model, 1);
        if (bytes.length < 16 + 8) throw new IllegalArgumentException("model state is truncated (" + bytes.length + " bytes)");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IllegalArgumentException("not an rnn4j model state (bad magic number)");
            int v = in.readInt();
            if (v != VERSION) {
                throw new IllegalArgumentException("model state format version " + v + " is not supported (this rnn4j reads "
                        + VERSION + ")");
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(bytes, 0, bytes.length - 8);
            long stored = java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong();
            if (stored != crc.getValue()) {
                throw new IllegalArgumentException("model state checksum mismatch: the state is truncated or corrupted");
            }
            int batch = in.readInt();
            int n = in.readInt();
            if (batch <= 0) throw new IllegalArgumentException("model state has batch " + batch + "; it must be positive");
            if (n != ref.states.size()) {
                throw new IllegalArgumentException("model state has " + n + " recurrent layer calls, the model has "
                        + ref.states.size() + " " + ref.states.keySet());
            }
            Map<String, Tensor[]> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                Tensor[] want = ref.states.get(key);
                if (want == null) throw new IllegalArgumentException("model state names layer '" + key + "', not in the model");
                int count = in.readInt();
                if (count != want.length) {
                    throw new IllegalArgumentException("model state for '" + key + "' has " + count + " tensors, expected " + want.length);
                }
                Tensor[] st = new Tensor[count];
                for (int j = 0; j < count; j++) {
                    int units = in.readInt();
                    if (units != want[j].dim(1)) {
                        throw new IllegalArgumentException("model state for '" + key + "' has " + units + " units, the layer has "
                                + want[j].dim(1));
                    }
                    if ((long) batch * units * 4 > bytes.length) throw new java.io.EOFException();
                    float[] d = new float[batch * units];
                    for (int q = 0; q < d.length; q++) d[q] = in.readFloat();
                    st[j] = Tensor.of(d, batch, units);
                }
                m.put(key, st);
            }
            in.readLong(); // the checksum, verified above
            if (in.read() != -1) throw new IllegalArgumentException("model state has trailing bytes");
            return new ModelState(model, batch, m);
        } catch (java.io.EOFException e) {
            throw new IllegalArgumentException("model state is truncated", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "ModelState(batch " + batch + ", layers " + Arrays.toString(states.keySet().toArray()) + ")";
    }
}
