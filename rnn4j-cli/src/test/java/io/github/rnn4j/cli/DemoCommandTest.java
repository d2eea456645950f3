package io.github.rnn4j.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo command runs end to end, learns something, and rejects bad options clearly. */
class DemoCommandTest {

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return bo.toString(StandardCharsets.UTF_8);
    }

    @Test
    void demoTrainsAndBeatsPersistence() {
        int[] code = new int[1];
        String out = capture(() -> code[0] = Main.run("demo", "--epochs", "4", "--samples", "600", "--units", "16"));
        assertEquals(0, code[0], out);
        assertTrue(out.contains("Epoch 4/4"), out);
        assertTrue(out.contains("Total params: 1169"), out); // LSTM(16) on 1 feature: 4*(16+256+16) = 1152, Dense(16->1): 17
        Matcher m = Pattern.compile("ratio (\\d+\\.\\d+)").matcher(out);
        assertTrue(m.find(), out);
        double ratio = Double.parseDouble(m.group(1));
        assertTrue(ratio < 1.0, "the LSTM should beat persistence on smooth sine waves, ratio " + ratio);
    }

    @Test
    void badCellIsAClearError() {
        PrintStream old = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bo, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("demo", "--cell", "transformer");
        } finally {
            System.setErr(old);
        }
        assertEquals(2, code);
        assertTrue(bo.toString(StandardCharsets.UTF_8).contains("--cell must be simple, lstm or gru, got 'transformer'"));
    }
}
