package io.github.rnn4j.callbacks;

import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.Model;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Streams epoch results to a CSV file, Keras's {@code CSVLogger}: a header {@code epoch,loss,...}
 * with the logged names sorted as Keras sorts them, then one row per epoch (0-based epoch, as
 * Keras writes it), flushed after each row.
 */
public final class CSVLogger implements Callback {
    private final Path path;
    private final boolean append;
    private final String separator;
    private BufferedWriter out;
    private List<String> keys;

    public CSVLogger(Path path) {
        this(path, ",", false);
    }

    public CSVLogger(Path path, String separator, boolean append) {
        this.path = path;
        this.separator = separator;
        this.append = append;
    }

    @Override
    public void onTrainBegin(Model model) {
        try {
            boolean exists = append && Files.exists(path) && Files.size(path) > 0;
            out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            keys = null;
            if (exists) keys = List.of(); // header already there; adopt the first row's keys silently
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        try {
            if (keys == null || keys.isEmpty()) {
                boolean writeHeader = keys == null;
                keys = new ArrayList<>(new java.util.TreeSet<>(logs.keySet()));
                if (writeHeader) {
                    out.write("epoch" + separator + String.join(separator, keys));
                    out.newLine();
                }
            }
            StringBuilder sb = new StringBuilder().append(epoch);
            for (String k : keys) {
                Double v = logs.get(k);
                sb.append(separator).append(v == null ? "NA" : String.valueOf(v));
            }
            out.write(sb.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("CSVLogger: cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out = null;
    }
}
