package io.github.rnn4j.data.text;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Embedding;
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A character-level sequence-to-sequence translator, the encoder-decoder of Keras's
 * {@code lstm_seq2seq} example with embeddings instead of one-hot vectors. The encoder LSTM reads
 * the source sentence and hands its final states {@code h, c} to the decoder LSTM, which is
 * trained with teacher forcing: it reads {@code START + target} and learns {@code target + END}
 * (sparse cross-entropy from logits). Id 0 is padding in both vocabularies, masked by the
 * embeddings ({@code maskZero}), so padded steps neither move the states nor count in the loss.
 *
 * <p>{@link #translate} decodes greedily, a batch of sentences at once: the encoder model gives the
 * states, then a one-step decoder model, sharing the trained layers, is fed its own most likely
 * character until {@code END} or the length limit. Shares weights with {@link #model()}: train
 * that, and translations change with it. Not here: beam search, attention, word tokens.
 */
public final class CharTranslator {
    /** Start and end of a target sentence (as in the Keras example: tab and newline). */
    public static final char START = '\t', END = '\n';
    static final String ENC_EMB = "encoder_embedding", ENCODER = "encoder", DEC_EMB = "decoder_embedding",
            DECODER = "decoder", HEAD = "head";

    private final CharVocabulary source, target;
    private final Model model, encoder, decoderStep;
    private final int units;
    private final int startId, endId; // START's and END's ids + 1, as the decoder sees them
    private boolean reverseSource;

    private CharTranslator(CharVocabulary source, CharVocabulary target, Model model, int units) {
        this.source = source;
        this.target = target;
        this.model = model;
        this.units = units;
        this.startId = target.encode(String.valueOf(START), "START")[0] + 1;
        this.endId = target.encode(String.valueOf(END), "END")[0] + 1;
        Layer encEmb = model.getLayer(ENC_EMB), enc = model.getLayer(ENCODER), decEmb = model.getLayer(DEC_EMB);
        Layer dec = model.getLayer(DECODER), head = model.getLayer(HEAD);
        // inference graphs over the same layer objects (already built: building again keeps the weights)
        SymbolicTensor in = Input.of("source", -1);
        SymbolicTensor[] states = enc.callMulti(encEmb.call(in));
        encoder = Model.of(new SymbolicTensor[]{in}, new SymbolicTensor[]{states[1], states[2]});
        SymbolicTensor prev = Input.of("previous", -1), h = Input.of("h", units), c = Input.of("c", units);
        SymbolicTensor[] step = dec.callMulti(decEmb.call(prev), h, c);
        decoderStep = Model.of(new SymbolicTensor[]{prev, h, c}, new SymbolicTensor[]{head.call(step[0]), step[1], step[2]});
        model.build();
        encoder.build();
        decoderStep.build();
    }

    /**
     * A new, untrained translator: source ids (0 = padding) -> Embedding -> LSTM(units), states to
     * the decoder; START + target ids -> Embedding -> LSTM(units) from those states -> Dense(target
     * vocabulary + 1) logits. {@code target} must contain {@link #START} and {@link #END}.
     */
    public static CharTranslator create(CharVocabulary source, CharVocabulary target, int embedding, int units, double dropout,
                                        double recurrentDropout, long seed) {
        if (!target.contains(START) || !target.contains(END)) {
            throw new IllegalArgumentException("CharTranslator: the target vocabulary must contain START (\\t) and END (\\n)");
        }
        if (embedding <= 0 || units <= 0) {
            throw new IllegalArgumentException("CharTranslator: embedding and units must be positive, got " + embedding + " and " + units);
        }
        SymbolicTensor src = Input.of("source", -1), dec = Input.of("decoder_input", -1);
        SymbolicTensor se = new Embedding(source.size() + 1, embedding).maskZero(true).name(ENC_EMB).call(src);
        SymbolicTensor[] enc = new LSTM(units).returnState(true).dropout(dropout).recurrentDropout(recurrentDropout)
                .name(ENCODER).callMulti(se);
        SymbolicTensor de = new Embedding(target.size() + 1, embedding).maskZero(true).name(DEC_EMB).call(dec);
        SymbolicTensor[] d = new LSTM(units).returnSequences(true).returnState(true).dropout(dropout)
                .recurrentDropout(recurrentDropout).name(DECODER).callMulti(de, enc[1], enc[2]);
        SymbolicTensor logits = new Dense(target.size() + 1).name(HEAD).call(d[0]);
        Model m = Model.of(new SymbolicTensor[]{src, dec}, new SymbolicTensor[]{logits}).seed(seed);
        return new CharTranslator(source, target, m, units);
    }

    /** A translator around a trained model made by {@link #create} (e.g. loaded from a model file). */
    public static CharTranslator of(Model trained, CharVocabulary source, CharVocabulary target) {
        for (String n : List.of(ENC_EMB, ENCODER, DEC_EMB, DECODER, HEAD)) {
            try {
                trained.getLayer(n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("CharTranslator: the model has no layer '" + n + "'; it must come from CharTranslator.create");
            }
        }
        Object units = trained.getLayer(ENCODER).getConfig().get("units");
        if (!(units instanceof Number u)) throw new IllegalArgumentException("CharTranslator: the encoder has no units in its config");
        return new CharTranslator(source, target, trained, u.intValue());
    }

    /** The training model: inputs (source ids, START + target ids), output logits per target step. */
    public Model model() {
        return model;
    }

    public CharVocabulary source() {
        return source;
    }

    public CharVocabulary target() {
        return target;
    }

    /**
     * The training tensors for pairs {@code [i]}: {@code x[0]} source ids + 1 (0 = padding),
     * {@code x[1]} START + target ids + 1, {@code y} target + END ids + 1, each padded to the
     * longest sentence of the list. {@code where} names the data in an error.
     */
    public Batch encode(List<String> sources, List<String> targets, String where) {
        if (sources.size() != targets.size() || sources.isEmpty()) {
            throw new IllegalArgumentException("CharTranslator: " + sources.size() + " sources and " + targets.size() + " targets");
        }
        int n = sources.size(), ls = 1, lt = 1;
        for (int i = 0; i < n; i++) {
            ls = Math.max(ls, sources.get(i).length());
            lt = Math.max(lt, targets.get(i).length() + 1);
        }
        Tensor xs = sourceIds(sources, ls, where), xd = Tensor.zeros(n, lt), y = Tensor.zeros(n, lt);
        for (int i = 0; i < n; i++) {
            String t = targets.get(i);
            if (t.indexOf(START) >= 0 || t.indexOf(END) >= 0) {
                throw new IllegalArgumentException(where + ", pair " + (i + 1) + ": the target holds a tab or a newline");
            }
            int[] ids = target.encode(START + t + END, where + ", pair " + (i + 1) + " (target)");
            for (int k = 0; k < ids.length - 1; k++) {
                xd.data()[i * lt + k] = ids[k] + 1;
                y.data()[i * lt + k] = ids[k + 1] + 1;
            }
        }
        return new Batch(xs, xd, y);
    }

    /** Training tensors: the two inputs and the targets. */
    public record Batch(Tensor sourceIds, Tensor decoderIds, Tensor targetIds) {
        public Tensor[] inputs() {
            return new Tensor[]{sourceIds, decoderIds};
        }
    }

    private Tensor sourceIds(List<String> sources, int ls, String where) {
        Tensor xs = Tensor.zeros(sources.size(), ls);
        for (int i = 0; i < sources.size(); i++) {
            String s = sources.get(i);
            if (s.isEmpty()) throw new IllegalArgumentException(where + ", pair " + (i + 1) + ": empty source sentence");
            int[] ids = source.encode(s, where + ", pair " + (i + 1) + " (source)");
            for (int k = 0; k < ids.length; k++) xs.data()[i * ls + k] = ids[reverseSource ? ids.length - 1 - k : k] + 1;
        }
        return xs;
    }

    /**
     * Feeds every source sentence to the encoder backwards (Sutskever, Vinyals and Le, 2014: the
     * first words of the source then sit next to the first words of the target, which shortens
     * the dependencies the decoder starts with). Applies to {@link #encode} and {@link #translate}
     * alike; set it before encoding the training data, and the same way for a loaded model.
     */
    public CharTranslator reverseSource(boolean on) {
        reverseSource = on;
        return this;
    }

    public boolean reverseSource() {
        return reverseSource;
    }

    /** Greedy translations of {@code sources}, at most {@code maxLength} characters each. */
    public List<String> translate(List<String> sources, int maxLength) {
        checkMaxLength(maxLength);
        int n = sources.size();
        List<String> out = new ArrayList<>(n);
        if (n == 0) return out;
        Tensor[] st = encoderStates(sources);
        Tensor h = st[0], c = st[1];
        StringBuilder[] text = new StringBuilder[n];
        boolean[] done = new boolean[n];
        Tensor prev = Tensor.zeros(n, 1);
        for (int i = 0; i < n; i++) {
            text[i] = new StringBuilder();
            prev.data()[i] = startId;
        }
        int v = target.size() + 1, open = n;
        for (int t = 0; t < maxLength && open > 0; t++) {
            Tensor[] r = decoderStep.predict(new Tensor[]{prev, h, c}, 256);
            float[] logits = r[0].data();
            h = r[1];
            c = r[2];
            for (int i = 0; i < n; i++) {
                int best = 1; // id 0 is padding, never an output
                for (int k = 2; k < v; k++) if (logits[i * v + k] > logits[i * v + best]) best = k;
                prev.data()[i] = best;
                if (done[i]) continue;
                if (best == endId || best == startId) {
                    done[i] = true;
                    open--;
                } else {
                    text[i].append(target.symbol(best - 1));
                }
            }
        }
        for (StringBuilder sb : text) out.add(sb.toString());
        return out;
    }

    /**
     * Beam-search translations: each sentence keeps the {@code width} most probable partial
     * translations (sum of the log-probabilities of their characters, no length normalisation),
     * extends each by every character, keeps the best {@code width} again, and ends when its
     * best hypotheses have all ended (END, or START, which greedy decoding also takes as the end)
     * or at {@code maxLength} characters; the most probable ended one wins (the most probable of
     * all if none ended). Width 1 gives what {@link #translate(List, int)}'s greedy decoding gives
     * (a test holds the two together).
     */
    public List<String> translate(List<String> sources, int maxLength, int width) {
        if (width <= 0) throw new IllegalArgumentException("CharTranslator: beam width must be positive, got " + width);
        checkMaxLength(maxLength);
        int n = sources.size(), rows = n * width, v = target.size() + 1;
        List<String> out = new ArrayList<>(n);
        if (n == 0) return out;
        Tensor[] st = encoderStates(sources);
        // row i * width + b holds beam b of sentence i; at first only beam 0 is alive
        Tensor h = Tensor.zeros(rows, units), c = Tensor.zeros(rows, units), prev = Tensor.zeros(rows, 1);
        double[] score = new double[rows];
        boolean[] done = new boolean[rows];
        String[] text = new String[rows];
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < width; b++) {
                int r = i * width + b;
                System.arraycopy(st[0].data(), i * units, h.data(), r * units, units);
                System.arraycopy(st[1].data(), i * units, c.data(), r * units, units);
                prev.data()[r] = startId;
                score[r] = b == 0 ? 0 : Double.NEGATIVE_INFINITY;
                text[r] = "";
            }
        }
        double[] cand = new double[width * v];
        for (int t = 0; t < maxLength; t++) {
            boolean open = false;
            for (int r = 0; r < rows; r++) open |= !done[r] && score[r] > Double.NEGATIVE_INFINITY;
            if (!open) break;
            Tensor[] res = decoderStep.predict(new Tensor[]{prev, h, c}, 256);
            float[] logits = res[0].data(), hn = res[1].data(), cn = res[2].data();
            float[] h2 = new float[rows * units], c2 = new float[rows * units];
            double[] score2 = new double[rows];
            boolean[] done2 = new boolean[rows];
            String[] text2 = new String[rows];
            for (int i = 0; i < n; i++) {
                // candidates: (beam b, character k) with k = 0 meaning "an ended beam stays as it is"
                java.util.Arrays.fill(cand, Double.NEGATIVE_INFINITY);
                for (int b = 0; b < width; b++) {
                    int r = i * width + b;
                    if (score[r] == Double.NEGATIVE_INFINITY) continue;
                    if (done[r]) {
                        cand[b * v] = score[r];
                        continue;
                    }
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int k = 1; k < v; k++) max = Math.max(max, logits[r * v + k]);
                    for (int k = 1; k < v; k++) sum += Math.exp(logits[r * v + k] - max);
                    double lse = max + Math.log(sum); // over the characters only: padding is never an output
                    for (int k = 1; k < v; k++) cand[b * v + k] = score[r] + logits[r * v + k] - lse;
                }
                for (int slot = 0; slot < width; slot++) {
                    int best = 0;
                    for (int q = 1; q < cand.length; q++) if (cand[q] > cand[best]) best = q;
                    int r2 = i * width + slot;
                    score2[r2] = cand[best];
                    if (cand[best] == Double.NEGATIVE_INFINITY) continue; // fewer live candidates than slots
                    cand[best] = Double.NEGATIVE_INFINITY;
                    int b = best / v, k = best % v, r = i * width + b;
                    System.arraycopy(hn, r * units, h2, r2 * units, units);
                    System.arraycopy(cn, r * units, c2, r2 * units, units);
                    done2[r2] = k == 0 || k == endId || k == startId; // stays ended, or ends now
                    text2[r2] = done2[r2] ? text[r] : text[r] + target.symbol(k - 1);
                    prev.data()[r2] = k == 0 ? endId : k;
                }
            }
            h = Tensor.of(h2, rows, units);
            c = Tensor.of(c2, rows, units);
            score = score2;
            done = done2;
            text = text2;
        }
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int b = 0; b < width; b++) {
                int r = i * width + b;
                if (score[r] == Double.NEGATIVE_INFINITY) continue;
                boolean better = best < 0 || (done[r] && !done[best]) || (done[r] == done[best] && score[r] > score[best]);
                if (better) best = r;
            }
            out.add(text[best]);
        }
        return out;
    }

    /** The encoder's final h and c for each source sentence. */
    private Tensor[] encoderStates(List<String> sources) {
        int ls = 1;
        for (String s : sources) ls = Math.max(ls, s.length());
        return encoder.predict(new Tensor[]{sourceIds(sources, ls, "translate")}, 256);
    }

    private static void checkMaxLength(int maxLength) {
        if (maxLength <= 0) throw new IllegalArgumentException("CharTranslator: maxLength must be positive, got " + maxLength);
    }

    public int units() {
        return units;
    }
}
