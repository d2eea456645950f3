package io.github.rnn4j.io;

import java.io.IOException;

/** A model file that cannot be read: truncated, corrupted, of another format, or inconsistent. */
public class ModelFileException extends IOException {
    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
