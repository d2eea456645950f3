package io.github.rnn4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.callbacks.CSVLogger;
import io.github.rnn4j.callbacks.EarlyStopping;
import io.github.rnn4j.cli.data.ShippedData;
import io.github.rnn4j.cli.plot.ChartFormat;
import io.github.rnn4j.cli.plot.TrainingCurves;
import io.github.rnn4j.data.text.CharSampler;
import io.github.rnn4j.data.text.CharVocabulary;
import io.github.rnn4j.data.text.CharWindows;
import io.github.rnn4j.data.text.NgramModel;
import io.github.rnn4j.io.ModelFile;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Embedding;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.History;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rnn4j charlm}: a character-level language model, char-rnn style. Reads a text (by
 * default the shipped Tiny Shakespeare), splits it 90/10 in reading order (nanoGPT's split),
 * trains {@code Embedding -> LSTM (or GRU, SimpleRNN), stacked -> Dense(V)} on sliding windows
 * to predict each next character (sparse cross-entropy from logits), and reports the validation
 * loss in nats per character beside add-one n-gram baselines (unigram, bigram, trigram) counted
 * on the same training part. Then it samples text from the model, stepping it as a stream.
 * With {@code --load} it skips training and samples from a saved model.
 *
 * <p>Writes to {@code --out}: {@code model.rnn4j} (with the vocabulary in its metadata),
 * {@code metrics.json}, {@code history.csv}, {@code training-curves.png/.svg} and
 * {@code sample.txt}. No word or subword tokens, no beam search.
 */
@Command(name = "charlm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a character-level language model on a text and sample from it.",
                "With no arguments: an LSTM on the shipped Tiny Shakespeare; validation loss vs. n-gram baselines."})
final class CharLmCommand implements Callable<Integer> {

    @Option(names = "--text", paramLabel = "FILE", description = "UTF-8 text file (default: the shipped Tiny Shakespeare)")
    Path text;
    @Option(names = "--max-chars", description = "use only the first N characters of the text (default: all)")
    Integer maxChars;
    @Option(names = "--cell", defaultValue = "lstm", description = "lstm, gru or simple (default: ${DEFAULT-VALUE})")
    String cell;
    @Option(names = "--units", defaultValue = "256", description = "units per recurrent layer (default: ${DEFAULT-VALUE})")
    int units;
    @Option(names = "--layers", defaultValue = "1", description = "stacked recurrent layers (default: ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--embedding", defaultValue = "64", description = "embedding size (default: ${DEFAULT-VALUE})")
    int embedding;
    @Option(names = "--seq-length", defaultValue = "100", description = "characters per training window (default: ${DEFAULT-VALUE})")
    int seqLength;
    @Option(names = "--stride", description = "characters between window starts (default: --seq-length, windows do not overlap)")
    Integer stride;
    @Option(names = "--dropout", defaultValue = "0", description = "input dropout of the recurrent layers (default: ${DEFAULT-VALUE})")
    double dropout;
    @Option(names = "--recurrent-dropout", defaultValue = "0", description = "dropout of the recurrent state (default: ${DEFAULT-VALUE})")
    double recurrentDropout;
    @Option(names = "--epochs", defaultValue = "3", description = "maximum epochs (default: ${DEFAULT-VALUE})")
    int epochs;
    @Option(names = "--patience", defaultValue = "2", description = "stop after this many epochs without a better val_loss, best weights restored; 0 = never (default: ${DEFAULT-VALUE})")
    int patience;
    @Option(names = "--batch-size", defaultValue = "64", description = "batch size (default: ${DEFAULT-VALUE})")
    int batchSize;
    @Option(names = "--learning-rate", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;
    @Option(names = "--clipnorm", defaultValue = "5", description = "clip each gradient to this norm, 0 = no clipping (default: ${DEFAULT-VALUE})")
    double clipnorm;
    @Option(names = "--generate", defaultValue = "600", description = "characters to sample after training (default: ${DEFAULT-VALUE})")
    int generate;
    @Option(names = "--temperature", defaultValue = "0.8", description = "sampling temperature; 0 = always the most likely character (default: ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--prime", defaultValue = "", description = "text the sample starts from (default: a new line)")
    String prime;
    @Option(names = "--load", paramLabel = "MODEL", description = "sample from this model file (written by charlm) instead of training")
    Path load;
    @Option(names = "--seed", defaultValue = "42", description = "seed of every random choice (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default: charlm-out; with --load the sample is only printed unless --out is given)")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (generate < 0) throw new IllegalArgumentException("--generate must be >= 0, got " + generate);
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be finite and >= 0, got " + temperature);
        }
        if (load != null) return sampleOnly();
        String kind = cell.toLowerCase(Locale.ROOT);
        if (!List.of("lstm", "gru", "simple").contains(kind)) {
            throw new IllegalArgumentException("--cell must be lstm, gru or simple, got '" + cell + "'");
        }
        Options.positive("--units", units);
        Options.positive("--layers", layers);
        Options.positive("--embedding", embedding);
        Options.positive("--seq-length", seqLength);
        Options.positive("--epochs", epochs);
        Options.positive("--batch-size", batchSize);
        int step = stride == null ? seqLength : stride;
        Options.positive("--stride", step);
        if (patience < 0) throw new IllegalArgumentException("--patience must be >= 0, got " + patience);
        Options.rate("--dropout", dropout);
        Options.rate("--recurrent-dropout", recurrentDropout);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be positive, got " + learningRate);
        if (!(clipnorm >= 0)) throw new IllegalArgumentException("--clipnorm must be >= 0, got " + clipnorm);
        if (maxChars != null) Options.positive("--max-chars", maxChars);

