package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.github.rnn4j.cli.data.RemoteDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rnn4j forecast --dataset jena-climate} against a local HTTP server on loopback (never
 * the internet) that serves a small zip in the real archive's layout: 600 rows of the Jena
 * header and date format, every 10 minutes. The first run downloads and caches it; the second
 * reads the cache without a request.
 */
class JenaForecastTest {
    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();
    private byte[] zip;

    @BeforeEach
    void start() throws IOException {
        StringBuilder csv = new StringBuilder("\"Date Time\",\"p (mbar)\",\"T (degC)\",\"rh (%)\"\n");
        DateTimeFormatter f = DateTimeFormatter.ofPattern("dd.MM.yyyy HH:mm:ss");
        LocalDateTime t = LocalDateTime.of(2009, 1, 1, 0, 10);
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 600; i++, t = t.plusMinutes(10)) {
            double temp = -5 + 4 * Math.sin(2 * Math.PI * i / 144.0) + 0.1 * r.nextGaussian();   // a daily cycle
            csv.append(t.format(f)).append(String.format(Locale.ROOT, ",%.2f,%.2f,%.1f%n", 996 + 0.01 * i, temp, 90 - temp));
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo)) {
            z.putNextEntry(new ZipEntry(RemoteDataset.JENA_CLIMATE.zipEntry()));
            z.write(csv.toString().getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        zip = bo.toByteArray();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jena_climate_2009_2016.csv.zip", ex -> {
            hits.incrementAndGet();
            ex.sendResponseHeaders(200, zip.length);
            try (ex; OutputStream out = ex.getResponseBody()) {
                out.write(zip);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void jenaIsDownloadedOnceCachedAndForecast(@TempDir Path dir) throws Exception {
        String url = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/jena_climate_2009_2016.csv.zip";
        String[] args = {"forecast", "--dataset", "jena-climate", "--dataset-url", url, "--cache-dir", dir.resolve("cache").toString(),
                "--lookback", "12", "--sampling-rate", "1", "--horizon", "6", "--epochs", "2", "--out", dir.resolve("out").toString()};
        ForecastCommandTest.Run first = ForecastCommandTest.run(args);
        assertEquals(0, first.code(), first.all());
        assertEquals(1, hits.get());
        assertTrue(first.err().contains("Downloading jena-climate from " + url), first.err());
        assertTrue(Files.isRegularFile(dir.resolve("cache/jena-climate/jena_climate_2009_2016.csv")));
        assertTrue(first.out().contains("Forecasting T (degC) of jena-climate (step PT10M)"), first.out());
        JsonNode m = new ObjectMapper().readTree(dir.resolve("out/metrics.json").toFile());
        assertEquals("T (degC)", m.get("target").asText());
        // every column but the time is a feature by default, as in Chollet's book
        assertEquals(3, m.at("/options/features").size());
        assertTrue(m.at("/baselines/persistence/mae").asDouble(-1) > 0);

        ForecastCommandTest.Run second = ForecastCommandTest.run(args);
        assertEquals(0, second.code(), second.all());
        assertEquals(1, hits.get(), "the second run reads the cache");
        assertTrue(second.err().contains("using the cached"), second.err());

        // predict: the window's last row is 2009-01-05 04:00 (row 599); 6 steps of 10 minutes later
        ForecastCommandTest.Run p = ForecastCommandTest.run("predict", "--model", dir.resolve("out/model.rnn4j").toString(),
                "--csv", dir.resolve("cache/jena-climate/jena_climate_2009_2016.csv").toString());
        assertEquals(0, p.code(), p.all());
        assertTrue(p.out().contains("2009-01-05T05:00  T (degC) = "), p.out());
    }
}
