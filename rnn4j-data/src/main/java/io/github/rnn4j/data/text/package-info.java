/**
 * Text for character-level language models: {@link io.github.rnn4j.data.text.CharVocabulary}
 * (characters to ids and back), {@link io.github.rnn4j.data.text.CharWindows} (sliding windows
 * and their next-character targets, a {@code Dataset} for {@code fit}), {@link
 * io.github.rnn4j.data.text.NgramModel} (the smoothed n-gram baselines a model must beat), and
 * {@link io.github.rnn4j.data.text.CharSampler} (text from a trained model, stepped as a stream).
 * No tokenizers for words or subwords here; {@code rnn4j charlm} puts the parts together.
 */
package io.github.rnn4j.data.text;
