package io.github.rnn4j.layers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * config -> fromConfig -> same config, directly and through JSON (as a model file stores it),
 * plus configs in the forms Keras writes (tuples as lists, initializers as dicts or aliases).
 */
class LayersConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static <L extends Layer> void roundTrip(L layer, Function<Map<String, Object>, L> fromConfig) throws Exception {
        layer.name("x1");
        Map<String, Object> c = layer.getConfig();
        assertEquals(c, fromConfig.apply(c).getConfig(), "direct round trip of " + layer.className());
        String json = JSON.writeValueAsString(c);
        Map<String, Object> parsed = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        Map<String, Object> again = fromConfig.apply(parsed).getConfig();
        assertEquals(json, JSON.writeValueAsString(again), "JSON round trip of " + layer.className());
    }

    @Test
    void everyLayerRoundTrips() throws Exception {
        roundTrip(new Dense(7).activation("softmax").useBias(false).kernelInitializer("he_normal")
                .biasInitializer("ones"), Dense::fromConfig);
        roundTrip(new Activation("elu"), Activation::fromConfig);
        roundTrip(new TimeDistributed(new Dense(3).activation("relu")), TimeDistributed::fromConfig);
        roundTrip(new Embedding(100, 16).maskZero(true).embeddingsInitializer("glorot_uniform"), Embedding::fromConfig);
        roundTrip(new Dropout(0.25).noiseShape(-1, 1, 8).seed(5), Dropout::fromConfig);
        roundTrip(new Dropout(0.5), Dropout::fromConfig);
        roundTrip(new Masking(-1.5), Masking::fromConfig);
        roundTrip(new Conv1D(8, 5).strides(2).padding("causal").activation("tanh").useBias(false), Conv1D::fromConfig);
        roundTrip(new Conv1D(8, 3).dilationRate(4).padding("same"), Conv1D::fromConfig);
        roundTrip(new MaxPooling1D(3).strides(1).padding("same"), MaxPooling1D::fromConfig);
        roundTrip(new GlobalAveragePooling1D().keepdims(true), GlobalAveragePooling1D::fromConfig);
        roundTrip(new GlobalMaxPooling1D(), GlobalMaxPooling1D::fromConfig);
        roundTrip(new Flatten(), Flatten::fromConfig);
        roundTrip(new RepeatVector(12), RepeatVector::fromConfig);
        roundTrip(new Reshape(4, -1), Reshape::fromConfig);
        roundTrip(new Concatenate(1), Concatenate::fromConfig);
        roundTrip(new Add(), Add::fromConfig);
    }

    @Test
    void roundTripKeepsBehaviour() {
        Conv1D a = new Conv1D(4, 3).strides(2).padding("same");
        Conv1D b = Conv1D.fromConfig(a.getConfig());
        int[][] in = {{9, 2}};
        assertEquals(List.of(5, 4), List.of(b.outputShapes(in)[0][0], b.outputShapes(in)[0][1]));
        a.build(in, 3);
        b.build(in, 3);
        assertEquals(java.util.Arrays.toString(a.kernel().value()), java.util.Arrays.toString(b.kernel().value()));
    }

    @Test
    void kerasKeyNames() {
        Map<String, Object> c = new Conv1D(8, 3).getConfig();
        for (String k : List.of("name", "trainable", "filters", "kernel_size", "strides", "padding", "dilation_rate",
                "activation", "use_bias", "kernel_initializer", "bias_initializer")) {
            assertTrue(c.containsKey(k), "Conv1D config has " + k);
        }
        assertEquals(List.of(3), c.get("kernel_size"));
        Map<String, Object> e = new Embedding(10, 4).getConfig();
        assertEquals(10, e.get("input_dim"));
        assertEquals(4, e.get("output_dim"));
        assertEquals(false, e.get("mask_zero"));
        assertEquals(List.of(2), new MaxPooling1D(2).getConfig().get("pool_size"));
        assertEquals(List.of(2), new MaxPooling1D(2).getConfig().get("strides"));
        assertEquals(0.0, new Masking().getConfig().get("mask_value"));
        assertEquals(-1, new Concatenate().getConfig().get("axis"));
        assertEquals(0.5, new Dropout(0.5).getConfig().get("rate"));
    }

    /** A Conv1D config in the shape Keras 3's get_config() writes it. */
    @Test
    void kerasWrittenConv1dConfig() throws Exception {
        String keras = """
                {"name": "conv1d", "trainable": true, "dtype": "float32", "filters": 16, "kernel_size": [5],
                 "strides": [1], "padding": "causal", "data_format": "channels_last", "dilation_rate": [2],
                 "groups": 1, "activation": "relu", "use_bias": true,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                        "config": {"seed": null}, "registered_name": null},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {},
                                      "registered_name": null},
                 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
                 "kernel_constraint": null, "bias_constraint": null}""";
        Map<String, Object> c = JSON.readValue(keras, new TypeReference<LinkedHashMap<String, Object>>() { });
        Conv1D l = Conv1D.fromConfig(c);
        Map<String, Object> back = l.getConfig();
        assertEquals("conv1d", back.get("name"));
        assertEquals(16, back.get("filters"));
        assertEquals(List.of(5), back.get("kernel_size"));
        assertEquals(List.of(2), back.get("dilation_rate"));
        assertEquals("causal", back.get("padding"));
        assertEquals("relu", back.get("activation"));
        assertEquals("glorot_uniform", back.get("kernel_initializer"));
        assertEquals("zeros", back.get("bias_initializer"));
    }

    @Test
    void numbersAndOneElementListsBothAccepted() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", 2);
        c.put("kernel_size", 3);
        c.put("strides", List.of(2));
        Conv1D l = Conv1D.fromConfig(c);
        assertEquals(List.of(3), l.getConfig().get("kernel_size"));
        assertEquals(List.of(2), l.getConfig().get("strides"));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("pool_size", List.of(4));
        p.put("strides", null); // Keras's default: the pool size
        assertEquals(4, MaxPooling1D.fromConfig(p).strides());
        Map<String, Object> bad = new LinkedHashMap<>(c);
        bad.put("kernel_size", List.of(3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv1D.fromConfig(bad));
        assertTrue(e.getMessage().contains("kernel_size"), e.getMessage());
    }

    @Test
    void embeddingKerasDefaultInitializerAlias() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("input_dim", 5);
        c.put("output_dim", 2);
        c.put("embeddings_initializer", "uniform");
        assertEquals("random_uniform", Embedding.fromConfig(c).getConfig().get("embeddings_initializer"));
        c.put("embeddings_initializer", Map.of("class_name", "RandomUniform",
                "config", Map.of("minval", -0.05, "maxval", 0.05)));
        assertEquals("random_uniform", Embedding.fromConfig(c).getConfig().get("embeddings_initializer"));
        c.put("embeddings_initializer", Map.of("class_name", "RandomUniform",
                "config", Map.of("minval", -1.0, "maxval", 1.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Embedding.fromConfig(c));
        assertTrue(e.getMessage().contains("minval"), e.getMessage());
    }

    @Test
    void unsupportedKerasOptionsAreRejected() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("filters", 2);
        c.put("kernel_size", 3);
        c.put("data_format", "channels_first");
        assertThrows(IllegalArgumentException.class, () -> Conv1D.fromConfig(c));
        c.put("data_format", "channels_last");
        c.put("groups", 2);
        assertThrows(IllegalArgumentException.class, () -> Conv1D.fromConfig(c));
    }

    @Test
    void trainableAndNameRestored() {
        Dense d = new Dense(2);
        d.name("head");
        d.trainable(false);
        Dense e = Dense.fromConfig(d.getConfig());
        assertEquals("head", e.name());
        assertFalse(e.trainable());
    }
}
