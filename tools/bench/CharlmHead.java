/*
 * The parts of a charlm training step that are not the recurrent layer, timed one by one: the
 * Dense(512 -> 65) head over all 6,400 positions of a batch (forward; forward + backward), the
 * sparse cross-entropy from logits with its gradient, and an Adam step over the LSTM's and the
 * head's weights (1.2 M values). These run between the recurrent layer's forward and backward in
 * every `rnn4j bench --configs charlm --mode training` iteration (about 0.45-0.65 s on the
 * machines measured), so a few milliseconds here are a few percent of the row.
 *
 * Not a benchmark against a peer and not a test: a tool for measuring changes to these parts,
 * run on a build's jar (run it on two jars alternately to compare them):
 *
 *   java --add-modules jdk.incubator.vector -cp rnn4j-cli/target/rnn4j.jar tools/bench/CharlmHead.java [ROUNDS]
 *
 * Prints, per round of 10 calls of each, the milliseconds per call (the first rounds include
 * compilation).
 */

import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.layers.Dense;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.recurrent.LSTM;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Adam;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.SparseCategoricalCrossentropy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

public class CharlmHead {
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
        int rows = 64 * 100, units = 512, vocab = 65, calls = 10;
        Dense dense = new Dense(vocab);
        dense.build(new int[][]{{units}}, 1);
        Layer.Frame frame = dense.newFrame();
        SplittableRandom r = new SplittableRandom(1);
        Tensor h = Tensor.zeros(rows, units);
        for (int i = 0; i < h.size(); i++) h.data()[i] = (float) r.nextDouble(-1, 1);
        Tensor ids = Tensor.zeros(rows);
        for (int i = 0; i < rows; i++) ids.data()[i] = r.nextInt(vocab);
        Loss loss = new SparseCategoricalCrossentropy(true);
        Tensor grad = Tensor.zeros(rows, vocab);
        LSTM lstm = new LSTM(units);
        lstm.build(new int[][]{{100, vocab}}, 1);
        List<Param> params = new ArrayList<>(lstm.params());
        params.addAll(dense.params());
        Adam adam = new Adam(1e-3);
        System.out.printf(Locale.ROOT, "charlm head: %d rows, Dense(%d -> %d), sparse cross-entropy from logits, Adam over %d "
                + "weights; kernels %s%n", rows, units, vocab, params.stream().mapToInt(Param::size).sum(), Kernels.get().name());
        for (int round = 0; round < rounds; round++) {
            long t0 = System.nanoTime();
            Tensor logits = null;
            for (int i = 0; i < calls; i++) logits = dense.forward(new Tensor[]{h}, null, frame, true)[0];
            long t1 = System.nanoTime();
            for (int i = 0; i < calls; i++) loss.forward(logits, ids, grad);
            long t2 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                dense.forward(new Tensor[]{h}, null, frame, true);
                dense.backward(new Tensor[]{grad}, frame);
            }
            long t3 = System.nanoTime();
            for (int i = 0; i < calls; i++) adam.step(params);
            long t4 = System.nanoTime();
            double ms = 1e6 * calls;
            System.out.printf(Locale.ROOT, "dense forward %.2f ms, loss %.2f ms, dense forward + backward %.2f ms, adam %.2f ms%n",
                    (t1 - t0) / ms, (t2 - t1) / ms, (t3 - t2) / ms, (t4 - t3) / ms);
        }
    }
}
