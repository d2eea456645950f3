/**
 * Where the CLI's datasets come from: small real datasets shipped inside the jar
 * ({@link io.github.rnn4j.cli.data.ShippedData}, with their source and licence beside them) and
 * public datasets downloaded once into a local cache and checked by SHA-256
 * ({@link io.github.rnn4j.cli.data.DatasetCache}, {@link io.github.rnn4j.cli.data.RemoteDataset}).
 *
 * <p>This package hands out files and streams; parsing CSV into series is the data module's job
 * ({@code io.github.rnn4j.data.CsvSeries}).
 */
package io.github.rnn4j.cli.data;
