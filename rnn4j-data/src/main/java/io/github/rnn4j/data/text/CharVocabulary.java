package io.github.rnn4j.data.text;

import java.util.Arrays;

/**
 * The characters of a character-level language model: the distinct characters of a text in
 * sorted order (so the same text always gives the same ids, as char-rnn and nanoGPT do), with
 * text to ids and back. A character outside the vocabulary is an error naming it and where it is
 * (line and column); nothing is mapped to an "unknown" id silently.
 *
 * <p>Characters are UTF-16 units ({@code char}), which covers the texts this serves (ASCII,
 * Latin scripts); it is not a tokenizer for words or subwords.
 */
public final class CharVocabulary {
    private final String chars;
    private final int[] ids; // char -> id, -1 when absent

    private CharVocabulary(String chars) {
        this.chars = chars;
        this.ids = new int[Character.MAX_VALUE + 1];
        Arrays.fill(ids, -1);
        for (int i = 0; i < chars.length(); i++) ids[chars.charAt(i)] = i;
    }

    /** The distinct characters of {@code text}, sorted. */
    public static CharVocabulary of(CharSequence text) {
        if (text.isEmpty()) throw new IllegalArgumentException("CharVocabulary: the text is empty");
        boolean[] seen = new boolean[Character.MAX_VALUE + 1];
        for (int i = 0; i < text.length(); i++) seen[text.charAt(i)] = true;
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < seen.length; c++) if (seen[c]) sb.append((char) c);
        return new CharVocabulary(sb.toString());
    }

    /** A vocabulary saved as its characters (e.g. in a model file's metadata): they must be sorted and distinct. */
    public static CharVocabulary fromChars(String chars) {
        if (chars.isEmpty()) throw new IllegalArgumentException("CharVocabulary: no characters");
        for (int i = 1; i < chars.length(); i++) {
            if (chars.charAt(i) <= chars.charAt(i - 1)) {
                throw new IllegalArgumentException("CharVocabulary: characters must be sorted and distinct; "
                        + describe(chars.charAt(i)) + " at position " + i + " follows " + describe(chars.charAt(i - 1)));
            }
        }
        return new CharVocabulary(chars);
    }

    public int size() {
        return chars.length();
    }

    /** The characters in id order. */
    public String chars() {
        return chars;
    }

    public boolean contains(char c) {
        return ids[c] >= 0;
    }

    public char symbol(int id) {
        if (id < 0 || id >= chars.length()) {
            throw new IllegalArgumentException("CharVocabulary: id " + id + " outside [0, " + chars.length() + ")");
        }
        return chars.charAt(id);
    }

    /**
     * The ids of {@code text}; {@code where} names the text in an error (a file name, "--prime").
     *
     * @throws IllegalArgumentException at the first character outside the vocabulary, with its line and column
     */
    public int[] encode(CharSequence text, String where) {
        int[] out = new int[text.length()];
        int line = 1, col = 1;
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            int id = ids[c];
            if (id < 0) {
                throw new IllegalArgumentException(where + ": " + describe(c) + " at line " + line + ", column " + col
                        + " is not among the vocabulary's " + chars.length() + " characters");
            }
            out[i] = id;
            if (c == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return out;
    }

    /** The text of {@code ids[from..to)}. */
    public String decode(int[] ids, int from, int to) {
        StringBuilder sb = new StringBuilder(to - from);
        for (int i = from; i < to; i++) sb.append(symbol(ids[i]));
        return sb.toString();
    }

    static String describe(char c) {
        String shown = c == '\n' ? "\\n" : c == '\t' ? "\\t" : Character.isISOControl(c) ? "" : String.valueOf(c);
        return "'" + shown + "' (U+" + String.format("%04X", (int) c) + ")";
    }
}
