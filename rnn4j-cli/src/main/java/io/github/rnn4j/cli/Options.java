package io.github.rnn4j.cli;

import io.github.rnn4j.cli.data.ShippedData;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks the subcommands share for their options, each failing with the option's name and
 * the value given, and the one way they read a text option (a file, or a shipped dataset when
 * the option is not given) as strict UTF-8. Checks and reading only; no option parsing (picocli's).
 */
final class Options {
    private Options() {
    }

    static void positive(String option, int v) {
        if (v <= 0) throw new IllegalArgumentException(option + " must be positive, got " + v);
    }

    /** A dropout rate: in [0, 1). */
    static void rate(String option, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(option + " must be in [0, 1), got " + v);
    }

    /**
     * The text of {@code file}, or of the shipped dataset {@code shipped} when {@code file} is
     * null; bytes that are not UTF-8 are an error naming {@code option} and the file.
     */
    static String readText(Path file, String option, String shipped) throws IOException {
        byte[] bytes;
        if (file == null) {
            try (InputStream in = ShippedData.open(shipped)) {
                bytes = in.readAllBytes();
            }
        } else {
            if (!Files.isRegularFile(file)) throw new IOException(option + ": no such file: " + file);
            bytes = Files.readAllBytes(file);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(option + " " + file + " is not valid UTF-8: " + e.getMessage());
        }
    }
}
