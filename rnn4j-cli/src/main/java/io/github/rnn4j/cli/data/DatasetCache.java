package io.github.rnn4j.cli.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Downloads a public dataset's zip archive once into a local cache folder, checks it, extracts
 * the data file, and hands back that file's path on every later call without touching the network.
 *
 * <p>Layout: {@code ROOT/NAME/} holds the archive, the extracted file and {@code manifest.properties}
 * (the archive's and the file's SHA-256, size, URL, time). ROOT is, in order: the constructor
 * argument; the system property {@value #DIR_PROPERTY}; the environment variable
 * {@value #DIR_ENV}; {@code ~/.cache/rnn4j}.
 *
 * <p>Guarantees:
 * <ul>
 * <li>a download goes to a temporary file beside the cache and is moved into place atomically
 *     only after its size, its SHA-256 and its zip entry have been checked; a failed, truncated
 *     or mismatching download is deleted and never becomes a cached file;</li>
 * <li>the archive is checked against {@link RemoteDataset#sha256()} when the dataset pins one;
 *     otherwise (<b>trust on first use</b>) the hash of the first good download is recorded in the
 *     manifest and every later load and re-download must match it. Deleting the manifest (or the
 *     folder) resets that trust;</li>
 * <li>a later call re-hashes the cached file against the manifest; a damaged file is re-extracted
 *     from the cached archive, a damaged archive is downloaded again (and checked again).</li>
 * </ul>
 * Errors are {@link IOException}s whose message names the dataset, the URL and what was wrong
 * (HTTP status, expected and actual hash or size, missing zip entry).
 *
 * <p>Not a general download manager: no resuming, no parallel chunks, no locking (two processes
 * fetching at once each download and move a verified copy into place; the last one wins).
 *
 * <pre>{@code
 * Path csv = new DatasetCache().log(System.err::println).fetch(RemoteDataset.JENA_CLIMATE);
 * }</pre>
 */
public final class DatasetCache {
    /** System property that sets the cache root. */
    public static final String DIR_PROPERTY = "rnn4j.cache.dir";
    /** Environment variable that sets the cache root (after the system property). */
    public static final String DIR_ENV = "RNN4J_CACHE_DIR";
    static final String MANIFEST = "manifest.properties";

    private final Path root;
    private final HttpClient client;
    private Consumer<String> log = s -> { };

    /** A cache in the default root (see the class comment). */
    public DatasetCache() {
        this(defaultRoot(System.getProperties(), System.getenv(), System.getProperty("user.home")));
    }

    /** A cache in {@code root}. */
    public DatasetCache(Path root) {
        this(root, HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)   // never https -> http
                .connectTimeout(Duration.ofSeconds(30))
                .build());
    }

    /** A cache in {@code root} that downloads with this client (proxy, timeouts, TLS settings). */
    public DatasetCache(Path root, HttpClient client) {
        this.root = root.toAbsolutePath().normalize();
        this.client = client;
    }

    /** Where messages go (download started, finished, hash recorded); silent by default. */
    public DatasetCache log(Consumer<String> log) {
        this.log = log;
        return this;
    }

    /** The cache root. */
    public Path root() {
        return root;
    }

    /** The folder a dataset is cached in. */
    public Path folder(RemoteDataset d) {
        return root.resolve(d.name());
    }

    static Path defaultRoot(Properties props, Map<String, String> env, String userHome) {
        String p = props.getProperty(DIR_PROPERTY);
        if (p != null && !p.isBlank()) return Path.of(p);
        String e = env.get(DIR_ENV);
        if (e != null && !e.isBlank()) return Path.of(e);
        if (userHome == null || userHome.isBlank()) {
            throw new IllegalStateException("no cache folder: set -D" + DIR_PROPERTY + " or " + DIR_ENV + " (user.home is not set)");
        }
        return Path.of(userHome, ".cache", "rnn4j");
    }

    /**
     * The path of the dataset's data file, downloading and extracting it first if the cache does
     * not hold a good copy.
     *
     * @throws IOException for an HTTP error, a network failure or a truncated download, a size or
     *                     SHA-256 mismatch, an archive that is not a zip or lacks the entry
     */
    public Path fetch(RemoteDataset d) throws IOException {
        Path dir = folder(d);
        Path archive = dir.resolve(d.archiveFileName()), file = dir.resolve(d.fileName());
        if (archive.equals(file) || d.archiveFileName().equals(MANIFEST)) {
            throw new IllegalArgumentException("dataset '" + d.name() + "': archive and data file names clash: " + d.archiveFileName());
        }
        Files.createDirectories(dir);
        Properties m = readManifest(dir);
        if (m != null && d.sha256() != null && !d.sha256().equals(m.getProperty("archive.sha256"))) {
            m = null; // the dataset now pins another archive: the cached one is stale
        }
        String expected = d.sha256() != null ? d.sha256() : m == null ? null : m.getProperty("archive.sha256");

        if (m != null && Files.isRegularFile(file) && m.getProperty("file.sha256", "").equals(sha256(file))) {
            log.accept(d.name() + ": using the cached " + file);
            return file;
        }
        if (expected != null && Files.isRegularFile(archive)) {
            String have = sha256(archive);
            if (have.equals(expected) && sizeMatches(d, Files.size(archive))) {
                log.accept(d.name() + ": re-extracting " + d.zipEntry() + " from the cached archive");
                commit(d, dir, archive, null, file, expected, d.sha256() != null);
                return file;
            }
            log.accept(d.name() + ": cached archive " + archive + " has SHA-256 " + have + ", expected " + expected
                    + "; deleting it and downloading again");
            Files.deleteIfExists(archive);
        }
        Files.deleteIfExists(file);
        download(d, dir, archive, file, expected);
        return file;
    }

    private void download(RemoteDataset d, Path dir, Path archive, Path file, String expected) throws IOException {
        Path part = tempPath(dir, d.archiveFileName());
        try {
            log.accept("Downloading " + d.name() + " from " + d.url()
                    + (d.size() > 0 ? String.format(java.util.Locale.ROOT, " (%.1f MB)", d.size() / 1e6) : ""));
            HttpRequest req = HttpRequest.newBuilder(d.url()).GET().timeout(Duration.ofMinutes(2))
                    .header("User-Agent", "rnn4j").build();
            HttpResponse<InputStream> resp;
            try {
                resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + d.name() + " from " + d.url() + " was interrupted");
            } catch (IOException e) { // a ConnectException's own message is often null
                throw new IOException("cannot download " + d.name() + " from " + d.url() + ": " + e, e);
            }
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new IOException("cannot download " + d.name() + ": HTTP " + resp.statusCode() + " from " + d.url());
            }
            long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest md = sha256();
            long n = 0;
            try (InputStream in = resp.body();
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, r);
                    md.update(buf, 0, r);
                    n += r;
                }
            } catch (IOException e) {
                throw new IOException("download of " + d.name() + " from " + d.url() + " failed after " + n
                        + (declared >= 0 ? " of " + declared : "") + " bytes (" + e + "); nothing was cached", e);
            }
            if (declared >= 0 && n != declared) {
                throw new IOException("download of " + d.name() + " from " + d.url() + " is truncated: " + n
                        + " of " + declared + " bytes");
            }
            if (!sizeMatches(d, n)) {
                throw new IOException("download of " + d.name() + " from " + d.url() + " has " + n + " bytes, expected "
                        + d.size() + "; it was deleted");
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (expected != null && !expected.equals(got)) {
                throw new IOException("SHA-256 mismatch for " + d.name() + " from " + d.url() + ": expected " + expected
                        + (d.sha256() != null ? "" : " (recorded when it was first downloaded)") + ", got " + got
                        + "; the download was deleted");
            }
            commit(d, dir, part, archive, file, got, d.sha256() != null);
            if (expected == null) {
                log.accept(d.name() + ": no published checksum; trusting this first download and recording its SHA-256 "
                        + got + " in " + dir.resolve(MANIFEST));
            }
            log.accept(d.name() + ": " + n + " bytes, SHA-256 " + got + ", cached in " + dir);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /**
     * Extracts the entry from {@code zip} (a checked archive) next to it, then moves the archive to
     * {@code archiveTarget} (unless null: already in place), the file into place, and writes the
     * manifest, in that order, so a crash leaves at worst a state the next call repairs.
     */
    private void commit(RemoteDataset d, Path dir, Path zip, Path archiveTarget, Path file, String archiveSha, boolean pinned)
            throws IOException {
        Path filePart = tempPath(dir, d.fileName());
        try {
            MessageDigest md = sha256();
            try (ZipFile zf = new ZipFile(zip.toFile())) {
                ZipEntry e = zf.getEntry(d.zipEntry());
                if (e == null || e.isDirectory()) {
                    List<String> names = new ArrayList<>();
                    for (var it = zf.entries(); it.hasMoreElements() && names.size() < 10; ) names.add(it.nextElement().getName());
                    throw new IOException("the archive of " + d.name() + " from " + d.url() + " has no entry '" + d.zipEntry()
                            + "'; it has " + names + (archiveTarget != null ? "; the download was deleted" : ""));
                }
                try (InputStream in = zf.getInputStream(e);
                     OutputStream out = Files.newOutputStream(filePart, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    byte[] buf = new byte[1 << 16];
                    for (int r; (r = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, r);
                        md.update(buf, 0, r);
                    }
                }
            } catch (ZipException e) {
                throw new IOException("the file downloaded for " + d.name() + " from " + d.url() + " is not a readable zip archive ("
                        + e.getMessage() + ")" + (archiveTarget != null ? "; the download was deleted" : ""), e);
            }
            long archiveSize = Files.size(zip);
            if (archiveTarget != null) move(zip, archiveTarget);
            move(filePart, file);
            Properties m = new Properties();
            m.setProperty("name", d.name());
            m.setProperty("url", d.url().toString());
            m.setProperty("archive", d.archiveFileName());
            m.setProperty("archive.sha256", archiveSha);
            m.setProperty("archive.size", Long.toString(archiveSize));
            m.setProperty("archive.sha256.source", pinned ? "pinned" : "trusted on first use");
            m.setProperty("file", d.fileName());
            m.setProperty("file.sha256", HexFormat.of().formatHex(md.digest()));
            m.setProperty("file.size", Long.toString(Files.size(file)));
            m.setProperty("cached.at", Instant.now().toString());
            writeManifest(dir, m);
        } finally {
            Files.deleteIfExists(filePart);
        }
    }

    private static boolean sizeMatches(RemoteDataset d, long n) {
        return d.size() < 0 || d.size() == n;
    }

    private static Properties readManifest(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(MANIFEST))) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null; // unreadable manifest: treat as absent
        }
        return p.getProperty("archive.sha256") == null ? null : p;
    }

    private static void writeManifest(Path dir, Properties m) throws IOException {
        Path part = tempPath(dir, MANIFEST);
        try {
            try (Writer w = Files.newBufferedWriter(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                m.store(w, "rnn4j dataset cache; written by DatasetCache, checked on every load"); // keys sorted since JDK 18
            }
            move(part, dir.resolve(MANIFEST));
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static Path tempPath(Path dir, String name) {
        return dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) >= 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
