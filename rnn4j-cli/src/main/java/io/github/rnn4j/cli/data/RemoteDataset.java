package io.github.rnn4j.cli.data;

import java.net.URI;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A public dataset that {@link DatasetCache} downloads: a zip archive at a URL, the one entry of
 * it that is the data file, and what the archive must look like (SHA-256, size).
 *
 * <p>{@code sha256 == null} means <b>trust on first use</b>: no published checksum is known, so
 * the hash of the first successful download is recorded in the cache and every later load (and
 * any re-download) must match it. That protects against a corrupted or swapped file later, not
 * against a bad first download. {@code size < 0} means the size is unknown.
 *
 * <p>A description only: it does no input or output.
 *
 * @param name      short name, also the cache sub-folder, e.g. {@code jena-climate}
 * @param url       where the zip archive is downloaded from (http or https)
 * @param zipEntry  the entry of the archive to extract, e.g. {@code jena_climate_2009_2016.csv}
 * @param sha256    the archive's SHA-256 in hex, or null to trust on first use
 * @param size      the archive's size in bytes, or -1 if unknown
 */
public record RemoteDataset(String name, URI url, String zipEntry, String sha256, long size) {

    /**
     * The Jena climate data of Chollet's <i>Deep Learning with Python</i> (Max Planck Institute for
     * Biogeochemistry weather station, 2009-2016, 14 features every 10 minutes, 420,451 rows), as
     * the zip the Keras and TensorFlow tutorials download.
     *
     * <p>No published SHA-256 of this zip was found (the tutorials call {@code keras.utils.get_file}
     * without {@code file_hash}; searching public code for a pinned hash found none), so its hash
     * is trusted on first use. Its size, 13,568,290 bytes, is pinned: it is the length printed by
     * {@code get_file} in the download log of TensorFlow's "Time series forecasting" tutorial
     * (tensorflow.org/tutorials/structured_data/time_series, and its translations). The older
     * copy on Amazon S3 ({@code keras-datasets}) is a different file (13,565,642 bytes).
     */
    public static final RemoteDataset JENA_CLIMATE = new RemoteDataset("jena-climate",
            URI.create("https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip"),
            "jena_climate_2009_2016.csv", null, 13_568_290L);

    /** Validates the fields; the hash is kept in lower case. */
    public RemoteDataset {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("dataset name must be lower-case letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (url == null || url.getScheme() == null
                || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("dataset '" + name + "': url must be http or https, got " + url);
        }
        if (zipEntry == null || zipEntry.isBlank() || zipEntry.endsWith("/")) {
            throw new IllegalArgumentException("dataset '" + name + "': zipEntry must name a file in the archive, got '" + zipEntry + "'");
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (sha256.length() != 64 || !sha256.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException("dataset '" + name + "': sha256 must be 64 hex digits, got '" + sha256 + "'");
            }
        }
        if (size < -1 || size == 0) throw new IllegalArgumentException("dataset '" + name + "': size must be positive or -1 (unknown), got " + size);
    }

    /** The same dataset from another URL (a mirror, or a test server); hash and size still apply. */
    public RemoteDataset at(URI mirror) {
        return new RemoteDataset(name, mirror, zipEntry, sha256, size);
    }

    /** The same dataset with a known SHA-256 (hex), for a user who has verified it elsewhere. */
    public RemoteDataset withSha256(String hex) {
        return new RemoteDataset(name, url, zipEntry, hex, size);
    }

    /** The same dataset with another expected size, or -1 for unknown. */
    public RemoteDataset withSize(long bytes) {
        return new RemoteDataset(name, url, zipEntry, sha256, bytes);
    }

    /** The file name the archive is cached under: the last segment of the URL path. */
    public String archiveFileName() {
        String path = url.getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() || last.startsWith(".") ? name + ".zip" : last;
    }

    /** The file name the extracted entry is cached under: the last segment of the entry name. */
    public String fileName() {
        String last = zipEntry.substring(zipEntry.lastIndexOf('/') + 1);
        if (last.startsWith(".") || last.equals("manifest.properties")) {
            throw new IllegalArgumentException("dataset '" + name + "': cannot cache an entry named '" + last + "'");
        }
        return last;
    }
}
