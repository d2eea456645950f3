package io.github.rnn4j.cli;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo command runs end to end, learns something, and rejects bad options clearly. */
class DemoCommandTest {

    @Test
    void demoTrainsAndBeatsPersistence() {
        ForecastCommandTest.Run r = ForecastCommandTest.run("demo", "--epochs", "4", "--samples", "600", "--units", "16");
        String out = r.out();
        assertEquals(0, r.code(), r.all());
        assertTrue(out.contains("Epoch 4/4"), out);
        assertTrue(out.contains("Total params: 1169"), out); // LSTM(16) on 1 feature: 4*(16+256+16) = 1152, Dense(16->1): 17
        Matcher m = Pattern.compile("ratio (\\d+\\.\\d+)").matcher(out);
        assertTrue(m.find(), out);
        double ratio = Double.parseDouble(m.group(1));
        assertTrue(ratio < 1.0, "the LSTM should beat persistence on smooth sine waves, ratio " + ratio);
    }

    @Test
    void badCellIsAClearError() {
        ForecastCommandTest.Run r = ForecastCommandTest.run("demo", "--cell", "transformer");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--cell must be simple, lstm or gru, got 'transformer'"));
    }
}
