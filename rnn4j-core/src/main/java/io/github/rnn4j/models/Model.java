package io.github.rnn4j.models;

import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.layers.SymbolicTensor;
import io.github.rnn4j.layers.recurrent.Recurrent;
import io.github.rnn4j.tensor.Tensor;
import io.github.rnn4j.training.Loss;
import io.github.rnn4j.training.Losses;
import io.github.rnn4j.training.Metric;
import io.github.rnn4j.training.Metrics;
import io.github.rnn4j.training.Optimizer;
import io.github.rnn4j.training.Optimizers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A trainable model over a graph of layers, Keras's functional {@code Model}: several inputs and
 * outputs, shared layers, and {@code compile} / {@code fit} / {@code evaluate} / {@code predict}.
 * {@link Sequential} is the special case of a chain.
 *
 * <pre>{@code
 * SymbolicTensor in = Input.of(-1, 8);
 * SymbolicTensor h = new LSTM(32).recurrentDropout(0.5).call(in);
 * Model model = Model.of(in, new Dense(1).call(h)).seed(42);
 * model.compile(new Adam(1e-3), new MeanSquaredError(), "mae");
 * History history = model.fit(x, y, new FitOptions().epochs(10).validationSplit(0.2));
 * Tensor yHat = model.predict(xNew);
 * }</pre>
 *
 * <p>Randomness (initial weights, dropout masks, shuffling) comes only from the model seed: the
 * same seed gives the same bits on the same machine. Training is single-threaded per model
 * ({@code fit} is synchronized); {@link #predict} and {@link #step} allocate their own frames and
 * may be called from many threads on a model that is not stateful and not being trained.
 */
public class Model {
    /** The executable graph; for a Sequential, created when its input shape is known. */
    Graph graph;
    private String name = "functional";
    private long seed;
    private boolean built;

    private Optimizer optimizer;
    private Loss[] losses;
    private double[] lossWeights;
    private String[] metricNames = new String[0];
    private Graph.Run trainRun;
    private volatile boolean stopTraining;

    /** For subclasses that create their graph later (Sequential). */
    protected Model() {
    }

    /** A model from one input to one output. */
    public static Model of(SymbolicTensor input, SymbolicTensor output) {
        return of(new SymbolicTensor[]{input}, new SymbolicTensor[]{output});
    }

    /** A model from several inputs to several outputs. */
    public static Model of(SymbolicTensor[] inputs, SymbolicTensor[] outputs) {
        Model m = new Model();
        m.graph = new Graph(inputs, outputs);
        return m;
    }

    /** The model's name (Keras prints it in summary). */
    public String name() {
        return name;
    }

    /** Sets the model's name. */
    public Model name(String n) {
        this.name = n;
        return this;
    }

    /** Sets the seed of every random choice (weights, dropout, shuffling); before building. */
    public Model seed(long s) {
        if (built) throw new IllegalStateException("model '" + name + "': set the seed before the model is built");
        this.seed = s;
        return this;
    }

    public long seed() {
        return seed;
    }

    /** Makes the graph if a subclass defers it; returns it. */
    Graph graph() {
        if (graph == null) {
            throw new IllegalStateException("model '" + name + "' has no input shape yet: add an InputLayer "
                    + "or call fit/predict with data first");
        }
        return graph;
    }

    /** Called with the first data seen, for models whose input shape is not declared. */
    void ensureGraph(Tensor[] xs) {
    }

    /** Builds every layer (creates and initialises the weights) if not done yet. */
    public Model build() {
        if (!built) {
            graph().build(seed);
            built = true;
        }
        return this;
    }

    public boolean isBuilt() {
        return built;
    }

    /** The layers in graph order (the InputLayers included, as Keras lists them). */
    public List<Layer> layers() {
        return Collections.unmodifiableList(graph().layers);
    }

    /** The layer with this name. */
    public Layer getLayer(String layerName) {
        for (Layer l : graph().layers) if (layerName.equals(l.name())) return l;
        throw new IllegalArgumentException("model '" + name + "' has no layer named '" + layerName + "'");
    }

    /** Every parameter of every layer, in layer order then Keras weight order. */
    public List<Param> params() {
        build();
        List<Param> ps = new ArrayList<>();
        for (Layer l : graph.layers) ps.addAll(l.params());
        return ps;
    }

    /** Total parameter count. */
    public long countParams() {
        long n = 0;
        for (Param p : params()) n += p.size();
        return n;
    }

    /** Copies of all weights, as Keras's {@code get_weights()}. */
    public List<Tensor> getWeights() {
        List<Tensor> w = new ArrayList<>();
        for (Param p : params()) w.add(Tensor.of(p.value().clone(), p.shape()));
        return w;
    }

    /** Sets all weights, as Keras's {@code set_weights()}; every shape is checked first. */
    public void setWeights(List<Tensor> weights) {
        List<Param> ps = params();
        if (weights.size() != ps.size()) {
            throw new IllegalArgumentException("model '" + name + "' has " + ps.size() + " weights, got " + weights.size());
        }
        for (int i = 0; i < ps.size(); i++) {
            if (!Arrays.equals(ps.get(i).shape(), weights.get(i).shape())) {
                throw new IllegalArgumentException("model '" + name + "': weight " + i + " (" + ps.get(i).name()
                        + ") has shape " + Arrays.toString(ps.get(i).shape()) + ", got " + weights.get(i).shapeString());
            }
        }
        for (int i = 0; i < ps.size(); i++) System.arraycopy(weights.get(i).data(), 0, ps.get(i).value(), 0, ps.get(i).size());
    }

    /** Forgets the carried states of every stateful recurrent layer. */
    public void resetStates() {
        for (Layer l : graph().layers) if (l instanceof Recurrent r) r.resetStates();
    }

    /** Asks a running fit to stop after the current epoch (for callbacks). */
    public void stopTraining() {
        this.stopTraining = true;
    }

    // ---- compile ---------------------------------------------------------------------------

    /** Keras's {@code compile(optimizer, loss, metrics)} with one loss for every output. */
    public Model compile(Optimizer optimizer, Loss loss, String... metrics) {
        int n = graph().outputs.length;
        Loss[] ls = new Loss[n];
        Arrays.fill(ls, loss);
        return compile(optimizer, ls, null, metrics);
    }

    /** Compile from Keras strings: {@code compile("adam", "mse", "mae")}. */
    public Model compile(String optimizer, String loss, String... metrics) {
        return compile(Optimizers.get(optimizer), Losses.get(loss), metrics);
    }

    /** One loss per output, optional loss weights (null = all 1), metrics applied to every output. */
    public Model compile(Optimizer optimizer, Loss[] losses, double[] lossWeights, String... metrics) {
        int n = graph().outputs.length;
        if (optimizer == null) throw new IllegalArgumentException("compile: optimizer must not be null");
        if (losses.length != n) throw new IllegalArgumentException("compile: model has " + n + " outputs, got " + losses.length + " losses");
        if (lossWeights != null && lossWeights.length != n) {
            throw new IllegalArgumentException("compile: model has " + n + " outputs, got " + lossWeights.length + " loss weights");
        }
        for (String m : metrics) Metrics.get(m, losses[0]); // validates the names now
        this.optimizer = optimizer;
        this.losses = losses.clone();
        this.lossWeights = lossWeights == null ? filled(n, 1.0) : lossWeights.clone();
        this.metricNames = metrics.clone();
        return this;
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        Arrays.fill(d, v);
        return d;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public Loss[] losses() {
        return losses == null ? null : losses.clone();
    }

    public String[] metricNames() {
        return metricNames.clone();
    }

    private void checkCompiled(String what) {
        if (optimizer == null) throw new IllegalStateException("model '" + name + "': call compile() before " + what);
    }

    // ---- data checks -----------------------------------------------------------------------

    /** Checks data against the model's inputs (and targets against the outputs' losses). */
    private int checkData(Tensor[] xs, Tensor[] ys, String what) {
        Graph g = graph();
        if (xs.length != g.inputs.length) {
            throw new IllegalArgumentException(what + ": model '" + name + "' has " + g.inputs.length + " inputs, got "
                    + xs.length + " tensors");
        }
        if (ys != null && ys.length != g.outputs.length) {
            throw new IllegalArgumentException(what + ": model '" + name + "' has " + g.outputs.length + " outputs, got "
                    + ys.length + " target tensors");
        }
        int n = -1;
        for (int i = 0; i < xs.length; i++) {
            Tensor x = xs[i];
            if (x == null) throw new IllegalArgumentException(what + ": input " + i + " is null");
            int[] want = g.inputs[i].shape();
            InputLayer il = (InputLayer) g.inputs[i].source().layer();
            boolean ok = x.rank() == want.length + 1;
            for (int d = 0; ok && d < want.length; d++) ok = want[d] < 0 || want[d] == x.dim(d + 1);
            if (!ok) {
                throw new IllegalArgumentException(what + ": input " + i + " ('" + il.name() + "') expects shape "
                        + Layer.batchShapeString(want) + ", got " + x.shapeString());
            }
            if (n < 0) n = x.dim(0);
            else if (x.dim(0) != n) {
                throw new IllegalArgumentException(what + ": input " + i + " has " + x.dim(0) + " samples, input 0 has " + n);
            }
            for (int d = 1; d < x.rank(); d++) {
                if (x.dim(d) == 0) {
                    throw new IllegalArgumentException(what + ": input " + i + " ('" + il.name() + "') has a zero-length axis "
                            + d + " (shape " + x.shapeString() + "); a sequence of length 0 cannot be processed");
                }
            }
            checkFinite(x, what + ": input " + i + " ('" + il.name() + "')");
        }
        if (n == 0) throw new IllegalArgumentException(what + ": the dataset is empty (0 samples)");
        if (ys != null) {
            for (int i = 0; i < ys.length; i++) {
                if (ys[i] == null) throw new IllegalArgumentException(what + ": target " + i + " is null");
                if (ys[i].dim(0) != n) {
                    throw new IllegalArgumentException(what + ": target " + i + " has " + ys[i].dim(0) + " samples, inputs have " + n);
                }
                checkFinite(ys[i], what + ": target " + i);
            }
        }
        return n;
    }

    private static void checkFinite(Tensor t, String what) {
        int bad = t.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException(what + " contains " + t.data()[bad] + " at index "
                    + Arrays.toString(t.unravel(bad)) + " (shape " + t.shapeString() + ")");
        }
    }

    /**
     * Runs each loss once on a prediction-shaped tensor and the whole target, so that a target of
     * the wrong shape or a label out of range is reported before any weight changes.
     */
    private void checkTargets(Tensor[] ys, String what) {
        Graph g = graph;
        for (int k = 0; k < ys.length; k++) {
            int[] ps = g.outputs[k].shape();
            int[] full = new int[ps.length + 1];
            full[0] = ys[k].dim(0);
            for (int d = 0; d < ps.length; d++) {
                full[d + 1] = ps[d] >= 0 ? ps[d] : (ys[k].rank() > d + 1 ? ys[k].dim(d + 1) : 1);
            }
            Tensor probe = Tensor.zeros(full).fill(0.5f);
            try {
                losses[k].forward(probe, ys[k], Tensor.zeros(full));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": target " + k + " does not fit output "
                        + Layer.shapeString(ps) + " of '" + g.outputs[k].source().layer().name() + "' under loss "
                        + losses[k].name() + ": " + e.getMessage(), e);
            }
        }
    }

    // ---- fit -------------------------------------------------------------------------------

    /** {@code fit} for a single-input, single-output model. */
    public History fit(Tensor x, Tensor y, FitOptions o) {
        return fit(new Tensor[]{x}, new Tensor[]{y}, o);
    }

    /** Keras's {@code fit(x, y, epochs, batch_size)}. */
    public History fit(Tensor x, Tensor y, int epochs, int batchSize) {
        return fit(x, y, new FitOptions().epochs(epochs).batchSize(batchSize));
    }

    /**
     * Trains the model. Every check (shapes, NaN/Inf, labels, empty data) runs before any weight
     * or optimizer state changes. A NaN or infinite loss stops training before the bad step is
     * applied, so the weights stay those of the last good step, and {@link History#stopReason()}
     * says at which epoch and step.
     */
    public synchronized History fit(Tensor[] xs, Tensor[] ys, FitOptions o) {
        checkCompiled("fit");
        ensureGraph(xs);
        int n = checkData(xs, ys, "fit");
        checkTargets(ys, "fit");
        Tensor[] vx = o.validationX, vy = o.validationY;
        int nTrain = n;
        if (vx == null && o.validationSplit > 0) {
            nTrain = (int) Math.floor(n * (1 - o.validationSplit));
            if (nTrain <= 0 || nTrain >= n) {
                throw new IllegalArgumentException("fit: validationSplit " + o.validationSplit + " of " + n
                        + " samples leaves " + nTrain + " for training and " + (n - nTrain) + " for validation");
            }
            vx = slice(xs, nTrain, n);
            vy = slice(ys, nTrain, n);
        } else if (vx != null) {
            checkData(vx, vy, "fit (validation data)");
            checkTargets(vy, "fit (validation data)");
        }
        build();
        if (trainRun == null) trainRun = graph.new Run();
        List<Param> params = params();
        int steps = (nTrain + o.batchSize - 1) / o.batchSize;
        History history = new History();
        stopTraining = false;
        for (Callback cb : o.callbacks) cb.onTrainBegin(this);
        Map<String, Double> logs = new LinkedHashMap<>();
        int[] order = new int[nTrain];
        List<List<Metric>> metrics = newMetrics();
        String[] outNames = outputNames();
        Tensor[] grads = new Tensor[graph.outputs.length];

        epochs:
        for (int epoch = o.initialEpoch; epoch < o.epochs; epoch++) {
            if (o.verbose > 0) o.out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
            for (Callback cb : o.callbacks) cb.onEpochBegin(epoch);
            for (int i = 0; i < nTrain; i++) order[i] = i;
            if (o.shuffle) shuffle(order, new SplittableRandom(Graph.mix(seed ^ 0x5EEDL, epoch)));
            for (List<Metric> ms : metrics) for (Metric m : ms) m.reset();
            double lossSum = 0;
            double[] outLossSum = new double[graph.outputs.length];
            long seen = 0;
            ProgressBar bar = new ProgressBar(o.out, o.verbose, steps);
            bar.start();
            for (int step = 0; step < steps; step++) {
                int from = step * o.batchSize, to = Math.min(nTrain, from + o.batchSize);
                Tensor[] xb = gather(xs, order, from, to);
                Tensor[] yb = gather(ys, order, from, to);
                double[] outLoss = new double[graph.outputs.length];
                double loss = o.tbpttSteps > 0 ? trainStepTbptt(xb, yb, grads, outLoss, metrics, params, o.tbpttSteps)
                        : trainStep(xb, yb, grads, outLoss, metrics, params);
                if (!Double.isFinite(loss)) {
                    String msg = "fit stopped: loss is " + loss + " at epoch " + (epoch + 1) + ", step " + (step + 1)
                            + " of " + steps + "; the weights are those before this step";
                    if (o.verbose > 0) o.out.println();
                    System.err.println(msg);
                    history.stopReason(msg);
                    break epochs;
                }
                int bs = to - from;
                lossSum += loss * bs;
                for (int k = 0; k < outLoss.length; k++) outLossSum[k] += outLoss[k] * bs;
                seen += bs;
                logs = epochLogs(lossSum / seen, outLossSum, seen, metrics, outNames, "");
                bar.update(step + 1, logs);
                for (Callback cb : o.callbacks) cb.onTrainBatchEnd(step, logs);
            }
            if (vx != null) logs.putAll(evaluateInternal(vx, vy, o.batchSize, "val_"));
            bar.finish(logs);
            history.record(epoch, logs);
            for (Callback cb : o.callbacks) cb.onEpochEnd(epoch, logs);
            if (stopTraining) {
                if (history.stopReason() == null) history.stopReason("stopped by a callback after epoch " + (epoch + 1));
                break;
            }
        }
        for (Callback cb : o.callbacks) cb.onTrainEnd(logs);
        return history;
    }

    private String[] outputNames() {
        String[] names = new String[graph.outputs.length];
        for (int k = 0; k < names.length; k++) names[k] = graph.outputs[k].source().layer().name();
        return names;
    }

    private List<List<Metric>> newMetrics() {
        List<List<Metric>> all = new ArrayList<>();
        for (int k = 0; k < graph.outputs.length; k++) {
            List<Metric> ms = new ArrayList<>();
            for (String m : metricNames) ms.add(Metrics.get(m, losses[k]));
            all.add(ms);
        }
        return all;
    }

    private Map<String, Double> epochLogs(double loss, double[] outLossSum, long seen, List<List<Metric>> metrics,
                                          String[] outNames, String prefix) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put(prefix + "loss", loss);
        boolean multi = outNames.length > 1;
        if (multi) for (int k = 0; k < outNames.length; k++) logs.put(prefix + outNames[k] + "_loss", outLossSum[k] / seen);
        for (int k = 0; k < metrics.size(); k++) {
            for (Metric m : metrics.get(k)) {
                logs.put(prefix + (multi ? outNames[k] + "_" : "") + m.name(), m.result());
            }
        }
        return logs;
    }

    /** Forward, loss, backward, optimizer step for one batch; returns the (weighted) loss. */
    private double trainStep(Tensor[] xb, Tensor[] yb, Tensor[] grads, double[] outLoss, List<List<Metric>> metrics,
                             List<Param> params) {
        Tensor[] pred = trainRun.forward(xb, null, true);
        double total = lossAndGrads(pred, yb, grads, outLoss);
        if (!Double.isFinite(total)) return total;
        for (Param p : params) p.zeroGrad();
        trainRun.backward(grads);
        optimizer.step(params);
        for (int k = 0; k < pred.length; k++) for (Metric m : metrics.get(k)) m.update(pred[k], yb[k]);
        return total;
    }

    private double lossAndGrads(Tensor[] pred, Tensor[] yb, Tensor[] grads, double[] outLoss) {
        double total = 0;
        for (int k = 0; k < pred.length; k++) {
            if (grads[k] == null || !Arrays.equals(grads[k].shape(), pred[k].shape())) grads[k] = Tensor.zeros(pred[k].shape());
            double l = losses[k].forward(pred[k], yb[k], grads[k]);
            outLoss[k] = l;
            total += lossWeights[k] * l;
            if (lossWeights[k] != 1.0) {
                float w = (float) lossWeights[k];
                float[] g = grads[k].data();
                for (int i = 0; i < g.length; i++) g[i] *= w;
            }
        }
        return total;
    }

    /**
     * Truncated BPTT: the batch's sequences are cut into chunks of {@code k} steps along axis 1;
     * recurrent layers carry their final states into the next chunk (as stateful layers do) and
     * each chunk is its own gradient step. Targets must be per-timestep (same time axis).
     */
    private double trainStepTbptt(Tensor[] xb, Tensor[] yb, Tensor[] grads, double[] outLoss,
                                  List<List<Metric>> metrics, List<Param> params, int k) {
        int t = xb[0].rank() >= 3 ? xb[0].dim(1) : 1;
        for (Tensor y : yb) {
            if (y.rank() < 2 || y.dim(1) != t) {
                throw new IllegalArgumentException("truncatedBptt needs per-timestep targets with the same time axis as the "
                        + "inputs (" + t + " steps), got target shape " + y.shapeString());
            }
        }
        List<Recurrent> rec = new ArrayList<>();
        for (Layer l : graph.layers) if (l instanceof Recurrent r) rec.add(r);
        for (Recurrent r : rec) {
            if (!r.stateful()) {
                throw new IllegalArgumentException("truncatedBptt needs stateful recurrent layers so states flow across "
                        + "chunks; " + r.where() + " is not stateful");
            }
            r.resetStates();
        }
        double weighted = 0;
        int chunks = 0;
        double[] tmp = new double[outLoss.length];
        Arrays.fill(outLoss, 0);
        for (int from = 0; from < t; from += k) {
            int to = Math.min(t, from + k);
            Tensor[] xc = timeSlice(xb, from, to);
            Tensor[] yc = timeSlice(yb, from, to);
            double l = trainStep(xc, yc, new Tensor[grads.length], tmp, metrics, params);
            if (!Double.isFinite(l)) return l;
            weighted += l;
            for (int j = 0; j < tmp.length; j++) outLoss[j] += tmp[j];
            chunks++;
        }
        for (int j = 0; j < outLoss.length; j++) outLoss[j] /= chunks;
        for (Recurrent r : rec) r.resetStates();
        return weighted / chunks;
    }

    private static Tensor[] timeSlice(Tensor[] ts, int from, int to) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            Tensor x = ts[i];
            int b = x.dim(0), t = x.dim(1), inner = x.size() / Math.max(1, b * t);
            int[] s = x.shape();
            s[1] = to - from;
            Tensor c = Tensor.zeros(s);
            for (int r = 0; r < b; r++) {
                System.arraycopy(x.data(), (r * t + from) * inner, c.data(), r * (to - from) * inner, (to - from) * inner);
            }
            out[i] = c;
        }
        return out;
    }

    private static void shuffle(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static Tensor[] gather(Tensor[] ts, int[] order, int from, int to) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i].gather0(order, from, to);
        return out;
    }

    private static Tensor[] slice(Tensor[] ts, int from, int to) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) out[i] = ts[i].slice0(from, to);
        return out;
    }

    // ---- evaluate / predict ----------------------------------------------------------------

    /** Keras's {@code evaluate}: the loss and metrics over the data, in inference mode. */
    public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
        return evaluate(new Tensor[]{x}, new Tensor[]{y}, batchSize);
    }

    /** {@code evaluate} for several inputs and outputs. */
    public Map<String, Double> evaluate(Tensor[] xs, Tensor[] ys, int batchSize) {
        checkCompiled("evaluate");
        ensureGraph(xs);
        checkData(xs, ys, "evaluate");
        checkTargets(ys, "evaluate");
        return evaluateInternal(xs, ys, batchSize, "");
    }

    private Map<String, Double> evaluateInternal(Tensor[] xs, Tensor[] ys, int batchSize, String prefix) {
        if (batchSize <= 0) throw new IllegalArgumentException("evaluate: batchSize must be positive, got " + batchSize);
        build();
        int n = xs[0].dim(0);
        Graph.Run run = graph.new Run();
        List<List<Metric>> metrics = newMetrics();
        double lossSum = 0;
        double[] outLossSum = new double[graph.outputs.length];
        Tensor[] grads = new Tensor[graph.outputs.length];
        double[] outLoss = new double[graph.outputs.length];
        int[] order = identity(n);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor[] xb = gather(xs, order, from, to);
            Tensor[] yb = gather(ys, order, from, to);
            Tensor[] pred = run.forward(xb, null, false);
            double l = lossAndGrads(pred, yb, grads, outLoss);
            lossSum += l * (to - from);
            for (int k = 0; k < outLoss.length; k++) outLossSum[k] += outLoss[k] * (to - from);
            for (int k = 0; k < pred.length; k++) for (Metric m : metrics.get(k)) m.update(pred[k], yb[k]);
        }
        return epochLogs(lossSum / n, outLossSum, n, metrics, outputNames(), prefix);
    }

    private static int[] identity(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) o[i] = i;
        return o;
    }

    /** Predicts for a single-input, single-output model, in batches of 32. */
    public Tensor predict(Tensor x) {
        return predict(new Tensor[]{x}, 32)[0];
    }

    /** Predicts in batches of {@code batchSize}. */
    public Tensor predict(Tensor x, int batchSize) {
        return predict(new Tensor[]{x}, batchSize)[0];
    }

    /** Predicts for several inputs; one tensor per output. Safe to call from several threads. */
    public Tensor[] predict(Tensor[] xs, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("predict: batchSize must be positive, got " + batchSize);
        ensureGraph(xs);
        int n = checkData(xs, null, "predict");
        synchronized (this) {
            build();
        }
        Graph.Run run = graph.new Run();
        Tensor[] result = new Tensor[graph.outputs.length];
        int[] order = identity(n);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor[] pred = run.forward(gather(xs, order, from, to), null, false);
            for (int k = 0; k < pred.length; k++) {
                if (result[k] == null) {
                    int[] s = pred[k].shape();
                    s[0] = n;
                    result[k] = Tensor.zeros(s);
                }
                int row = pred[k].size() / (to - from);
                System.arraycopy(pred[k].data(), 0, result[k].data(), from * row, pred[k].size());
            }
        }
        return result;
    }

    // ---- summary ---------------------------------------------------------------------------

    /** Keras's {@code summary()} as text: layers, output shapes and parameter counts. */
    public String summary() {
        build();
        StringBuilder sb = new StringBuilder();
        boolean functional = !(this instanceof Sequential);
        int w1 = 29, w2 = 26, w3 = 11, w4 = functional ? 24 : 0;
        int total = w1 + w2 + w3 + w4 + 2;
        String rule = "_".repeat(total) + "\n";
        sb.append("Model: \"").append(name).append("\"\n").append(rule);
        sb.append(pad(" Layer (type)", w1)).append(pad("Output Shape", w2)).append(pad("Param #", w3));
        if (functional) sb.append("Connected to");
        sb.append('\n').append("=".repeat(total)).append('\n');
        long trainable = 0, frozen = 0;
        boolean first = true;
        for (SymbolicTensor.Call c : graph.calls) {
            Layer l = c.layer();
            if (!functional && l instanceof InputLayer) continue;
            if (!first) sb.append('\n');
            first = false;
            StringBuilder shapes = new StringBuilder();
            for (int i = 0; i < c.outputCount(); i++) {
                if (i > 0) shapes.append(", ");
                shapes.append(Layer.batchShapeString(c.output(i).shape()));
            }
            String shapeText = c.outputCount() > 1 ? "[" + shapes + "]" : shapes.toString();
            long count = firstCall(c) ? l.countParams() : 0;
            sb.append(pad(" " + l.name() + " (" + l.className() + ")", w1)).append(pad(shapeText, w2))
                    .append(pad(String.valueOf(count), w3));
            if (functional) {
                StringBuilder con = new StringBuilder();
                for (int i = 0; i < c.inputCount(); i++) {
                    if (i > 0) con.append(", ");
                    SymbolicTensor in = c.input(i);
                    con.append(in.source().layer().name()).append('[').append(callIndex(in.source())).append("][")
                            .append(in.index()).append(']');
                }
                sb.append(con);
            }
            sb.append('\n');
        }
        for (Layer l : graph.layers) {
            for (Param p : l.params()) {
                if (p.trainable()) trainable += p.size();
                else frozen += p.size();
            }
        }
        sb.append("=".repeat(total)).append('\n');
        sb.append("Total params: ").append(trainable + frozen).append('\n');
        sb.append("Trainable params: ").append(trainable).append('\n');
        sb.append("Non-trainable params: ").append(frozen).append('\n');
        sb.append(rule);
        return sb.toString();
    }

    private boolean firstCall(SymbolicTensor.Call c) {
        for (SymbolicTensor.Call o : graph.calls) if (o.layer() == c.layer()) return o == c;
        return true;
    }

    private int callIndex(SymbolicTensor.Call c) {
        int i = 0;
        for (SymbolicTensor.Call o : graph.calls) {
            if (o == c) return i;
            if (o.layer() == c.layer()) i++;
        }
        return 0;
    }

    private static String pad(String s, int w) {
        if (s.length() >= w) return s + " ";
        return s + " ".repeat(w - s.length());
    }

    // ---- streaming -------------------------------------------------------------------------

    /** Zero states for every recurrent layer, for {@link #step}: one stream per batch row. */
    public ModelState initialState(int batch) {
        build();
        return ModelState.zeros(this, batch);
    }

    /**
     * Runs the model on one timestep per stream, as a recurrent cell does: {@code x} holds one
     * step per batch row (shape (B, features...), without the time axis); each recurrent layer
     * starts from {@code state} instead of zeros. Returns the outputs (without a time axis) and the
     * new state; {@code state} itself is not changed, so one model serves many independent
     * streams, from many threads.
     */
    public StepResult step(Tensor x, ModelState state) {
        return step(new Tensor[]{x}, state);
    }

    /** {@link #step(Tensor, ModelState)} for several inputs. */
    public StepResult step(Tensor[] xs, ModelState state) {
        build();
        Graph g = graph;
        if (state.model() != this) throw new IllegalArgumentException("step: the state belongs to another model");
        Tensor[] seq = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int[] s = xs[i].shape();
            if (s[0] != state.batch()) {
                throw new IllegalArgumentException("step: input " + i + " has batch " + s[0] + ", the state has "
                        + state.batch() + " streams");
            }
            int[] t = new int[s.length + 1];
            t[0] = s[0];
            t[1] = 1;
            System.arraycopy(s, 1, t, 2, s.length - 1);
            seq[i] = xs[i].reshape(t);
        }
        checkData(seq, null, "step");
        Tensor[] values = new Tensor[g.ids.size()];
        for (int i = 0; i < g.inputIds.length; i++) values[g.inputIds[i]] = seq[i];
        Map<String, Tensor[]> newStates = new LinkedHashMap<>();
        for (int k = 0; k < g.calls.size(); k++) {
            SymbolicTensor.Call c = g.calls.get(k);
            Layer layer = c.layer();
            if (layer instanceof InputLayer) continue;
            if (!layer.supportsStep()) {
                throw new IllegalArgumentException("step: " + layer.where() + " looks across time and cannot run one "
                        + "step at a time");
            }
            Tensor[] in = new Tensor[g.callIn[k].length];
            for (int i = 0; i < in.length; i++) in[i] = values[g.callIn[k][i]];
            Layer.Frame frame = layer.newFrame();
            Tensor[] out;
            if (layer instanceof Recurrent r) {
                if (in.length > 1) {
                    throw new IllegalArgumentException("step: " + r.where() + " takes initial states from the graph; "
                            + "step() supplies them from the ModelState instead");
                }
                String key = ModelState.key(k, r);
                Tensor[] st = state.states(key);
                Tensor[] withState = new Tensor[1 + st.length];
                withState[0] = in[0];
                System.arraycopy(st, 0, withState, 1, st.length);
                out = r.forward(withState, null, frame, false);
                newStates.put(key, r.finalStates(frame));
            } else {
                out = layer.forward(in, null, frame, false);
            }
            for (int i = 0; i < out.length; i++) values[g.callOut[k][i]] = out[i];
        }
        Tensor[] res = new Tensor[g.outputIds.length];
        for (int i = 0; i < res.length; i++) {
            Tensor v = values[g.outputIds[i]];
            if (v.rank() >= 3 && v.dim(1) == 1) {
                int[] s = v.shape();
                int[] t = new int[s.length - 1];
                t[0] = s[0];
                System.arraycopy(s, 2, t, 1, s.length - 2);
                v = v.reshape(t);
            }
            res[i] = v;
        }
        return new StepResult(res, new ModelState(this, state.batch(), newStates));
    }
}
