package io.github.rnn4j.models;

import io.github.rnn4j.layers.InputLayer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
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
    private float[][] preStep;   // weights before the current step, to undo a step that overflows
    private String badStep;      // why the last train step was not applied, or null
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
        weightsVersion.incrementAndGet();
    }

    /** Forgets the carried states of every stateful recurrent layer. */
    public void resetStates() {
        for (Layer l : graph().layers) {
            if (l instanceof Recurrent r) r.resetStates();
            else if (l instanceof io.github.rnn4j.layers.recurrent.Bidirectional b) b.resetStates();
            else if (l instanceof io.github.rnn4j.layers.recurrent.StackedRNN s) {
                for (Layer inner : s.layers()) {
                    if (inner instanceof Recurrent r) r.resetStates();
                    else if (inner instanceof io.github.rnn4j.layers.recurrent.Bidirectional b) b.resetStates();
                }
            }
        }
    }

    /** Asks a running fit to stop after the current epoch (for callbacks). */
    public void stopTraining() {
        this.stopTraining = true;
    }

    // ---- compile ---------------------------------------------------------------------------

    /** Keras's {@code compile(optimizer, loss, metrics)} with one loss for every output. */
    public Model compile(Optimizer optimizer, Loss loss, String... metrics) {
        int n = outputCount();
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
        int n = outputCount();
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

    /** Number of model outputs; a Sequential whose input shape is still unknown has one. */
    int outputCount() {
        return graph().outputs.length;
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

    /** Checks tensors against the model's inputs (and targets' sample counts); returns N. */
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
            checkInputShape(i, x.shape(), true, what);
            if (n < 0) n = x.dim(0);
            else if (x.dim(0) != n) {
                throw new IllegalArgumentException(what + ": input " + i + " has " + x.dim(0) + " samples, input 0 has " + n);
            }
            checkFinite(x, what + ": input " + i + " ('" + g.inputs[i].source().layer().name() + "')");
        }
        if (n == 0) throw new IllegalArgumentException(what + ": the dataset is empty (0 samples)");
        if (ys != null) {
            for (int i = 0; i < ys.length; i++) {
                if (ys[i] == null) throw new IllegalArgumentException(what + ": target " + i + " is null");
                if (ys[i].rank() == 0 || ys[i].dim(0) != n) {
                    throw new IllegalArgumentException(what + ": target " + i + " has shape " + ys[i].shapeString()
                            + ", inputs have " + n + " samples");
                }
                checkFinite(ys[i], what + ": target " + i);
            }
        }
        return n;
    }

    /** Checks one input shape (with or without the batch axis) against the model's input i. */
    private void checkInputShape(int i, int[] shape, boolean withBatch, String what) {
        Graph g = graph;
        int[] want = g.inputs[i].shape();
        InputLayer il = (InputLayer) g.inputs[i].source().layer();
        int off = withBatch ? 1 : 0;
        boolean ok = shape.length == want.length + off;
        for (int d = 0; ok && d < want.length; d++) ok = want[d] < 0 || want[d] == shape[d + off];
        String got = withBatch ? Arrays.toString(shape) : Layer.batchShapeString(shape);
        if (!ok) {
            throw new IllegalArgumentException(what + ": input " + i + " ('" + il.name() + "') expects shape "
                    + Layer.batchShapeString(want) + ", got " + got);
        }
        for (int d = off; d < shape.length; d++) {
            if (shape[d] == 0) {
                throw new IllegalArgumentException(what + ": input " + i + " ('" + il.name() + "') has a zero-length axis "
                        + (d - off + 1) + " (shape " + got + "); a sequence of length 0 cannot be processed");
            }
        }
    }

    /** Checks a dataset against the model's inputs and outputs; returns its size. */
    private int checkDataset(Dataset ds, boolean withTargets, String what) {
        Graph g = graph();
        int[][] in = ds.inputShapes();
        if (in.length != g.inputs.length) {
            throw new IllegalArgumentException(what + ": model '" + name + "' has " + g.inputs.length + " inputs, the dataset has "
                    + in.length);
        }
        for (int i = 0; i < in.length; i++) checkInputShape(i, in[i], false, what);
        if (withTargets && ds.targetShapes().length != g.outputs.length) {
            throw new IllegalArgumentException(what + ": model '" + name + "' has " + g.outputs.length + " outputs, the dataset has "
                    + ds.targetShapes().length + " targets");
        }
        if (ds.size() == 0) throw new IllegalArgumentException(what + ": the dataset is empty (0 samples)");
        try {
            ds.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        return ds.size();
    }

    private static void checkFinite(Tensor t, String what) {
        int bad = t.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException(what + " contains " + t.data()[bad] + " at index "
                    + Arrays.toString(t.unravel(bad)) + " (shape " + t.shapeString() + ")");
        }
    }

    /**
     * Runs each loss on a prediction-shaped tensor against every target batch, so that a target
     * of the wrong shape or a label out of range is reported before any weight changes.
     */
    private void checkTargets(Dataset ds, int batchSize, String what) {
        Graph g = graph;
        Batches b = new Batches(ds, batchSize, true);
        int n = ds.size();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor[] ys = b.gather(null, from, to)[1];
            for (int k = 0; k < ys.length; k++) {
                int[] ps = g.outputs[k].shape();
                int[] full = new int[ps.length + 1];
                full[0] = to - from;
                for (int d = 0; d < ps.length; d++) {
                    full[d + 1] = ps[d] >= 0 ? ps[d] : (ys[k].rank() > d + 1 ? ys[k].dim(d + 1) : 1);
                }
                Tensor probe = Tensor.zeros(full).fill(0.5f);
                try {
                    losses[k].forward(probe, ys[k], null);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(what + ": target " + k + " (samples " + from + ".." + (to - 1)
                            + ") does not fit output " + Layer.batchShapeString(ps) + " of '"
                            + g.outputs[k].source().layer().name() + "' under loss " + losses[k].name() + ": "
                            + e.getMessage(), e);
                }
            }
        }
    }

    /** Batch tensors allocated once per batch size and refilled from a dataset. */
    private static final class Batches {
        private final Dataset ds;
        private final boolean targets;
        private Tensor[] xs;
        private Tensor[] ys;
        private int rows = -1;

        Batches(Dataset ds, int batchSize, boolean targets) {
            this.ds = ds;
            this.targets = targets;
        }

        Tensor[][] gather(int[] indices, int from, int to) {
            int r = to - from;
            if (r != rows) {
                xs = alloc(ds.inputShapes(), r);
                ys = targets ? alloc(ds.targetShapes(), r) : null;
                rows = r;
            }
            ds.gather(indices, from, to, xs, ys);
            return new Tensor[][]{xs, ys};
        }

        private static Tensor[] alloc(int[][] shapes, int r) {
            Tensor[] t = new Tensor[shapes.length];
            for (int i = 0; i < t.length; i++) {
                int[] s = new int[shapes[i].length + 1];
                s[0] = r;
                System.arraycopy(shapes[i], 0, s, 1, shapes[i].length);
                t[i] = Tensor.zeros(s);
            }
            return t;
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

    /** {@code fit} on in-memory tensors, one per model input and output. */
    public History fit(Tensor[] xs, Tensor[] ys, FitOptions o) {
        checkCompiled("fit");
        ensureGraph(xs);
        checkData(xs, ys, "fit");
        return fit(new TensorDataset(xs, ys), o);
    }

    /**
     * Trains the model on a dataset, reading it batch by batch into reused buffers. Every check
     * (shapes, NaN/Inf, labels, empty data) runs before any weight or optimizer state changes. A
     * NaN or infinite loss stops training before the bad step is applied, so the weights stay
     * those of the last good step, and {@link History#stopReason()} says at which epoch and step.
     */
    public synchronized History fit(Dataset data, FitOptions o) {
        checkCompiled("fit");
        if (graph == null) ensureGraph(probeBatch(data));
        int n = checkDataset(data, true, "fit");
        Dataset train = data;
        Dataset val = o.validationData;
        if (val != null) {
            checkDataset(val, true, "fit (validation data)");
        } else if (o.validationX != null) {
            checkData(o.validationX, o.validationY, "fit (validation data)");
            val = new TensorDataset(o.validationX, o.validationY);
        } else if (o.validationSplit > 0) {
            int nTrain = (int) Math.floor(n * (1 - o.validationSplit));
            if (nTrain <= 0 || nTrain >= n) {
                throw new IllegalArgumentException("fit: validationSplit " + o.validationSplit + " of " + n
                        + " samples leaves " + nTrain + " for training and " + (n - nTrain) + " for validation");
            }
            train = new RangeDataset(data, 0, nTrain);
            val = new RangeDataset(data, nTrain, n);
        }
        checkTargets(train, o.batchSize, "fit");
        if (val != null) checkTargets(val, o.batchSize, "fit (validation data)");
        if (o.tbpttSteps > 0) checkTbptt(train, o.tbpttSteps);
        build();
        if (trainRun == null) trainRun = graph.new Run();
        List<Param> params = params();
        int nTrain = train.size();
        int steps = (nTrain + o.batchSize - 1) / o.batchSize;
        History history = new History();
        stopTraining = false;
        for (Callback cb : o.callbacks) cb.onTrainBegin(this);
        Map<String, Double> logs = new LinkedHashMap<>();
        int[] order = new int[nTrain];
        List<List<Metric>> metrics = newMetrics();
        String[] outNames = outputNames();
        Tensor[] grads = new Tensor[graph.outputs.length];
        Batches batches = new Batches(train, o.batchSize, true);

        epochs:
        for (int epoch = o.initialEpoch; epoch < o.epochs; epoch++) {
            if (o.verbose > 0) o.out.println("Epoch " + (epoch + 1) + "/" + o.epochs);
            for (Callback cb : o.callbacks) cb.onEpochBegin(epoch);
            for (int i = 0; i < nTrain; i++) order[i] = i;
            if (o.shuffle) shuffle(order, new SplittableRandom(Graph.mix(seed ^ 0x5EEDL, epoch)));
            long epochSeed = Graph.mix(seed ^ 0xD20FL, epoch);
            for (int i = 0; i < graph.layers.size(); i++) graph.layers.get(i).reseed(Graph.mix(epochSeed, i));
            for (List<Metric> ms : metrics) for (Metric m : ms) m.reset();
            double lossSum = 0;
            double[] outLossSum = new double[graph.outputs.length];
            long seen = 0;
            ProgressBar bar = new ProgressBar(o.out, o.verbose, steps);
            bar.start();
            for (int step = 0; step < steps; step++) {
                int from = step * o.batchSize, to = Math.min(nTrain, from + o.batchSize);
                Tensor[][] b = batches.gather(order, from, to);
                double[] outLoss = new double[graph.outputs.length];
                double loss = o.tbpttSteps > 0 ? trainStepTbptt(b[0], b[1], grads, outLoss, metrics, params, o.tbpttSteps)
                        : trainStep(b[0], b[1], grads, outLoss, metrics, params);
                if (!Double.isFinite(loss)) {
                    String msg = "fit stopped: " + (badStep != null ? badStep : "loss is " + loss) + " at epoch "
                            + (epoch + 1) + ", step " + (step + 1) + " of " + steps + "; the weights are those before this step";
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
            if (val != null) logs.putAll(evaluateInternal(val, o.batchSize, "val_"));
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

    /** One sample of a dataset, for models that take their input shape from the first data. */
    private static Tensor[] probeBatch(Dataset ds) {
        if (ds.size() == 0) throw new IllegalArgumentException("fit: the dataset is empty (0 samples)");
        Tensor[][] b = new Batches(ds, 1, false).gather(null, 0, 1);
        return b[0];
    }

    /** Samples {@code [from, to)} of another dataset. */
    private static final class RangeDataset implements Dataset {
        private final Dataset inner;
        private final int from;
        private final int to;

        RangeDataset(Dataset inner, int from, int to) {
            this.inner = inner;
            this.from = from;
            this.to = to;
        }

        @Override
        public int size() {
            return to - from;
        }

        @Override
        public int[][] inputShapes() {
            return inner.inputShapes();
        }

        @Override
        public int[][] targetShapes() {
            return inner.targetShapes();
        }

        @Override
        public void gather(int[] indices, int a, int b, Tensor[] xs, Tensor[] ys) {
            int[] idx = new int[b - a];
            for (int k = a; k < b; k++) idx[k - a] = from + (indices == null ? k : indices[k]);
            inner.gather(idx, 0, b - a, xs, ys);
        }
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
        badStep = null;
        Tensor[] pred = trainRun.forward(xb, null, true);
        float[][] lossMasks = lossMasks(trainRun, pred);
        double total = lossAndGrads(pred, yb, grads, outLoss, lossMasks);
        if (!Double.isFinite(total)) return total;
        for (Param p : params) p.zeroGrad();
        trainRun.backward(grads);
        // a finite loss can still give float32 gradients that overflow, and finite gradients an
        // update that overflows the weights (a huge learning rate): neither step is kept
        for (Param p : params) {
            if (!allFinite(p.grad())) {
                badStep = "gradient of " + p.name() + " is not finite (loss " + total + ")";
                return Double.NaN;
            }
        }
        if (preStep == null || preStep.length != params.size()) preStep = new float[params.size()][];
        for (int i = 0; i < preStep.length; i++) {
            float[] v = params.get(i).value();
            if (preStep[i] == null || preStep[i].length != v.length) preStep[i] = new float[v.length];
            System.arraycopy(v, 0, preStep[i], 0, v.length);
        }
        optimizer.step(params);
        weightsVersion.incrementAndGet();
        for (int i = 0; i < preStep.length; i++) {
            float[] v = params.get(i).value();
            if (!allFinite(v)) {
                for (int j = 0; j < preStep.length; j++) {
                    System.arraycopy(preStep[j], 0, params.get(j).value(), 0, preStep[j].length);
                }
                badStep = "the update made " + params.get(i).name() + " non-finite (learning rate "
                        + optimizer.learningRate() + " too large?)";
                return Double.NaN;
            }
        }
        for (int k = 0; k < pred.length; k++) for (Metric m : metrics.get(k)) m.update(pred[k], yb[k], lossMasks[k]);
        return total;
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) if (!Float.isFinite(v)) return false;
        return true;
    }

    /**
     * Per-row loss weights from the outputs' masks (Keras applies a per-timestep output mask,
     * e.g. from Embedding(maskZero) through a returnSequences layer, to the loss and the
     * metrics): one entry per (sample, step) of a (B, T, F) output, or null where no mask applies.
     */
    private float[][] lossMasks(Graph.Run run, Tensor[] pred) {
        float[][] out = new float[pred.length][];
        for (int k = 0; k < pred.length; k++) {
            Mask m = run.masks[graph.outputIds[k]];
            if (m == null || pred[k].rank() != 3 || m.batch() != pred[k].dim(0) || m.time() != pred[k].dim(1)) continue;
            float[] w = new float[m.batch() * m.time()];
            for (int b = 0; b < m.batch(); b++) {
                for (int t = 0; t < m.time(); t++) w[b * m.time() + t] = m.keep(b, t) ? 1f : 0f;
            }
            out[k] = w;
        }
        return out;
    }

    private double lossAndGrads(Tensor[] pred, Tensor[] yb, Tensor[] grads, double[] outLoss, float[][] lossMasks) {
        double total = 0;
        for (int k = 0; k < pred.length; k++) {
            if (grads[k] == null || !Arrays.equals(grads[k].shape(), pred[k].shape())) grads[k] = Tensor.zeros(pred[k].shape());
            double l = losses[k].forward(pred[k], yb[k], null, lossMasks[k], grads[k]);
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

    /** Everything truncated BPTT needs, checked before training starts. */
    private void checkTbptt(Dataset train, int k) {
        Graph g = graph;
        int[][] in = train.inputShapes();
        int t = in[0].length >= 2 ? in[0][0] : -1;
        if (t < 0) {
            throw new IllegalArgumentException("truncatedBptt needs inputs with a time axis (samples, time, features), got "
                    + Layer.batchShapeString(in[0]));
        }
        for (int i = 0; i < g.inputs.length; i++) {
            int[] declared = g.inputs[i].shape();
            if (declared.length >= 2 && declared[0] >= 0 && declared[0] != k) {
                throw new IllegalArgumentException("truncatedBptt(" + k + ") feeds chunks of " + k + " timesteps, but input '"
                        + g.inputs[i].source().layer().name() + "' declares " + declared[0] + "; declare its time axis as -1 "
                        + "(unknown) or " + k);
            }
        }
        for (int[] ts : train.targetShapes()) {
            if (ts.length < 1 || ts[0] != t) {
                throw new IllegalArgumentException("truncatedBptt needs per-timestep targets with the same time axis as the "
                        + "inputs (" + t + " steps), got target shape " + Layer.batchShapeString(ts));
            }
        }
        int recurrent = 0;
        for (Layer l : g.layers) {
            if (l instanceof Recurrent r) {
                recurrent++;
                if (!r.stateful()) {
                    throw new IllegalArgumentException("truncatedBptt needs stateful recurrent layers so states flow across "
                            + "chunks; " + r.where() + " is not stateful");
                }
            } else if (!l.supportsStep() && !(l instanceof InputLayer)) {
                throw new IllegalArgumentException("truncatedBptt cannot carry " + l.where() + " across chunks (it looks "
                        + "across time); only stateful unidirectional recurrent layers carry state");
            }
        }
        if (recurrent == 0) {
            throw new IllegalArgumentException("truncatedBptt needs at least one stateful recurrent layer; the model has none");
        }
    }

    /**
     * Truncated BPTT: the batch's sequences are cut into chunks of {@code k} steps along axis 1;
     * recurrent layers carry their final states into the next chunk (as stateful layers do) and
     * each chunk is its own gradient step. Targets must be per-timestep (same time axis).
     */
    private double trainStepTbptt(Tensor[] xb, Tensor[] yb, Tensor[] grads, double[] outLoss,
                                  List<List<Metric>> metrics, List<Param> params, int k) {
        int t = xb[0].dim(1);
        List<Recurrent> rec = new ArrayList<>();
        for (Layer l : graph.layers) if (l instanceof Recurrent r) rec.add(r);
        for (Recurrent r : rec) r.resetStates();
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
        return evaluate(new TensorDataset(xs, ys), batchSize);
    }

    /** {@code evaluate} over a dataset. */
    public Map<String, Double> evaluate(Dataset data, int batchSize) {
        checkCompiled("evaluate");
        if (batchSize <= 0) throw new IllegalArgumentException("evaluate: batchSize must be positive, got " + batchSize);
        if (graph == null) ensureGraph(probeBatch(data));
        checkDataset(data, true, "evaluate");
        checkTargets(data, batchSize, "evaluate");
        return evaluateInternal(data, batchSize, "");
    }

    private Map<String, Double> evaluateInternal(Dataset data, int batchSize, String prefix) {
        build();
        int n = data.size();
        Graph.Run run = graph.new Run(true);
        List<List<Metric>> metrics = newMetrics();
        double lossSum = 0;
        double[] outLossSum = new double[graph.outputs.length];
        Tensor[] grads = new Tensor[graph.outputs.length];
        double[] outLoss = new double[graph.outputs.length];
        Batches batches = new Batches(data, batchSize, true);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor[][] b = batches.gather(null, from, to);
            Tensor[] pred = run.forward(b[0], null, false);
            float[][] lossMasks = lossMasks(run, pred);
            double l = lossAndGrads(pred, b[1], grads, outLoss, lossMasks);
            lossSum += l * (to - from);
            for (int k = 0; k < outLoss.length; k++) outLossSum[k] += outLoss[k] * (to - from);
            for (int k = 0; k < pred.length; k++) for (Metric m : metrics.get(k)) m.update(pred[k], b[1][k], lossMasks[k]);
        }
        return epochLogs(lossSum / n, outLossSum, n, metrics, outputNames(), prefix);
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
        checkData(xs, null, "predict");
        return predict(new TensorDataset(xs, null), batchSize);
    }

    /** Predicts for every sample of a dataset (its targets, if any, are ignored). */
    public Tensor[] predict(Dataset data, int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("predict: batchSize must be positive, got " + batchSize);
        if (graph == null) ensureGraph(probeBatch(data));
        int n = checkDataset(data, false, "predict");
        synchronized (this) {
            build();
        }
        Graph.Run run = graph.new Run(true);
        Tensor[] result = new Tensor[graph.outputs.length];
        Batches batches = new Batches(data, batchSize, false);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor[] pred = run.forward(batches.gather(null, from, to)[0], null, false);
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
     * streams, from many threads. Each calling thread keeps the layers' workspaces for its next
     * step (sized for the largest batch it stepped; they go with the model or the thread).
     */
    public StepResult step(Tensor x, ModelState state) {
        return step(new Tensor[]{x}, state);
    }

    /**
     * This thread's frames for {@link #step} (one per layer call of {@code g}), kept between calls
     * so that a step reuses its workspaces instead of allocating them anew: a frame holds
     * workspaces only (every output and state a step returns is a new tensor), and each thread
     * has its own, so many threads may step one model at once. Made afresh when the graph is.
     */
    private Layer.Frame[] stepFrames(Graph g) {
        StepFrames f = stepFrames.get();
        if (f == null || f.graph() != g) {
            f = new StepFrames(g, new Layer.Frame[g.calls.size()], new long[]{NOT_FIXED});
            stepFrames.set(f);
        }
        // tell this thread's frames whether the weights are fixed, and that they changed since
        boolean fixed = stepWeightsFixed;
        long want = fixed ? weightsVersion.get() : NOT_FIXED;
        if (f.fixedAt()[0] != want) {
            for (Layer.Frame fr : f.frames()) if (fr != null) fr.weightsFixed(fixed);
            f.fixedAt()[0] = want;
        }
        return f.frames();
    }

    /** This thread's step frames, and the weights version they were last told is fixed (or NOT_FIXED). */
    private record StepFrames(Graph graph, Layer.Frame[] frames, long[] fixedAt) {
    }

    private static final long NOT_FIXED = -1;

    /** Bumped whenever this model changes its weights (a training step, setWeights) and by stepWeightsFixed. */
    private final java.util.concurrent.atomic.AtomicLong weightsVersion = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stepWeightsFixed;

    /**
     * Promises (true) that between calls of {@link #step} the weights change only through this
     * model's own training ({@code fit}) and {@link #setWeights}, which it notices: step then
     * keeps each recurrent layer's weights packed for the per-step product from one call to the
     * next (a batch-1 stream otherwise reads them in place at every step; see
     * {@link Layer.Frame#weightsFixed}). A change made to a layer's weights from outside the
     * model (into {@code Param.value()}, through {@code Param.set}, or by
     * {@code RecurrentWeights.setTorch} / {@code setKeras}) is not noticed: call this again
     * after one. Default false.
     */
    public Model stepWeightsFixed(boolean on) {
        weightsVersion.incrementAndGet();
        stepWeightsFixed = on;
        return this;
    }

    /** See {@link #stepWeightsFixed(boolean)}. */
    public boolean stepWeightsFixed() {
        return stepWeightsFixed;
    }

    private final ThreadLocal<StepFrames> stepFrames = new ThreadLocal<>();

    /** {@link #step(Tensor, ModelState)} for several inputs. */
    public StepResult step(Tensor[] xs, ModelState state) {
        synchronized (this) {
            build();
        }
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
        Mask[] masks = new Mask[g.ids.size()];
        for (int i = 0; i < g.inputIds.length; i++) values[g.inputIds[i]] = seq[i];
        Map<String, Tensor[]> newStates = new LinkedHashMap<>();
        Layer.Frame[] frames = stepFrames(g);
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
            // masks flow as in Graph.Run: a masked step carries each recurrent state through
            Mask m = in.length == 0 ? null : masks[g.callIn[k][0]];
            for (int i = 1; i < in.length && m == null && !(layer instanceof Recurrent); i++) m = masks[g.callIn[k][i]];
            Layer.Frame frame = frames[k];
            if (frame == null) frames[k] = frame = layer.newFrame().inferenceOnly(true).weightsFixed(stepWeightsFixed);
            Tensor[] out;
            if (layer instanceof Recurrent r) {
                if (r.goBackwards()) {
                    throw new IllegalArgumentException("step: " + r.where() + " has goBackwards and reads the sequence "
                            + "from its end; it cannot run one step at a time");
                }
                if (in.length > 1) {
                    throw new IllegalArgumentException("step: " + r.where() + " takes initial states from the graph; "
                            + "step() supplies them from the ModelState instead");
                }
                String key = ModelState.key(k, r);
                Tensor[] st = state.states(key);
                Tensor[] withState = new Tensor[1 + st.length];
                withState[0] = in[0];
                System.arraycopy(st, 0, withState, 1, st.length);
                out = r.forward(withState, m, frame, false);
                newStates.put(key, r.finalStates(frame));
                if (m != null && !Boolean.TRUE.equals(r.getConfig().get("zero_output_for_mask"))) {
                    // on the whole sequence a masked step repeats the previous output, which is the
                    // carried h; the one-step forward has no previous output and gives zeros
                    int h = r.units();
                    for (int b = 0; b < m.batch(); b++) {
                        if (!m.keep(b, 0)) System.arraycopy(st[0].data(), b * h, out[0].data(), b * h, h);
                    }
                }
            } else {
                out = layer.forward(in, m, frame, false);
            }
            Mask om = layer.outputMask(in, m);
            for (int i = 0; i < out.length; i++) {
                values[g.callOut[k][i]] = out[i];
                masks[g.callOut[k][i]] = i == 0 ? om : null;
            }
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
