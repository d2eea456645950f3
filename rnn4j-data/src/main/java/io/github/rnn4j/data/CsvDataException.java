package io.github.rnn4j.data;

/**
 * A problem with the contents of a CSV file (missing column, non-numeric cell, missing value,
 * gap in time), whose message names the file, the line as numbered in the file (the header is
 * line 1), the column and the cell text. The fields are there for programs that want to point
 * at the cell; people read the message. Not used for I/O errors (those stay IOExceptions).
 */
public final class CsvDataException extends IllegalArgumentException {
    private final String file;
    private final long line;
    private final String column;
    private final String cell;

    /** A problem at {@code line} (0 when not tied to a line), {@code column} and {@code cell} (either may be null). */
    public CsvDataException(String message, String file, long line, String column, String cell) {
        super(message);
        this.file = file;
        this.line = line;
        this.column = column;
        this.cell = cell;
    }

    /** The file (or source name) read. */
    public String file() {
        return file;
    }

    /** The line in the file, header = 1; 0 when the problem is not tied to a line. */
    public long line() {
        return line;
    }

    /** The column's name, or null. */
    public String column() {
        return column;
    }

    /** The cell's text, or null. */
    public String cell() {
        return cell;
    }
}
