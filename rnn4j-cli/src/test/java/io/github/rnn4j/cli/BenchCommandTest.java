package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnn4j bench} on tiny custom shapes with one iteration (or a few hundred steps): the
 * table and the JSON carry every field compare.sh reads, one row per cell and mode, with the
 * issue's flop count; the charlm row's loss is the cross-entropy over the vocabulary; the step
 * row reports a per-step latency; dropout options reach the layer; {@code --serve} answers bursts
 * and rejects malformed commands without stopping. Not a timing test: no
 * assertion depends on how fast the machine is, only that times are positive and consistent.
 */
class BenchCommandTest {

    private static String[] capture(String... args) {
        ForecastCommandTest.Run r = ForecastCommandTest.run(args);
        return new String[]{Integer.toString(r.code()), r.out(), r.err()};
    }

    /** Runs bench with {@code --json} into {@code dir} and returns the parsed JSON. */
    private static JsonNode bench(Path dir, String... args) throws Exception {
        Path json = Files.createTempFile(dir, "bench", ".json");
        List<String> a = new ArrayList<>(List.of("bench"));
        a.addAll(List.of(args));
        a.addAll(List.of("--json", json.toString()));
        String[] r = capture(a.toArray(String[]::new));
        assertEquals("0", r[0], r[1] + r[2]);
        return new ObjectMapper().readTree(json.toFile());
    }

    private static boolean procReadable() {
        return Files.isReadable(Path.of("/proc/self/status"));
    }

