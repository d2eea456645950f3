package io.github.rnn4j.layers;

import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.layers.recurrent.StackedRNN;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A wrapper's frame passes {@link Layer.Frame#inferenceOnly}, {@link Layer.Frame#weightsFixed},
 * {@link Layer.Frame#weightsChanged} and {@link Layer.Frame#reuseOutputs} on to the frames of the
 * layers it holds, down to the
 * innermost (a Bidirectional LSTM; a StackedRNN holding a Bidirectional GRU, an LSTM and a
 * SimpleRNN; a TimeDistributed Dense): each inner frame reports the setting, and each one's
 * weights epoch moves when the wrapper's is told the weights changed.
 */
class WrapperFramesTest {
    private static void leaves(Layer.Frame f, List<Layer.Frame> out) {
        Layer.Frame[] inner = f.innerFrames();
        if (inner.length == 0) out.add(f);
        for (Layer.Frame g : inner) leaves(g, out);
    }

    @Test
    void wrappersPassTheirFrameSettingsToEveryInnerFrame() {
        Layer[] wrappers = {
            new Bidirectional(new LSTM(4).returnSequences(true)),
            new StackedRNN(new Bidirectional(new GRU(3).returnSequences(true)), new LSTM(5).returnSequences(true), new SimpleRNN(2)),
            new TimeDistributed(new Dense(3)),
        };
        int[] expectedLeaves = {2, 4, 1};
        for (int w = 0; w < wrappers.length; w++) {
            String what = wrappers[w].className();
            Layer.Frame f = wrappers[w].newFrame();
            List<Layer.Frame> leaves = new ArrayList<>();
            leaves(f, leaves);
            assertEquals(expectedLeaves[w], leaves.size(), what + ": inner frames");
            assertFalse(leaves.contains(f), what + ": has inner frames");
            for (Layer.Frame l : leaves) {
                assertFalse(l.isInferenceOnly() || l.isWeightsFixed() || l.isReuseOutputs(), what + ": defaults");
            }

            f.inferenceOnly(true).weightsFixed(true).reuseOutputs(true);
            long[] epochs = new long[leaves.size()];
            for (int i = 0; i < epochs.length; i++) {
                Layer.Frame l = leaves.get(i);
                assertTrue(l.isInferenceOnly() && l.isWeightsFixed() && l.isReuseOutputs(), what + ": inner frame " + i + " told");
                epochs[i] = l.weightsEpoch();
            }
            f.weightsChanged();
            for (int i = 0; i < epochs.length; i++) {
                assertNotEquals(epochs[i], leaves.get(i).weightsEpoch(), what + ": inner frame " + i + " told of the change");
            }
            f.inferenceOnly(false).weightsFixed(false).reuseOutputs(false);
            for (Layer.Frame l : leaves) {
                assertFalse(l.isInferenceOnly() || l.isWeightsFixed() || l.isReuseOutputs(), what + ": cleared");
            }
        }
    }
}
