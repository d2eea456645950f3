package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rnn4j translate}: trains, scores held-out sentences, saves, and translates again from the file; bad input is refused early. */
class TranslateCommandTest {

    @Test
    void trainsScoresAndTranslatesFromTheSavedModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tr");
        ForecastCommandTest.Run r = ForecastCommandTest.run("translate", "--max-pairs", "1500", "--units", "48", "--epochs", "6",
                "--show", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        int[] split = {m.at("/split_pairs/0").asInt(), m.at("/split_pairs/1").asInt(), m.at("/split_pairs/2").asInt()};
        assertEquals(1500, split[0] + split[1] + split[2]);
        double loss = m.at("/test_loss").asDouble(), first = m.at("/history/loss/0").asDouble();
        // about 70 target characters: an untrained decoder scores ln 70 = 4.2
        assertTrue(loss < 2.5, "teacher-forced test loss should fall well below ln V: " + loss);
        assertTrue(m.at("/history/loss/5").asDouble() < first, m.at("/history/loss").toString());
        double cer = m.at("/model/character_error_rate").asDouble();
        assertTrue(cer > 0 && cer < 1.5, "character error rate " + cer);
        List<String> rows = Files.readAllLines(out.resolve("test-translations.tsv"));
        assertEquals(m.at("/test_sources").asInt() + 1, rows.size());
        assertEquals(4, rows.get(1).split("\t", -1).length, rows.get(1));

        // the saved model translates a test sentence as the run did
        String[] row = rows.get(1).split("\t", -1);
        r = ForecastCommandTest.run("translate", "--load", out.resolve("model.rnn4j").toString(), "--sentence", row[0]);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(row[0] + "\t" + row[2] + "\n"), r.out() + " vs " + rows.get(1));
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("never");
        Path bad = dir.resolve("pairs.txt");
        Files.writeString(bad, "Go.\tVa !\nRun!\n");
        ForecastCommandTest.Run r = ForecastCommandTest.run("translate", "--pairs", bad.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pairs.txt, line 2: need 'source<TAB>target', got \"Run!\""), r.err());
        r = ForecastCommandTest.run("translate", "--sentence", "Hello.", "--out", out.toString());
        assertTrue(r.err().contains("--sentence needs --load"), r.err());
        r = ForecastCommandTest.run("translate", "--units", "0", "--out", out.toString());
        assertTrue(r.err().contains("--units must be positive, got 0"), r.err());
        assertFalse(Files.exists(out), "nothing written for a refused run");
    }
}
