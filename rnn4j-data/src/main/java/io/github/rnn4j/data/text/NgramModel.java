package io.github.rnn4j.data.text;

import java.util.HashMap;
import java.util.Map;

/**
 * A character n-gram model with add-one (Laplace) smoothing, the baseline a character-level
 * language model is judged against: {@code p(c | the n-1 characters before) = (count(context, c)
 * + 1) / (count(context) + V)}, counted on a training range. Order 1 is the unigram (no
 * context), 2 the bigram, and so on. {@link #crossEntropy} scores a range in nats per character
 * (the unit of a language model's loss; perplexity is its exponential).
 *
 * <p>Counts only; no backoff, no interpolation (the oversmoothing of add-one at long contexts is
 * part of what a recurrent model beats).
 */
public final class NgramModel {
    private final int order, vocab;
    private final Map<Long, int[]> counts = new HashMap<>(); // context key -> [count per next id..., total]

    private NgramModel(int order, int vocab) {
        this.order = order;
        this.vocab = vocab;
    }

    /** Counts on {@code ids[from..to)}: every position with a full context inside the range. */
    public static NgramModel fit(int order, int vocab, int[] ids, int from, int to) {
        if (order < 1 || order > 8) throw new IllegalArgumentException("NgramModel: order must be in 1..8, got " + order);
        if (vocab < 1 || Math.pow(vocab, order - 1) > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("NgramModel: vocabulary of " + vocab + " does not fit order " + order);
        }
        check(ids, from, to);
        NgramModel m = new NgramModel(order, vocab);
        for (int i = from + order - 1; i < to; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("NgramModel: id " + id + " at position " + i + " outside [0, " + vocab + ")");
            }
            int[] row = m.counts.computeIfAbsent(m.key(ids, i), k -> new int[vocab + 1]);
            row[id]++;
            row[vocab]++;
        }
        return m;
    }

    public int order() {
        return order;
    }

    /** ln p(ids[i] | ids[i-order+1 .. i)). */
    public double logProb(int[] ids, int i) {
        int[] row = counts.get(key(ids, i));
        int c = row == null ? 0 : row[ids[i]], total = row == null ? 0 : row[vocab];
        return Math.log((c + 1.0) / (total + vocab));
    }

    /**
     * Mean {@code -ln p} over the characters {@code ids[from..to)}, each predicted from the
     * characters before it (which may lie before {@code from}: the text goes on).
     */
    public double crossEntropy(int[] ids, int from, int to) {
        check(ids, from, to);
        if (from < order - 1) {
            throw new IllegalArgumentException("NgramModel: position " + from + " has fewer than " + (order - 1) + " characters before it");
        }
        double sum = 0;
        for (int i = from; i < to; i++) sum -= logProb(ids, i);
        return sum / (to - from);
    }

    private long key(int[] ids, int i) {
        long k = 0;
        for (int j = i - order + 1; j < i; j++) k = k * vocab + ids[j];
        return k;
    }

    private static void check(int[] ids, int from, int to) {
        if (from < 0 || to > ids.length || from >= to) {
            throw new IllegalArgumentException("NgramModel: range [" + from + ", " + to + ") is not inside " + ids.length + " ids");
        }
    }
}
