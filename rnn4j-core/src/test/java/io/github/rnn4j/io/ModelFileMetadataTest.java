package io.github.rnn4j.io;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.models.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Application metadata travels with the model file; files without it read as an empty map. */
class ModelFileMetadataTest {

    @Test
    void metadataRoundTrips(@TempDir Path dir) throws Exception {
        Sequential m = new Sequential(new InputLayer(3), new Dense(2));
        m.build();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("lookback", 30);
        meta.put("features", List.of("temp_max", "wind"));
        meta.put("normalizer", Map.of("mean", List.of(1.5, -2.0), "std", List.of(0.5, 3.0)));
        ModelFile.save(m, dir.resolve("a.rnn4j"), false, meta);
        ModelFile.Loaded l = ModelFile.read(dir.resolve("a.rnn4j"));
        assertEquals(30, ((Number) l.metadata().get("lookback")).intValue());
        assertEquals(List.of("temp_max", "wind"), l.metadata().get("features"));
        assertEquals(List.of(1.5, -2.0), ((Map<?, ?>) l.metadata().get("normalizer")).get("mean"));

        ModelFile.save(m, dir.resolve("b.rnn4j"), false);
        assertTrue(ModelFile.read(dir.resolve("b.rnn4j")).metadata().isEmpty());
    }
}
