package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.AllocatedBytes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static io.github.rnn4j.layers.recurrent.RecurrentTesting.Cell;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.build;
import static io.github.rnn4j.layers.recurrent.RecurrentTesting.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "No allocation in the time loop", measured: the bytes allocated (on every thread, the kernel
 * pool's included, by {@code com.sun.management.ThreadMXBean}) by one training step of a layer —
 * forward with dropout and recurrent dropout, backward — with a reused frame, at 10 and at 110
 * timesteps. The only thing whose size may grow with time is the input gradient the layer
 * returns (B x T x F floats, plus the array header), so the difference between the two must be
 * at most 100 timesteps of it plus a small slack; one allocation per step of even 16 bytes would
 * exceed that (100 steps x 4 parts of the loop). Measured after warm-up, so the JIT has compiled
 * the loop (before that the Vector API boxes vectors on the heap).
 */
class TimeLoopAllocationTest {
    private static final int NB = 8, NF = 6, NH = 48, SHORT = 10, LONG = 110;
    private static final long SLACK = 1024;
    private static final int MAX_ROUNDS = 1000;

    @ParameterizedTest
    @EnumSource(Cell.class)
    void aTrainingStepAllocatesNothingPerTimestep(Cell cell) {
        Recurrent<?> shortLayer = build(cell.create(NH).dropout(0.2).recurrentDropout(0.3), NF, false, 3);
        Recurrent<?> longLayer = build(cell.create(NH).dropout(0.2).recurrentDropout(0.3), NF, false, 3);
        SplittableRandom r = new SplittableRandom(1);
        Tensor[] xs = {random(r, 1f, NB, SHORT, NF)}, xl = {random(r, 1f, NB, LONG, NF)};
        Tensor dy = random(r, 1f, NB, NH);
        Layer.Frame fs = shortLayer.newFrame(), fl = longLayer.newFrame();
        long allowed = 4L * NB * (LONG - SHORT) * NF + SLACK;
        // warm-up ends when three rounds in a row meet the bound (C2 has then inlined the vector
        // helpers; until it does, a vector passed to a helper is boxed on the heap)
        long last = Long.MAX_VALUE;
        int inARow = 0;
        for (int round = 0; round < MAX_ROUNDS && inARow < 3; round++) {
            last = allocated(longLayer, xl, dy, fl) - allocated(shortLayer, xs, dy, fs);
            inARow = last <= allowed ? inARow + 1 : 0;
        }
        assertTrue(inARow == 3, cell + ": after " + MAX_ROUNDS + " rounds a training step at " + LONG
                + " steps still allocates " + last + " bytes more than at " + SHORT + " steps; at most " + allowed
                + " (the longer input gradient) allowed");
    }

    /** Bytes allocated by all threads during one forward (training) + backward. */
    private static long allocated(Recurrent<?> l, Tensor[] x, Tensor dy, Layer.Frame f) {
        return AllocatedBytes.during(() -> {
            l.forward(x, null, f, true);
            l.zeroGrads();
            l.backward(new Tensor[]{dy}, f);
        });
    }
}
