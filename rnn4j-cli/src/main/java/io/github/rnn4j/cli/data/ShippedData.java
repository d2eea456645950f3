package io.github.rnn4j.cli.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The small real datasets shipped inside the CLI jar, opened by file name. Each sits in this
 * package's resource folder beside a {@code NAME.SOURCE.md} that says where it comes from and
 * under which terms it may be shipped (read it with {@link #source(String)}).
 *
 * <p>Shipped today: {@value #SEATTLE_WEATHER} (NOAA daily Seattle weather 2012-2015, a U.S.
 * Government work), {@value #TINY_SHAKESPEARE} (char-rnn's Tiny Shakespeare, 1.1 MB of
 * public-domain text) and {@value #ENG_FRA} (10,000 English-French sentence pairs from Tatoeba,
 * CC BY 2.0 FR). Not shipped: Melbourne daily minimum temperatures, whose copy carries no
 * licence (see the package's report); anything large (the Jena climate file is downloaded by
 * {@link DatasetCache} instead). This class only opens bytes; it parses nothing.
 *
 * <pre>{@code
 * try (Reader r = ShippedData.reader(ShippedData.SEATTLE_WEATHER)) {
 *     CsvSeries s = CsvSeries.read(r, ShippedData.SEATTLE_WEATHER, options);
 * }
 * }</pre>
 */
public final class ShippedData {
    /** NOAA daily weather in Seattle, 2012-01-01..2015-12-31: date, precipitation, temp_max, temp_min, wind, weather. */
    public static final String SEATTLE_WEATHER = "seattle-weather.csv";

    /** Tiny Shakespeare (char-rnn): 1,115,394 characters of plays, 65 distinct characters. */
    public static final String TINY_SHAKESPEARE = "tinyshakespeare.txt";

    /** English-French sentence pairs (Tatoeba via manythings.org, CC BY 2.0 FR): the first 10,000 lines, English<TAB>French. */
    public static final String ENG_FRA = "eng-fra.txt";

    private static final List<String> NAMES = List.of(SEATTLE_WEATHER, TINY_SHAKESPEARE, ENG_FRA);

    private ShippedData() {
    }

    /** The names of the shipped datasets. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * Opens a shipped dataset's bytes; the caller closes the stream.
     *
     * @throws IllegalArgumentException for a name that is not shipped (the message lists those that are)
     */
    public static InputStream open(String name) {
        return resource(check(name));
    }

    /** Opens a shipped dataset as UTF-8 text; the caller closes the reader. */
    public static BufferedReader reader(String name) {
        return new BufferedReader(new InputStreamReader(open(name), StandardCharsets.UTF_8));
    }

    /** The provenance and licence note shipped beside a dataset (its {@code NAME.SOURCE.md}). */
    public static String source(String name) {
        String base = check(name);
        int dot = base.lastIndexOf('.');
        try (InputStream in = resource((dot > 0 ? base.substring(0, dot) : base) + ".SOURCE.md")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the source note of shipped dataset " + name, e);
        }
    }

    private static String check(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no shipped dataset named '" + name + "'; shipped: " + NAMES);
        }
        return name;
    }

    private static InputStream resource(String file) {
        InputStream in = ShippedData.class.getResourceAsStream(file);
        // a listed name whose resource is missing is a packaging bug, not a user error
        if (in == null) throw new IllegalStateException("shipped resource " + file + " is missing from the jar");
        return in;
    }
}
