package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.callbacks.CSVLogger;
import io.github.rnn4j.callbacks.EarlyStopping;
import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.cli.plot.ChartFormat;
import io.github.rnn4j.cli.plot.TrainingCurves;
import io.github.rnn4j.data.text.CharTranslator;
import io.github.rnn4j.data.text.CharVocabulary;
import io.github.rnn4j.data.text.EditDistance;
import io.github.rnn4j.data.text.SentencePairs;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j translate}: character-level neural machine translation with an LSTM
 * encoder-decoder ({@link CharTranslator}), Keras's {@code lstm_seq2seq} example in rnn4j. Reads
 * tab-separated sentence pairs (by default the shipped 10,000 shortest English-French pairs of
 * Tatoeba), splits them by English sentence into train / validation / test (80/10/10: a test
 * sentence is never seen in training, not even with another translation), trains with teacher
 * forcing and early stopping, then translates the test sentences (greedily, or by beam search
 * with {@code --beam}) and scores them:
 * exact match with any reference translation of the sentence, and character error rate to the
 * closest reference, beside a translation-memory baseline (the French of the training sentence
 * nearest in edit distance), and scores as many training sentences the same way (what the model
 * learned against what it generalises). With {@code --load} it translates {@code --sentence}s with a saved
 * model instead.
 *
 * <p>Writes to {@code --out}: {@code model.rnn4j} (vocabularies in its metadata),
 * {@code metrics.json}, {@code history.csv}, {@code training-curves.png/.svg} and
 * {@code test-translations.tsv}. No attention, no BLEU.
 */
@Command(name = "translate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a character-level LSTM encoder-decoder on sentence pairs and translate.",
                "With no arguments: English to French on the shipped 10,000 Tatoeba pairs, scored on held-out sentences."})
