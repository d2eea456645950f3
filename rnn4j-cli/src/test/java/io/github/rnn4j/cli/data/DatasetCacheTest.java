package io.github.rnn4j.cli.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dataset cache against a local HTTP server on loopback (never the internet), serving small
 * zips made here in the layout of the real Jena archive.
 */
class DatasetCacheTest {
    private static final String ENTRY = RemoteDataset.JENA_CLIMATE.zipEntry();
    private static final byte[] CSV = ("\"Date Time\",\"p (mbar)\",\"T (degC)\"\n"
            + "01.01.2009 00:10:00,996.52,-8.02\n01.01.2009 00:20:00,996.57,-8.41\n").getBytes(StandardCharsets.UTF_8);

    private HttpServer server;
    private final AtomicInteger hits = new AtomicInteger();
    /** path -> what to answer; a reply with truncateAt >= 0 declares the full length but sends fewer bytes. */
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();

    private record Reply(int status, byte[] body, int truncateAt, String location) {
        static Reply ok(byte[] body) {
            return new Reply(200, body, -1, null);
        }
    }

    @TempDir
    Path cacheRoot;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stopServer() {
        if (server != null) server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        hits.incrementAndGet();
        Reply r = replies.get(ex.getRequestURI().getPath());
        if (r == null) r = new Reply(404, "not found".getBytes(StandardCharsets.UTF_8), -1, null);
        if (r.location != null) ex.getResponseHeaders().add("Location", r.location);
        ex.sendResponseHeaders(r.status, r.body.length == 0 ? -1 : r.body.length);
        OutputStream out = ex.getResponseBody();
        try (ex) {
            // a truncated reply drops the connection short of the declared Content-Length
            out.write(r.body, 0, r.truncateAt >= 0 ? r.truncateAt : r.body.length);
            out.flush();
        }
    }