        long started = System.nanoTime();
        Path out = this.out == null ? Path.of("charlm-out") : this.out;
        String name = text == null ? ShippedData.TINY_SHAKESPEARE : text.toString();
        String all = Options.readText(text, "--text", ShippedData.TINY_SHAKESPEARE);
        if (maxChars != null && maxChars < all.length()) all = all.substring(0, maxChars);
        CharVocabulary vocab = CharVocabulary.of(all);
        int[] ids = vocab.encode(all, name);
        int n = ids.length, split = (int) (n * 0.9);
        if (split < seqLength + 1 || n - split < seqLength + 1) {
            throw new IllegalArgumentException(name + " has " + n + " characters; the 90/10 split needs at least " + (seqLength + 1)
                    + " in each part for --seq-length " + seqLength + ", so at least " + (int) Math.ceil((seqLength + 1) / 0.1 + 1));
        }
        if (!prime.isEmpty()) vocab.encode(prime, "--prime"); // refused before training, not after
        CharWindows train = new CharWindows(ids, 0, split, seqLength, step);
        CharWindows val = new CharWindows(ids, split, n, seqLength, seqLength);
        int v = vocab.size();
        System.out.printf(Locale.ROOT, "Character language model on %s: %,d characters, %d distinct; train %,d (%,d windows of %d, stride %d), "
                + "validation %,d%n", name, n, v, split, train.size(), seqLength, step, n - split);

        // the baselines, on the same split: every validation character predicted from the ones before it
        Map<String, Double> baselines = new LinkedHashMap<>();
        baselines.put("uniform", Math.log(v));
        String[] names = {"unigram", "bigram", "trigram"};
        for (int order = 1; order <= 3; order++) {
            baselines.put(names[order - 1], NgramModel.fit(order, v, ids, 0, split).crossEntropy(ids, split, n));
        }

        // any length (None, as Keras's Input(shape=(None,))): trained on windows, stepped one character at a time
        Sequential net = new Sequential(new InputLayer(-1), new Embedding(v, embedding));
        for (int i = 0; i < layers; i++) {
            Recurrent<?> r = switch (kind) {
                case "gru" -> new GRU(units);
                case "simple" -> new SimpleRNN(units);
                default -> new LSTM(units);
            };
            r.returnSequences(true).dropout(dropout).recurrentDropout(recurrentDropout);
            net.add(r);
        }
        net.add(new Dense(v));
        net.seed(seed);
        Adam adam = new Adam(learningRate);
        if (clipnorm > 0) adam.clipnorm(clipnorm);
        net.compile(adam, new SparseCategoricalCrossentropy(true), "accuracy");
        System.out.print(net.summary());

        Files.createDirectories(out);
        FitOptions fo = new FitOptions().epochs(epochs).batchSize(batchSize).validationData(val).verbose(1)
                .callbacks(new CSVLogger(out.resolve("history.csv")));
        if (patience > 0) fo.callbacks(new EarlyStopping().monitor("val_loss").patience(patience).restoreBestWeights(true));
        History h = net.fit(train, fo);
        if (h.stopReason() != null) System.out.println(h.stopReason());
        Map<String, Double> val0 = net.evaluate(val, batchSize);
        double valLoss = val0.get("loss");