final class TranslateCommand implements Callable<Integer> {
    @Option(names = "--pairs", paramLabel = "FILE", description = "UTF-8 file of 'source<TAB>target' lines (default: the shipped English-French pairs)")
    Path pairs;
    @Option(names = "--max-pairs", defaultValue = "10000", description = "use the first N pairs, 0 = all (default: ${DEFAULT-VALUE})")
    int maxPairs;
    @Option(names = "--units", defaultValue = "256", description = "units of the encoder and decoder LSTMs (default: ${DEFAULT-VALUE})")
    int units;
    @Option(names = "--embedding", defaultValue = "64", description = "character embedding size (default: ${DEFAULT-VALUE})")
    int embedding;
    @Option(names = "--dropout", defaultValue = "0", description = "input dropout of both LSTMs (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--recurrent-dropout", defaultValue = "0", description = "recurrent dropout of both LSTMs (default: ${DEFAULT-VALUE})")
    double recurrentDropout;
    @Option(names = "--epochs", defaultValue = "40", description = "maximum epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--patience", defaultValue = "4", description = "stop after this many epochs without a better val_loss, best weights restored; 0 = never (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--batch-size", defaultValue = "64", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--clipnorm", defaultValue = "5", description = "clip each gradient to this norm, 0 = no clipping (default: ${DEFAULT-VALUE})")
    double clipnorm;
    @Option(names = "--reverse-source", description = "feed the source sentence to the encoder backwards (Sutskever et al., 2014)")
    boolean reverseSource;
    @Option(names = "--beam", defaultValue = "1", description = "beam width of the decoding; 1 = greedy (default: ${DEFAULT-VALUE})")
    int beam;
    @Option(names = "--show", defaultValue = "12", description = "test translations to print (default: ${DEFAULT-VALUE})")
    int show;
    @Option(names = "--load", paramLabel = "MODEL", description = "translate --sentence with this model file (written by translate) instead of training")
    Path load;
    @Option(names = "--sentence", paramLabel = "TEXT", description = "a sentence to translate with --load (repeatable)")
    List<String> sentences;
    @Option(names = "--seed", defaultValue = "42", description = "seed of the split and of the model (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", defaultValue = "translate-out", paramLabel = "DIR", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws IOException {
        Options.positive("--beam", beam);
        if (load != null) return translateOnly();
        if (sentences != null) throw new IllegalArgumentException("--sentence needs --load (a trained model)");
        if (maxPairs < 0) throw new IllegalArgumentException("--max-pairs must be >= 0, got " + maxPairs);
        Options.positive("--units", units);
        Options.positive("--embedding", embedding);
        Options.positive("--epochs", epochs);
        Options.positive("--batch-size", batchSize);
        if (patience < 0) throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        if (show < 0) throw new IllegalArgumentException("--show must be >= 0, got " + show);
        Options.rate("--dropout", dropout);
        Options.rate("--recurrent-dropout", recurrentDropout);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
        if (!(clipnorm >= 0)) throw new IllegalArgumentException("--clipnorm must be >= 0, got " + clipnorm);

        long started = System.nanoTime();
        String name = pairs == null ? ShippedData.ENG_FRA : pairs.toString();
        SentencePairs all = SentencePairs.parse(Options.readText(pairs, "--pairs", ShippedData.ENG_FRA), name, maxPairs);
        List<SentencePairs> parts = all.splitBySource(0.1, 0.1, seed);
        SentencePairs train = parts.get(0), val = parts.get(1), test = parts.get(2);
        CharVocabulary src = CharVocabulary.of(String.join("", all.sources()));
        CharVocabulary tgt = CharVocabulary.of(CharTranslator.START + String.join("", all.targets()) + CharTranslator.END);
        System.out.printf(Locale.ROOT, "Translating %s: %,d pairs, %,d distinct sources; train %,d / validation %,d / test %,d pairs "
                        + "(split by source sentence); %d source and %d target characters%n", name, all.size(), all.references().size(),
                train.size(), val.size(), test.size(), src.size(), tgt.size());

        CharTranslator tr = CharTranslator.create(src, tgt, embedding, units, dropout, recurrentDropout, seed).reverseSource(reverseSource);
        CharTranslator.Batch tb = tr.encode(train.sources(), train.targets(), name + " (train)");
        CharTranslator.Batch vb = tr.encode(val.sources(), val.targets(), name + " (validation)");
        CharTranslator.Batch sb = tr.encode(test.sources(), test.targets(), name + " (test)");
        Adam adam = new Adam(learningRate);
        if (clipnorm > 0) adam.clipnorm(clipnorm);
        tr.model().compile(adam, new SparseCategoricalCrossentropy(true), "accuracy");
        System.out.print(tr.model().summary());

        Files.createDirectories(out);
        FitOptions fo = new FitOptions().epochs(epochs).batchSize(batchSize).verbose(2)
                .validationData(vb.inputs(), new Tensor[]{vb.targetIds()})
                .callbacks(new CSVLogger(out.resolve("history.csv")));
        if (patience > 0) fo.callbacks(new EarlyStopping().monitor("val_loss").patience(patience).restoreBestWeights(true));
        History h = tr.model().fit(tb.inputs(), new Tensor[]{tb.targetIds()}, fo);
        if (h.stopReason() != null) System.out.println(h.stopReason());
        Map<String, Double> te = tr.model().evaluate(sb.inputs(), new Tensor[]{sb.targetIds()}, 256);

        // ---- translate the test sentences and score them against all their references ----
        Map<String, List<String>> refs = test.references(), trainRefs = train.references();
        List<String> sources = new ArrayList<>(refs.keySet());
        int maxLen = 0;
        for (String t : all.targets()) maxLen = Math.max(maxLen, t.length());
        List<String> hyp = tr.translate(sources, maxLen + 10, beam);
        List<String> trainSources = new ArrayList<>(trainRefs.keySet());
        Score model = new Score(), memory = new Score();
        List<String> rows = new ArrayList<>();
        rows.add("source\treference(s)\tmodel\ttranslation memory");
        for (int i = 0; i < sources.size(); i++) {
            String s = sources.get(i);
            String tm = trainRefs.get(nearest(s, trainSources)).get(0);
            model.add(hyp.get(i), refs.get(s));
            memory.add(tm, refs.get(s));
            rows.add(s + "\t" + String.join(" | ", refs.get(s)) + "\t" + hyp.get(i) + "\t" + tm);
        }
        Files.write(out.resolve("test-translations.tsv"), rows, StandardCharsets.UTF_8);
        // the same score on training sentences (at most as many as the test has): what was learned vs what generalises
        List<String> seen = trainSources.subList(0, Math.min(trainSources.size(), sources.size()));
        List<String> seenHyp = tr.translate(seen, maxLen + 10, beam);
        Score trained = new Score();
        for (int i = 0; i < seen.size(); i++) trained.add(seenHyp.get(i), trainRefs.get(seen.get(i)));

        System.out.printf(Locale.ROOT, "%nTest: %,d source sentences never seen in training (%,d pairs)%n", sources.size(), test.size());
        System.out.printf(Locale.ROOT, "  teacher-forced cross-entropy %.4f nats per character (next-character accuracy %.1f%%)%n",
                te.get("loss"), 100 * te.get("accuracy"));
        System.out.printf(Locale.ROOT, "  %-34s %12s %22s%n", beam == 1 ? "greedy translations" : "beam search, width " + beam,
                "exact match", "character error rate");
        System.out.printf(Locale.ROOT, "  %-34s %11.1f%% %22.3f%n", "LSTM encoder-decoder", 100 * model.exact(), model.cer());
        System.out.printf(Locale.ROOT, "  %-34s %11.1f%% %22.3f%n", "translation memory (nearest source)", 100 * memory.exact(), memory.cer());
        System.out.printf(Locale.ROOT, "  %-34s %11.1f%% %22.3f%n", "(LSTM on " + seen.size() + " training sentences)", 100 * trained.exact(),
                trained.cer());
        System.out.println("  (exact: equal to one of the sentence's reference translations; error rate: to the closest one)");
        for (int i = 0; i < Math.min(show, sources.size()); i++) {
            String s = sources.get(i);
            System.out.printf(Locale.ROOT, "  %-20s -> %-32s (reference: %s)%n", s, hyp.get(i), String.join(" | ", refs.get(s)));
        }

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kind", "rnn4j-translate");
        meta.put("source_vocabulary", src.chars());
        meta.put("target_vocabulary", tgt.chars());
        meta.put("max_output", maxLen + 10);
        meta.put("reverse_source", reverseSource);
        Path modelFile = out.resolve("model.rnn4j");
        ModelFile.save(tr.model(), modelFile, false, meta);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs", name);
        m.put("pair_count", all.size());
        m.put("split_pairs", List.of(train.size(), val.size(), test.size()));
        m.put("test_sources", sources.size());
        m.put("test_loss", te.get("loss"));
        m.put("test_accuracy", te.get("accuracy"));
        m.put("model", model.toMap());
        m.put("translation_memory", memory.toMap());
        Map<String, Object> tm = trained.toMap();
        tm.put("sentences", seen.size());
        m.put("model_on_training_sentences", tm);
        m.put("params", tr.model().countParams());
        m.put("epochs_run", h.epochs().size());
        m.put("stop_reason", h.stopReason());
        m.put("history", h.history());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("max_pairs", maxPairs);
        opts.put("units", units);
        opts.put("embedding", embedding);
        opts.put("dropout", dropout);
        opts.put("recurrent_dropout", recurrentDropout);
        opts.put("epochs", epochs);
        opts.put("patience", patience);
        opts.put("batch_size", batchSize);
        opts.put("learning_rate", learningRate);
        opts.put("clipnorm", clipnorm);
        opts.put("beam", beam);
        opts.put("reverse_source", reverseSource);
        opts.put("seed", seed);
        m.put("options", opts);
        m.put("seconds", (System.nanoTime() - started) / 1e9);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("metrics.json").toFile(), m);
        TrainingCurves.write(h.history(), out.resolve("training-curves"), EnumSet.allOf(ChartFormat.class));
        System.out.println("\nWrote " + modelFile + ", metrics.json, history.csv, training-curves.png/.svg, test-translations.tsv to " + out);
        return 0;
    }

    /** Exact matches and character error rates of translations against their references. */
    static final class Score {
        private int n, exact;
        private double cer;

        void add(String hypothesis, List<String> references) {
            n++;
            double best = Double.MAX_VALUE;
            for (String r : references) {
                if (r.equals(hypothesis)) exact++;
                best = Math.min(best, EditDistance.characterErrorRate(hypothesis, r));
                if (r.equals(hypothesis)) break;
            }
            cer += best == Double.MAX_VALUE ? 1 : best;
        }

        double exact() {
            return (double) exact / n;
        }

        double cer() {
            return cer / n;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("exact_match", exact());
            m.put("character_error_rate", cer());
            return m;
        }
    }

    private static String nearest(String s, List<String> candidates) {
        String best = candidates.get(0);
        int bd = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (Math.abs(c.length() - s.length()) >= bd) continue; // the distance is at least the length difference
            int d = EditDistance.distance(s, c);
            if (d < bd) {
                bd = d;
                best = c;
            }
        }
        return best;
    }

    private int translateOnly() throws IOException {
        if (sentences == null || sentences.isEmpty()) throw new IllegalArgumentException("--load needs at least one --sentence to translate");
        ModelFile.Loaded loaded = ModelFile.read(load);
        Map<String, Object> meta = loaded.metadata();
        if (meta == null || !(meta.get("source_vocabulary") instanceof String s) || !(meta.get("target_vocabulary") instanceof String t)
                || !(meta.get("max_output") instanceof Number max)) {
            throw new IllegalArgumentException(load + " has no translation metadata; --load needs a model written by 'rnn4j translate'");
        }
        CharTranslator tr = CharTranslator.of(loaded.model(), CharVocabulary.fromChars(s), CharVocabulary.fromChars(t))
                .reverseSource(Boolean.TRUE.equals(meta.get("reverse_source")));
        for (int i = 0; i < sentences.size(); i++) tr.source().encode(sentences.get(i), "--sentence " + (i + 1));
        List<String> hyp = tr.translate(sentences, max.intValue(), beam);
        for (int i = 0; i < sentences.size(); i++) System.out.println(sentences.get(i) + "\t" + hyp.get(i));
        return 0;
    }
}
