package io.github.rnn4j.data.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sentence pairs for translation, in the tab-separated format of the Tatoeba / manythings.org
 * files ({@code source<TAB>target} per line; a third column, the attribution of newer files,
 * is ignored), and a split that keeps every translation of one source sentence in the same part,
 * so that no test sentence was seen in training with another translation. A line without a tab,
 * or with an empty side, is an error naming its line number.
 */
public final class SentencePairs {
    private final List<String> sources, targets;

    private SentencePairs(List<String> sources, List<String> targets) {
        this.sources = Collections.unmodifiableList(sources);
        this.targets = Collections.unmodifiableList(targets);
    }

    /** The first {@code maxPairs} pairs of {@code text} (all when {@code maxPairs <= 0}); {@code where} names it in errors. */
    public static SentencePairs parse(String text, String where, int maxPairs) {
        List<String> s = new ArrayList<>(), t = new ArrayList<>();
        int line = 0, pos = 0;
        while (pos < text.length() && (maxPairs <= 0 || s.size() < maxPairs)) {
            int nl = text.indexOf('\n', pos);
            String l = text.substring(pos, nl < 0 ? text.length() : nl);
            pos = nl < 0 ? text.length() : nl + 1;
            line++;
            if (l.endsWith("\r")) l = l.substring(0, l.length() - 1);
            if (l.isEmpty()) continue;
            String[] cols = l.split("\t", -1);
            if (cols.length < 2 || cols[0].isEmpty() || cols[1].isEmpty()) {
                throw new IllegalArgumentException(where + ", line " + line + ": need 'source<TAB>target', got \""
                        + (l.length() > 60 ? l.substring(0, 60) + "..." : l) + "\"");
            }
            s.add(cols[0]);
            t.add(cols[1]);
        }
        if (s.isEmpty()) throw new IllegalArgumentException(where + ": no sentence pairs");
        return new SentencePairs(s, t);
    }

    public int size() {
        return sources.size();
    }

    public List<String> sources() {
        return sources;
    }

    public List<String> targets() {
        return targets;
    }

    /** Every target of each distinct source, in order of first appearance. */
    public Map<String, List<String>> references() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < size(); i++) m.computeIfAbsent(sources.get(i), k -> new ArrayList<>()).add(targets.get(i));
        return m;
    }

    /** The pairs whose indices are given, in that order. */
    public SentencePairs subset(List<Integer> indices) {
        List<String> s = new ArrayList<>(indices.size()), t = new ArrayList<>(indices.size());
        for (int i : indices) {
            s.add(sources.get(i));
            t.add(targets.get(i));
        }
        return new SentencePairs(s, t);
    }

    /**
     * Three parts (train, validation, test) by source sentence: the distinct sources are shuffled
     * with {@code seed} and cut by the two fractions (of sources, not of pairs), each part getting
     * all the pairs of its sources.
     */
    public List<SentencePairs> splitBySource(double validation, double test, long seed) {
        if (!(validation > 0 && test > 0 && validation + test < 1)) {
            throw new IllegalArgumentException("SentencePairs: need validation > 0, test > 0 and their sum < 1, got " + validation + " and " + test);
        }
        List<String> distinct = new ArrayList<>(references().keySet());
        if (distinct.size() < 3) throw new IllegalArgumentException("SentencePairs: " + distinct.size() + " distinct sources cannot make three parts");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = distinct.size() - 1; i > 0; i--) Collections.swap(distinct, i, r.nextInt(i + 1));
        int nVal = Math.max(1, (int) Math.round(distinct.size() * validation));
        int nTest = Math.max(1, (int) Math.round(distinct.size() * test));
        Map<String, Integer> part = new java.util.HashMap<>();
        for (int i = 0; i < distinct.size(); i++) part.put(distinct.get(i), i < nTest ? 2 : i < nTest + nVal ? 1 : 0);
        List<List<Integer>> idx = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < size(); i++) idx.get(part.get(sources.get(i))).add(i);
        return List.of(subset(idx.get(0)), subset(idx.get(1)), subset(idx.get(2)));
    }
}
