package io.github.rnn4j.data.text;

import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.ModelState;
import io.github.rnn4j.models.StepResult;
import io.github.rnn4j.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Generates text from a trained character-level language model, one character at a time, the
 * way char-rnn samples: the model is stepped as a stateful stream ({@link Model#step}), the
 * prime text is fed first, then each sampled character is fed back. The model must take one id
 * per step (an {@code Embedding} input) and give one logit per vocabulary character; the next
 * character is drawn from {@code softmax(logits / temperature)}, or is the most likely one when
 * the temperature is 0. The seed fixes every draw.
 *
 * <p>It samples; it does not train, score or beam-search.
 */
public final class CharSampler {
    private final Model model;
    private final CharVocabulary vocab;
    private final double temperature;
    private final SplittableRandom random;

    public CharSampler(Model model, CharVocabulary vocab, double temperature, long seed) {
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("CharSampler: temperature must be finite and >= 0, got " + temperature);
        }
        this.model = model;
        this.vocab = vocab;
        this.temperature = temperature;
        this.random = new SplittableRandom(seed);
    }

    /**
     * The prime followed by {@code count} sampled characters. An empty prime starts from a
     * newline if the vocabulary has one (the text then starts as a new line would), else from
     * its first character; that start is not part of the result.
     */
    public String generate(String prime, int count) {
        if (count < 0) throw new IllegalArgumentException("CharSampler: count must be >= 0, got " + count);
        String start = prime.isEmpty() ? String.valueOf(vocab.contains('\n') ? '\n' : vocab.symbol(0)) : prime;
        int[] ids = vocab.encode(start, "prime");
        StringBuilder out = new StringBuilder(prime);
        ModelState state = model.initialState(1);
        Tensor x = Tensor.zeros(1);
        float[] logits = null;
        for (int id : ids) {
            x.data()[0] = id;
            StepResult r = model.step(x, state);
            state = r.state();
            logits = r.output().data();
        }
        checkWidth(logits);
        for (int i = 0; i < count; i++) {
            int next = sample(logits, temperature, random);
            out.append(vocab.symbol(next));
            if (i == count - 1) break;
            x.data()[0] = next;
            StepResult r = model.step(x, state);
            state = r.state();
            logits = r.output().data();
        }
        return out.toString();
    }

    private void checkWidth(float[] logits) {
        if (logits.length != vocab.size()) {
            throw new IllegalArgumentException("CharSampler: the model gives " + logits.length + " values per step for a vocabulary of "
                    + vocab.size() + " characters; it must end in Dense(" + vocab.size() + ")");
        }
    }

    /** An id drawn from softmax(logits / temperature); the argmax (first of ties) at temperature 0. */
    public static int sample(float[] logits, double temperature, SplittableRandom random) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        if (temperature == 0) return best;
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - logits[best]) / temperature);
            sum += p[i];
        }
        double u = random.nextDouble() * sum, acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        return best; // u landed on the rounding error at the top
    }
}
