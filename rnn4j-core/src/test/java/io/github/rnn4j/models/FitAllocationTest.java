package io.github.rnn4j.models;

import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.testing.AllocatedBytes;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.MeanSquaredError;
import org.junit.jupiter.api.Test;

import static io.github.rnn4j.models.ModelTesting.rand;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model's fit makes no new output tensors per batch ({@link io.github.rnn4j.layers.Layer.Frame#reuseOutputs}
 * on its frames), measured: the bytes allocated on every thread (the kernel pool's included, by
 * {@code com.sun.management.ThreadMXBean}) by one epoch over 4 batches and over 12 batches of an
 * LSTM(48, sequences) -> Dense(5) model, batch 8, 50 steps. Each batch's LSTM output and Dense
 * input gradient are 77 KB and Dense's output 8 KB: made anew per batch they would add ~160 KB a
 * batch; the bound is 16 KB a batch (the small arrays of a call: Tensor[] results, shapes,
 * the loss mask list). Measured after warm-up, as {@code TimeLoopAllocationTest} is (until C2
 * has compiled the vector helpers, the Vector API boxes vectors on the heap).
 */
class FitAllocationTest {
    private static final int B = 8, T = 50, F = 3, SHORT = 4, LONG = 12, MAX_ROUNDS = 400;
    private static final long PER_BATCH = 16 * 1024;

    @Test
    void anEpochAllocatesNoOutputTensorsPerBatch() {
        Model m = new Sequential(new InputLayer(T, F), new LSTM(48).returnSequences(true), new Dense(5)).seed(3);
        m.compile(new Adam(1e-3), new MeanSquaredError());
        Tensor xs = rand(1, SHORT * B, T, F), ys = rand(2, SHORT * B, T, 5);
        Tensor xl = rand(3, LONG * B, T, F), yl = rand(4, LONG * B, T, 5);
        long allowed = PER_BATCH * (LONG - SHORT), last = Long.MAX_VALUE;
        int inARow = 0;
        for (int round = 0; round < MAX_ROUNDS && inARow < 3; round++) {
            last = allocated(m, xl, yl) - allocated(m, xs, ys);
            inARow = last <= allowed ? inARow + 1 : 0;
        }
        assertTrue(inARow == 3, "after " + MAX_ROUNDS + " rounds an epoch of " + LONG + " batches still allocates "
                + last + " bytes more than one of " + SHORT + "; at most " + allowed + " ("
                + PER_BATCH + " a batch) allowed");
    }

    /** Bytes allocated by all threads during one epoch of fit over (x, y), batch B, no shuffling. */
    private static long allocated(Model m, Tensor x, Tensor y) {
        return AllocatedBytes.during(() -> m.fit(x, y, new FitOptions().epochs(1).batchSize(B).shuffle(false).verbose(0)));
    }
}
