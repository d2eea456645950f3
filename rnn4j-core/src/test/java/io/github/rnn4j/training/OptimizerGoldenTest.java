package io.github.rnn4j.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.layers.Param;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replays PyTorch optimizer runs from golden/torch-training/torch_losses_optim.json: the same
 * initial values and gradient sequence, parameters compared after every step. Only the cases where
 * torch's formula equals Keras's are recorded (SGD with constant lr; Adam, AdamW and RMSprop with
 * epsilon 0), see tools/golden/torch_losses_optim.py. The Keras config in each case is fed
 * through {@link Optimizers#fromConfig}, so the Keras names are exercised too.
 */
class OptimizerGoldenTest {
    @Test
    @SuppressWarnings("unchecked")
    void matchesPyTorchWhereTheFormulasCoincide() throws Exception {
        JsonNode root = LossValueTest.golden();
        ObjectMapper om = new ObjectMapper();
        int cases = 0;
        for (JsonNode c : root.get("optimizers")) {
            String name = c.get("name").asText();
            Optimizer opt = Optimizers.fromConfig(c.get("class_name").asText(), om.convertValue(c.get("config"), Map.class));
            List<Param> ps = new ArrayList<>();
            for (int i = 0; i < c.get("shapes").size(); i++) {
                Param p = new Param("p" + i, LossValueTest.ints(c.get("shapes").get(i)));
                System.arraycopy(LossValueTest.floats(c.get("init").get(i)), 0, p.value(), 0, p.size());
                ps.add(p);
            }
            JsonNode grads = c.get("grads"), after = c.get("after");
            for (int k = 0; k < grads.size(); k++) {
                for (int i = 0; i < ps.size(); i++) {
                    System.arraycopy(LossValueTest.floats(grads.get(k).get(i)), 0, ps.get(i).grad(), 0, ps.get(i).size());
                }
                opt.step(ps);
                for (int i = 0; i < ps.size(); i++) {
                    JsonNode want = after.get(k).get(i);
                    for (int j = 0; j < want.size(); j++) {
                        assertEquals(want.get(j).asDouble(), ps.get(i).value()[j], 3e-6,
                                name + " step " + (k + 1) + " param " + i + "[" + j + "]");
                    }
                }
            }
            cases++;
        }
        assertEquals(8, cases);
    }
}
