package io.github.rnn4j.models;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's training progress line, {@code 12/32 [=======>......] - ETA: 3s - loss: 0.1234 - mae: 0.0812},
 * redrawn in place with a carriage return, and the closing line of each epoch with its time and
 * per-step time.
 *
 * <p>It is a formatter of one line, not a general progress-bar library: the format is Keras's
 * (users compare runs side by side), which is why it is written here rather than taken from one.
 * verbose 1 draws the bar, verbose 2 prints one line per epoch, 0 prints nothing.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final int verbose;
    private final int total;
    private long start;
    private long lastDraw;

    ProgressBar(PrintStream out, int verbose, int total) {
        this.out = out;
        this.verbose = verbose;
        this.total = total;
    }

    void start() {
        start = System.nanoTime();
        lastDraw = 0;
    }

    void update(int done, Map<String, Double> logs) {
        if (verbose != 1) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 50_000_000L) return; // at most 20 redraws a second
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        StringBuilder sb = new StringBuilder("\r");
        sb.append(bar(done));
        if (done < total) {
            double eta = done == 0 ? 0 : elapsed / done * (total - done);
            sb.append(" - ETA: ").append(formatTime(eta));
        } else {
            sb.append(" - ").append(formatTime(elapsed)).append(' ').append(perStep(elapsed, done));
        }
        appendLogs(sb, logs);
        out.print(sb);
        out.flush();
    }

    void finish(Map<String, Double> logs) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (verbose == 1) {
            StringBuilder sb = new StringBuilder("\r").append(bar(total));
            sb.append(" - ").append(formatTime(elapsed)).append(' ').append(perStep(elapsed, total));
            appendLogs(sb, logs);
            out.println(sb);
        } else if (verbose == 2) {
            StringBuilder sb = new StringBuilder().append(total).append('/').append(total)
                    .append(" - ").append(formatTime(elapsed)).append(' ').append(perStep(elapsed, total));
            appendLogs(sb, logs);
            out.println(sb);
        }
    }

    private String bar(int done) {
        String n = String.valueOf(total);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%" + n.length() + "d/%s [", done, n));
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        for (int i = 0; i < WIDTH; i++) {
            if (i < filled - 1 || (i == filled - 1 && done == total)) sb.append('=');
            else if (i == filled - 1 || (filled == 0 && i == 0 && done > 0)) sb.append('>');
            else sb.append('.');
        }
        return sb.append(']').toString();
    }

    private static String perStep(double elapsed, int steps) {
        double ms = steps == 0 ? 0 : elapsed * 1000 / steps;
        return ms >= 1 ? String.format(Locale.ROOT, "%dms/step", Math.round(ms))
                : String.format(Locale.ROOT, "%dus/step", Math.round(ms * 1000));
    }

    static String formatTime(double s) {
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", (int) s / 3600, ((int) s % 3600) / 60, (int) s % 60);
        if (s >= 60) return String.format(Locale.ROOT, "%d:%02d", (int) s / 60, (int) s % 60);
        return String.format(Locale.ROOT, "%ds", Math.round(s));
    }

    static void appendLogs(StringBuilder sb, Map<String, Double> logs) {
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            sb.append(" - ").append(e.getKey()).append(": ").append(formatValue(e.getValue()));
        }
    }

    static String formatValue(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.4e", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