        System.out.printf(Locale.ROOT, "%nValidation (%,d characters in %,d windows of %d), cross-entropy in nats per character "
                + "(perplexity = e^loss):%n", val.size() * seqLength, val.size(), seqLength);
        String label = kind.equals("simple") ? "SimpleRNN" : kind.toUpperCase(Locale.ROOT);
        System.out.printf(Locale.ROOT, "  %-22s %.4f  (perplexity %.2f, next-character accuracy %.1f%%)%n",
                label + "(" + units + ")" + (layers > 1 ? " x" + layers : ""), valLoss, Math.exp(valLoss), 100 * val0.get("accuracy"));
        for (Map.Entry<String, Double> e : baselines.entrySet()) {
            System.out.printf(Locale.ROOT, "  %-22s %.4f  (perplexity %.2f)%n", e.getKey() + (e.getKey().equals("uniform") ? "" : ", add-one"),
                    e.getValue(), Math.exp(e.getValue()));
        }
        double tri = baselines.get("trigram");
        System.out.printf(Locale.ROOT, "  %s the trigram baseline by %.4f nats per character%n",
                valLoss < tri ? "beats" : "does NOT beat", Math.abs(tri - valLoss));

        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kind", "rnn4j-charlm");
        meta.put("vocabulary", vocab.chars());
        meta.put("seq_length", seqLength);
        meta.put("text", name);
        Path modelFile = out.resolve("model.rnn4j");
        ModelFile.save(net, modelFile, false, meta);

        String sample = sample(net, vocab);
        Files.writeString(out.resolve("sample.txt"), sample, StandardCharsets.UTF_8);

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", name);
        m.put("characters", n);
        m.put("vocabulary_size", v);
        m.put("split", List.of(split, n - split));
        m.put("unit", "nats per character");
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("cell", kind);
        mm.put("units", units);
        mm.put("layers", layers);
        mm.put("params", net.countParams());
        mm.put("val_loss", valLoss);
        mm.put("val_perplexity", Math.exp(valLoss));
        mm.put("val_accuracy", val0.get("accuracy"));
        m.put("model", mm);
        m.put("baselines", baselines);
        m.put("epochs_run", h.epochs().size());
        m.put("stop_reason", h.stopReason());
        m.put("history", h.history());
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("seq_length", seqLength);
        opts.put("stride", step);
        opts.put("embedding", embedding);
        opts.put("dropout", dropout);
        opts.put("recurrent_dropout", recurrentDropout);
        opts.put("epochs", epochs);
        opts.put("patience", patience);
        opts.put("batch_size", batchSize);
        opts.put("learning_rate", learningRate);
        opts.put("clipnorm", clipnorm);
        opts.put("temperature", temperature);
        opts.put("seed", seed);
        opts.put("max_chars", maxChars);
        m.put("options", opts);
        m.put("seconds", (System.nanoTime() - started) / 1e9);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("metrics.json").toFile(), m);
        TrainingCurves.write(h.history(), out.resolve("training-curves"), EnumSet.allOf(ChartFormat.class));
        System.out.println("\nWrote " + modelFile + ", metrics.json, history.csv, training-curves.png/.svg, sample.txt to " + out);
        return 0;
    }

    private int sampleOnly() throws IOException {
        ModelFile.Loaded loaded = ModelFile.read(load);
        Object chars = loaded.metadata() == null ? null : loaded.metadata().get("vocabulary");
        if (!(chars instanceof String s)) {
            throw new IllegalArgumentException(load + " has no vocabulary in its metadata; --load needs a model written by 'rnn4j charlm'");
        }
        CharVocabulary vocab = CharVocabulary.fromChars(s);
        if (!prime.isEmpty()) vocab.encode(prime, "--prime");
        String sample = sample(loaded.model(), vocab);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("sample.txt"), sample, StandardCharsets.UTF_8);
        }
        return 0;
    }

    private String sample(Model model, CharVocabulary vocab) {
        String s = new CharSampler(model, vocab, temperature, seed).generate(prime, generate);
        System.out.printf(Locale.ROOT, "%nSample (%d characters, temperature %s, seed %d%s):%n%s%n", generate,
                temperature, seed, prime.isEmpty() ? "" : ", prime \"" + prime + "\"", s);
        return s;
    }
}
