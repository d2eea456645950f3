package io.github.rnn4j.cli.plot;

import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Reads written charts back: PNG through ImageIO, SVG as XML (never fetching its DTD). */
final class ChartAssertions {
    private ChartAssertions() {
    }

    static BufferedImage readPng(Path file, int width, int height) throws Exception {
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " is not a PNG ImageIO can read");
        assertEquals(width, img.getWidth(), "PNG width");
        assertEquals(height, img.getHeight(), "PNG height");
        return img;
    }

    static Document readSvg(Path file, int width, int height) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
        assertEquals("0 0 " + width + " " + height, doc.getDocumentElement().getAttribute("viewBox"));
        return doc;
    }

    static java.util.List<String> seriesNames(org.knowm.xchart.XYChart c) {
        return c.getSeriesCollection().stream().map(org.knowm.xchart.XYSeries::getName).toList();
    }

    /** How many pixels are within {@code tol} of an RGB colour in every channel. */
    static int pixelsNear(BufferedImage img, int rgb, int tol) {
        int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff, n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 0xff) - r) <= tol && Math.abs((p >> 8 & 0xff) - g) <= tol && Math.abs((p & 0xff) - b) <= tol) n++;
            }
        }
        return n;
    }

    /** How many pixels of the column band [x0, x1) hold a colour near {@code rgb}. */
    static int pixelsNear(BufferedImage img, int rgb, int tol, int x0, int x1) {
        return pixelsNear(img.getSubimage(x0, 0, x1 - x0, img.getHeight()), rgb, tol);
    }
}
