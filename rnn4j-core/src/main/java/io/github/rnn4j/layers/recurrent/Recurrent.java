package io.github.rnn4j.layers.recurrent;

import io.github.rnn4j.kernels.Activations;
import io.github.rnn4j.kernels.Kernels;
import io.github.rnn4j.kernels.PackedMatrix;
import io.github.rnn4j.kernels.PhaseQueue;
import io.github.rnn4j.kernels.RowQueue;
import io.github.rnn4j.layers.Initializer;
import io.github.rnn4j.layers.Layer;
import io.github.rnn4j.layers.Mask;
import io.github.rnn4j.layers.Param;
import io.github.rnn4j.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * The recurrent layer that owns time: the one loop shared by {@link SimpleRNN}, {@link LSTM} and
 * {@link GRU}, which supply only the per-step cell math (forward and backward as a pair).
 *
 * <p>Shape letters: B batch, T time, F input features, H units, G gates (1, 4, 3), GH = G*H.
 * Weights in Keras layout: {@code kernel} (F, GH), {@code recurrent_kernel} (H, GH), {@code bias}.
 *
 * <p>Forward, for a batch:
 * <pre>
 *   xT[s]  = x[:, t(s), :] * dropoutMask          time-major, in processing order s
 *   A      = xT · kernel + bias                   hoisted out of the recurrence, computed in
 *                                                 blocks of steps just before their use
 *   for s in 0..T-1:  A[s] += hd[s] · U ;  cell step (activations, new h, c)
 *   hd[s]  = h[s] * recurrentDropoutMask          (= h[s] without recurrent dropout)
 * </pre>
 * The built-in cells fold the projection into the step instead ({@link #fusedGates}): per gate
 * one product [hd[s] | xT[s] | 1] · [U; kernel; bias] into a small per-step buffer, whose
 * activations are written to A[s] (no projection pass, and the product never reads A) — a GEMM
 * over the packed [U; kernel; bias] from batch {@value #PACK_MIN_BATCH} on (and below it for a
 * long call with large weights, {@link #PACK_MIN_ROW_STEPS}), else one pass over the weights as
 * they are ({@link Kernels#rowTimesTwo}; a stateful layer fed one step per call packs nothing,
 * unless its frame promises fixed weights, {@link Layer.Frame#weightsFixed}: then the packs are
 * made once and kept from call to call).
 * GRU does so for z and r; its candidate needs x·W_h apart from h·U_h, so the step makes both
 * ({@link #inputProduct}, {@link #recurrentProduct}). The projection pass remains for a cell that
 * fuses nothing.
 * Backward runs the same loop in reverse (BPTT): per step only the pointwise gate derivatives and
 * one GEMM {@code dR[s] · U^T}; the weight gradients dW, dU and dx are each one GEMM over all
 * timesteps after the loop. The gate buffer A is overwritten by its own gradient during
 * backward, so a frame supports one backward per forward.
 *
 * <p><b>Threads.</b> With kernels that have a thread pool and a step big enough
 * ({@value #PARALLEL_STEP_MIN_MACS} multiply-adds), the time loop runs as phases (a forward step;
 * a backward step's gate derivatives, then its product with U^T) cut into chunks, which the
 * pool's threads claim from a {@link PhaseQueue}: chunks of batch rows (multiples of the GEMM's
 * row block) when every thread gets at least {@value #ROW_SPLIT_MIN_ROWS} rows, else chunks of
 * units aligned to the kernels' column panels. A chunk computes its part of every gate's
 * product (from the weights packed once per call, {@link Kernels#pack}, at batch >=
 * {@value #PACK_MIN_BATCH} or as {@link #PACK_MIN_ROW_STEPS} says), then its gate activations and
 * state update. A phase starts when the one before it is complete. Each thread first claims the
 * chunk of its own index, so with unit chunks it reads the same columns of the weights at every
 * step, from its own core's cache; a thread that loses its core to another process just takes
 * fewer chunks. Row chunks need no phases (a row's step needs only that row's step before): each
 * thread runs its rows through the whole sequence, and one that runs out of rows takes half of
 * the rows of a slower thread from its next step on ({@link RowQueue}). Each chunk is computed
 * by the same code whichever thread takes it, so the results do not depend on the thread count
 * or on which thread ends up with which rows.
 *
 * <p>Handled here, for every cell: dropout and recurrentDropout (Keras's variational convention:
 * one mask per sequence batch, drawn when the batch starts and reused at every step; the rate is
 * the drop probability and kept values are scaled by 1/(1-rate)); returnSequences; returnState;
 * initial states given as extra inputs; stateful operation; goBackwards (outputs come in the
 * processing order, as in Keras); and masking (a masked step carries the state through unchanged
 * and outputs the previous output, or zeros when zeroOutputForMask is set, as Keras does).
 *
 * <p>Not here: multi-layer stacking and bidirectionality (see {@link Bidirectional} and
 * {@link StackedRNN}), and the tuned kernels (the math goes through {@link Kernels}).
 */
public abstract class Recurrent<S extends Recurrent<S>> extends Layer {
    /**
     * Below this many multiply-adds per step (batch x gates x units x units) the time loop runs
     * on one thread. Measured at batch 1 (in-process A/B, 2 threads): GRU with 128 units (49,152)
     * ran 24 % faster per step split, LSTM with 96 units (36,864) no faster.
     */
    static final long PARALLEL_STEP_MIN_MACS = 3L << 14;
    /** The threshold in use: {@link #PARALLEL_STEP_MIN_MACS}, lowered by tests to split tiny layers. */
    static long parallelStepMinMacs = PARALLEL_STEP_MIN_MACS;
    /** From this batch size on, the recurrent kernel is packed once per call for the per-step products. */
    static final int PACK_MIN_BATCH = 4;
    /**
     * Below {@link #PACK_MIN_BATCH}, a cell that fuses every gate (SimpleRNN, LSTM) packs too
     * when the call has at least this many row-steps (batch x timesteps) and its per-step weights
     * [U; kernel; bias] take at least {@link #PACK_MIN_WEIGHT_BYTES}: read in place, row after
     * row, a unit chunk's columns come from L3 slower than the packed panels (batch 1, paired in
     * one JVM, geometric mean of both orders: LSTM 256 units 1.22x at 64 steps, SimpleRNN 512
     * units 1.17x at 100; at 128 LSTM units, 330 KB, no gain; GRU, which packs its candidate's
     * products apart, level at 256 units).
     */
    static final int PACK_MIN_ROW_STEPS = 64;
    /** See {@link #PACK_MIN_ROW_STEPS}: about a core's L2 on the machines measured. */
    static final long PACK_MIN_WEIGHT_BYTES = 512L << 10;
    /** The weight-size threshold in use: {@link #PACK_MIN_WEIGHT_BYTES}, lowered by tests to pack small layers. */
    static long packMinWeightBytes = PACK_MIN_WEIGHT_BYTES;
    /** Row chunks hold multiples of this many batch rows (the GEMM micro-kernel's row block). */
    static final int ROW_ALIGN = 4;
    /** The time loop splits batch rows, not units, when every thread gets at least this many. */
    static final int ROW_SPLIT_MIN_ROWS = 8;
    /** The row-split threshold in use: {@link #ROW_SPLIT_MIN_ROWS}, changed by tests to force either split. */
    static int rowSplitMinRows = ROW_SPLIT_MIN_ROWS;

    protected final int units;
    protected Activations activation = Activations.TANH;
    protected Activations recurrentActivation = Activations.SIGMOID;
    protected boolean useBias = true;
    protected Initializer kernelInitializer = Initializer.GLOROT_UNIFORM;
    protected Initializer recurrentInitializer = Initializer.ORTHOGONAL;
    protected Initializer biasInitializer = Initializer.ZEROS;
    protected double dropout;
    protected double recurrentDropout;
    protected boolean returnSequences;
    protected boolean returnState;
    protected boolean goBackwards;
    protected boolean stateful;
    protected boolean zeroOutputForMask;

    protected Param kernel;
    protected Param recurrentKernel;
    protected Param bias;
    protected int inputDim;

    /** Stateful mode: the states carried from one batch to the next (null until the first batch). */
    private float[][] carried;
    private int carriedBatch = -1;

    /** This layer, typed as its own class, for fluent setters. */
    @SuppressWarnings("unchecked")
    protected final S self() {
        return (S) this;
    }

    protected Recurrent(int units) {
        if (units <= 0) throw new IllegalArgumentException(className() + ": units must be positive, got " + units);
        this.units = units;
    }

    /** Number of gate blocks G (1 SimpleRNN, 4 LSTM, 3 GRU). */
    protected abstract int gates();

    /** Number of state tensors (2 for LSTM's h and c, 1 otherwise). */
    public abstract int stateCount();

    // ---- options (Keras names, camelCase) ------------------------------------------------

    /** Sets the name (returns this layer's own type, so options can follow). */
    @Override
    public S name(String name) {
        super.name(name);
        return self();
    }

    /** Number of units H. */
    public int units() {
        return units;
    }

    /** Activation of the candidate / output ("tanh" by default). */
    public S activation(String name) {
        checkNotBuilt("activation");
        this.activation = Activations.of(name);
        return self();
    }

    /** Activation of the gates ("sigmoid" by default). */
    public S recurrentActivation(String name) {
        checkNotBuilt("recurrentActivation");
        this.recurrentActivation = Activations.of(name);
        return self();
    }

    /** Whether the layer has a bias. */
    public S useBias(boolean b) {
        checkNotBuilt("useBias");
        this.useBias = b;
        return self();
    }

    /** Initializer of {@code kernel}. */
    public S kernelInitializer(String name) {
        checkNotBuilt("kernelInitializer");
        this.kernelInitializer = Initializer.of(name);
        return self();
    }

    /** Initializer of {@code recurrent_kernel}. */
    public S recurrentInitializer(String name) {
        checkNotBuilt("recurrentInitializer");
        this.recurrentInitializer = Initializer.of(name);
        return self();
    }

    /** Initializer of {@code bias}. */
    public S biasInitializer(String name) {
        checkNotBuilt("biasInitializer");
        this.biasInitializer = Initializer.of(name);
        return self();
    }

    /** Fraction of input features dropped (one mask per sequence batch). */
    public S dropout(double rate) {
        checkNotBuilt("dropout");
        this.dropout = checkRate("dropout", rate);
        return self();
    }

    /** Fraction of recurrent state units dropped in the recurrent product (one mask per sequence batch). */
    public S recurrentDropout(double rate) {
        checkNotBuilt("recurrentDropout");
        this.recurrentDropout = checkRate("recurrentDropout", rate);
        return self();
    }

    private double checkRate(String what, double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException(className() + ": " + what + " must be in [0, 1), got " + rate);
        }
        return rate;
    }

    /** Return the whole output sequence (B, T, H) instead of the last output (B, H). */
    public S returnSequences(boolean b) {
        checkNotBuilt("returnSequences");
        this.returnSequences = b;
        return self();
    }

    /** Also return the final states as extra outputs (h, and c for LSTM). */
    public S returnState(boolean b) {
        checkNotBuilt("returnState");
        this.returnState = b;
        return self();
    }

    /** Process the sequence from its end; outputs come in processing (reversed) order. */
    public S goBackwards(boolean b) {
        checkNotBuilt("goBackwards");
        this.goBackwards = b;
        return self();
    }

    /** Carry the final states of each batch into the next (sample i to sample i). */
    public S stateful(boolean b) {
        checkNotBuilt("stateful");
        this.stateful = b;
        return self();
    }

    /** Masked steps output zeros rather than the previous output (Bidirectional sets it). */
    public S zeroOutputForMask(boolean b) {
        checkNotBuilt("zeroOutputForMask");
        this.zeroOutputForMask = b;
        return self();
    }

    public boolean returnSequences() {
        return returnSequences;
    }

    public boolean returnState() {
        return returnState;
    }

    public boolean goBackwards() {
        return goBackwards;
    }

    public boolean stateful() {
        return stateful;
    }

    public double dropoutRate() {
        return dropout;
    }

    public double recurrentDropoutRate() {
        return recurrentDropout;
    }

    /** Forgets the carried states of a stateful layer (the next batch starts from zeros). */
    public void resetStates() {
        carried = null;
        carriedBatch = -1;
    }

    /** The carried states of a stateful layer (copies), or null. */
    public float[][] carriedStates() {
        if (carried == null) return null;
        float[][] c = new float[carried.length][];
        for (int i = 0; i < c.length; i++) c[i] = carried[i].clone();
        return c;
    }

    /** Sets the carried states of a stateful layer (each [batch * units]). */
    public void carriedStates(float[][] states, int batch) {
        if (states.length != stateCount()) {
            throw new IllegalArgumentException(where() + ": expected " + stateCount() + " states, got " + states.length);
        }
        for (float[] s : states) {
            if (s.length != batch * units) {
                throw new IllegalArgumentException(where() + ": a state of batch " + batch + " needs "
                        + batch * units + " values, got " + s.length);
            }
        }
        carried = new float[states.length][];
        for (int i = 0; i < states.length; i++) carried[i] = states[i].clone();
        carriedBatch = batch;
    }

    /**
     * The final states (h, and c for LSTM) of the last forward run with {@code frame}, whatever
     * {@link #returnState} says. Used by single-step (streaming) execution.
     */
    public Tensor[] finalStates(Frame frame) {
        RecurrentFrame fr = (RecurrentFrame) frame;
        int bh = fr.b * units;
        Tensor[] st = new Tensor[stateCount()];
        int last = stateOffset(fr, fr.t);
        st[0] = Tensor.of(Arrays.copyOfRange(fr.hAll, last, last + bh), fr.b, units);
        if (stateCount() == 2) st[1] = Tensor.of(Arrays.copyOfRange(fr.cAll, last, last + bh), fr.b, units);
        return st;
    }

    // ---- Keras weights ------------------------------------------------------------------

    public Param kernel() {
        return kernel;
    }

    public Param recurrentKernel() {
        return recurrentKernel;
    }

    /** The bias, or null without one. */
    public Param bias() {
        return bias;
    }

    /** Shape of the Keras bias weight. */
    protected int[] biasShape() {
        return new int[]{gates() * units};
    }

    @Override
    protected void buildParams(int[][] inputShapes, SplittableRandom init) {
        inputDim = inputShapes[0][1];
        int gh = gates() * units;
        kernel = addParam("kernel", inputDim, gh);
        recurrentKernel = addParam("recurrent_kernel", units, gh);
        kernelInitializer.fill(kernel.value(), 0, kernel.shape(), init);
        recurrentInitializer.fill(recurrentKernel.value(), 0, recurrentKernel.shape(), init);
        if (useBias) {
            bias = addParam("bias", biasShape());
            initBias(init);
        }
    }

    /** Fills the bias; LSTM overrides it for unitForgetBias. */
    protected void initBias(SplittableRandom init) {
        biasInitializer.fill(bias.value(), 0, bias.shape(), init);
    }

    @Override
    public int[][] outputShapes(int[][] in) {
        if (in.length < 1 || in.length > 1 + stateCount()) {
            throw new IllegalArgumentException(where() + ": expected 1 input (plus " + stateCount()
                    + " optional initial states), got " + in.length + " inputs");
        }
        if (in[0].length != 2) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got (batch, "
                    + shapeString(in[0]).substring(1));
        }
        if (in[0][1] <= 0) {
            throw new IllegalArgumentException(where() + ": the feature dimension must be known and positive, got "
                    + shapeString(in[0]));
        }
        if (in.length > 1 && in.length != 1 + stateCount()) {
            throw new IllegalArgumentException(where() + ": initial state needs " + stateCount()
                    + " tensors, got " + (in.length - 1));
        }
        for (int i = 1; i < in.length; i++) {
            if (in[i].length != 1 || in[i][0] != units) {
                throw new IllegalArgumentException(where() + ": initial state " + (i - 1) + " must have shape (batch, "
                        + units + "), got (batch, " + shapeString(in[i]).substring(1));
            }
        }
        int n = returnState ? 1 + stateCount() : 1;
        int[][] out = new int[n][];
        out[0] = returnSequences ? new int[]{in[0][0], units} : new int[]{units};
        for (int i = 1; i < n; i++) out[i] = new int[]{units};
        return out;
    }

    @Override
    public Mask outputMask(Tensor[] inputs, Mask mask) {
        return returnSequences ? mask : null;
    }

    // ---- the frame ------------------------------------------------------------------------

    /** Saved activations and workspaces for one call site; grown, never shrunk. */
    protected static final class RecurrentFrame extends Frame {
        int b, t, f;
        boolean withInitialState;
        float[] xT;      // [T, B, F] dropout applied, processing order
        float[] a;       // [T, B, GH] gate activations ([B, GH] without history); gate gradients after backward
        float[] hAll;    // [T+1, B, H] states; hAll[0] initial (two slots without history: stateOffset)
        float[] y;       // the call's [B, T, H] output while the time loop fills it (returnSequences), else null
        float[] cAll;    // [T+1, B, H] LSTM cell states (as hAll)
        float[] aux;     // [T, B, H] ([B, H] without history) cell-specific (LSTM tanh(c); GRU candidate or r*h)
        /**
         * Whether a and aux keep every step (the backward pass reads them), or only the step
         * being computed: an inference forward on a frame marked inferenceOnly, for a cell with
         * the input projection fused into the step (no 26 MB of gates written to memory and
         * never read at the medium LSTM). Without history hAll and cAll keep two states, the
         * one a step reads and the one it writes ({@link #stateOffset}).
         */
        boolean history;
        float[] hd;      // [T, B, H] recurrent-dropped states, or null (then hAll is used)
        float[] dR;      // [T, B, GH] GRU reset-after recurrent gradients
        float[] rec;     // [B, GH] per-step recurrent product (overwritten each step, then added to a[s])
        float[] dmask;   // [B, F]
        float[] rmask;   // [B, H]
        boolean[] valid; // [T, B] in processing order, or null without a mask
        boolean[] validBuf;
        float[] dh, dc, tmp, carry, saveH, saveC; // [B, H]
        float[] dxT;     // [T, B, F] input gradient before it is put back in batch-major order
        float[] gradSums; // [2 GH] column sums of the gate gradients, then of dR's own columns (bias gradients)
        int[] lastValid; // [B] last valid step, -1 if none
        // the time loop in phases of chunks of rows or units (see the class comment)
        final PhaseQueue queue = new PhaseQueue();
        final RowQueue rowQueue = new RowQueue();
        IntConsumer body;        // one thread's share of the time loop; made once per frame
        boolean backwardPass;
        boolean wholeSequence;   // each chunk runs every step (row chunks, or one chunk)
        boolean rowTasks;        // row chunks on several threads: rows handed out by rowQueue
        int projBlock;           // steps per input-projection block in this pass (cells that fuse nothing)
        int[] b0 = new int[1], b1 = new int[1];   // batch rows of each chunk
        int[] j0 = new int[1], j1 = new int[1];   // unit range of each chunk
        boolean packed;          // uPack / uT hold the recurrent kernel for this call
        long packedEpoch = Long.MIN_VALUE; // the weightsEpoch a fixed-weights frame's forward packs are for (else MIN_VALUE)
        Kernels packedKernels;   // the kernels that made the packs
        PackedMatrix[] uPack;    // per gate block: U[:, g*H .. (g+1)*H)
        PackedMatrix[] wPack;    // per gate block: W[:, g*H .. (g+1)*H) (fused: [W; bias] with foldBias)
        PackedMatrix uT;         // U[:, 0 .. recurrentWidth)^T, for backward
        PackedMatrix cellPack;   // cell-specific (GRU reset-before: U_h^T)
        PackedMatrix wT;         // backward: kernel^T, for dx = dA · W^T
        boolean fused;           // forward: the cell computes [h|x] · [U; kernel] per step (no projection pass)
        PackedMatrix[] wuPack;   // per fused gate block: [U; kernel (; bias)][:, g*H .. (g+1)*H), when fused
        float[] fusedBias;       // the bias fusedProduct adds (fusedBias()), or null
        float[] biasSum;         // a cell's summed input and recurrent biases, when it has both
        boolean foldBias;        // packed and fused with a bias: the bias is the last row of wuSrc, times xh's 1
        int xhWidth;             // H + F (+ 1 when foldBias): a row of xh, the depth of wuPack
        float[] wuSrc;           // [xhWidth, GH]: U's rows, kernel's, then the bias row; packed per gate into wuPack
        float[] xh;              // per chunk [B, xhWidth]: the rows [hd[s] | x[s] (| 1)] of the step it computes
        IntConsumer dxBody;      // one thread's rows of dx; made once per frame
        int dxChunks;            // chunks of dx's rows, claimed from queue
        float[] dy;              // backward: gradient of the output (or null)

        static float[] grow(float[] buf, int n) {
            return buf != null && buf.length >= n ? buf : new float[n];
        }
    }

    @Override
    public Frame newFrame() {
        RecurrentFrame fr = new RecurrentFrame();
        fr.body = part -> runChunks(fr, part);
        fr.dxBody = part -> inputGradRows(fr, part);
        return fr;
    }

    // ---- forward --------------------------------------------------------------------------

    @Override
    public Tensor[] forward(Tensor[] inputs, Mask mask, Frame frame, boolean training) {
        RecurrentFrame fr = (RecurrentFrame) frame;
        if (!isBuilt()) {
            // without this the feature check below would report "built for 0 features"
            throw new IllegalStateException(where() + ": is not built; call build(inputShapes, seed) first");
        }
        checkInputCount(inputs, 1, 1 + stateCount());
        if (inputs.length != 1 && inputs.length != 1 + stateCount()) {
            throw new IllegalArgumentException(where() + ": initial state needs " + stateCount()
                    + " tensors, got " + (inputs.length - 1));
        }
        Tensor x = inputs[0];
        if (x.rank() != 3) {
            throw new IllegalArgumentException(where() + ": expects input of shape (batch, time, features), got "
                    + x.shapeString());
        }
        int nb = x.dim(0), nt = x.dim(1), nf = x.dim(2);
        if (nf != inputDim) {
            throw new IllegalArgumentException(where() + ": input has " + nf + " features, layer was built for "
                    + inputDim + " (input shape " + x.shapeString() + ")");
        }
        if (nt == 0) throw new IllegalArgumentException(where() + ": sequence of length 0 (input shape " + x.shapeString() + ")");
        if (nb == 0) throw new IllegalArgumentException(where() + ": batch of size 0 (input shape " + x.shapeString() + ")");
        for (int i = 1; i < inputs.length; i++) {
            if (!inputs[i].hasShape(nb, units)) {
                throw new IllegalArgumentException(where() + ": initial state " + (i - 1) + " has shape "
                        + inputs[i].shapeString() + ", expected [" + nb + ", " + units + "]");
            }
        }
        if (mask != null && (mask.batch() != nb || mask.time() != nt)) {
            throw new IllegalArgumentException(where() + ": mask is [" + mask.batch() + ", " + mask.time()
                    + "] but input is " + x.shapeString());
        }
        if (stateful && carried != null && carriedBatch != nb) {
            throw new IllegalArgumentException(where() + ": stateful layer carries states for batch " + carriedBatch
                    + " but got batch " + nb + "; call resetStates() first or keep the batch size fixed");
        }
        int h = units, gh = gates() * units;
        Kernels k = Kernels.get();
        prepare(fr, nb, nt, nf, training);
        fr.withInitialState = inputs.length > 1;

        // transpose to time-major processing order, applying the input dropout mask
        reorderSteps(fr, k, nb, nt, nf, x.data(), fr.xT, true);
        // the input projection x·W + b is independent of the state: each chunk computes it for a
        // block of steps just before the first of them, so it is still in cache when used

        // initial states
        int bh = nb * h;
        for (int i = 0; i < stateCount(); i++) {
            float[] dst = i == 0 ? fr.hAll : fr.cAll;
            if (inputs.length > 1) {
                System.arraycopy(inputs[1 + i].data(), 0, dst, 0, bh);
            } else if (stateful && carried != null) {
                System.arraycopy(carried[i], 0, dst, 0, bh);
            } else {
                Arrays.fill(dst, 0, bh, 0f);
            }
        }
        // validity per step, in processing order
        if (mask != null) {
            fr.valid = fr.validBuf != null && fr.validBuf.length >= nt * nb ? fr.validBuf : new boolean[nt * nb];
            fr.validBuf = fr.valid;
            for (int s = 0; s < nt; s++) {
                int t = goBackwards ? nt - 1 - s : s;
                for (int b = 0; b < nb; b++) fr.valid[s * nb + b] = mask.keep(b, t);
            }
            computeLastValid(fr);
        }

        // the time loop, split by rows or units over the kernels' threads (hd[0] first: a unit chunk reads all of it)
        if (fr.hd != null) k.mul(bh, fr.hAll, 0, fr.rmask, 0, fr.hd, 0);
        packWeights(fr, k, false);
        // with returnSequences the time loop writes each step's outputs as it goes, on the
        // threads that computed them (see forwardChunk), instead of one pass after it
        // (every element is written unless a mask leaves some steps' outputs at zero)
        Tensor ySeq = returnSequences ? fr.output(0, mask == null, nb, nt, h) : null;
        fr.y = ySeq == null ? null : ySeq.data();
        try {
            runTimeLoop(fr, k, false);
        } finally {
            fr.y = null;   // only the time loop writes through it (a kept output lives in the frame's slot 0)
        }

        // outputs; the final states (each row's carried through the masked steps after its last valid one)
        int last = stateOffset(fr, nt);
        Tensor[] out = new Tensor[returnState ? 1 + stateCount() : 1];
        if (returnSequences) {
            out[0] = ySeq;
        } else {
            Tensor y = fr.output(0, false, nb, h);   // zeros for a row with no valid step
            for (int b = 0; b < nb; b++) {
                int s = fr.valid == null ? nt - 1 : fr.lastValid[b];
                if (s >= 0) System.arraycopy(fr.hAll, last + b * h, y.data(), b * h, h);
            }
            out[0] = y;
        }
        if (returnState) {
            out[1] = Tensor.of(Arrays.copyOfRange(fr.hAll, last, last + bh), nb, h);
            if (stateCount() == 2) out[2] = Tensor.of(Arrays.copyOfRange(fr.cAll, last, last + bh), nb, h);
        }
        if (stateful) {
            // kept in the same arrays from call to call (a stream of one-step calls allocates no state)
            if (carried == null || carriedBatch != nb) carried = new float[stateCount()][bh];
            System.arraycopy(fr.hAll, last, carried[0], 0, bh);
            if (stateCount() == 2) System.arraycopy(fr.cAll, last, carried[1], 0, bh);
            carriedBatch = nb;
        }
        return out;
    }

    // ---- the time loop, in phases of chunks -----------------------------------------------------

    /**
     * How many leading gate blocks the cell's step computes with the input projection folded
     * into the recurrent product ({@link #fusedProduct}: one product per gate over [hd | x] with
     * [U; kernel]); 0 (the default, for a cell written against the generic loop): none, the
     * projection runs as a pass over blocks of steps. A cell whose later gates need x·W apart
     * from h·U (GRU's candidate) computes those with {@link #inputProduct} and
     * {@link #recurrentProduct}.
     */
    protected int fusedGates() {
        return 0;
    }

    /**
     * The bias added by {@link #fusedProduct} to gate block g at index g*H + j (null: none):
     * the layer's bias by default; a cell with separate input and recurrent biases returns their
     * sum, made once per call in {@code fr}.
     */
    protected float[] fusedBias(RecurrentFrame fr) {
        return useBias ? bias.value() : null;
    }

    /**
     * Rows [b0, b1) and the columns of units [j0, j1) in the first {@link #fusedGates} gate
     * blocks of c (row i at i*ldc) = [hd[s] | x[s]] · [U; kernel] + {@link #fusedBias}: the
     * recurrent product and the input projection of step s in one product per gate, which
     * overwrites c and reads nothing else of it. Packed ({@link #packs}): one GEMM per
     * gate over the packed [U; kernel; bias], from the rows [hd | x | 1] gathered into the
     * chunk's own part of {@code fr.xh} (a unit chunk needs every row; chunks never share a
     * part): the bias rides in the product as its last term (1·b: the same rounding as adding
     * it after), with no pass of its own over the gates. Else, per row and gate, one pass over U
     * and kernel as they are ({@link Kernels#rowTimesTwo}, h·U first, then x·W, then the bias:
     * the same sums in the same order as the packed product when it is one k slice): nothing to
     * pack, which a stateful layer fed one step per call could not afford (unless its frame
     * keeps the packs, {@link Layer.Frame#weightsFixed}). Every element is
     * computed the same way whatever the chunk, so the results do not depend on the split. Only
     * when {@code fr.fused}.
     */
    protected final void fusedProduct(RecurrentFrame fr, int s, int b0, int b1, int j0, int j1, float[] hd,
                                      int hdOff, float[] c, int ldc) {
        Kernels k = Kernels.get();
        int nb = fr.b, nf = fr.f, h = units, kk = nf + h, gh = gates() * h, fg = fusedGates();
        float[] bv = fr.fusedBias;
        if (!fr.packed) {
            float[] w = kernel.value(), u = recurrentKernel.value();
            for (int b = b0; b < b1; b++) {
                for (int g = 0; g < fg; g++) {
                    int col = g * h + j0;
                    k.rowTimesTwo(j1 - j0, hd, hdOff + b * h, h, u, col, gh, fr.xT, (s * nb + b) * nf, nf, w, col, gh,
                            bv, col, c, b * ldc + col);
                }
            }
            return;
        }
        float[] xh = fr.xh;
        int kx = fr.xhWidth, base = xhBase(fr, b0, j0);
        for (int b = b0; b < b1; b++) {
            int row = base + b * kx;
            System.arraycopy(hd, hdOff + b * h, xh, row, h);
            System.arraycopy(fr.xT, (s * nb + b) * nf, xh, row + h, nf);
            if (fr.foldBias) xh[row + kk] = 1f;
        }
        // the fused bias, when there is one, is the packed weights' last row (foldBias = bv != null)
        for (int g = 0; g < fg; g++) {
            k.gemmPacked(b1 - b0, j0, j1, xh, base + b0 * kx, kx, fr.wuPack[g], 0f, c, b0 * ldc + g * h, ldc);
        }
    }

    /**
     * Rows [b0, b1) and units [j0, j1) of gate block g of c (row i at cOff + i*ldc) = x[s] ·
     * kernel[:, gate g] + the input bias of gate g (at g*H + j of the bias): the input part alone
     * of a gate after the {@link #fusedGates} ones, in the step. Packed, it reads the x (and 1)
     * columns of the rows that {@link #fusedProduct} gathered, so it comes after that call in
     * the same step and chunk; with {@code fr.foldBias} the bias is the product's last term.
     */
    protected final void inputProduct(RecurrentFrame fr, int s, int g, int b0, int b1, int j0, int j1, float[] c,
                                      int cOff, int ldc) {
        if (j1 <= j0 || b1 <= b0) return;
        Kernels k = Kernels.get();
        int nb = fr.b, nf = fr.f, h = units, gh = gates() * h, col = g * h + j0;
        float[] bv = useBias ? bias.value() : null;
        if (!fr.packed) {
            float[] w = kernel.value();
            for (int b = b0; b < b1; b++) {
                int xo = (s * nb + b) * nf;
                k.rowTimesTwo(j1 - j0, fr.xT, xo, nf, w, col, gh, fr.xT, xo, 0, w, col, gh, bv, col, c,
                        cOff + b * ldc + col);
            }
            return;
        }
        int kx = fr.xhWidth, base = xhBase(fr, b0, j0);
        int off = cOff + b0 * ldc + g * h;
        k.gemmPacked(b1 - b0, j0, j1, fr.xh, base + b0 * kx + h, kx, fr.wPack[g], 0f, c, off, ldc);
        if (bv != null && !fr.foldBias) k.addRowVector(b1 - b0, j1 - j0, bv, col, c, off + j0, ldc);
    }

    /**
     * Where the chunk of rows from b0 and units from j0 keeps its rows of {@code fr.xh}: unit
     * chunks each have their own [B, xhWidth] part (each needs every row); row chunks share the
     * first, as no two threads hold the same row at once.
     */
    private static int xhBase(RecurrentFrame fr, int b0, int j0) {
        return fr.rowTasks ? 0 : chunkOf(fr, b0, j0) * fr.b * fr.xhWidth;
    }

    /** The index of the chunk that starts at row b0 and unit j0 in this call's split. */
    private static int chunkOf(RecurrentFrame fr, int b0, int j0) {
        for (int c = 0; ; c++) {
            if (fr.b0[c] == b0 && fr.j0[c] == j0) return c;
        }
    }

    /** Whether a call of nb rows, nt steps and nf features packs its weights ({@link #PACK_MIN_ROW_STEPS}). */
    boolean packs(int nb, int nt, int nf) {
        if (nb >= PACK_MIN_BATCH) return true;
        if (fusedGates() < gates()) return false;
        long bytes = 4L * (nf + units + 1) * gates() * units;
        return (long) nb * nt >= PACK_MIN_ROW_STEPS && bytes >= packMinWeightBytes;
    }

    /**
     * Decides whether this call's steps fuse the input projection (cells that can, see
     * {@link #fusedGates}) and packs the weights for its per-step products ({@link #packs}; a
     * forward on a frame that promises fixed weights always packs, but only when its packs are
     * older than the frame's {@code weightsEpoch}).
     */
    private void packWeights(RecurrentFrame fr, Kernels k, boolean backward) {
        // a frame that promises fixed weights packs them once and keeps them from call to call
        // (a stream of one-step calls then reads the packed panels, not the weights in place;
        // the packed products have the bits of the ones in place)
        boolean fixed = !backward && fr.isWeightsFixed();
        fr.packed = fixed || packs(fr.b, fr.t, fr.f);
        if (!backward) {
            fr.fused = fusedGates() > 0;
            fr.fusedBias = fr.fused ? fusedBias(fr) : null;
        }
        if (!fr.packed) return;
        if (!(fixed && fr.packedEpoch == fr.weightsEpoch() && fr.packedKernels == k)) {
            // packed for this call only, unless it is a fixed-weights frame's
            fr.packedEpoch = fixed ? fr.weightsEpoch() : Long.MIN_VALUE;
            fr.packedKernels = k;
            pack(fr, k, backward);
        }
        // the rows [hd | x (| 1)] each chunk gathers for its fused products, for this call's batch
        if (!backward && fr.fused) fr.xh = RecurrentFrame.grow(fr.xh, chunksFor(k, fr.b) * fr.b * fr.xhWidth);
    }

    /** The packing of {@link #packWeights}: the forward's per-gate [U; kernel; bias] (or U and kernel), or U^T for backward. */
    private void pack(RecurrentFrame fr, Kernels k, boolean backward) {
        int h = units, gh = gates() * units;
        float[] u = recurrentKernel.value();
        if (!backward && fr.fused) {
            // one product per gate and step over [hd | x | 1]: U's rows, kernel's, then the bias
            // (the fused bias for the fused gates, the input bias for the others), packed together
            int nf = fr.f, kk = h + nf;
            fr.foldBias = fr.fusedBias != null;
            int kx = fr.xhWidth = kk + (fr.foldBias ? 1 : 0);
            float[] src = fr.wuSrc = RecurrentFrame.grow(fr.wuSrc, kx * gh);
            System.arraycopy(u, 0, src, 0, h * gh);
            System.arraycopy(kernel.value(), 0, src, h * gh, nf * gh);
            if (fr.foldBias) {
                int fh = fusedGates() * h;
                System.arraycopy(fr.fusedBias, 0, src, kk * gh, fh);
                if (fh < gh) {
                    if (useBias) System.arraycopy(bias.value(), fh, src, kk * gh + fh, gh - fh);
                    else Arrays.fill(src, kk * gh + fh, (kk + 1) * gh, 0f);
                }
            }
            if (fr.wuPack == null) fr.wuPack = new PackedMatrix[gates()];
            for (int g = 0; g < fusedGates(); g++) fr.wuPack[g] = k.pack(false, kx, h, src, g * h, gh, fr.wuPack[g]);
            // the gates after the fused ones: x·W (+ bias, from the same rows) and h·U apart
            // (inputProduct, recurrentProduct)
            if (fusedGates() < gates()) {
                if (fr.uPack == null) fr.uPack = new PackedMatrix[gates()];
                if (fr.wPack == null) fr.wPack = new PackedMatrix[gates()];
                for (int g = fusedGates(); g < gates(); g++) {
                    fr.uPack[g] = k.pack(false, h, h, u, g * h, gh, fr.uPack[g]);
                    fr.wPack[g] = k.pack(false, kx - h, h, src, h * gh + g * h, gh, fr.wPack[g]);
                }
            }
        } else if (!backward) {
            if (fr.uPack == null) fr.uPack = new PackedMatrix[gates()];
            if (fr.wPack == null) fr.wPack = new PackedMatrix[gates()];
            float[] w = kernel.value();
            for (int g = 0; g < gates(); g++) {
                fr.uPack[g] = k.pack(false, h, h, u, g * h, gh, fr.uPack[g]);
                fr.wPack[g] = k.pack(false, fr.f, h, w, g * h, gh, fr.wPack[g]);
            }
        } else {
            fr.uT = k.pack(true, recurrentWidth(), h, u, 0, gh, fr.uT);
        }
        packCellWeights(fr, k, backward);
    }

    /** Cell-specific packing into {@code fr.cellPack} (GRU reset-before); called only when packing. */
    protected void packCellWeights(RecurrentFrame fr, Kernels k, boolean backward) {
    }

    /** Phases of one forward step: 1, or 2 for a cell whose second product needs a whole first result. */
    protected int forwardPhases() {
        return 1;
    }

    /** Phases of the cell's part of one backward step (the generic product with U^T adds one). */
    protected int backwardPhases() {
        return 1;
    }

    /** How many chunks each phase of the time loop is cut into for a batch of {@code nb} (for tests). */
    int timeLoopChunks(int nb) {
        return chunksFor(Kernels.get(), nb);
    }

    /** Whether a batch of {@code nb} is cut into chunks of batch rows (else of units) (for tests). */
    boolean timeLoopSplitsRows(int nb) {
        return chunksFor(Kernels.get(), nb) > 1 && splitsRows(Kernels.get(), nb);
    }

    /**
     * Chunks per phase: one on one thread or for a step too small to share; else one per thread,
     * at most one per row block (row split) or column panel (unit split). A thread slowed by
     * another process still holds nothing up for long: the other threads claim the remaining
     * chunks.
     */
    private int chunksFor(Kernels k, int nb) {
        int threads = k.threads();
        if (threads <= 1 || (long) nb * gates() * units * units < parallelStepMinMacs) return 1;
        int blocks = splitsRows(k, nb) ? (nb + ROW_ALIGN - 1) / ROW_ALIGN
                : (units + k.columnAlign() - 1) / k.columnAlign();
        return Math.min(Math.min(threads, blocks), PhaseQueue.MAX_CHUNKS);
    }

    /**
     * Rows when every thread gets at least {@link #rowSplitMinRows} of them: each thread then
     * reads only its own rows of the state (which it wrote itself the step before) and writes
     * whole rows, so only the cache lines straddling the boundary between two chunks' rows are
     * written by two cores (measured at the medium LSTM: with the unit split, two threads spent
     * about 1.9x the single-thread time on the same chunks' work, with the row split about 1.45x).
     */
    private boolean splitsRows(Kernels k, int nb) {
        return nb >= (long) rowSplitMinRows * k.threads();
    }

    /** Runs the forward or backward time loop, on the pool's threads when it is worth it and free. */
    private void runTimeLoop(RecurrentFrame fr, Kernels k, boolean backward) {
        fr.backwardPass = backward;
        int nb = fr.b;
        int chunks = chunksFor(k, nb);
        boolean rows = chunks > 1 && splitsRows(k, nb);
        if (fr.j0.length < chunks) {
            fr.b0 = new int[chunks];
            fr.b1 = new int[chunks];
            fr.j0 = new int[chunks];
            fr.j1 = new int[chunks];
        }
        int extent = rows ? nb : units, align = chunks == 1 ? 1 : rows ? ROW_ALIGN : k.columnAlign();
        int blocks = (extent + align - 1) / align;
        for (int c = 0; c < chunks; c++) {
            int lo = Math.min(extent, (int) ((long) blocks * c / chunks) * align);
            int hi = Math.min(extent, (int) ((long) blocks * (c + 1) / chunks) * align);
            fr.b0[c] = rows ? lo : 0;
            fr.b1[c] = rows ? hi : nb;
            fr.j0[c] = rows ? 0 : lo;
            fr.j1[c] = rows ? units : hi;
        }
        int perStep = backward ? backwardPhases() + 1 : forwardPhases();
        // a chunk that has every unit of its rows depends on nothing but itself: it runs the whole
        // sequence at once, with no wait between steps (one phase); unit chunks meet at every phase
        fr.wholeSequence = rows || chunks == 1;
        // (RowQueue packs a step and a row range in one long: beyond its limits, fixed row chunks)
        fr.rowTasks = rows && nb <= RowQueue.MAX_ROWS && fr.t <= RowQueue.MAX_STEPS;
        fr.projBlock = projectionBlock(fr.b1[0] - fr.b0[0]);
        if (fr.rowTasks) {
            fr.rowQueue.reset(nb, fr.t, chunks, ROW_ALIGN, ROW_ALIGN);
        } else {
            fr.queue.reset(fr.wholeSequence ? 1 : fr.t * perStep, chunks);
        }
        if (chunks == 1 || !k.parallel(k.threads(), fr.body)) fr.body.accept(0);
    }

    /** How many times the last time loop moved rows between threads (for tests). */
    static int lastRowSteals(Frame frame) {
        RecurrentFrame fr = (RecurrentFrame) frame;
        return fr.rowTasks ? fr.rowQueue.steals() : 0;
    }

    /** Test hook: called with the thread's part before each step a row task runs (null: none). */
    static volatile IntConsumer rowStepHook;

    /**
     * One thread's share of a time loop split by rows: tasks of rows from {@link RowQueue},
     * every phase of each step handed out, in order (a thread that finishes its rows takes some
     * of a slower thread's, see RowQueue).
     */
    private void runRowTasks(RecurrentFrame fr, int part) {
        int perStep = fr.backwardPass ? backwardPhases() + 1 : forwardPhases();
        fr.rowQueue.work(part, (step, b0, b1) -> {
            IntConsumer hook = rowStepHook;
            if (hook != null) hook.accept(part);
            for (int phase = 0; phase < perStep; phase++) {
                if (fr.backwardPass) backwardChunk(fr, fr.t - 1 - step, phase, b0, b1, 0, units);
                else forwardChunk(fr, step, phase, b0, b1, 0, units);
            }
        });
    }

    /** One thread's share of the time loop (part: its index in the region): claims chunks until none is left. */
    private void runChunks(RecurrentFrame fr, int part) {
        if (fr.rowTasks) {
            runRowTasks(fr, part);
            return;
        }
        int perStep = fr.backwardPass ? backwardPhases() + 1 : forwardPhases();
        int chunks = fr.queue.chunks();
        for (long t = -1; (t = fr.queue.claim(part, t)) >= 0; ) {
            int q = (int) (t / chunks), c = (int) (t % chunks);
            try {
                if (fr.wholeSequence) {
                    // every step and phase of the chunk's rows, in order
                    for (int step = 0; step < fr.t; step++) {
                        for (int phase = 0; phase < perStep; phase++) runPhase(fr, step, phase, c);
                    }
                } else {
                    runPhase(fr, q / perStep, q % perStep, c);
                }
            } catch (RuntimeException | Error e) {
                fr.queue.fail();
                throw e;
            }
            fr.queue.complete();
        }
    }

    /** Phase {@code phase} of the {@code step}-th step processed (backward: counted from the end) for chunk c. */
    private void runPhase(RecurrentFrame fr, int step, int phase, int c) {
        if (fr.backwardPass) {
            backwardChunk(fr, fr.t - 1 - step, phase, fr.b0[c], fr.b1[c], fr.j0[c], fr.j1[c]);
        } else {
            forwardChunk(fr, step, phase, fr.b0[c], fr.b1[c], fr.j0[c], fr.j1[c]);
        }
    }

    /**
     * Forward phase {@code phase} of step s for batch rows [b0, b1) and units [j0, j1): products,
     * cell, masked carry, recurrent dropout.
     */
    private void forwardChunk(RecurrentFrame fr, int s, int phase, int b0, int b1, int j0, int j1) {
        int nb = fr.b, nt = fr.t, h = units, w = j1 - j0;
        if (phase == 0 && !fr.fused) {
            int block = fr.projBlock;
            if (s % block == 0) inputProjection(fr, s, Math.min(nt, s + block), b0, b1, j0, j1);
        }
        // hd (recurrent-dropped states, training only) is laid out as hAll with history
        int prev = stateOffset(fr, s), next = stateOffset(fr, s + 1);
        stepForward(fr, s, phase, hdBuffer(fr), prev, b0, b1, j0, j1);
        if (phase < forwardPhases() - 1) return;
        Kernels k = Kernels.get();
        if (fr.valid != null) {
            for (int b = b0; b < b1; b++) {
                if (!fr.valid[s * nb + b]) {
                    System.arraycopy(fr.hAll, prev + b * h + j0, fr.hAll, next + b * h + j0, w);
                    if (fr.cAll != null && stateCount() == 2) {
                        System.arraycopy(fr.cAll, prev + b * h + j0, fr.cAll, next + b * h + j0, w);
                    }
                }
            }
        }
        if (fr.hd != null && s + 1 < nt) {
            for (int b = b0; b < b1; b++) {
                k.mul(w, fr.hAll, next + b * h + j0, fr.rmask, b * h + j0, fr.hd, next + b * h + j0);
            }
        }
        if (fr.y != null) {
            // the output of step s (processing order): h, or at a masked step the output before
            // it (Keras), or zeros with zeroOutputForMask or before any step (y starts zeroed).
            // Step s-1 of these rows and units completed before this step was handed out.
            for (int b = b0; b < b1; b++) {
                int dst = (b * nt + s) * h + j0;
                if (fr.valid == null || fr.valid[s * nb + b]) {
                    System.arraycopy(fr.hAll, next + b * h + j0, fr.y, dst, w);
                } else if (!zeroOutputForMask && s > 0) {
                    System.arraycopy(fr.y, dst - h, fr.y, dst, w);
                }
            }
        }
    }

    /**
     * Rows [b0, b1) and columns [g*H + j0, g*H + j1) of C (row i at cOff + i*ldc) (beta) +=
     * x · U[:, those columns], with x [B, H] at xOff: gate block g's recurrent product for a chunk.
     */
    protected final void recurrentProduct(RecurrentFrame fr, int g, int b0, int b1, int j0, int j1, float[] x,
                                          int xOff, float beta, float[] c, int cOff, int ldc) {
        if (j1 <= j0 || b1 <= b0) return;
        Kernels k = Kernels.get();
        int h = units, off = cOff + b0 * ldc + g * h, xo = xOff + b0 * h;
        if (fr.packed) {
            k.gemmPacked(b1 - b0, j0, j1, x, xo, h, fr.uPack[g], beta, c, off, ldc);
        } else {
            k.gemm(false, false, b1 - b0, j1 - j0, h, 1f, x, xo, h, recurrentKernel.value(), g * h + j0, gates() * h,
                    beta, c, off + j0, ldc);
        }
    }

    /**
     * Rows [b0, b1) and columns [j0, j1) of out (row i at outOff + i*ldo) = x · U[:, col0 ..
     * col0+kk)^T, with x [B, kk] (leading dimension ldx): the backward product, through
     * {@code packT} when packed.
     */
    protected final void recurrentProductT(RecurrentFrame fr, PackedMatrix packT, int col0, int kk, int b0, int b1,
                                           int j0, int j1, float[] x, int xOff, int ldx, float[] out, int outOff,
                                           int ldo) {
        if (j1 <= j0 || b1 <= b0) return;
        Kernels k = Kernels.get();
        int xo = xOff + b0 * ldx, oo = outOff + b0 * ldo;
        if (fr.packed) {
            k.gemmPacked(b1 - b0, j0, j1, x, xo, ldx, packT, 0f, out, oo, ldo);
        } else {
            int gh = gates() * units;
            k.gemm(false, true, b1 - b0, j1 - j0, kk, 1f, x, xo, ldx, recurrentKernel.value(), j0 * gh + col0, gh,
                    0f, out, oo + j0, ldo);
        }
    }

    /**
     * Backward phase {@code phase} of step s for batch rows [b0, b1) and units [j0, j1) (see
     * {@link #backward}): the cell's phases (the first preceded by the gradient arriving at the
     * step's output, the last followed by the masked-step fix-ups), then the generic product
     * dh[s] += (dR[s] · U^T) * rmask.
     */
    private void backwardChunk(RecurrentFrame fr, int s, int phase, int b0, int b1, int j0, int j1) {
        int nb = fr.b, nt = fr.t, h = units, gh = gates() * units, bh = nb * h, w = j1 - j0;
        Kernels k = Kernels.get();
        float[] dR = recurrentGrad(fr);
        int rw = recurrentWidth();
        int ldR = dR == fr.a ? gh : rw;
        int cellPhases = backwardPhases();
        if (phase == cellPhases) {
            recurrentProductT(fr, fr.uT, 0, rw, b0, b1, j0, j1, dR, s * nb * ldR, ldR, fr.tmp, 0, h);
            for (int b = b0; b < b1; b++) {
                int o = b * h + j0;
                if (fr.rmask != null) k.mul(w, fr.tmp, o, fr.rmask, o, fr.tmp, o);
                k.axpy(w, 1f, fr.tmp, o, fr.dh, o);
            }
            return;
        }
        if (phase == 0) {
            // gradient arriving at this step's output: carried from later masked steps + dY
            float[] dyd = fr.dy;
            for (int b = b0; b < b1; b++) {
                boolean valid = fr.valid == null || fr.valid[s * nb + b];
                int o = b * h + j0;
                if (returnSequences && dyd != null) k.axpy(w, 1f, dyd, (b * nt + s) * h + j0, fr.carry, o);
                if (valid) {
                    k.axpy(w, 1f, fr.carry, o, fr.dh, o);
                    Arrays.fill(fr.carry, o, o + w, 0f);
                } else {
                    if (zeroOutputForMask && returnSequences) Arrays.fill(fr.carry, o, o + w, 0f);
                    System.arraycopy(fr.dh, o, fr.saveH, o, w);
                    System.arraycopy(fr.dc, o, fr.saveC, o, w);
                }
            }
        }
        stepBackward(fr, s, phase, hdBuffer(fr), s * bh, b0, b1, j0, j1);
        if (phase == cellPhases - 1 && fr.valid != null) {
            for (int b = b0; b < b1; b++) {
                if (fr.valid[s * nb + b]) continue;
                int o = b * h + j0;
                for (int g = 0; g < gates(); g++) {
                    int ao = (s * nb + b) * gh + g * h + j0;
                    Arrays.fill(fr.a, ao, ao + w, 0f);
                }
                if (dR != fr.a) {
                    for (int g = 0; g < ldR / h; g++) {
                        int ro = (s * nb + b) * ldR + g * h + j0;
                        Arrays.fill(dR, ro, ro + w, 0f);
                    }
                }
                System.arraycopy(fr.saveH, o, fr.dh, o, w);
                System.arraycopy(fr.saveC, o, fr.dc, o, w);
            }
        }
    }

    /** The buffer holding hd[s], the state used in the recurrent product, at offset s*B*H. */
    protected static float[] hdBuffer(RecurrentFrame fr) {
        return fr.hd != null ? fr.hd : fr.hAll;
    }

    /**
     * Rows [b0, b1) and gate columns of units [j0, j1) of a[s0 .. s1) = xT · kernel + input bias:
     * the input projection of a block of steps, for one chunk (one GEMM per gate when the chunk
     * has every row, else one per step).
     */
    private void inputProjection(RecurrentFrame fr, int s0, int s1, int b0, int b1, int j0, int j1) {
        int nb = fr.b;
        if (b0 == 0 && b1 == nb) {
            projectRows(fr, s0 * nb, (s1 - s0) * nb, j0, j1);
        } else {
            for (int s = s0; s < s1; s++) projectRows(fr, s * nb + b0, b1 - b0, j0, j1);
        }
    }

    /** Rows [r0, r0 + rows) of the [T*B, GH] gate buffer, units [j0, j1): xT · kernel + bias. */
    private void projectRows(RecurrentFrame fr, int r0, int rows, int j0, int j1) {
        Kernels k = Kernels.get();
        int nf = fr.f, h = units, gh = gates() * units, w = j1 - j0;
        for (int g = 0; g < gates(); g++) {
            int aOff = r0 * gh + g * h;
            if (fr.packed) {
                k.gemmPacked(rows, j0, j1, fr.xT, r0 * nf, nf, fr.wPack[g], 0f, fr.a, aOff, gh);
            } else {
                k.gemm(false, false, rows, w, nf, 1f, fr.xT, r0 * nf, nf, kernel.value(), g * h + j0, gh,
                        0f, fr.a, aOff + j0, gh);
            }
            if (useBias) k.addRowVector(rows, w, bias.value(), g * h + j0, fr.a, aOff + j0, gh);
        }
    }

    /** Steps per input-projection block: about 128 rows, so a chunk's block stays in cache. */
    private static int projectionBlock(int rows) {
        return Math.max(1, 128 / rows);
    }

    private void prepare(RecurrentFrame fr, int nb, int nt, int nf, boolean training) {
        int h = units, gh = gates() * units, bh = nb * h;
        fr.b = nb;
        fr.t = nt;
        fr.f = nf;
        fr.xT = RecurrentFrame.grow(fr.xT, nt * nb * nf);
        // the projection pass (cells that fuse nothing) fills a for a block of steps ahead
        fr.history = training || !fr.isInferenceOnly() || fusedGates() == 0;
        int steps = fr.history ? nt : 1;
        fr.a = RecurrentFrame.grow(fr.a, steps * nb * gh);
        int states = fr.history ? nt + 1 : 2;
        fr.hAll = RecurrentFrame.grow(fr.hAll, states * bh);
        if (stateCount() == 2) fr.cAll = RecurrentFrame.grow(fr.cAll, states * bh);
        fr.aux = RecurrentFrame.grow(fr.aux, steps * bh);
        fr.dh = RecurrentFrame.grow(fr.dh, bh);
        fr.dc = RecurrentFrame.grow(fr.dc, bh);
        fr.tmp = RecurrentFrame.grow(fr.tmp, bh);
        fr.carry = RecurrentFrame.grow(fr.carry, bh);
        fr.saveH = RecurrentFrame.grow(fr.saveH, bh);
        fr.saveC = RecurrentFrame.grow(fr.saveC, bh);
        prepareCell(fr, nb, nt);
        // variational dropout masks: drawn once for this sequence batch
        if (training && dropout > 0) {
            fr.dmask = RecurrentFrame.grow(fr.dmask, nb * nf);
            fillDropoutMask(fr.dmask, nb * nf, dropout);
        } else {
            fr.dmask = null;
        }
        if (training && recurrentDropout > 0) {
            fr.rmask = RecurrentFrame.grow(fr.rmask, bh);
            fillDropoutMask(fr.rmask, bh, recurrentDropout);
            fr.hd = RecurrentFrame.grow(fr.hd, nt * bh);
        } else {
            fr.rmask = null;
            fr.hd = null;
        }
        fr.valid = null;
        fr.lastValid = null;
    }

    /** Per-cell extra buffers. */
    protected void prepareCell(RecurrentFrame fr, int nb, int nt) {
    }

    private void fillDropoutMask(float[] m, int n, double rate) {
        float keep = (float) (1.0 / (1.0 - rate));
        for (int i = 0; i < n; i++) m[i] = rng.nextDouble() < rate ? 0f : keep;
    }

    // ---- the cell step, supplied by subclasses ---------------------------------------------

    /**
     * One forward step for the whole batch. On entry {@code a[s]} ([B, GH] at offset
     * {@link #stepOffset}(fr, s, GH): s*B*GH, or 0 in an inference forward that keeps no
     * history) holds the input projection plus bias for cells that fuse nothing; {@code hd} at
     * {@code hdOff} the state used in the recurrent product; {@code hAll[s]} (and
     * {@code cAll[s]}) the previous state. Writes {@code hAll[s+1]}, {@code cAll[s+1]} and
     * leaves in {@code a[s]} and {@code aux[s]} (at {@code stepOffset(fr, s, H)}) what
     * {@link #stepBackward} reads. Only batch rows [b0, b1) and units [j0, j1) (all their gate
     * columns) are this call's: other chunks compute the other rows or units at the same time
     * (a chunk has every unit or every row). A cell whose step needs every unit of an
     * intermediate result splits the step into {@link #forwardPhases} phases; phase p of a step
     * starts when phase p-1 is complete for every chunk. The recurrent products go through
     * {@link #recurrentProduct}.
     */
    protected abstract void stepForward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1,
                                        int j0, int j1);

    /**
     * One backward step (pointwise part). On entry {@code dh} ([B, H]) holds dLoss/dh[s+1]
     * and {@code dc} dLoss/dc[s+1]. Writes the gate pre-activation gradients into {@code a[s]},
     * the recurrent-product gradients into {@link #recurrentGrad} (when distinct from a), sets
     * {@code dh} to the part of dLoss/dh[s] that does not go through the generic recurrent
     * product (direct paths), and {@code dc} to dLoss/dc[s]. As forward, for rows [b0, b1) and
     * units [j0, j1) only, in {@link #backwardPhases} phases.
     */
    protected abstract void stepBackward(RecurrentFrame fr, int s, int phase, float[] hd, int hdOff, int b0, int b1,
                                         int j0, int j1);

    /**
     * Offset of step s's block of {@code width} columns per batch row in the per-step buffers
     * (a: width GH, aux: width H): s * B * width, or 0 when the frame keeps no {@link
     * RecurrentFrame#history} (each step overwrites the one before).
     */
    protected static int stepOffset(RecurrentFrame fr, int s, int width) {
        return fr.history ? s * fr.b * width : 0;
    }

    /**
     * Offset of state s (0: the initial state, s: after step s-1) in hAll and cAll: s*B*H, or
     * (s mod 2)*B*H when the frame keeps no {@link RecurrentFrame#history} (an inference forward
     * keeps only the state a step reads and the one it writes: step s's chunks have all read
     * state s-1's slot before any chunk of step s+1 overwrites it, and a row's steps run in
     * order). The final state is at stateOffset(fr, T) either way.
     */
    protected final int stateOffset(RecurrentFrame fr, int s) {
        return (fr.history ? s : s & 1) * fr.b * units;
    }

    /** The buffer of recurrent-product gradients [T, B, ld] (default: the gate buffer). */
    protected float[] recurrentGrad(RecurrentFrame fr) {
        return fr.a;
    }

    /** Number of columns of recurrent_kernel that the generic recurrent product covers. */
    protected int recurrentWidth() {
        return gates() * units;
    }

    /**
     * How many leading columns of {@link #recurrentGrad} hold the gate gradients' values (default:
     * all {@link #recurrentWidth} when it is the gate buffer itself, else none): the kernel and
     * recurrent-kernel gradients share one packing of those columns.
     */
    protected int recurrentGradSharedColumns(RecurrentFrame fr) {
        return recurrentGrad(fr) == fr.a ? recurrentWidth() : 0;
    }

    /** Called after the generic weight gradients, for cell-specific ones. */
    protected void extraWeightGrads(RecurrentFrame fr) {
    }

    // ---- backward -------------------------------------------------------------------------

    @Override
    public Tensor[] backward(Tensor[] gradOutputs, Frame frame) {
        RecurrentFrame fr = (RecurrentFrame) frame;
        if (!fr.history) {
            throw new IllegalStateException(where() + (fr.xT == null ? ": backward before any forward on this frame"
                    : ": backward on a frame marked inferenceOnly after an inference forward (it kept no per-step"
                    + " activations); use a frame without inferenceOnly for gradients"));
        }
        int nb = fr.b, nt = fr.t, nf = fr.f, h = units, gh = gates() * units, bh = nb * h;
        Kernels k = Kernels.get();
        Arrays.fill(fr.dh, 0, bh, 0f);
        Arrays.fill(fr.dc, 0, bh, 0f);
        Arrays.fill(fr.carry, 0, bh, 0f);
        if (returnState) {
            if (gradOutputs.length > 1 && gradOutputs[1] != null) System.arraycopy(gradOutputs[1].data(), 0, fr.dh, 0, bh);
            if (stateCount() == 2 && gradOutputs.length > 2 && gradOutputs[2] != null) {
                System.arraycopy(gradOutputs[2].data(), 0, fr.dc, 0, bh);
            }
        }
        Tensor dy = gradOutputs[0];
        fr.dy = dy == null ? null : dy.data();
        if (!returnSequences && fr.dy != null) System.arraycopy(fr.dy, 0, fr.carry, 0, bh);
        float[] dR = recurrentGrad(fr);
        int rw = recurrentWidth();
        int ldR = dR == fr.a ? gh : rw;
        packWeights(fr, k, true);
        runTimeLoop(fr, k, true);
        fr.dy = null;

        // weight gradients: one GEMM each over all timesteps
        int rows = nt * nb;
        float[] hdAll = hdBuffer(fr);
        int sh = recurrentGradSharedColumns(fr);
        if (sh > 0 && rw == gh) {
            // the gate gradients on the right of both products in their first sh columns (every
            // column but GRU's candidate), prepared once for both; the recurrent side's own
            // gradients after them; the bias gradients' column sums taken as they are prepared
            float[] sums = useBias ? (fr.gradSums = RecurrentFrame.grow(fr.gradSums, 2 * gh)) : null;
            k.gemmTransASharedBSplit(gh, rows, fr.a, 0, gh, sh, dR, sh, ldR, nf, fr.xT, 0, nf, kernel.grad(), 0, gh,
                    h, hdAll, 0, h, recurrentKernel.grad(), 0, gh, sums, 0, sh < gh ? sums : null, gh);
            if (useBias) biasGradsFromSums(fr, sums, sh);
        } else {
            k.gemm(true, false, h, rw, rows, 1f, hdAll, 0, h, dR, 0, ldR, 1f, recurrentKernel.grad(), 0, gh);
            k.gemm(true, false, nf, gh, rows, 1f, fr.xT, 0, nf, fr.a, 0, gh, 1f, kernel.grad(), 0, gh);
            if (useBias) biasGrads(fr, rows);
        }
        extraWeightGrads(fr);

        // dx = dA · W^T, back to batch-major, through the dropout mask (unless no one wants it:
        // a model's first layer, Frame.inputGradients)
        Tensor dx = null;
        if (frame.wantsInputGradient(0)) {
            fr.dxT = RecurrentFrame.grow(fr.dxT, rows * nf);
            inputGrad(fr, k);
            dx = fr.output(1, true, nb, nt, nf);   // reorderSteps writes every element
            reorderSteps(fr, k, nb, nt, nf, dx.data(), fr.dxT, false);
        }
        Tensor[] grads = new Tensor[fr.withInitialState ? 1 + stateCount() : 1];
        grads[0] = dx;
        if (fr.withInitialState) {
            grads[1] = Tensor.of(Arrays.copyOf(fr.dh, bh), nb, h);
            if (stateCount() == 2) grads[2] = Tensor.of(Arrays.copyOf(fr.dc, bh), nb, h);
        }
        return grads;
    }

    /**
     * dxT = dA · kernel^T over all T*B rows: kernel^T packed (it is small), dA read in place (it
     * is the largest buffer: a GEMM that packs it first would copy all of it once more), the
     * rows cut into up to {@value #DX_CHUNKS_PER_THREAD} chunks per thread that the pool's
     * threads claim (so a slower thread takes fewer; the chunks repack nothing). Every row is
     * computed by the same code whichever thread takes it.
     */
    private void inputGrad(RecurrentFrame fr, Kernels k) {
        int rows = fr.t * fr.b, gh = gates() * units;
        fr.wT = k.pack(true, gh, fr.f, kernel.value(), 0, gh, fr.wT);
        long macs = (long) rows * gh * fr.f;
        int parts = (int) Math.min(k.threads(), Math.max(1L, macs / Math.max(1L, parallelStepMinMacs)));
        int blocks = (rows + ROW_ALIGN - 1) / ROW_ALIGN;
        fr.dxChunks = parts == 1 ? 1 : Math.min(Math.min(DX_CHUNKS_PER_THREAD * parts, blocks), PhaseQueue.MAX_CHUNKS);
        fr.queue.reset(1, fr.dxChunks);
        if (fr.dxChunks == 1 || !k.parallel(parts, fr.dxBody)) inputGradRows(fr, 0);
    }

    /** Chunks of dx's rows per thread (see {@link #inputGrad}). */
    static final int DX_CHUNKS_PER_THREAD = 4;

    /**
     * Moves each sample's nf values of each step between the batch-major rows (b, t) of bm and
     * the time-major rows (s, b) of tm, in processing order (goBackwards reverses t), times the
     * input dropout mask when there is one: into tm (the forward's input), or into bm (the
     * backward's dx) when toTimeMajor is false.
     */
    private void reorderSteps(RecurrentFrame fr, Kernels k, int nb, int nt, int nf, float[] bm, float[] tm,
                              boolean toTimeMajor) {
        for (int s = 0; s < nt; s++) {
            int t = goBackwards ? nt - 1 - s : s;
            for (int b = 0; b < nb; b++) {
                int bi = (b * nt + t) * nf, ti = (s * nb + b) * nf;
                float[] src = toTimeMajor ? bm : tm, dst = toTimeMajor ? tm : bm;
                int so = toTimeMajor ? bi : ti, d = toTimeMajor ? ti : bi;
                if (fr.dmask == null) {
                    System.arraycopy(src, so, dst, d, nf);
                } else {
                    k.mul(nf, src, so, fr.dmask, b * nf, dst, d);
                }
            }
        }
    }

    /**
     * One thread's share of {@link #inputGrad}: claims chunks of {@code fr.dxChunks} (multiples of
     * the row block) from the frame's queue until none is left.
     */
    private void inputGradRows(RecurrentFrame fr, int part) {
        int rows = fr.t * fr.b, gh = gates() * units, nf = fr.f, chunks = fr.dxChunks;
        int blocks = (rows + ROW_ALIGN - 1) / ROW_ALIGN;
        for (long t = -1; (t = fr.queue.claim(part, t)) >= 0; ) {
            int c = (int) (t % chunks);
            int r0 = Math.min(rows, (int) ((long) blocks * c / chunks) * ROW_ALIGN);
            int r1 = Math.min(rows, (int) ((long) blocks * (c + 1) / chunks) * ROW_ALIGN);
            try {
                if (r1 > r0) {
                    Kernels.get().gemmPacked(r1 - r0, 0, nf, fr.a, r0 * gh, gh, fr.wT, 0f, fr.dxT, r0 * nf, nf);
                }
            } catch (RuntimeException | Error e) {
                fr.queue.fail();
                throw e;
            }
            fr.queue.complete();
        }
    }

    /**
     * The bias gradients from the gate gradients' column sums ({@code sums[0, GH)}) and, from
     * column {@code shared} on, the recurrent-product gradients' own ({@code sums[GH, 2 GH -
     * shared)}): the bits of {@link #biasGrads} (the same sums, added once).
     */
    protected void biasGradsFromSums(RecurrentFrame fr, float[] sums, int shared) {
        int gh = gates() * units;
        float[] g = bias.grad();
        for (int j = 0; j < gh; j++) g[j] += sums[j];
    }

    /**
     * Bias gradient: column sums of the gate gradients (GRU reset-after adds the recurrent row),
     * when the weight gradients did not take them ({@link #biasGradsFromSums}).
     */
    protected void biasGrads(RecurrentFrame fr, int rows) {
        int gh = gates() * units;
        Kernels.get().sumRowsAdd(rows, gh, fr.a, 0, gh, bias.grad(), 0);
    }

    // ---- masks ----------------------------------------------------------------------------

    /** Per-sample last valid step in processing order (-1 if none). */
    private static void computeLastValid(RecurrentFrame fr) {
        int nb = fr.b, nt = fr.t;
        fr.lastValid = new int[nb];
        for (int b = 0; b < nb; b++) {
            fr.lastValid[b] = -1;
            for (int s = nt - 1; s >= 0; s--) {
                if (fr.valid[s * nb + b]) {
                    fr.lastValid[b] = s;
                    break;
                }
            }
        }
    }

    // ---- config ---------------------------------------------------------------------------

    @Override
    public Map<String, Object> getConfig() {
        Map<String, Object> c = super.getConfig();
        c.put("units", units);
        c.put("activation", activation.kerasName());
        c.put("recurrent_activation", recurrentActivation.kerasName());
        c.put("use_bias", useBias);
        c.put("kernel_initializer", kernelInitializer.kerasName());
        c.put("recurrent_initializer", recurrentInitializer.kerasName());
        c.put("bias_initializer", biasInitializer.kerasName());
        c.put("dropout", dropout);
        c.put("recurrent_dropout", recurrentDropout);
        c.put("return_sequences", returnSequences);
        c.put("return_state", returnState);
        c.put("go_backwards", goBackwards);
        c.put("stateful", stateful);
        c.put("zero_output_for_mask", zeroOutputForMask);
        return c;
    }

    /** Applies a Keras-style config (the keys of {@link #getConfig()}) to a fresh layer. */
    protected void applyConfig(Map<String, Object> c) {
        applyBaseConfig(c);
        if (c.containsKey("activation")) activation(str(c.get("activation")));
        if (c.containsKey("recurrent_activation")) recurrentActivation(str(c.get("recurrent_activation")));
        if (c.containsKey("use_bias")) useBias((Boolean) c.get("use_bias"));
        if (c.containsKey("kernel_initializer")) kernelInitializer(str(c.get("kernel_initializer")));
        if (c.containsKey("recurrent_initializer")) recurrentInitializer(str(c.get("recurrent_initializer")));
        if (c.containsKey("bias_initializer")) biasInitializer(str(c.get("bias_initializer")));
        if (c.containsKey("dropout")) dropout(((Number) c.get("dropout")).doubleValue());
        if (c.containsKey("recurrent_dropout")) recurrentDropout(((Number) c.get("recurrent_dropout")).doubleValue());
        if (c.containsKey("return_sequences")) returnSequences((Boolean) c.get("return_sequences"));
        if (c.containsKey("return_state")) returnState((Boolean) c.get("return_state"));
        if (c.containsKey("go_backwards")) goBackwards((Boolean) c.get("go_backwards"));
        if (c.containsKey("stateful")) stateful((Boolean) c.get("stateful"));
        if (c.containsKey("zero_output_for_mask")) zeroOutputForMask((Boolean) c.get("zero_output_for_mask"));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** All weights in Keras order (kernel, recurrent_kernel, bias). */
    public List<Param> weights() {
        return params();
    }
}
