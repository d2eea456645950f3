package io.github.rnn4j.cli.plot;

/**
 * The file formats a chart can be written in. PNG is drawn by the JDK (ImageIO); SVG by
 * VectorGraphics2D, the small vector back end XChart uses. Not a general image-format registry.
 */
public enum ChartFormat {
    /** Raster image, for reports and terminals that show pictures. */
    PNG("png"),
    /** Scalable vector image, for papers and the web. */
    SVG("svg");

    private final String extension;

    ChartFormat(String extension) {
        this.extension = extension;
    }

    /** The file name extension, without the dot: {@code "png"}. */
    public String extension() {
        return extension;
    }
}
