package io.github.rnn4j.callbacks;

import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.Model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Saves the model after epochs, Keras's {@code ModelCheckpoint}. The path may contain
 * {@code {epoch}} (1-based, as Keras formats it) and {@code {name}} placeholders of logged values
 * such as {@code {val_loss}}. Files are written atomically, so a crash mid-save never corrupts
 * the last good checkpoint; an epoch whose monitored value is NaN is never saved.
 *
 * <pre>{@code
 * new ModelCheckpoint(Path.of("best.rnn4j")).monitor("val_loss").saveBestOnly(true)
 * }</pre>
 */
public final class ModelCheckpoint implements Callback {
    private final String pattern;
    private String monitor = "val_loss";
    private String mode = "auto";
    private boolean saveBestOnly;
    private boolean includeOptimizer = true;
    private Monitor m;
    private Model model;
    private double best;
    private Path lastSaved;

    public ModelCheckpoint(Path path) {
        this.pattern = path.toString();
    }

    public ModelCheckpoint monitor(String name) {
        this.monitor = name;
        return this;
    }

    public ModelCheckpoint mode(String mode) {
        this.mode = mode;
        return this;
    }

    /** Save only when the monitored value improves. */
    public ModelCheckpoint saveBestOnly(boolean b) {
        this.saveBestOnly = b;
        return this;
    }

    /** Include the optimizer state (default true) so training can resume. */
    public ModelCheckpoint includeOptimizer(boolean b) {
        this.includeOptimizer = b;
        return this;
    }

    @Override
    public void onTrainBegin(Model model) {
        this.model = model;
        this.m = new Monitor(monitor, mode, 0);
        this.best = m.worst();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v != null && !Double.isFinite(v)) return;
        if (saveBestOnly) {
            if (v == null) {
                m.value(logs, "ModelCheckpoint");
                return;
            }
            if (!m.improves(v, best)) return;
            best = v;
        }
        Path p = Path.of(format(pattern, epoch, logs));
        try {
            ModelFile.save(model, p, includeOptimizer);
            lastSaved = p;
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint: cannot save " + p + ": " + e.getMessage(), e);
        }
    }

    static String format(String pattern, int epoch, Map<String, Double> logs) {
        String s = pattern.replace("{epoch}", String.format(Locale.ROOT, "%02d", epoch + 1));
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            s = s.replace("{" + e.getKey() + "}", String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return s;
    }

    /** The last file written, or null. */
    public Path lastSaved() {
        return lastSaved;
    }
}