    private URI url(String path) {
        return URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort() + path);
    }

    private static byte[] zip(String entry, byte[] content) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bo)) {
            z.putNextEntry(new ZipEntry(entry));
            z.write(content);
            z.closeEntry();
            // the real archive carries macOS resource-fork junk too
            z.putNextEntry(new ZipEntry("__MACOSX/._" + entry));
            z.write(new byte[]{0, 5, 22, 7});
            z.closeEntry();
        }
        return bo.toByteArray();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** The real Jena descriptor served from the test server, size unpinned (the test zip is small). */
    private RemoteDataset jena(String path) {
        return RemoteDataset.JENA_CLIMATE.at(url(path)).withSize(-1);
    }

    private List<String> cachedFiles() throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.exists(cacheRoot)) return names;
        try (Stream<Path> s = Files.walk(cacheRoot)) {
            s.filter(Files::isRegularFile).forEach(p -> names.add(cacheRoot.relativize(p).toString()));
        }
        names.sort(null);
        return names;
    }

    private Properties manifest() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(cacheRoot.resolve("jena-climate").resolve(DatasetCache.MANIFEST))) {
            p.load(r);
        }
        return p;
    }

    @Test
    void firstCallDownloadsLaterCallsUseTheCacheWithoutNetwork() throws Exception {
        byte[] zip = zip(ENTRY, CSV);
        replies.put("/jena.zip", Reply.ok(zip));
        List<String> log = new ArrayList<>();
        DatasetCache cache = new DatasetCache(cacheRoot).log(log::add);

        Path csv = cache.fetch(jena("/jena.zip"));
        assertEquals(cacheRoot.resolve("jena-climate").resolve(ENTRY), csv);
        assertArrayEquals(CSV, Files.readAllBytes(csv));
        assertEquals(1, hits.get());
        assertEquals(List.of("jena-climate/jena.zip", "jena-climate/" + ENTRY, "jena-climate/manifest.properties"), cachedFiles());
        Properties m = manifest();
        assertEquals(sha256(zip), m.getProperty("archive.sha256"));
        assertEquals(sha256(CSV), m.getProperty("file.sha256"));
        assertEquals("trusted on first use", m.getProperty("archive.sha256.source"));
        String zipHash = sha256(zip);
        assertTrue(log.stream().anyMatch(s -> s.contains("trusting this first download") && s.contains(zipHash)), log.toString());

        RemoteDataset d = jena("/jena.zip");
        assertEquals(csv, cache.fetch(d));
        assertEquals(1, hits.get(), "the second call must not touch the network");
        server.stop(0);
        server = null;
        assertArrayEquals(CSV, Files.readAllBytes(new DatasetCache(cacheRoot).fetch(d)),
                "a new cache object on the same folder works with the server gone");
    }

    @Test
    void aPinnedMatchingHashIsAccepted() throws Exception {
        byte[] zip = zip(ENTRY, CSV);
        replies.put("/jena.zip", Reply.ok(zip));
        Path csv = new DatasetCache(cacheRoot).fetch(jena("/jena.zip").withSha256(sha256(zip).toUpperCase()));
        assertArrayEquals(CSV, Files.readAllBytes(csv));
        assertEquals("pinned", manifest().getProperty("archive.sha256.source"));
    }

    @Test
    void checksumMismatchIsAnErrorAndCachesNothing() throws Exception {
        byte[] zip = zip(ENTRY, CSV);
        replies.put("/jena.zip", Reply.ok(zip));
        String wrong = "ab".repeat(32);
        IOException e = assertThrows(IOException.class,
                () -> new DatasetCache(cacheRoot).fetch(jena("/jena.zip").withSha256(wrong)));
        assertTrue(e.getMessage().contains("SHA-256 mismatch for jena-climate"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + wrong + ", got " + sha256(zip)), e.getMessage());
        assertTrue(e.getMessage().contains(url("/jena.zip").toString()), e.getMessage());
        assertEquals(List.of(), cachedFiles(), "a bad download never stays in the cache");
    }

    @Test
    void trustOnFirstUseRejectsALaterDifferentArchive() throws Exception {
        byte[] first = zip(ENTRY, CSV);
        replies.put("/jena.zip", Reply.ok(first));
        DatasetCache cache = new DatasetCache(cacheRoot);
        Path csv = cache.fetch(jena("/jena.zip"));
        Files.delete(csv);
        Files.delete(csv.resolveSibling("jena.zip"));

        byte[] swapped = zip(ENTRY, "Date Time,T\n01.01.2009 00:10:00,99\n".getBytes(StandardCharsets.UTF_8));
        replies.put("/jena.zip", Reply.ok(swapped));
        IOException e = assertThrows(IOException.class, () -> cache.fetch(jena("/jena.zip")));
        assertTrue(e.getMessage().contains("expected " + sha256(first) + " (recorded when it was first downloaded), got "
                + sha256(swapped)), e.getMessage());
        assertEquals(List.of("jena-climate/manifest.properties"), cachedFiles(), "only the recorded hash remains");
        assertEquals(sha256(first), manifest().getProperty("archive.sha256"));

        replies.put("/jena.zip", Reply.ok(first));
        assertArrayEquals(CSV, Files.readAllBytes(cache.fetch(jena("/jena.zip"))), "the original archive is accepted again");
    }

    @Test
    void aDamagedCachedFileIsReExtractedWithoutNetwork() throws Exception {
        replies.put("/jena.zip", Reply.ok(zip(ENTRY, CSV)));
        DatasetCache cache = new DatasetCache(cacheRoot);
        Path csv = cache.fetch(jena("/jena.zip"));
        Files.write(csv, "tampered".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(CSV, Files.readAllBytes(cache.fetch(jena("/jena.zip"))));
        assertEquals(1, hits.get());
    }

    @Test
    void aDamagedCachedArchiveIsDownloadedAgain() throws Exception {
        replies.put("/jena.zip", Reply.ok(zip(ENTRY, CSV)));
        DatasetCache cache = new DatasetCache(cacheRoot);
        Path csv = cache.fetch(jena("/jena.zip"));
        Files.write(csv, "tampered".getBytes(StandardCharsets.UTF_8));
        Files.write(csv.resolveSibling("jena.zip"), "not a zip".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(CSV, Files.readAllBytes(cache.fetch(jena("/jena.zip"))));
        assertEquals(2, hits.get());
    }

    @Test
    void http404And500AreClearErrors() throws Exception {
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(jena("/missing.zip")));
        assertEquals("cannot download jena-climate: HTTP 404 from " + url("/missing.zip"), e.getMessage());
        replies.put("/broken.zip", new Reply(500, "oops".getBytes(StandardCharsets.UTF_8), -1, null));
        e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(jena("/broken.zip")));
        assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void anUnreachableServerIsAClearError() throws Exception {
        RemoteDataset d = jena("/jena.zip");
        server.stop(0);
        server = null;
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(d));
        assertTrue(e.getMessage().startsWith("cannot download jena-climate from " + d.url() + ": java.net.ConnectException"),
                e.getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void aTruncatedDownloadCachesNothing() throws Exception {
        byte[] zip = zip(ENTRY, CSV);
        replies.put("/jena.zip", new Reply(200, zip, zip.length / 2, null));
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(jena("/jena.zip")));
        assertTrue(e.getMessage().contains("download of jena-climate from " + url("/jena.zip") + " failed after "
                + zip.length / 2 + " of " + zip.length + " bytes"), e.getMessage());
        assertEquals(List.of(), cachedFiles(), "no partial file is left behind");

        replies.put("/jena.zip", Reply.ok(zip));
        assertArrayEquals(CSV, Files.readAllBytes(new DatasetCache(cacheRoot).fetch(jena("/jena.zip"))),
                "the next call downloads afresh");
    }

    @Test
    void anInterruptedDownloadCachesNothing() throws Exception {
        CountDownLatch requested = new CountDownLatch(1), release = new CountDownLatch(1);
        server.createContext("/slow.zip", ex -> {
            requested.countDown();
            try (ex) {
                release.await(10, TimeUnit.SECONDS); // answers only after the client gave up
                ex.sendResponseHeaders(500, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                new DatasetCache(cacheRoot).fetch(jena("/slow.zip"));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        assertTrue(requested.await(10, TimeUnit.SECONDS), "the request reached the server");
        t.interrupt();
        t.join(10_000);
        release.countDown();
        assertTrue(failure.get() instanceof InterruptedIOException, String.valueOf(failure.get()));
        assertTrue(failure.get().getMessage().contains("was interrupted"), failure.get().getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void anArchiveWithoutTheEntryIsAnError() throws Exception {
        replies.put("/jena.zip", Reply.ok(zip("other.csv", CSV)));
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(jena("/jena.zip")));
        assertTrue(e.getMessage().contains("has no entry '" + ENTRY + "'; it has [other.csv, __MACOSX/._other.csv]"), e.getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void somethingThatIsNotAZipIsAnError() throws Exception {
        replies.put("/jena.zip", Reply.ok("<html>captive portal</html>".getBytes(StandardCharsets.UTF_8)));
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(jena("/jena.zip")));
        assertTrue(e.getMessage().contains("is not a readable zip archive"), e.getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void theJenaSizeIsPinned() throws Exception {
        replies.put("/jena.zip", Reply.ok(zip(ENTRY, CSV)));
        RemoteDataset real = RemoteDataset.JENA_CLIMATE.at(url("/jena.zip"));
        IOException e = assertThrows(IOException.class, () -> new DatasetCache(cacheRoot).fetch(real));
        assertTrue(e.getMessage().contains("expected 13568290; it was deleted"), e.getMessage());
        assertEquals(List.of(), cachedFiles());
    }

    @Test
    void redirectsAreFollowed() throws Exception {
        replies.put("/jena.zip", Reply.ok(zip(ENTRY, CSV)));
        replies.put("/old.zip", new Reply(302, new byte[0], -1, url("/jena.zip").toString()));
        Path csv = new DatasetCache(cacheRoot).fetch(jena("/old.zip"));
        assertArrayEquals(CSV, Files.readAllBytes(csv));
        assertEquals(2, hits.get());
        assertTrue(Files.exists(csv.resolveSibling("old.zip")), "cached under the name of the URL asked for");
    }

    @Test
    void cacheRootComesFromArgumentPropertyEnvironmentOrHome() {
        Properties props = new Properties();
        Map<String, String> env = new java.util.HashMap<>();
        assertEquals(Path.of("/home/u/.cache/rnn4j"), DatasetCache.defaultRoot(props, env, "/home/u"));
        env.put(DatasetCache.DIR_ENV, "/env/cache");
        assertEquals(Path.of("/env/cache"), DatasetCache.defaultRoot(props, env, "/home/u"));
        props.setProperty(DatasetCache.DIR_PROPERTY, "/prop/cache");
        assertEquals(Path.of("/prop/cache"), DatasetCache.defaultRoot(props, env, "/home/u"));
        assertEquals(cacheRoot.resolve("x").toAbsolutePath(), new DatasetCache(cacheRoot.resolve("x")).root());
        assertThrows(IllegalStateException.class, () -> DatasetCache.defaultRoot(new Properties(), Map.of(), null));
    }

    @Test
    void descriptorsAreValidated() {
        RemoteDataset j = RemoteDataset.JENA_CLIMATE;
        assertEquals("https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip", j.url().toString());
        assertEquals("jena_climate_2009_2016.csv.zip", j.archiveFileName());
        assertEquals("jena_climate_2009_2016.csv", j.fileName());
        assertNull(j.sha256(), "no published hash is known: trust on first use");
        URI u = URI.create("https://example.org/a.zip");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RemoteDataset("x", u, "a.csv", "12", -1));
        assertTrue(e.getMessage().contains("sha256 must be 64 hex digits, got '12'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RemoteDataset("x", URI.create("ftp://h/a.zip"), "a.csv", null, -1));
        assertTrue(e.getMessage().contains("url must be http or https"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RemoteDataset("../up", u, "a.csv", null, -1));
        assertTrue(e.getMessage().contains("dataset name must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RemoteDataset("x", u, "a.csv", null, 0));
        assertTrue(e.getMessage().contains("size must be positive or -1"), e.getMessage());
    }
}
