package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the checker: {@link GradCheck} must fail on a gradient that is wrong by a small amount,
 * otherwise the passing gradient checks would mean nothing. Each test-only subclass of
 * {@link SimpleRNN} corrupts one gradient after a correct backward; the unmodified layer on the
 * same data passes, so the failure is caused by the corruption alone.
 *
 * <p>Not a test of SimpleRNN itself (RecurrentGradientTest does that).
 */
class GradCheckSensitivityTest {
    private static final int B = 2, T = 3, F = 3, H = 3;

    /** Adds 0.1 to one entry of the kernel gradient. */
    static final class WrongKernelGrad extends SimpleRNN {
        WrongKernelGrad() {
            super(H);
        }

        @Override
        public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
            Tensor[] g = super.backward(gradOutputs, frame);
            kernel().grad()[4] += 0.1f;
            return g;
        }
    }

    /** Adds 0.1 to one entry of the input gradient. */
    static final class WrongInputGrad extends SimpleRNN {
        WrongInputGrad() {
            super(H);
        }

        @Override
        public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
            Tensor[] g = super.backward(gradOutputs, frame);
            g[0].data()[5] += 0.1f;
            return g;
        }
    }

    private static Tensor[] input() {
        return new Tensor[]{GradCheck.random(new SplittableRandom(3), 1f, B, T, F)};
    }

    private static <L extends Recurrent<?>> L built(L l) {
        l.returnSequences(true).build(new int[][]{{T, F}}, 5);
        return l;
    }

    @Test
    void correctLayerPasses() {
        GradCheck.check(built(new SimpleRNN(H)), input(), null, false, null, 1);
        GradCheck.check(built(new SimpleRNN(H)), input(), Mask.fromLengths(T, 3, 1), false, null, 1);
    }

    @Test
    void wrongParameterGradientIsCaught() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GradCheck.check(built(new WrongKernelGrad()), input(), null, false, null, 1));
        assertTrue(e.getMessage().contains("kernel[4]"), e.getMessage());
    }

    @Test
    void wrongInputGradientIsCaught() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> GradCheck.check(built(new WrongInputGrad()), input(), null, false, null, 1));
        assertTrue(e.getMessage().contains("input 0[5]"), e.getMessage());
    }
}
