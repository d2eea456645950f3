package io.github.rnn4j.cli.data;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped files (Seattle weather, Tiny Shakespeare) are the unchanged upstream files, complete, with their source notes. */
class ShippedDataTest {

    @Test
    void seattleWeatherIsTheUnchangedVegaDatasetsFile() throws Exception {
        byte[] bytes;
        try (InputStream in = ShippedData.open(ShippedData.SEATTLE_WEATHER)) {
            bytes = in.readAllBytes();
        }
        assertEquals(48_219, bytes.length);
        // vega-datasets 3.2.1 datapackage.json records "hash": "sha1:0f38b5...", a git blob hash
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        sha1.update(bytes);
        assertEquals("0f38b53bdc1c42c5e5d484f33b9d4d7b229e0e59", HexFormat.of().formatHex(sha1.digest()));
    }

    @Test
    void seattleWeatherHasEveryDayFrom2012To2015() throws Exception {
        try (BufferedReader r = ShippedData.reader(ShippedData.SEATTLE_WEATHER)) {
            assertEquals("date,precipitation,temp_max,temp_min,wind,weather", r.readLine());
            LocalDate expected = LocalDate.of(2012, 1, 1);
            int rows = 0;
            for (String line; (line = r.readLine()) != null; rows++) {
                String[] cells = line.split(",", -1);
                assertEquals(6, cells.length, line);
                assertEquals(expected, LocalDate.parse(cells[0]), "row " + (rows + 1));
                Double.parseDouble(cells[2]);
                expected = expected.plusDays(1);
            }
            assertEquals(1461, rows);
            assertEquals(LocalDate.of(2016, 1, 1), expected);
        }
    }

    @Test
    void sourceNoteTravelsWithTheData() {
        String note = ShippedData.source(ShippedData.SEATTLE_WEATHER);
        assertTrue(note.contains("NOAA"), note);
        assertTrue(note.contains("public domain"), note);
        assertTrue(note.contains("vega-datasets"), note);
        assertEquals(java.util.List.of(ShippedData.SEATTLE_WEATHER, ShippedData.TINY_SHAKESPEARE, ShippedData.ENG_FRA),
                ShippedData.names());
        String pairs = ShippedData.source(ShippedData.ENG_FRA);
        assertTrue(pairs.contains("CC BY 2.0 FR") && pairs.contains("tatoeba.org") && pairs.contains("Modified"), pairs);
        String text = ShippedData.source(ShippedData.TINY_SHAKESPEARE);
        assertTrue(text.contains("public domain") && text.contains("char-rnn") && text.contains("MIT"), text);
    }

    @Test
    void engFraIsTheFirstTenThousandTatoebaPairs() throws Exception {
        byte[] bytes;
        try (InputStream in = ShippedData.open(ShippedData.ENG_FRA)) {
            bytes = in.readAllBytes();
        }
        assertEquals("95e636c28c6effa7887e33b4e3fcca5c11556c66a75e572905a1b8e5ee6a6269",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        assertEquals(10_001, lines.length, "10,000 lines, each ending in a newline");
        assertEquals("Go.\tVa !", lines[0]);
        for (int i = 0; i < 10_000; i++) assertEquals(2, lines[i].split("\t", -1).length, "line " + (i + 1));
    }

    @Test
    void tinyShakespeareIsTheUnchangedCharRnnFile() throws Exception {
        byte[] bytes;
        try (InputStream in = ShippedData.open(ShippedData.TINY_SHAKESPEARE)) {
            bytes = in.readAllBytes();
        }
        assertEquals(1_115_394, bytes.length);
        assertEquals("86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }

    @Test
    void unknownNameListsWhatIsShipped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShippedData.open("daily-min-temperatures.csv"));
        assertTrue(e.getMessage().contains("no shipped dataset named 'daily-min-temperatures.csv'"), e.getMessage());
        assertTrue(e.getMessage().contains(ShippedData.SEATTLE_WEATHER), e.getMessage());
        // a path cannot reach other resources of the jar
        assertThrows(IllegalArgumentException.class, () -> ShippedData.open("../DemoCommand.class"));
        assertNull(ShippedData.class.getResource("daily-min-temperatures.csv"), "Melbourne data is not shipped (no licence)");
    }
}
