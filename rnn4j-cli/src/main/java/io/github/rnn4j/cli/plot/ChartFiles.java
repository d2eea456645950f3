package io.github.rnn4j.cli.plot;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.XYChart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes one chart, or a grid of charts (panels) in one picture, to PNG and/or SVG files. Each
 * file is written to a temporary file in the same folder and moved into place, so a reader never
 * sees half a picture. Rendering is headless: loading this class sets
 * {@code java.awt.headless=true} unless the property was already set.
 *
 * <p>It is the only place that touches AWT images and the SVG back end; it is not a layout
 * engine (panels are equal-sized cells, filled row by row).
 *
 * <pre>{@code
 * List<Path> files = ChartFiles.write(List.of(chart), 1, out.resolve("forecast"),
 *         EnumSet.of(ChartFormat.PNG, ChartFormat.SVG));   // out/forecast.png, out/forecast.svg
 * }</pre>
 */
public final class ChartFiles {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private ChartFiles() {
    }

    /** Called from the static initializers of the chart classes, so headless is set before XChart touches AWT. */
    static void headless() {
        // the work is done by this class's static initializer
    }

    /**
     * Writes the panels, {@code columns} to a row, as {@code base + "." + extension} for each format.
     * All panels must have the same width and height (they are the cells of one grid).
     *
     * @param base the path of the files without extension, e.g. {@code out/training-curves}
     * @return the files written, in the order of {@link ChartFormat}
     */
    public static List<Path> write(List<XYChart> panels, int columns, Path base, Set<ChartFormat> formats)
            throws IOException {
        if (panels.isEmpty()) throw new IllegalArgumentException("no charts to write to " + base);
        if (columns < 1) throw new IllegalArgumentException("columns must be positive, got " + columns);
        if (formats.isEmpty()) throw new IllegalArgumentException("no chart format chosen for " + base);
        int w = panels.get(0).getWidth(), h = panels.get(0).getHeight();
        for (XYChart c : panels) {
            if (c.getWidth() != w || c.getHeight() != h) {
                throw new IllegalArgumentException("chart panels must have one size, got " + w + "x" + h
                        + " and " + c.getWidth() + "x" + c.getHeight());
            }
        }
        String name = base.getFileName().toString();
        for (ChartFormat f : ChartFormat.values()) {
            if (name.toLowerCase(java.util.Locale.ROOT).endsWith("." + f.extension())) {
                throw new IllegalArgumentException("give the chart path without extension (it is added per format), got " + base);
            }
        }
        int cols = Math.min(columns, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        Path dir = base.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (ChartFormat f : EnumSet.copyOf(formats)) {
            Path target = dir.resolve(name + "." + f.extension());
            // not Files.createTempFile: its owner-only permissions would stay on the moved file
            Path tmp = dir.resolve("." + name + "." + f.extension() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    switch (f) {
                        case PNG -> writePng(panels, cols, rows, w, h, out);
                        case SVG -> writeSvg(panels, cols, rows, w, h, out);
                    }
                }
                moveIntoPlace(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            written.add(target);
        }
        return written;
    }

    private static void writePng(List<XYChart> panels, int cols, int rows, int w, int h, OutputStream out)
            throws IOException {
        BufferedImage img = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            paintGrid(g, panels, cols, w, h);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", out)) throw new IOException("the JDK has no PNG writer");
    }

    private static void writeSvg(List<XYChart> panels, int cols, int rows, int w, int h, OutputStream out)
            throws IOException {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, cols * w, rows * h);
        paintGrid(g, panels, cols, w, h);
        Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, cols * w, rows * h));
        doc.writeTo(out);
    }

    private static void paintGrid(Graphics2D g, List<XYChart> panels, int cols, int w, int h) {
        AffineTransform base = g.getTransform();
        for (int i = 0; i < panels.size(); i++) {
            g.setTransform(base);
            g.translate((i % cols) * w, (i / cols) * h);
            g.setClip(0, 0, w, h);
            panels.get(i).paint(g, w, h);
        }
        g.setTransform(base);
        g.setClip(null);
    }

    private static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
