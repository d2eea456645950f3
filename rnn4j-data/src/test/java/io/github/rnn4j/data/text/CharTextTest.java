package io.github.rnn4j.data.text;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Embedding;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vocabulary, windows, n-gram baselines and sampling, against hand-computed values. */
class CharTextTest {

    @Test
    void vocabularyIsSortedAndRoundTrips() {
        CharVocabulary v = CharVocabulary.of("hello, world\n");
        assertEquals("\n ,dehlorw", v.chars());
        int[] ids = v.encode("world", "t");
        assertArrayEquals(new int[]{9, 7, 8, 6, 3}, ids);
        assertEquals("world", v.decode(ids, 0, ids.length));
        assertEquals(v.chars(), CharVocabulary.fromChars(v.chars()).chars());
    }

    @Test
    void unknownCharactersAndBadVocabulariesAreNamed() {
        CharVocabulary v = CharVocabulary.of("abc\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.encode("ab\ncaxb", "input.txt"));
        assertEquals("input.txt: 'x' (U+0078) at line 2, column 3 is not among the vocabulary's 4 characters", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CharVocabulary.fromChars("abca"));
        assertTrue(e.getMessage().contains("'a' (U+0061) at position 3 follows 'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.of(""));
        assertThrows(IllegalArgumentException.class, () -> v.symbol(4));
    }

    @Test
    void windowsPredictTheNextCharacterAndStayInTheirRange() {
        int[] ids = new int[21];
        for (int i = 0; i < ids.length; i++) ids[i] = i;
        CharWindows w = new CharWindows(ids, 0, 21, 5, 3);
        assertEquals(6, w.size()); // starts 0, 3, ..., 15: window 15..19, target 16..20
        Tensor x = Tensor.zeros(2, 5), y = Tensor.zeros(2, 5);
        w.gather(new int[]{5, 1}, 0, 2, new Tensor[]{x}, new Tensor[]{y});
        assertArrayEquals(new float[]{15, 16, 17, 18, 19, 3, 4, 5, 6, 7}, x.data());
        assertArrayEquals(new float[]{16, 17, 18, 19, 20, 4, 5, 6, 7, 8}, y.data());
        w.gather(null, 2, 4, new Tensor[]{x}, null);
        assertArrayEquals(new float[]{6, 7, 8, 9, 10, 9, 10, 11, 12, 13}, x.data(), "null indices: samples in order");
        CharWindows val = new CharWindows(ids, 10, 21, 5, 5);
        assertEquals(2, val.size());
        assertEquals(15, val.start(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CharWindows(ids, 18, 21, 5, 5));
        assertTrue(e.getMessage().contains("has 3 characters; a window of 5 and its next character need 6"), e.getMessage());
    }

    @Test
    void ngramProbabilitiesByHand() {
        int[] ids = {0, 1, 0, 1, 0};
        NgramModel uni = NgramModel.fit(1, 2, ids, 0, 5);
        assertEquals(Math.log(4.0 / 7), uni.logProb(ids, 0), 1e-12); // (3 + 1) / (5 + 2)
        NgramModel bi = NgramModel.fit(2, 2, ids, 0, 5);
        assertEquals(Math.log(3.0 / 4), bi.logProb(ids, 1), 1e-12); // after 0: 1 twice, 0 never: (2 + 1) / (2 + 2)
        assertEquals(-Math.log(3.0 / 4), bi.crossEntropy(ids, 1, 5), 1e-12);
        int[] unseen = {1, 1};
        assertEquals(Math.log(1.0 / 4), bi.logProb(unseen, 1), 1e-12, "1 then 1 never seen: (0 + 1) / (2 + 2)");
        assertThrows(IllegalArgumentException.class, () -> bi.crossEntropy(ids, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> NgramModel.fit(2, 2, new int[]{0, 3}, 0, 2));
    }

    @Test
    void samplingFollowsTheSoftmaxAndTheSeed() {
        float[] logits = {0f, (float) Math.log(3)};
        SplittableRandom r = new SplittableRandom(1);
        int ones = 0, n = 40_000;
        for (int i = 0; i < n; i++) ones += CharSampler.sample(logits, 1.0, r);
        assertEquals(0.75, (double) ones / n, 0.01);
        // temperature 0.5 squares the odds: 9 to 1
        ones = 0;
        for (int i = 0; i < n; i++) ones += CharSampler.sample(logits, 0.5, r);
        assertEquals(0.9, (double) ones / n, 0.01);
        assertEquals(1, CharSampler.sample(logits, 0, r));
    }

    @Test
    void generateStepsAModelAndTheSeedFixesTheText() {
        CharVocabulary v = CharVocabulary.of("abcdefgh \n");
        Sequential m = new Sequential(new InputLayer(-1), new Embedding(v.size(), 4), new LSTM(8).returnSequences(true),
                new Dense(v.size()));
        m.seed(3);
        String a = new CharSampler(m, v, 1.0, 9).generate("abc", 40), b = new CharSampler(m, v, 1.0, 9).generate("abc", 40);
        assertEquals(a, b);
        assertEquals(43, a.length());
        assertTrue(a.startsWith("abc"));
        for (char c : a.toCharArray()) assertTrue(v.contains(c));
        assertNotEquals(a, new CharSampler(m, v, 1.0, 10).generate("abc", 40));
        assertEquals(25, new CharSampler(m, v, 0, 1).generate("", 25).length(), "an empty prime is not part of the text");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CharSampler(m, CharVocabulary.of("xyz"), 1, 1).generate("x", 3));
        assertTrue(e.getMessage().contains("gives 10 values per step for a vocabulary of 3"), e.getMessage());
    }
}
