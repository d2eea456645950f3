package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.data.text.CharVocabulary;
import io.github.rnn4j.data.text.NgramModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rnn4j charlm}: the baselines match an independent computation, a model learns, samples and reloads; bad input is refused early. */
class CharLmCommandTest {

    @Test
    void ngramBaselinesMatchTheReferenceScript() throws Exception {
        String text;
        try (InputStream in = ShippedData.open(ShippedData.TINY_SHAKESPEARE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        CharVocabulary v = CharVocabulary.of(text);
        int[] ids = v.encode(text, "tinyshakespeare.txt");
        int n = ids.length, split = (int) (n * 0.9);
        assertEquals(65, v.size());
        assertEquals(1_003_854, split);
        // python3 tools/golden/ngram_baselines.py .../tinyshakespeare.txt (Python 3.11.7)
        double[] expected = {3.3473303372789287, 2.4819138581598605, 2.068430038263857};
        for (int order = 1; order <= 3; order++) {
            double got = NgramModel.fit(order, v.size(), ids, 0, split).crossEntropy(ids, split, n);
            assertEquals(expected[order - 1], got, 1e-9, "order " + order);
        }
    }

    @Test
    void trainsSamplesSavesAndSamplesAgainFromTheFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("lm");
        ForecastCommandTest.Run r = ForecastCommandTest.run("charlm", "--max-chars", "60000", "--units", "48", "--epochs", "4",
                "--batch-size", "16", "--seq-length", "50", "--generate", "80", "--prime", "ROMEO:", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double val = m.at("/model/val_loss").asDouble(), uni = m.at("/baselines/unigram").asDouble();
        double bi = m.at("/baselines/bigram").asDouble();
        // an untrained model scores about ln V = 4.1; the unigram 3.3 needs only letter frequencies, the bigram 2.4 the previous letter
        assertTrue(val < uni - 0.5, "the LSTM must learn more than letter frequencies: " + val + " vs unigram " + uni);
        assertTrue(val < bi + 0.3, "and come near the bigram: " + val + " vs " + bi);
        String sample = Files.readString(out.resolve("sample.txt"));
        assertTrue(sample.startsWith("ROMEO:") && sample.length() == 86, sample);
        assertTrue(r.out().contains(sample), "the sample is printed");
        for (String f : new String[]{"model.rnn4j", "history.csv", "training-curves.png", "training-curves.svg"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        // the saved model gives the same sample with the same seed, temperature and prime
        Path again = dir.resolve("again");
        r = ForecastCommandTest.run("charlm", "--load", out.resolve("model.rnn4j").toString(), "--generate", "80",
                "--prime", "ROMEO:", "--out", again.toString());
        assertEquals(0, r.code(), r.all());
        assertEquals(sample, Files.readString(again.resolve("sample.txt")));
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("never");
        ForecastCommandTest.Run r = ForecastCommandTest.run("charlm", "--max-chars", "5000", "--prime", "ROMEO\u00e9", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--prime: '\u00e9' (U+00E9) at line 1, column 6 is not among the vocabulary's"), r.err());
        r = ForecastCommandTest.run("charlm", "--cell", "transformer", "--out", out.toString());
        assertTrue(r.err().contains("--cell must be lstm, gru or simple, got 'transformer'"), r.err());
        Path bad = dir.resolve("latin1.txt");
        Files.write(bad, new byte[]{'a', 'b', (byte) 0xe9, 'c'});
        r = ForecastCommandTest.run("charlm", "--text", bad.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not valid UTF-8"), r.err());
        r = ForecastCommandTest.run("charlm", "--text", dir.resolve("missing.txt").toString(), "--out", out.toString());
        assertTrue(r.err().contains("no such file"), r.err());
        r = ForecastCommandTest.run("charlm", "--max-chars", "300", "--out", out.toString());
        assertTrue(r.err().contains("has 300 characters; the 90/10 split needs at least 101"), r.err());
        r = ForecastCommandTest.run("charlm", "--load", bad.toString());
        assertEquals(2, r.code(), r.all());
        assertFalse(Files.exists(out), "nothing written for a refused run");
    }
}
