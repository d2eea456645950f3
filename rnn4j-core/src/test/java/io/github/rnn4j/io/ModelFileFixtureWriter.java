package io.github.rnn4j.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.rnn4j.layers.Concatenate;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Embedding;
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.models.FitOptions;
import io.github.rnn4j.models.Model;
import io.github.rnn4j.models.ModelTesting;
import io.github.rnn4j.models.Sequential;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the "old saved model" fixtures under src/test/resources/fixtures/: two small trained
 * models in model file format 1 and, beside each, JSON with the inputs and the predictions they
 * gave when they were saved. Run once by hand (the committed files are the fixtures; rewriting
 * them defeats their purpose):
 * <pre>
 *   java -cp target/test-classes:target/classes:JACKSON_JARS io.github.rnn4j.io.ModelFileFixtureWriter src/test/resources/fixtures
 * </pre>
 * Not a test; {@link ModelFileFixtureTest} reads what it wrote.
 */
public final class ModelFileFixtureWriter {
    private ModelFileFixtureWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures");
        Files.createDirectories(dir);

        Sequential seq = new Sequential(new InputLayer(-1, 3), new LSTM(4).returnSequences(true), new GRU(3),
                new Dense(2).activation("tanh"));
        seq.name("fixture_sequential").seed(2024);
        seq.compile(new Adam(1e-2), new MeanSquaredError(), "mae");
        Tensor x = ModelTesting.rand(1, 4, 6, 3);
        seq.fit(x, ModelTesting.rand(2, 4, 2), new FitOptions().epochs(3).batchSize(2).verbose(0));
        write(dir, "sequential-v1", seq, new Tensor[]{x});

        SymbolicTensor tokens = Input.of("tokens", -1), extra = Input.of("extra", 2);
        SymbolicTensor h = new Bidirectional(new LSTM(3)).call(new Embedding(9, 4).maskZero(true).call(tokens));
        SymbolicTensor out = new Dense(1).call(new Concatenate().call(h, extra));
        Model fun = Model.of(new SymbolicTensor[]{tokens, extra}, new SymbolicTensor[]{out}).name("fixture_functional")
                .seed(7);
        fun.compile(new Adam(1e-2), new MeanSquaredError());
        Tensor ids = ModelTesting.ids(3, 9, 4, 5);
        ids.data()[4] = 0; // padding at the end of sample 0
        Tensor[] fx = {ids, ModelTesting.rand(4, 4, 2)};
        fun.fit(fx, new Tensor[]{ModelTesting.rand(5, 4, 1)}, new FitOptions().epochs(3).batchSize(2).verbose(0));
        write(dir, "functional-v1", fun, fx);
    }

    private static void write(Path dir, String name, Model m, Tensor[] x) throws Exception {
        ModelFile.save(m, dir.resolve(name + ".rnn4j"), true);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model_file", name + ".rnn4j");
        j.put("format_version", ModelFile.FORMAT_VERSION);
        j.put("optimizer_iterations", m.optimizer().iterations());
        j.put("inputs", tensors(x));
        j.put("predictions", tensors(m.predict(x, x[0].dim(0))));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(name + "-expected.json").toFile(), j);
    }

    private static List<Object> tensors(Tensor[] ts) {
        List<Object> out = new ArrayList<>();
        for (Tensor t : ts) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("shape", t.shape());
            e.put("values", t.data());
            out.add(e);
        }
        return out;
    }
}
