package io.github.rnn4j.models;

import io.github.rnn4j.layers.Conv1D;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.GlobalAveragePooling1D;
import io.github.rnn4j.layers.Input;
import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Masking;
import io.github.rnn4j.layers.MaxPooling1D;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.TimeDistributed;
import io.github.rnn4j.layers.recurrent.Bidirectional;
import io.github.rnn4j.layers.recurrent.GRU;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.layers.recurrent.SimpleRNN;
import io.github.rnn4j.layers.recurrent.StackedRNN;
import io.github.rnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.github.rnn4j.models.ModelTesting.assertBitsEqual;
import static io.github.rnn4j.models.ModelTesting.assertClose;
import static io.github.rnn4j.models.ModelTesting.rand;
import static io.github.rnn4j.models.ModelTesting.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming API ({@link Model#initialState}, {@link Model#step}, {@link ModelState}):
 * stepping one timestep at a time reproduces predict on the whole sequence; states are
 * immutable values; their bytes round-trip and damaged bytes are refused; concurrent stepping
 * from several threads on one model gives the sequential results; layers that look across time
 * are refused. Not a test of the recurrent math itself (the layer tests do that).
 */
class StreamingTest {
    private static final int B = 3;
    private static final int T = 7;
    private static final int F = 3;
    /**
     * Stepping and predict do the same arithmetic, but predict's hoisted input projection is one
     * GEMM over T·B rows where a step's covers B rows; a SIMD kernel may block (and so round)
     * those differently, so the two agree to float32 rounding rather than bit for bit. A real
     * error (a wrong state, a missed gate) is off by orders of magnitude more.
     */
    private static final double TOL = 1e-6;

    record Stack(String name, Supplier<Model> make, boolean perStep) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Stack> stacks() {
        return Stream.of(
                new Stack("SimpleRNN", () -> new Sequential(new InputLayer(-1, F), new SimpleRNN(5), new Dense(2)), false),
                new Stack("LSTM", () -> new Sequential(new InputLayer(-1, F), new LSTM(5), new Dense(2)), false),
                new Stack("GRU resetAfter", () -> new Sequential(new InputLayer(-1, F), new GRU(5), new Dense(1)), false),
                new Stack("GRU resetBefore", () -> new Sequential(new InputLayer(-1, F), new GRU(4).resetAfter(false),
                        new Dense(1)), false),
                new Stack("SimpleRNN-LSTM-GRU sequences", () -> new Sequential(new InputLayer(-1, F),
                        new SimpleRNN(4).returnSequences(true), new LSTM(5).returnSequences(true),
                        new GRU(3).returnSequences(true), new Dense(2)), true),
                new Stack("LSTM-GRU last", () -> new Sequential(new InputLayer(-1, F), new LSTM(5).returnSequences(true),
                        new GRU(4), new Dense(2).activation("tanh")), false),
                new Stack("LSTM TimeDistributed", () -> new Sequential(new InputLayer(-1, F),
                        new LSTM(4).returnSequences(true), new TimeDistributed(new Dense(2))), true),
                new Stack("functional two branches", StreamingTest::twoBranches, true));
    }

    private static Model twoBranches() {
        SymbolicTensor in = Input.of(-1, F);
        SymbolicTensor a = new LSTM(4).returnSequences(true).call(in);
        SymbolicTensor b = new GRU(3).returnSequences(true).call(in);
        return Model.of(new SymbolicTensor[]{in}, new SymbolicTensor[]{new Dense(1).call(a), new Dense(2).call(b)});
    }

    private static Model built(Stack s, long seed) {
        Model m = s.make().get().seed(seed);
        m.build();
        return m;
    }

    /** Steps over every timestep of x; returns the outputs of each step (per output, per step). */
    private static List<Tensor[]> stepAll(Model m, Tensor x) {
        ModelState st = m.initialState(x.dim(0));
        List<Tensor[]> outs = new ArrayList<>();
        for (int t = 0; t < x.dim(1); t++) {
            StepResult r = m.step(step(x, t), st);
            Tensor[] o = new Tensor[r.outputCount()];
            for (int i = 0; i < o.length; i++) o[i] = r.output(i);
            outs.add(o);
            st = r.state();
        }
        return outs;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stacks")
    void steppingEqualsPredictOnTheWholeSequence(Stack s) {
        Model m = built(s, 21);
        Tensor x = rand(1, B, T, F);
        Tensor[] whole = m.predict(new Tensor[]{x}, B);
        List<Tensor[]> steps = stepAll(m, x);
        for (int k = 0; k < whole.length; k++) {
            if (s.perStep()) {
                for (int t = 0; t < T; t++) {
                    assertClose(step(whole[k], t), steps.get(t)[k], TOL, "output " + k + " at step " + t);
                }
            } else {
                assertClose(whole[k], steps.get(T - 1)[k], TOL, "output " + k + " after the last step");
                // after t+1 steps the output is that of predict on the first t+1 steps
                int t = 2;
                Tensor prefix = m.predict(new Tensor[]{prefix(x, t + 1)}, B)[k];
                assertClose(prefix, steps.get(t)[k], TOL, "output " + k + " after step " + t);
            }
        }
    }

    private static Tensor prefix(Tensor x, int len) {
        int b = x.dim(0), t = x.dim(1), f = x.dim(2);
        Tensor p = Tensor.zeros(b, len, f);
        for (int i = 0; i < b; i++) System.arraycopy(x.data(), i * t * f, p.data(), i * len * f, len * f);
        return p;
    }

    @Test
    void steppingThroughMaskedStepsEqualsPredict() {
        // trailing padding (mask value 0): the state is carried through, outputs repeat
        Model m = new Sequential(new InputLayer(-1, F), new Masking(0.0), new LSTM(4).returnSequences(true),
                new GRU(3), new Dense(2)).seed(2);
        Model seq = new Sequential(new InputLayer(-1, F), new Masking(0.0), new GRU(4).returnSequences(true),
                new Dense(2)).seed(2);
        Tensor x = rand(3, B, T, F);
        for (int t = 4; t < T; t++) Arrays.fill(x.data(), (0 * T + t) * F, (0 * T + t + 1) * F, 0f); // sample 0: 4 steps
        Arrays.fill(x.data(), (1 * T + 2) * F, (1 * T + 3) * F, 0f); // sample 1: a gap at step 2
        List<Tensor[]> steps = stepAll(m, x);
        assertClose(m.predict(x), steps.get(T - 1)[0], TOL, "last output with padding");
        Tensor whole = seq.predict(x);
        List<Tensor[]> s2 = stepAll(seq, x);
        for (int t = 0; t < T; t++) assertClose(step(whole, t), s2.get(t)[0], TOL, "per-step output at " + t);
    }

    @Test
    void statesAreImmutableValues() {
        Model m = built(stacks().toList().get(4), 5);
        Tensor x0 = rand(2, B, F), x1 = rand(3, B, F);
        ModelState s0 = m.initialState(B);
        byte[] before = s0.toBytes();
        StepResult a = m.step(x0, s0);
        StepResult b = m.step(x0, s0);
        assertBitsEqual(a.output(), b.output(), "same state, same input");
        assertArrayEquals(before, s0.toBytes(), "stepping does not change the state it starts from");
        assertArrayEquals(a.state().toBytes(), b.state().toBytes());
        // branching: two different continuations from one state do not interfere
        ModelState s1 = a.state();
        byte[] s1Bytes = s1.toBytes();
        Tensor c1 = m.step(x1, s1).output();
        m.step(x0, s1);
        assertBitsEqual(c1, m.step(x1, s1).output(), "a state can be continued twice");
        assertArrayEquals(s1Bytes, s1.toBytes());
        // states() hands out copies
        String key = s1.keys().iterator().next();
        s1.states(key)[0].fill(42f);
        assertArrayEquals(s1Bytes, s1.toBytes(), "states() returns copies");
        assertEquals(B, s1.batch());
        assertEquals(3, s1.keys().size(), "one entry per recurrent layer call");
        assertNotEquals(Arrays.toString(before), Arrays.toString(s1Bytes), "the state moved");
    }

    @Test
    void stateBytesRoundTripAndDamagedBytesAreRefused() {
        Model m = built(stacks().toList().get(5), 8);
        Tensor x = rand(4, B, T, F);
        ModelState st = m.initialState(B);
        for (int t = 0; t < 3; t++) st = m.step(step(x, t), st).state();
        byte[] bytes = st.toBytes();
        ModelState back = ModelState.fromBytes(m, bytes);
        assertArrayEquals(bytes, back.toBytes());
        ModelState a = st, b = back;
        for (int t = 3; t < T; t++) {
            StepResult ra = m.step(step(x, t), a), rb = m.step(step(x, t), b);
            assertBitsEqual(ra.output(), rb.output(), "continued from restored bytes, step " + t);
            a = ra.state();
            b = rb.state();
        }
        for (int cut : new int[]{0, 7, 20, bytes.length / 2, bytes.length - 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelState.fromBytes(m, Arrays.copyOf(bytes, cut)), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 20] ^= 0x10; // inside the float values
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(m, flipped));
        assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(m, magic));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        byte[] version = bytes.clone();
        version[7] = 99;
        e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(m, version));
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(m, longer));

        // a state of another architecture: other units, other layers, other layer count
        Model wider = new Sequential(new InputLayer(-1, F), new LSTM(6).returnSequences(true), new GRU(4), new Dense(2));
        wider.build();
        e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(wider, bytes));
        assertTrue(e.getMessage().contains("units"), e.getMessage());
        Model other = new Sequential(new InputLayer(-1, F), new GRU(5).returnSequences(true), new GRU(4), new Dense(2));
        other.build();
        e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(other, bytes));
        assertTrue(e.getMessage().contains("lstm"), e.getMessage());
        Model fewer = new Sequential(new InputLayer(-1, F), new LSTM(5), new Dense(2));
        fewer.build();
        e = assertThrows(IllegalArgumentException.class, () -> ModelState.fromBytes(fewer, bytes));
        assertTrue(e.getMessage().contains("recurrent layer"), e.getMessage());
    }

    @Test
    void concurrentSteppingGivesTheSequentialResults() throws Exception {
        Model m = built(stacks().toList().get(4), 13);
        int streams = 8;
        Tensor[] xs = new Tensor[streams];
        List<List<Tensor[]>> expected = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            xs[i] = rand(100 + i, 2, T, F);
            expected.add(stepAll(m, xs[i]));
        }
        ExecutorService pool = Executors.newFixedThreadPool(streams);
        try {
            for (int round = 0; round < 5; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<Tensor[]>>> fs = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    Tensor x = xs[i];
                    fs.add(pool.submit(() -> {
                        go.await();
                        return stepAll(m, x);
                    }));
                }
                go.countDown();
                for (int i = 0; i < streams; i++) {
                    List<Tensor[]> got = fs.get(i).get();
                    for (int t = 0; t < T; t++) {
                        assertBitsEqual(expected.get(i).get(t)[0], got.get(t)[0], "stream " + i + " step " + t);
                    }
                }
            }
            // predict is documented as thread-safe too
            Tensor[] want = new Tensor[streams];
            for (int i = 0; i < streams; i++) want[i] = m.predict(xs[i]);
            List<Future<Tensor>> ps = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                Tensor x = xs[i];
                ps.add(pool.submit(() -> m.predict(x)));
            }
            for (int i = 0; i < streams; i++) assertBitsEqual(want[i], ps.get(i).get(), "concurrent predict " + i);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void layersThatLookAcrossTimeAreRefused() {
        Layer[][] refused = {
                {new Bidirectional(new LSTM(4))},
                {new LSTM(4).goBackwards(true)},
                {new Conv1D(2, 3).padding("causal")},
                {new MaxPooling1D(2), new GRU(2)},
                {new GlobalAveragePooling1D()},
                {new StackedRNN(new LSTM(3).returnSequences(true), new GRU(3))}};
        String[] names = {"Bidirectional", "LSTM", "Conv1D", "MaxPooling1D", "GlobalAveragePooling1D", "StackedRNN"};
        for (int i = 0; i < refused.length; i++) {
            Sequential s = new Sequential(new InputLayer(-1, F));
            for (Layer l : refused[i]) s.add(l);
            s.add(new Dense(1));
            s.build();
            ModelState st = s.initialState(B);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(rand(1, B, F), st),
                    names[i]);
            assertTrue(e.getMessage().contains(names[i]) && e.getMessage().contains("step"), e.getMessage());
        }
        // a one-tap convolution is per-step and allowed
        Sequential ok = new Sequential(new InputLayer(-1, F), new Conv1D(2, 1), new LSTM(3), new Dense(1));
        ok.build();
        Tensor x = rand(9, B, T, F);
        assertClose(ok.predict(x), stepAll(ok, x).get(T - 1)[0], TOL, "Conv1D(kernel 1) streams");
    }

    @Test
    void badStepInputsAreRefusedWithTheShapes() {
        Model m = new Sequential(new InputLayer(-1, F), new LSTM(4), new Dense(1));
        m.build();
        ModelState st = m.initialState(B);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.step(rand(1, B + 1, F), st));
        assertTrue(e.getMessage().contains(String.valueOf(B + 1)) && e.getMessage().contains(String.valueOf(B)), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.step(rand(1, B, F + 2), st));
        assertTrue(e.getMessage().contains(String.valueOf(F + 2)), e.getMessage());
        Tensor nan = rand(1, B, F);
        nan.data()[4] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> m.step(nan, st));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        Model other = new Sequential(new InputLayer(-1, F), new LSTM(4), new Dense(1));
        other.build();
        e = assertThrows(IllegalArgumentException.class, () -> other.step(rand(1, B, F), st));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.initialState(0));
        assertFalse(st.toString().isEmpty());
    }
}
