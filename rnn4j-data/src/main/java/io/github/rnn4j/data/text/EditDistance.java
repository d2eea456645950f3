package io.github.rnn4j.data.text;

/**
 * Levenshtein distance between two strings (insertions, deletions and substitutions of one
 * character each cost 1), and the character error rate it gives a translation or transcription:
 * distance / length of the reference. Two rows of the table; no alignment is returned.
 */
public final class EditDistance {
    private EditDistance() {
    }

    public static int distance(CharSequence a, CharSequence b) {
        int m = a.length(), n = b.length();
        int[] prev = new int[n + 1], cur = new int[n + 1];
        for (int j = 0; j <= n; j++) prev[j] = j;
        for (int i = 1; i <= m; i++) {
            cur[0] = i;
            char ca = a.charAt(i - 1);
            for (int j = 1; j <= n; j++) {
                int sub = prev[j - 1] + (ca == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[n];
    }

    /** distance(hypothesis, reference) / reference length; the reference must not be empty. */
    public static double characterErrorRate(CharSequence hypothesis, CharSequence reference) {
        if (reference.isEmpty()) throw new IllegalArgumentException("EditDistance: empty reference");
        return (double) distance(hypothesis, reference) / reference.length();
    }
}