    @Test
    void serveAnswersBurstsAndRejectsBadCommandsWithoutStopping() throws Exception {
        String cmds = String.join("\n", "lstm 2x3x4x5 inference 0", "gru charlm:2x3x7x4 training 0.01",
                "lstm step inference 1", "lstm 2x3x4x5 sideways 1", "bogus", "quit", "lstm 2x3x4x5 inference 0") + "\n";
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = new BenchCommand().serve(new ByteArrayInputStream(cmds.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(buf, true, StandardCharsets.UTF_8), 1);
        assertEquals(0, code);
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(6, lines.size(), "ready, five answers, nothing after quit: " + lines);
        assertTrue(lines.get(0).startsWith("ready "), lines.get(0));
        for (int i = 1; i <= 2; i++) {
            String[] w = lines.get(i).split(" ");
            assertEquals(2, w.length, lines.get(i));
            assertTrue(Long.parseLong(w[0]) >= 1 && Long.parseLong(w[1]) > 0, lines.get(i));
        }
        // a 0.01 s burst of a tiny workload runs it more than once, and reports at least the budget
        String[] burst = lines.get(2).split(" ");
        assertTrue(Long.parseLong(burst[1]) >= 10_000_000L, lines.get(2));
        assertTrue(lines.get(3).startsWith("error:") && lines.get(3).contains("step"), lines.get(3));
        assertTrue(lines.get(4).startsWith("error:") && lines.get(4).contains("sideways"), lines.get(4));
        assertTrue(lines.get(5).startsWith("error:") && lines.get(5).contains("bogus"), lines.get(5));
    }

    @Test
    void tinyConfigPrintsTableAndJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/bench.json");
        String[] r = capture("bench", "--cells", "lstm,gru", "--configs", "3x4x5x6", "--mode", "both",
                "--warmup", "0", "--iters", "1", "--json", json.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        String out = r[1];
        for (String col : List.of("seq/s", "ms median", "ms min", "GFLOP/s", "heap MiB", "RSS MiB", "us/step")) {
            assertTrue(out.contains(col), "missing column " + col + ":\n" + out);
        }
        assertTrue(out.contains("peak RSS of the process"), out);
        for (String row : List.of("LSTM", "GRU")) {
            for (String mode : List.of("inference", "training")) {
                assertTrue(out.lines().anyMatch(l -> l.startsWith(row) && l.contains(" " + mode + " ")
                        && l.contains("3x4x5x6")), "missing row " + row + " " + mode + ":\n" + out);
            }
        }

        JsonNode j = new ObjectMapper().readTree(json.toFile());
        // the top-level keys compare.sh prints
        assertEquals("rnn4j", j.get("tool").asText());
        assertTrue(j.get("threads").asInt() >= 1);
        assertFalse(j.get("kernels").asText().isEmpty());
        assertFalse(j.get("java").asText().isEmpty());
        if (procReadable()) assertTrue(j.get("peak_rss_mib").asDouble() > 0, j.toString());
        JsonNode rows = j.get("rows");
        assertEquals(4, rows.size(), rows.toString());
        for (JsonNode row : rows) {
            int gates = row.get("cell").asText().equals("LSTM") ? 4 : 3;
            boolean training = row.get("mode").asText().equals("training");
            assertEquals("3x4x5x6", row.get("config").asText());
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
            assertTrue(row.has("peak_rss_mib"), row.toString());
            if (procReadable()) assertTrue(row.get("peak_rss_mib").asDouble() > 0, row.toString());
            if (training) {
                assertTrue(Double.isFinite(row.get("last_loss").asDouble()), row.toString());
                assertEquals(0.0, row.get("recurrent_dropout").asDouble(), row.toString());
                assertEquals(0.0, row.get("dropout").asDouble(), row.toString());
            }
        }
    }

    @Test
    void namedConfigurationsHaveTheIssueShapes() {
        BenchCommand.Config c = BenchCommand.config("charlm");
        assertEquals(List.of(64, 100, 65, 512), List.of(c.batch(), c.seq(), c.features(), c.units()));
        assertEquals(BenchCommand.CHARLM, c.kind());
        BenchCommand.Config s = BenchCommand.config("step");
        assertEquals(List.of(1, 1, 128), List.of(s.batch(), s.seq(), s.units()));
        assertEquals(BenchCommand.STEP, s.kind());
        assertEquals(50000, s.warmup());
        assertEquals(20000, s.iters());
        BenchCommand.Config m = BenchCommand.config("medium");
        assertEquals(List.of(64, 100, 32, 256), List.of(m.batch(), m.seq(), m.features(), m.units()));
        BenchCommand.Config custom = BenchCommand.config("charlm:2x3x7x5");
        assertEquals(List.of(2, 3, 7, 5), List.of(custom.batch(), custom.seq(), custom.features(), custom.units()));
        assertEquals("charlm:2x3x7x5", custom.name());
    }

    @Test
    void charlmRowsTrainOnCrossEntropyOverTheVocabulary(@TempDir Path dir) throws Exception {
        JsonNode j = bench(dir, "--cells", "lstm,simple", "--configs", "charlm:4x6x65x16", "--mode", "both",
                "--warmup", "0", "--iters", "1");
        JsonNode rows = j.get("rows");
        assertEquals(4, rows.size(), rows.toString());
        for (JsonNode row : rows) {
            assertEquals("charlm:4x6x65x16", row.get("config").asText());
            assertEquals(65, row.get("vocab").asInt());
            assertEquals(65, row.get("features").asInt());
            int gates = row.get("cell").asText().equals("LSTM") ? 4 : 1;
            boolean training = row.get("mode").asText().equals("training");
            // recurrent 2*gates*H*(V+H) plus Dense 2*H*V per position, B*T positions, x3 for training
            double flops = (2.0 * gates * 16 * (65 + 16) + 2.0 * 16 * 65) * 4 * 6 * (training ? 3 : 1);
            assertEquals(flops, row.get("flops_per_iter").asDouble(), 1e-9, row.toString());
            assertTrue(row.get("seq_per_s").asDouble() > 0, row.toString());
            if (training) {
                // first iteration, small initial logits, random next-token targets: the mean
                // cross-entropy is close to that of a uniform guess over 65 symbols
                double loss = row.get("last_loss").asDouble();
                assertEquals(Math.log(65), loss, 0.05, row.toString());
            } else {
                assertFalse(row.has("last_loss"), row.toString());
            }
        }
    }

    @Test
    void stepRowsReportLatencyPerStep(@TempDir Path dir) throws Exception {
        JsonNode j = bench(dir, "--cells", "lstm,gru", "--configs", "step:8x16", "--warmup", "0", "--iters", "150");
        JsonNode rows = j.get("rows");
        assertEquals(2, rows.size(), rows.toString());
        for (JsonNode row : rows) {
            assertEquals("step", row.get("mode").asText());
            assertEquals("step:8x16", row.get("config").asText());
            assertEquals(1, row.get("batch").asInt());
            assertEquals(200, row.get("iters").asInt(), "150 steps rounded up to whole blocks of 100");
            double us = row.get("us_per_step").asDouble();
            assertTrue(us > 0, row.toString());
            assertTrue(row.get("us_per_step_min").asDouble() <= us, row.toString());
            assertEquals(1e6 / us, row.get("seq_per_s").asDouble(), 1e-6 * row.get("seq_per_s").asDouble());
            assertEquals(us / 1e3, row.get("ms_median").asDouble(), 1e-12);
            int gates = row.get("cell").asText().equals("LSTM") ? 4 : 3;
            assertEquals(2.0 * gates * 16 * (8 + 16), row.get("flops_per_iter").asDouble(), 1e-9);
            assertTrue(row.get("us_per_step_model").asDouble() > 0, row.toString());
            assertTrue(row.get("state_finite").asBoolean(), row.toString());
        }
        // step rows are inference: none under --mode training
        JsonNode t = bench(dir, "--cells", "lstm", "--configs", "step:8x16", "--mode", "training", "--iters", "10");
        assertEquals(0, t.get("rows").size(), t.toString());
    }

    @Test
    void dropoutOptionsReachTheLayerInTrainingRows(@TempDir Path dir) throws Exception {
        String[] common = {"--cells", "lstm", "--configs", "3x8x5x6", "--mode", "training", "--warmup", "0", "--iters", "1"};
        JsonNode plain = bench(dir, common).get("rows").get(0);
        JsonNode again = bench(dir, common).get("rows").get(0);
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--recurrent-dropout", "0.5"));
        JsonNode rec = bench(dir, a.toArray(String[]::new)).get("rows").get(0);
        List<String> b = new ArrayList<>(List.of(common));
        b.addAll(List.of("--dropout", "0.3"));
        JsonNode in = bench(dir, b.toArray(String[]::new)).get("rows").get(0);

        // the same seed gives the same loss, so a different loss comes from the dropout masks
        assertEquals(plain.get("last_loss").asDouble(), again.get("last_loss").asDouble(), 0.0);
        assertEquals(0.5, rec.get("recurrent_dropout").asDouble());
        assertEquals(0.0, rec.get("dropout").asDouble());
        assertNotEquals(plain.get("last_loss").asDouble(), rec.get("last_loss").asDouble(), rec.toString());
        assertEquals(0.3, in.get("dropout").asDouble());
        assertEquals(0.0, in.get("recurrent_dropout").asDouble());
        assertNotEquals(plain.get("last_loss").asDouble(), in.get("last_loss").asDouble(), in.toString());
    }

    @Test
    void recurrentDropoutCostPairsTwoAlternatedRows(@TempDir Path dir) throws Exception {
        String[] common = {"--cells", "gru", "--configs", "3x8x5x6", "--mode", "both", "--warmup", "1", "--iters", "3"};
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--recurrent-dropout-cost", "0.5"));
        JsonNode rows = bench(dir, a.toArray(String[]::new)).get("rows");
        // inference row once, then the training pair: without, then with recurrent dropout
        assertEquals(3, rows.size(), rows.toString());
        assertEquals("inference", rows.get(0).get("mode").asText());
        JsonNode base = rows.get(1), with = rows.get(2);
        assertEquals("training", base.get("mode").asText());
        assertEquals("training", with.get("mode").asText());
        assertEquals(0.0, base.get("recurrent_dropout").asDouble());
        assertEquals(0.5, with.get("recurrent_dropout").asDouble());
        assertEquals(3, with.get("iters").asInt());
        assertFalse(base.has("paired_time_ratio"), base.toString());
        double ratio = with.get("paired_time_ratio").asDouble();
        assertTrue(ratio > 0 && Double.isFinite(ratio), with.toString());
        // the two rows really trained differently: the masks change the loss
        assertNotEquals(base.get("last_loss").asDouble(), with.get("last_loss").asDouble(), with.toString());
        String[] r = capture("bench", "--recurrent-dropout-cost", "1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--recurrent-dropout-cost must be in [0, 1), got 1.0"), r[2]);
    }

    @Test
    void badOptionsAreClearErrors() {
        String[] r = capture("bench", "--cells", "transformer");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--cells must be simple, lstm or gru, got 'transformer'"), r[2]);
        r = capture("bench", "--configs", "huge");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown configuration 'huge'"), r[2]);
        r = capture("bench", "--configs", "step:8x0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown configuration 'step:8x0'"), r[2]);
        r = capture("bench", "--mode", "fast");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--mode must be inference, training or both"), r[2]);
        r = capture("bench", "--recurrent-dropout", "1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--recurrent-dropout must be in [0, 1), got 1.0"), r[2]);
        r = capture("bench", "--dropout", "-0.1");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--dropout must be in [0, 1), got -0.1"), r[2]);
    }
}
