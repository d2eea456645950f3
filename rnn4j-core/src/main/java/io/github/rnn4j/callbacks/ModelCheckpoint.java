package io.github.rnn4j.callbacks;

import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.models.Callback;
import io.github.rnn4j.models.Model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Saves the model after epochs, Keras's {@code ModelCheckpoint}. The path may contain Python
 * format fields as Keras's {@code filepath.format(epoch=epoch + 1, **logs)} expands them:
 * {@code {epoch}} (1-based), {@code {val_loss}} and any other logged value, each optionally with
 * a format spec such as {@code {epoch:02d}} or {@code {val_loss:.4f}}. Files are written
 * atomically, so a crash mid-save never corrupts the last good checkpoint; an epoch whose
 * monitored value is NaN is never saved.
 *
 * <pre>{@code
 * new ModelCheckpoint(Path.of("best.rnn4j")).monitor("val_loss").saveBestOnly(true)
 * new ModelCheckpoint(Path.of("ckpt-{epoch:02d}-{val_loss:.3f}.rnn4j"))
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

    private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?}");

    /**
     * Expands {@code {name}} and {@code {name:spec}} fields: {@code epoch} is the 1-based epoch,
     * other names are logged values. Without a spec a value prints as Python's {@code str()} would
     * ({@code 0.25}); a spec is Python's {@code [0][width][.precision](d|f|e|g)}. Unknown names
     * are an error naming the keys that exist.
     */
    static String format(String pattern, int epoch, Map<String, Double> logs) {
        Matcher mt = FIELD.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (mt.find()) {
            String key = mt.group(1), spec = mt.group(2);
            Object v;
            if (key.equals("epoch")) {
                v = (long) (epoch + 1);
            } else if (logs.containsKey(key)) {
                v = logs.get(key);
            } else {
                throw new IllegalArgumentException("ModelCheckpoint: path field {" + key + "} is neither 'epoch' nor a "
                        + "logged value " + logs.keySet());
            }
            mt.appendReplacement(sb, Matcher.quoteReplacement(formatValue(v, spec)));
        }
        mt.appendTail(sb);
        return sb.toString();
    }

    private static String formatValue(Object v, String spec) {
        if (spec == null || spec.isEmpty()) return v instanceof Long ? v.toString() : String.valueOf(v);
        if (!spec.matches("0?\\d*(\\.\\d+)?[dfeg]")) {
            throw new IllegalArgumentException("ModelCheckpoint: unsupported format spec '" + spec + "' (use e.g. 02d or .4f)");
        }
        char type = spec.charAt(spec.length() - 1);
        Object arg = type == 'd' ? (Object) Math.round(((Number) v).doubleValue()) : (Object) ((Number) v).doubleValue();
        return String.format(Locale.ROOT, "%" + spec, arg);
    }

    /** The last file written, or null. */
    public Path lastSaved() {
        return lastSaved;
    }
}
