package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.models.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rnn4j bbox} end to end: the networks learn where the object is, the files say so, bad options are refused early. */
class BBoxCommandTest {

    @Test
    void recurrentModelsLearnTheBoxAndTheTaggerBeatsTheMatchedFilter(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("bbox");
        ForecastCommandTest.Run r = ForecastCommandTest.run("bbox", "--train", "800", "--val", "200", "--test", "300",
                "--epochs", "10", "--units", "16", "--models", "lstm,tagger", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("tagger: mean IoU"), r.out());
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        double mean = m.at("/baselines/mean_box/mean_iou").asDouble(), filter = m.at("/baselines/matched_filter/mean_iou").asDouble();
        double lstm = m.at("/models/lstm/mean_iou").asDouble(), tagger = m.at("/models/tagger/mean_iou").asDouble();
        assertEquals(300, m.at("/test_signals").asInt());
        // measured at this seed: mean box 0.23, matched filter 0.65, LSTM 0.51, tagger 0.75
        assertTrue(mean < 0.35, "the mean box ignores the signal, IoU " + mean);
        assertTrue(lstm > mean + 0.15, "the LSTM must read where the object is: IoU " + lstm + " vs mean box " + mean);
        assertTrue(tagger > filter + 0.04, "per-step tagging must beat the matched filter: " + tagger + " vs " + filter);
        assertTrue(m.at("/models/tagger/iou_at_least_0.5").asDouble() > 0.85, m.toString());
        for (String f : new String[]{"history-lstm.csv", "history-tagger.csv", "model-lstm.rnn4j", "model-tagger.rnn4j",
                "examples.png", "examples.svg"}) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        // the saved tagger is the trained one: it loads and returns a probability per step
        Model tag = ModelFile.load(out.resolve("model-tagger.rnn4j"));
        float[] p = tag.predict(io.github.rnn4j.data.box.BoxSignals.generate(new io.github.rnn4j.data.box.BoxSignals.Spec(), 2, 1)
                .signals()).data();
        assertEquals(2 * 64, p.length);
        for (float v : p) assertTrue(v >= 0 && v <= 1, "probability " + v);
    }

    @Test
    void badOptionsAreClearErrorsBeforeAnyFileIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("never");
        ForecastCommandTest.Run r = ForecastCommandTest.run("bbox", "--models", "lstm,transformer", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--models: 'transformer' is not one of dense, simple, lstm, gru, bilstm, tagger"), r.err());
        r = ForecastCommandTest.run("bbox", "--min-width", "30", "--max-width", "20", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("widths 30..20"), r.err());
        r = ForecastCommandTest.run("bbox", "--models", "dense", "--recurrent-dropout", "0.5", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--recurrent-dropout applies to recurrent models"), r.err());
        r = ForecastCommandTest.run("bbox", "--test", "0", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--test must be positive, got 0"), r.err());
        assertFalse(Files.exists(out), "nothing written for a refused run");
    }
}
