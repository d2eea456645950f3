/**
 * Text for recurrent language models and translators, character by character.
 * Language models: {@link io.github.rnn4j.data.text.CharVocabulary} (characters to ids and back),
 * {@link io.github.rnn4j.data.text.CharWindows} (sliding windows and their next-character
 * targets, a {@code Dataset} for {@code fit}), {@link io.github.rnn4j.data.text.NgramModel} (the
 * smoothed n-gram baselines a model must beat) and {@link io.github.rnn4j.data.text.CharSampler}
 * (text from a trained model, stepped as a stream). Translation: {@link
 * io.github.rnn4j.data.text.SentencePairs} (tab-separated pairs, split by source sentence),
 * {@link io.github.rnn4j.data.text.CharTranslator} (the LSTM encoder-decoder, its tensors and
 * greedy decoding) and {@link io.github.rnn4j.data.text.EditDistance} (character error rate).
 * No tokenizers for words or subwords here; {@code rnn4j charlm} and {@code rnn4j translate}
 * put the parts together.
 */
package io.github.rnn4j.data.text;
