package io.github.rnn4j.data.text;

import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sentence pairs, their split, edit distance, and the encoder-decoder's tensors and greedy decoding. */
class TranslationTest {

    @Test
    void pairsParseAndBadLinesAreNamed() {
        SentencePairs p = SentencePairs.parse("Go.\tVa !\nRun!\tCours !\r\nRun!\tCourez !\tCC-BY 2.0\n\n", "fra.txt", 0);
        assertEquals(List.of("Go.", "Run!", "Run!"), p.sources());
        assertEquals(List.of("Va !", "Cours !", "Courez !"), p.targets());
        assertEquals(List.of("Cours !", "Courez !"), p.references().get("Run!"));
        assertEquals(2, SentencePairs.parse("a\tb\nc\td\ne\tf\n", "x", 2).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentencePairs.parse("a\tb\nno tab here\n", "fra.txt", 0));
        assertEquals("fra.txt, line 2: need 'source<TAB>target', got \"no tab here\"", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentencePairs.parse("a\t\n", "x", 0));
        assertThrows(IllegalArgumentException.class, () -> SentencePairs.parse("\n\n", "x", 0));
    }

    @Test
    void splitKeepsEveryTranslationOfASourceTogether() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            sb.append("s").append(i).append("\tt").append(i).append('\n');
            if (i % 3 == 0) sb.append("s").append(i).append("\tu").append(i).append('\n');
        }
        SentencePairs all = SentencePairs.parse(sb.toString(), "x", 0);
        List<SentencePairs> parts = all.splitBySource(0.1, 0.2, 7);
        assertEquals(all.size(), parts.get(0).size() + parts.get(1).size() + parts.get(2).size());
        assertEquals(20, parts.get(1).references().size());
        assertEquals(40, parts.get(2).references().size());
        Set<String> seen = new HashSet<>();
        for (SentencePairs part : parts) {
            for (String s : part.references().keySet()) {
                assertTrue(seen.add(s), s + " in two parts");
                assertEquals(all.references().get(s), part.references().get(s), "all translations of " + s);
            }
        }
        assertEquals(parts.get(2).sources(), all.splitBySource(0.1, 0.2, 7).get(2).sources(), "the seed fixes the split");
    }

    @Test
    void editDistanceByHand() {
        assertEquals(3, EditDistance.distance("kitten", "sitting"));
        assertEquals(0, EditDistance.distance("abc", "abc"));
        assertEquals(3, EditDistance.distance("", "abc"));
        assertEquals(1, EditDistance.distance("Cours !", "Cours!"));
        assertEquals(0.5, EditDistance.characterErrorRate("ab", "abcd"));
        assertThrows(IllegalArgumentException.class, () -> EditDistance.characterErrorRate("a", ""));
    }

    @Test
    void tensorsAreShiftedByOneAndPaddedWithZero() {
        CharVocabulary src = CharVocabulary.of("ab"), tgt = CharVocabulary.of("\t\nxy");
        CharTranslator tr = CharTranslator.create(src, tgt, 4, 8, 0, 0, 1);
        CharTranslator.Batch b = tr.encode(List.of("ab", "b"), List.of("x", "yx"), "t");
        // source ids + 1: a = 1, b = 2; target ids + 1: \t = 1, \n = 2, x = 3, y = 4
        assertArrayEquals(new float[]{1, 2, 2, 0}, b.sourceIds().data());
        assertArrayEquals(new float[]{1, 3, 0, 1, 4, 3}, b.decoderIds().data());
        assertArrayEquals(new float[]{3, 2, 0, 4, 3, 2}, b.targetIds().data());
        assertArrayEquals(new float[]{2, 1, 2, 0}, tr.reverseSource(true).encode(List.of("ab", "b"), List.of("x", "yx"), "t")
                .sourceIds().data(), "reversed sources, padding still at the end");
        tr.reverseSource(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tr.encode(List.of("c"), List.of("x"), "data"));
        assertTrue(e.getMessage().startsWith("data, pair 1 (source): 'c' (U+0063)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharTranslator.create(src, CharVocabulary.of("xy"), 4, 8, 0, 0, 1));
    }

    /** Padding neither moves the states nor counts: a pair scores the same alone and padded to 16 steps in a batch. */
    @Test
    void paddedStepsAreMaskedOutOfTheLossAndTheMetrics() {
        CharTranslator tr = CharTranslator.create(CharVocabulary.of("abc"), CharVocabulary.of("abc\t\n"), 8, 16, 0, 0, 3);
        tr.model().compile(new Adam(0.01), new SparseCategoricalCrossentropy(true), "accuracy");
        CharTranslator.Batch one = tr.encode(List.of("ab"), List.of("ba"), "x");
        CharTranslator.Batch padded = tr.encode(List.of("ab", "abcabcabc"), List.of("ba", "cbacbacbacbacba"), "x");
        assertEquals(16, padded.decoderIds().dim(1));
        java.util.Map<String, Double> alone = tr.model().evaluate(one.inputs(), new Tensor[]{one.targetIds()}, 8);
        java.util.Map<String, Double> inBatch = tr.model().evaluate(
                new Tensor[]{padded.sourceIds().slice0(0, 1), padded.decoderIds().slice0(0, 1)},
                new Tensor[]{padded.targetIds().slice0(0, 1)}, 8);
        assertEquals(alone.get("loss"), inBatch.get("loss"), 1e-6);
        assertEquals(alone.get("accuracy"), inBatch.get("accuracy"), 1e-12);
    }

    /**
     * A beam wide enough to keep every hypothesis is an exhaustive search: it must return the
     * most probable ended translation, found here by scoring every candidate with the training
     * model (teacher forcing, the whole sequence at once) instead of the one-step decoder.
     */
    @Test
    void aWideBeamFindsTheMostProbableTranslation() {
        CharTranslator tr = CharTranslator.create(CharVocabulary.of("abc"), CharVocabulary.of("ab\t\n"), 4, 6, 0, 0, 11);
        int v = tr.target().size() + 1; // ids: 0 pad, then \t \n a b as 1..4
        List<String> sources = new java.util.ArrayList<>();
        for (String x : List.of("a", "b", "c")) {
            sources.add(x);
            for (String y : List.of("a", "b", "c")) {
                sources.add(x + y);
                for (String z : List.of("a", "b", "c")) sources.add(x + y + z);
            }
        }
        int greedyMisses = 0;
        for (String source : sources) {
            // every ended translation of at most 2 characters (the beam runs 3 steps: 2 characters and an end)
            List<String> cands = new java.util.ArrayList<>(List.of(""));
            for (String x : List.of("a", "b")) {
                cands.add(x);
                for (String y : List.of("a", "b")) cands.add(x + y);
            }
            String best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (String cand : cands) {
                CharTranslator.Batch b = tr.encode(List.of(source), List.of(cand.isEmpty() ? "a" : cand), "bf");
                // teacher-forced logits for START + cand; the last step scores either ending (END or START)
                Tensor dec = Tensor.zeros(1, cand.length() + 1);
                int[] ids = tr.target().encode(CharTranslator.START + cand, "bf");
                for (int k = 0; k < ids.length; k++) dec.data()[k] = ids[k] + 1;
                float[] logits = tr.model().predict(new Tensor[]{b.sourceIds(), dec}, 1)[0].data();
                double score = 0;
                for (int k = 0; k <= cand.length(); k++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 1; j < v; j++) max = Math.max(max, logits[k * v + j]);
                    for (int j = 1; j < v; j++) sum += Math.exp(logits[k * v + j] - max);
                    double lse = max + Math.log(sum);
                    if (k < cand.length()) {
                        score += logits[k * v + tr.target().encode(cand.substring(k, k + 1), "bf")[0] + 1] - lse;
                    } else {
                        int end = tr.target().encode("\n", "bf")[0] + 1, start = tr.target().encode("\t", "bf")[0] + 1;
                        score += Math.max(logits[k * v + end], logits[k * v + start]) - lse;
                    }
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = cand;
                }
            }
            assertEquals(best, tr.translate(List.of(source), 3, 32).get(0), "source " + source);
            if (!best.equals(tr.translate(List.of(source), 3).get(0))) greedyMisses++;
        }
        assertTrue(greedyMisses > 0, "greedy decoding found the best translation of every source: the search was not put to the test");
    }

    /**
     * End to end on a task only the encoder's states can solve: reverse a short word of a, b and c.
     * The decoder never sees the source; if the inference graphs did not share the trained
     * layers, or decoding fed the wrong character back, the words would not come out reversed.
     */
    @Test
    void learnsToReverseWordsAndDecodesThemGreedily() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        List<String> src = new java.util.ArrayList<>(), tgt = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder w = new StringBuilder();
            int len = 2 + r.nextInt(3);
            for (int k = 0; k < len; k++) w.append((char) ('a' + r.nextInt(3)));
            src.add(w.toString());
            tgt.add(w.reverse().toString());
        }
        CharTranslator tr = CharTranslator.create(CharVocabulary.of("abc"), CharVocabulary.of("abc\t\n"), 8, 32, 0, 0, 3);
        CharTranslator.Batch b = tr.encode(src, tgt, "words");
        tr.model().compile(new Adam(0.01), new SparseCategoricalCrossentropy(true));
        tr.model().fit(b.inputs(), new Tensor[]{b.targetIds()}, new FitOptions().epochs(40).batchSize(32).verbose(0));
        List<String> test = List.of("abc", "cab", "aab", "bca", "ccab", "ba");
        List<String> out = tr.translate(test, 10);
        int right = 0;
        for (int i = 0; i < test.size(); i++) if (out.get(i).equals(new StringBuilder(test.get(i)).reverse().toString())) right++;
        assertTrue(right >= 5, "reversed " + right + " of 6: " + out);
        // a translator rebuilt around the same trained model translates the same
        CharTranslator again = CharTranslator.of(tr.model(), tr.source(), tr.target());
        assertEquals(out, again.translate(test, 10));
        // beam search: width 1 is the greedy decoding; wider beams still reverse the words
        List<String> many = new java.util.ArrayList<>(src.subList(0, 60));
        many.addAll(test);
        assertEquals(tr.translate(many, 10), tr.translate(many, 10, 1));
        List<String> beam = tr.translate(test, 10, 3);
        int beamRight = 0;
        for (int i = 0; i < test.size(); i++) if (beam.get(i).equals(new StringBuilder(test.get(i)).reverse().toString())) beamRight++;
        assertTrue(beamRight >= 5, "beam 3 reversed " + beamRight + " of 6: " + beam);
        assertThrows(IllegalArgumentException.class, () -> tr.translate(test, 10, 0));
    }
}
