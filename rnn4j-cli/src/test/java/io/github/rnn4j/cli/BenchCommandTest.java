package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnn4j bench} on one tiny custom shape with one iteration: the table and the JSON carry
 * every field, one row per cell and mode, with the flop count. Not a timing test: no
 * assertion depends on how fast the machine is, only that times are positive and consistent.
 */
class BenchCommandTest {

    private static String[] capture(String... args) {
        ForecastCommandTest.Run r = ForecastCommandTest.run(args);
        return new String[]{Integer.toString(r.code()), r.out(), r.err()};
    }

    @Test
    void tinyConfigPrintsTableAndJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/bench.json");
        String[] r = capture("bench", "--cells", "lstm,gru", "--configs", "3x4x5x6", "--mode", "both",
                "--warmup", "0", "--iters", "1", "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String out = r[1];
        for (String col : List.of("seq/s", "ms median", "ms min", "GFLOP/s", "heap MiB")) {
            assertTrue(out.contains(col), "missing column " + col + ":\n" + out);
        }
        for (String row : List.of("LSTM", "GRU")) {
            for (String mode : List.of("inference", "training")) {
                assertTrue(out.lines().anyMatch(l -> l.startsWith(row) && l.contains(" " + mode + " ")
                        && l.contains("3x4x5x6")), "missing row " + row + " " + mode + ":\n" + out);
            }
        }

        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals("rnn4j", j.get("tool").asText());
        assertTrue(j.get("threads").asInt() >= 1);
        JsonNode rows = j.get("rows");
        assertEquals(4, rows.size(), rows.toString());
        for (JsonNode row : rows) {
            int gates = row.get("cell").asText().equals("LSTM") ? 4 : 3;
            boolean training = row.get("mode").asText().equals("training");
            assertEquals(3, row.get("batch").asInt());
            assertEquals(4, row.get("seq").asInt());
            assertEquals(5, row.get("features").asInt());
            assertEquals(6, row.get("units").asInt());
            assertEquals(1, row.get("iters").asInt());
            // 2 * gates * H * (F + H) per sample per step, x B x T, x3 for training
            double flops = 2.0 * gates * 6 * (5 + 6) * 3 * 4 * (training ? 3 : 1);
            assertEquals(flops, row.get("flops_per_iter").asDouble(), 1e-9, row.toString());
            double ms = row.get("ms_median").asDouble();
            assertTrue(ms > 0, row.toString());
            assertEquals(row.get("ms_min").asDouble(), ms, 1e-12, "one iteration: median equals min");
            assertEquals(3 / (ms / 1e3), row.get("seq_per_s").asDouble(), 1e-6 * row.get("seq_per_s").asDouble());
            assertEquals(flops / (ms / 1e3) / 1e9, row.get("gflops").asDouble(), 1e-9 * row.get("gflops").asDouble() + 1e-12);
            assertTrue(row.get("peak_heap_mib").asDouble() > 0, row.toString());
            if (training) assertTrue(Double.isFinite(row.get("last_loss").asDouble()), row.toString());
        }
    }

    @Test
    void badOptionsAreClearErrors() {
        String[] r = capture("bench", "--cells", "transformer");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--cells must be simple, lstm or gru, got 'transformer'"), r[2]);
        r = capture("bench", "--configs", "huge");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown configuration 'huge'"), r[2]);
        r = capture("bench", "--mode", "fast");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--mode must be inference, training or both"), r[2]);
    }
}
