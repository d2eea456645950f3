package io.github.rnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Kernels} on the Vector API ({@code jdk.incubator.vector}), at the platform's preferred
 * lane width ({@code FloatVector.SPECIES_PREFERRED}: 8 floats on AVX2, 16 on AVX-512).
 *
 * <p><b>GEMM</b> follows the Goto/BLIS scheme. For each {@value #KC}-deep slice of k and each
 * block of up to {@link #NC} columns, the slice of op(B) is packed into contiguous panels
 * {@link #NR} columns wide; for each block of {@value #MC} rows, the slice of op(A) is packed
 * (times alpha) into panels {@value #MR} rows tall, each row of a panel contiguous. A 6 x 2-vector register micro-kernel
 * (12 accumulators, 2 loads and 6 broadcasts per 12 FMAs) then sweeps the panels, keeping the
 * B panel in L1 or L2 and the A block in L2. Packing is where the transpose variants are absorbed, so
 * one micro-kernel serves all four; zero-padding of partial panels keeps it branch-free, and
 * edge tiles go through a small scratch tile. {@code beta} is applied when the first k slice is
 * stored: {@code beta == 0} overwrites C (old contents, NaN included, are never read), exactly as
 * {@link PlainKernels}. Rows {@code m <} {@value #MR4} (batch-1 steps) skip packing: each row of C
 * is accumulated in registers straight from the rows of B (or as dot products when B is
 * transposed), which is what a memory-bound matrix-vector product wants.
 * {@link #gemmTransASharedB} runs two such products with one B, packing each slice of B once.
 * Weights packed once for many products ({@link #pack}, {@link #gemmPacked}) are sliced by
 * {@link #packedDepth}, not {@value #KC}.
 *
 * <p><b>Threads.</b> A GEMM of at least {@value #PARALLEL_MIN_MACS} multiply-adds is cut into up
 * to four blocks per thread, of columns (aligned to {@link #NR}) or of rows (aligned to {@link #MR}),
 * whichever repacks less (a column block packs all of op(A), a row block all of op(B)), which the
 * threads of a fixed pool claim one by one ({@link GemmPool}: daemon threads created once, the
 * caller working too, no allocation per call). The count comes from
 * the system property {@code rnn4j.threads} (default: available processors); {@code 1} means no
 * pool at all. A large {@link #pack} is split among the pool's threads too (panel ranges).
 *
 * <p><b>Activations.</b> {@link #sigmoid} and {@link #tanh} compute every lane with this class's
 * own polynomial exp (sigmoid) and rational function (tanh), which its scalar tail ({@code sigmoidS},
 * {@code tanhS}) repeats bit for bit.
 * The Vector API's lanewise EXP/TANH (SVML intrinsics, measured at one or two float ulps) are
 * deliberately not used: before C2 compiles a loop those lanes run as plain Java, and the two
 * paths need not agree to the bit, which would break "same seed, same bits". The LSTM and GRU
 * cell updates ({@link #lstmPointwise}, {@link #gruPointwise} and their backward) run these
 * activations and vector loops for the products, with the same bits as their scalar definitions. {@code VectorKernelsTest.activationsMatchDoublePrecision} checks the
 * error against double precision (3e-7 absolute, 5e-7 relative).
 *
 * <p>Floating-point sums are ordered differently from {@link PlainKernels} (k is split in
 * slices, lanes are summed in pairs), so results agree with it to rounding, not bit for bit.
 * One deliberate difference: PlainKernels skips an {@code A(i,p) == 0} term, so a NaN/Inf in B
 * opposite a zero of A does not reach C there; here it does, as in optimised BLAS.
 *
 * <pre>{@code
 * // java --add-modules jdk.incubator.vector -Drnn4j.threads=2 ...
 * Kernels k = Kernels.get();                 // a VectorKernels when the module is present
 * k.gemm(false, false, m, n, kk, 1f, a, 0, kk, b, 0, n, 0f, c, 0, n);   // C = A·B
 * }</pre>
 *
 * <p><b>Packed weights.</b> {@link #pack} lays a recurrent kernel out in micro-kernel panels once
 * per sequence; {@link #gemmPacked} then computes any NR-aligned range of columns with no packing
 * at all (A's rows read in place, 6-, 5- then 4-row tiles, panel by panel), which is what a thread
 * owning a slice of the rows or units does at every timestep; {@link #rowTimesTwo} is the
 * unpacked batch-1 product. The pool also runs {@linkplain #parallel parallel regions}: one part
 * per thread.
 *
 * <p>Not here: weights cached across calls, the recurrent time loop itself, half precision.
 * This class is loaded only when the module is present (see {@code KernelProvider}); prefer
 * {@link Kernels#get()} to constructing it (the constructors are for tests and benchmarks).
 */
public final class VectorKernels implements Kernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Lanes per vector. */
    static final int L = S.length();
    /** Micro-kernel rows of the packed-A GEMM. */
    static final int MR = 6;
    /** Rows of the smaller in-place tile of {@link #gemmPacked}; a GEMM with fewer rows packs nothing. */
    static final int MR4 = 4;
    /** Micro-kernel columns: two vectors. */
    static final int NR = 2 * L;
    /**
     * Depth of one packed slice of k in {@link #gemm}: a B panel is KC x NR floats (32 KiB at
     * NR = 16). 512 with NC 1024 (the same 2 MiB B block) against 256 with NC 2048: 1024^3 and
     * 2048^3 +18 % (paired A/Bs, session 6), the recurrent layers' products unchanged.
     */
    static final int KC = 512;
    /**
     * Deepest k slice of a {@link #pack}ed matrix. On AVX2, 768: a panel (48 KiB at NR = 16) no
     * longer stays in L1, yet one slice of the recurrent layers' 578- and 641-deep [U; kernel;
     * bias] ran 2.7-5.4 % faster than two slices of half the depth (whose boundary costs a second
     * pass over C), and training did not change (paired A/Bs, docs/results.md, session 6); 384
     * before. 256 with 16-float vectors (not measured here: no AVX-512 on the machines we had).
     */
    static final int KP_MAX = L <= 8 ? 768 : 256;
    /** Rows of A packed at once (MC x KC floats = 288 KiB, in L2; a multiple of MR). */
    static final int MC = 144;
    /** Columns of B packed at once (KC x NC floats = 2 MiB at NC = 1024, in L3). */
    static final int NC = NR * (1024 / NR);
    /** Below this many multiply-adds a GEMM stays on the calling thread. */
    static final long PARALLEL_MIN_MACS = 1L << 18;
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final GemmPool pool;

    /** Kernels with the thread count of {@code rnn4j.threads} (default: available processors). */
    public VectorKernels() {
        this(Integer.getInteger("rnn4j.threads", Runtime.getRuntime().availableProcessors()));
    }

    /** Kernels that split large GEMMs over {@code threads} threads (1: never). */
    public VectorKernels(int threads) {
        if (S.length() < 4) {
            throw new UnsupportedOperationException("preferred float vector has " + S.length()
                    + " lanes; the Vector API kernels need at least 4");
        }
        this.pool = threads > 1 ? GemmPool.shared(threads) : null;
    }

    /** Threads a large GEMM or a parallel region is split over (1 when there is no pool). */
    @Override
    public int threads() {
        return pool == null ? 1 : pool.threads();
    }

    /** Per-thread packing buffers, grown on first use and then reused. */
    private static final class Workspace {
        float[] a = new float[MC * KC];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];   // a 4-, 5- or 6-row register tile
        float[] row = new float[0];

        float[] b(int size) {
            if (b.length < size) b = new float[size];
            return b;
        }

        float[] row(int size) {
            if (row.length < size) row = new float[size];
            return row;
        }

        /** C^T of {@link #transposed} (not used by the GEMM it runs). */
        float[] transposed = new float[0];

        float[] transposed(int size) {
            if (transposed.length < size) transposed = new float[size];
            return transposed;
        }
    }

    // ------------------------------------------------------------------------------------ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) return;
        if (k <= 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (pool != null && (long) m * n * k >= PARALLEL_MIN_MACS) {
            if (transA && !transB && alpha == 1f && n >= MR4 && m >= TRANSPOSE_MIN_RATIO * n) {
                transposed(m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                return;
            }
            int threads = pool.threads();
            // each column piece packs all of op(A), each row piece all of op(B): cut the dimension
            // whose operand is the smaller one to repack (a Dense layer over T·B rows and a
            // 65-symbol vocabulary has n = 65 and m = 6400: by columns, each thread packed the
            // whole 6400-row A for its 33 columns)
            boolean colsOk = n >= threads * NR * 2, rowsOk = m >= threads * MR;
            boolean byColumns = colsOk ? (!rowsOk || n >= m) : !rowsOk;
            int chunks = chunkCount(m, n, k, threads, byColumns);
            if (chunks == threads && byColumns && m >= MR4 && (long) m * k >= LARGE_OPERAND
                    && n <= RowQueue.MAX_ROWS && (k + KC - 1) / KC <= RowQueue.MAX_STEPS) {
                // one column range per thread (each packs all of op(A)), handed out a k slice at
                // a time: a thread that runs out takes half of a slower one's columns
                if (sliced(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) return;
            } else if (chunks > 1 && pool.run(chunks, byColumns, transA, transB, m, n, k, alpha, a, aOff, lda,
                    b, bOff, ldb, beta, c, cOff, ldc)) {
                return;
            }
        }
        gemmSerial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * {@link #gemm}'s A^T·B with m at least this many times n goes as C^T = B^T·A: a Dense
     * layer's kernel gradient x^T·dz over 6,400 rows, 512 inputs and 65 outputs ran at 35-39
     * GFLOP/s (each row piece packs A^T's six-column strips out of x for only 65 columns of B),
     * 48-57 as its transpose (n 16: 13-15 against 20-21; n 64 with m 128 was slower transposed).
     */
    static final int TRANSPOSE_MIN_RATIO = 4;

    /**
     * C = A^T·B + beta·C (alpha 1) computed as C^T = B^T·A + beta·C^T in a per-thread buffer,
     * then put back in place. Each element is the same chain of multiply-adds over the same k
     * slices as the direct product (n >= {@link #MR4}: both go through the register tiles), so
     * the bits are the same.
     */
    private void transposed(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        Workspace ws = WORKSPACE.get();
        float[] ct = ws.transposed(m * n);
        if (beta != 0f) {
            for (int i = 0; i < m; i++) {
                for (int j = 0, ci = cOff + i * ldc; j < n; j++) ct[j * m + i] = c[ci + j];
            }
        }
        gemm(true, false, n, m, k, 1f, b, bOff, ldb, a, aOff, lda, beta, ct, 0, m);
        for (int i = 0; i < m; i++) {
            for (int j = 0, ci = cOff + i * ldc; j < n; j++) c[ci + j] = ct[j * m + i];
        }
    }

    /**
     * A pooled GEMM whose column pieces would each repack a large op(A): columns cut into one
     * range per thread and run {@value #KC}-deep k slice by slice through the pool's
     * {@link RowQueue} ({@link #gemmSlice}); false (nothing done) when the pool is busy.
     */
    private boolean sliced(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        RowQueue q = pool.rowQueue();
        java.util.function.IntConsumer body = part -> q.work(part, (slice, j0, j1) -> gemmSlice(slice, j0, j1,
                transA, transB, m, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        return pool.runRegion(pool.threads(), body, n, (k + KC - 1) / KC, NR, SHARED_B_MIN_COLUMNS);
    }

    /**
     * K slice {@code slice} of columns [j0, j1) (NR-aligned) of C = alpha·op(A)·op(B) + beta·C
     * (m >= {@link #MR4}), in blocks of NC columns: slice 0 applies beta (scaling the columns
     * first when it is neither 0 nor 1), later slices add. Run over the slices in order, any cut
     * of the columns gives the bits of {@link #gemmSerial}.
     */
    static void gemmSlice(int slice, int j0, int j1, boolean transA, boolean transB, int m, int k, float alpha,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
        Workspace ws = WORKSPACE.get();
        float[] ap = ws.a, tile = ws.tile;
        int pc = slice * KC, kc = Math.min(KC, k - pc);
        float bet = 1f;
        if (slice == 0) {
            bet = beta;
            if (beta != 0f && beta != 1f) {
                scale(m, j1 - j0, beta, c, cOff + j0, ldc);
                bet = 1f;
            }
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            float[] bp = ws.b(roundUp(nc, NR) * kc);
            packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0);
            rowBlocks(transA, m, a, aOff, lda, pc, kc, alpha, bp, nc, bet, c, cOff + jc, ldc, ap, tile);
        }
    }

    /**
     * Both products over one packing of B: the columns are cut into one range per thread (a
     * pool region, handed out a k slice at a time through the pool's {@link RowQueue}, so a
     * thread that runs out takes columns from a slower one), and each k slice of a range's B is
     * packed once, then multiplied by the slice of A1^T and of A2^T (the weight gradients of a
     * recurrent layer pack the [T·B, GH] gate gradients once instead of twice). The same
     * micro-kernel, slices and order per element as {@link #gemm}, so the same bits. An A with
     * fewer than {@link #MR4} columns takes the default two calls (gemm's row-at-a-time path).
     */
    @Override
    public void gemmTransASharedB(int n, int k, float[] b, int bOff, int ldb,
                                  int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off, int ldc1,
                                  int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off, int ldc2) {
        if (m1 < MR4 || m2 < MR4 || n <= 0 || k <= 0) {
            Kernels.super.gemmTransASharedB(n, k, b, bOff, ldb, m1, a1, a1Off, lda1, c1, c1Off, ldc1,
                    m2, a2, a2Off, lda2, c2, c2Off, ldc2);
            return;
        }
        sharedB(n, k, b, bOff, ldb, n, null, 0, 0, m1, a1, a1Off, lda1, c1, c1Off, ldc1, m2, a2, a2Off, lda2, c2, c2Off,
                ldc2, null, 0, null, 0);
    }

    /**
     * As {@link #gemmTransASharedB}: the columns from {@code split} on are packed twice per k
     * slice (B's for A1, b2's for A2), the others once, and each MC block of A2^T is packed once
     * per slice for both; the column sums, when asked, are taken while B and b2 are packed. A
     * split that is not a multiple of {@link #NR} takes the default calls.
     */
    @Override
    public void gemmTransASharedBSplit(int n, int k, float[] b, int bOff, int ldb, int split, float[] b2, int b2Off,
                                       int ldb2, int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off,
                                       int ldc1, int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off,
                                       int ldc2, float[] sums, int sumsOff, float[] sums2, int sums2Off) {
        if (m1 < MR4 || m2 < MR4 || n <= 0 || k <= 0 || split < 0 || split > n || (split < n && split % NR != 0)) {
            Kernels.super.gemmTransASharedBSplit(n, k, b, bOff, ldb, split, b2, b2Off, ldb2, m1, a1, a1Off, lda1,
                    c1, c1Off, ldc1, m2, a2, a2Off, lda2, c2, c2Off, ldc2, sums, sumsOff, sums2, sums2Off);
            return;
        }
        sharedB(n, k, b, bOff, ldb, split, b2, b2Off, ldb2, m1, a1, a1Off, lda1, c1, c1Off, ldc1,
                m2, a2, a2Off, lda2, c2, c2Off, ldc2, sums, sumsOff, sums2, sums2Off);
    }

    private void sharedB(int n, int k, float[] b, int bOff, int ldb, int split, float[] b2, int b2Off, int ldb2,
                         int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off, int ldc1,
                         int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off, int ldc2,
                         float[] sums, int sumsOff, float[] sums2, int sums2Off) {
        long macs = (long) (m1 + m2) * n * k;
        int parts = pool == null || macs < PARALLEL_MIN_MACS ? 1 : Math.min(pool.threads(), (n + NR - 1) / NR);
        int slices = (k + KC - 1) / KC;
        if (parts > 1 && n <= RowQueue.MAX_ROWS && slices <= RowQueue.MAX_STEPS) {
            // columns cut into one range per thread, handed out a k slice at a time: a thread
            // that runs out takes half of a slower one's remaining columns from its next slice
            RowQueue q = pool.rowQueue();
            java.util.function.IntConsumer body = part -> q.work(part, (slice, j0, j1) -> sharedBSlice(slice, j0,
                    j1, k, b, bOff, ldb, split, b2, b2Off, ldb2, m1, a1, a1Off, lda1, c1, c1Off, ldc1, m2, a2, a2Off,
                    lda2, c2, c2Off, ldc2, sums, sumsOff, sums2, sums2Off));
            if (pool.runRegion(parts, body, n, slices, NR, SHARED_B_MIN_COLUMNS)) return;
        }
        for (int slice = 0; slice < slices; slice++) {
            sharedBSlice(slice, 0, n, k, b, bOff, ldb, split, b2, b2Off, ldb2, m1, a1, a1Off, lda1, c1, c1Off, ldc1,
                    m2, a2, a2Off, lda2, c2, c2Off, ldc2, sums, sumsOff, sums2, sums2Off);
        }
    }

    /**
     * Fewest columns a thread of {@link #sharedB} takes from another (and leaves it): each column
     * range packs all of A2^T per slice, which costs about as much as 30-60 columns of its
     * products.
     */
    static final int SHARED_B_MIN_COLUMNS = 8 * NR;

    /**
     * K slice {@code slice} ({@value #KC} deep) of columns [j0, j1) (NR-aligned) of
     * {@link #gemmTransASharedB} (split = n) or {@link #gemmTransASharedBSplit}, on this thread,
     * in blocks of NC columns: B's columns packed once (for A1, and for A2 left of split), b2's
     * columns from split on packed apart (for A2), and each MC block of A2^T packed once for both
     * of its parts. The column sums (when asked) are zeroed at slice 0 and added to as each
     * slice is packed. Every element sums its slices in order, whichever thread runs them.
     */
    static void sharedBSlice(int slice, int j0, int j1, int k, float[] b, int bOff, int ldb, int split,
                                     float[] b2, int b2Off, int ldb2,
                                     int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off, int ldc1,
                                     int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off, int ldc2,
                                     float[] sums, int sumsOff, float[] sums2, int sums2Off) {
        Workspace ws = WORKSPACE.get();
        float[] ap = ws.a, tile = ws.tile;
        int pc = slice * KC, kc = Math.min(KC, k - pc);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int nl = Math.max(0, Math.min(split, jc + nc) - jc);   // columns left of split (NR-aligned)
            if (slice == 0) {
                if (sums != null) java.util.Arrays.fill(sums, sumsOff + jc, sumsOff + jc + nc, 0f);
                if (sums2 != null && nl < nc) {
                    java.util.Arrays.fill(sums2, sums2Off + jc + nl - split, sums2Off + jc + nc - split, 0f);
                }
            }
            float[] bp = ws.b(roundUp(nc, NR) * kc);
            packB(b, bOff, ldb, pc, kc, jc, nc, bp, 0, sums, sumsOff + jc);
            rowBlocks(true, m1, a1, a1Off, lda1, pc, kc, 1f, bp, nc, 1f, c1, c1Off + jc, ldc1, ap, tile);
            if (nl == nc) {
                rowBlocks(true, m2, a2, a2Off, lda2, pc, kc, 1f, bp, nc, 1f, c2, c2Off + jc, ldc2, ap, tile);
                continue;
            }
            // b2's columns [jc + nl, jc + nc) over the right part of bp (B's are no longer needed
            // there: A1 has had them), then every MC block of A2^T packed once for both parts
            packB(b2, b2Off - split, ldb2, pc, kc, jc + nl, nc - nl, bp, nl * kc, sums2,
                    sums2Off + jc + nl - split);
            for (int ic = 0; ic < m2; ic += MC) {
                int mc = Math.min(MC, m2 - ic);
                packA(true, a2, a2Off, lda2, ic, mc, pc, kc, 1f, ap);
                macroKernel(mc, nc, kc, ap, bp, 1f, c2, c2Off + ic * ldc2 + jc, ldc2, tile);
            }
        }
    }

    /**
     * How many pieces a pooled GEMM is cut into: up to four per thread (so a thread that loses its
     * core to another process takes fewer of them), none smaller than half the pooling threshold,
     * and at most one per NR columns (or MR rows). Every column piece packs all of op(A) (every
     * row piece all of op(B)), so when that operand is large (the weight gradients over all
     * timesteps: A is units x T·B) the GEMM is cut into one piece per thread only.
     */
    static int chunkCount(int m, int n, int k, int threads, boolean byColumns) {
        long macs = (long) m * n * k;
        long byWork = Math.max(1, macs / (PARALLEL_MIN_MACS / 2));
        int byShape = byColumns ? (n + NR - 1) / NR : (m + MR - 1) / MR;
        long repacked = byColumns ? (long) m * k : (long) n * k;
        int perThread = repacked >= LARGE_OPERAND ? 1 : 4;
        return (int) Math.min(Math.min((long) perThread * threads, byWork), byShape);
    }

    /** Operand size (floats) from which a pooled GEMM is cut into one piece per thread. */
    static final long LARGE_OPERAND = 1L << 18;

    /**
     * Piece {@code chunk} of {@code chunks} of a GEMM (run by the pool's threads): a block of
     * columns aligned to NR, or of rows aligned to MR; empty when the blocks run out early.
     */
    static void gemmChunk(int chunk, int chunks, boolean byColumns, boolean transA, boolean transB,
                          int m, int n, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
        if (byColumns) {
            int size = roundUp((n + chunks - 1) / chunks, NR);
            int j0 = Math.min(n, chunk * size), j1 = Math.min(n, j0 + size);
            if (j1 <= j0) return;
            gemmSerial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda,
                    b, transB ? bOff + j0 * ldb : bOff + j0, ldb, beta, c, cOff + j0, ldc);
        } else {
            int size = roundUp((m + chunks - 1) / chunks, MR);
            int i0 = Math.min(m, chunk * size), i1 = Math.min(m, i0 + size);
            if (i1 <= i0) return;
            gemmSerial(transA, transB, i1 - i0, n, k, alpha, a, transA ? aOff + i0 : aOff + i0 * lda, lda,
                    b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc);
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /** One-thread GEMM with m, n, k > 0 and alpha != 0. */
    static void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                           float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                           float beta, float[] c, int cOff, int ldc) {
        Workspace ws = WORKSPACE.get();
        if (m < MR4) {
            for (int i = 0; i < m; i++) {
                float[] arow;
                int arOff, arStride;
                if (!transA) {
                    arow = a;
                    arOff = aOff + i * lda;
                    arStride = 1;
                } else {
                    arow = a;
                    arOff = aOff + i;
                    arStride = lda;
                }
                if (!transB) {
                    rowTimesB(n, k, alpha, arow, arOff, arStride, b, bOff, ldb, beta, c, cOff + i * ldc);
                } else {
                    if (arStride != 1) {
                        float[] r = ws.row(k);
                        for (int p = 0; p < k; p++) r[p] = arow[arOff + p * arStride];
                        arow = r;
                        arOff = 0;
                    }
                    rowDotB(n, k, alpha, arow, arOff, b, bOff, ldb, beta, c, cOff + i * ldc);
                }
            }
            return;
        }
        float[] ap = ws.a;
        float[] tile = ws.tile;
        if (beta != 0f && beta != 1f) {
            // the micro-kernel overwrites C (beta 0) or adds to it (beta 1)
            scale(m, n, beta, c, cOff, ldc);
            beta = 1f;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                float bet = pc == 0 ? beta : 1f;
                float[] bp = ws.b(roundUp(nc, NR) * kc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, bp, 0);
                rowBlocks(transA, m, a, aOff, lda, pc, kc, alpha, bp, nc, bet, c, cOff + jc, ldc, ap, tile);
            }
        }
    }

    /**
     * Every {@value #MC}-row block of op(A) (m rows) times one packed slice of B (kc x nc at bp):
     * packs the block's slice of op(A) into ap, then the macro-kernel adds (or, beta 0, writes)
     * it into C's block (C's columns of this slice start at cOff).
     */
    private static void rowBlocks(boolean transA, int m, float[] a, int aOff, int lda, int pc, int kc, float alpha,
                                  float[] bp, int nc, float beta, float[] c, int cOff, int ldc, float[] ap,
                                  float[] tile) {
        for (int ic = 0; ic < m; ic += MC) {
            int mc = Math.min(MC, m - ic);
            packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, ap);
            macroKernel(mc, nc, kc, ap, bp, beta, c, cOff + ic * ldc, ldc, tile);
        }
    }

    /**
     * Packs op(A)[ic..ic+mc, pc..pc+kc) times alpha into MR-row panels, each row of a panel
     * contiguous: element (r, p) of panel ir at {@code (ir / MR) * kc * MR + r * kc + p}, so the
     * micro-kernel reads a panel as {@link #microRows6} reads rows in place (one index per row
     * and a unit stride, which C2 keeps in registers; an interleaved p*MR + r layout made the
     * 6-row kernel three times slower). Rows past mc are zeros.
     */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                              float alpha, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = (ir / MR) * kc * MR;
            int rows = Math.min(MR, mc - ir);
            if (transA && rows == MR) {
                // op(A)'s six rows are six neighbouring columns of A: read them together, one
                // cache line per p, instead of one column (a line per element) at a time
                int src = aOff + pc * lda + ic + ir;
                for (int p = 0; p < kc; p++, src += lda) {
                    int dst = base + p;
                    ap[dst] = alpha * a[src];
                    ap[dst + kc] = alpha * a[src + 1];
                    ap[dst + 2 * kc] = alpha * a[src + 2];
                    ap[dst + 3 * kc] = alpha * a[src + 3];
                    ap[dst + 4 * kc] = alpha * a[src + 4];
                    ap[dst + 5 * kc] = alpha * a[src + 5];
                }
                continue;
            }
            for (int r = 0; r < MR; r++) {
                int dst = base + r * kc;
                if (r >= rows) {
                    java.util.Arrays.fill(ap, dst, dst + kc, 0f);
                } else if (!transA) {
                    int src = aOff + (ic + ir + r) * lda + pc;
                    if (alpha == 1f) {
                        System.arraycopy(a, src, ap, dst, kc);   // the same values: 1 * x == x
                    } else {
                        for (int p = 0; p < kc; p++) ap[dst + p] = alpha * a[src + p];
                    }
                } else {
                    int src = aOff + pc * lda + ic + ir + r;
                    for (int p = 0; p < kc; p++, src += lda) ap[dst + p] = alpha * a[src];
                }
            }
        }
    }

    /**
     * Packs op(B)[pc..pc+kc, jc..jc+nc) into NR-column panels, element (p, j) at p*NR + j.
     * Untransposed, a block of rows at a time across every panel (about 32 KiB of B: 4 to 16
     * rows): each row of the block is read whole and each panel gets the block as one run.
     * Panel by panel over all kc rows read one 64-byte piece of every row per pass (rows 4 KiB
     * apart for the weight gradients' [T·B, 4H] operand) and packed at 1.4-3.3 GB/s against
     * 2.6-7.7 for the blocks, on a machine whose plain copy runs at 3.6 (docs/results.md, session 8).
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] bp, int bpOff) {
        if (!transB) {
            packB(b, bOff, ldb, pc, kc, jc, nc, bp, bpOff, null, 0);
            return;
        }
        for (int jr = 0; jr < nc; jr += NR) {
            int base = bpOff + (jr / NR) * kc * NR;
            int cols = Math.min(NR, nc - jr);
            int j = 0;
            for (; j < cols; j++) {
                int src = bOff + (jc + jr + j) * ldb + pc;
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p];
            }
            for (; j < NR; j++) {
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
            }
        }
    }

    /**
     * {@link #packB} of an untransposed B, in blocks of rows (see there), that also adds each
     * column's values, row after row, into {@code sums[sOff + j]} (j in [0, nc)) when sums is not
     * null: the column sums of a product's right operand, taken while it is packed anyway.
     */
    private static void packB(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp, int bpOff,
                              float[] sums, int sOff) {
        int rows = Math.max(4, Math.min(16, 8192 / Math.max(nc, 1)));
        for (int p0 = 0; p0 < kc; p0 += rows) {
            int p1 = Math.min(kc, p0 + rows);
            for (int jr = 0; jr < nc; jr += NR) {
                int base = bpOff + (jr / NR) * kc * NR;
                int cols = Math.min(NR, nc - jr);
                int src = bOff + (pc + p0) * ldb + jc + jr, so = sOff + jr;
                if (cols == NR && sums == null) {
                    for (int p = p0; p < p1; p++, src += ldb) {
                        int dst = base + p * NR;
                        FloatVector.fromArray(S, b, src).intoArray(bp, dst);
                        FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
                    }
                } else if (cols == NR) {
                    FloatVector t0 = FloatVector.fromArray(S, sums, so), t1 = FloatVector.fromArray(S, sums, so + L);
                    for (int p = p0; p < p1; p++, src += ldb) {
                        int dst = base + p * NR;
                        FloatVector v0 = FloatVector.fromArray(S, b, src), v1 = FloatVector.fromArray(S, b, src + L);
                        v0.intoArray(bp, dst);
                        v1.intoArray(bp, dst + L);
                        t0 = t0.add(v0);
                        t1 = t1.add(v1);
                    }
                    t0.intoArray(sums, so);
                    t1.intoArray(sums, so + L);
                } else {
                    for (int p = p0; p < p1; p++, src += ldb) {
                        int dst = base + p * NR;
                        int j = 0;
                        for (; j < cols; j++) {
                            bp[dst + j] = b[src + j];
                            if (sums != null) sums[so + j] += b[src + j];
                        }
                        for (; j < NR; j++) bp[dst + j] = 0f;
                    }
                }
            }
        }
    }

    // ------------------------------------------- packed weights for repeated products (recurrent)

    /**
     * Packs op(B) whole into {@link #NR}-column panels, slice by slice of k ({@link #packedDepth} deep): slice
     * {@code pc} starts at {@code pc * roundUp(n, NR)}, its panel {@code jr} at
     * {@code (jr / NR) * kc * NR} within it, element (p, j) at {@code p * NR + j} — the layout
     * {@link #gemmSerial} builds per call, built here once.
     */
    @Override
    public PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb, PackedMatrix reuse) {
        int npad = roundUp(Math.max(n, 1), NR);
        int size = npad * k;
        PackedMatrix p = reuse != null && reuse.panels ? reuse : new PackedMatrix();
        if (p.data == null || p.data.length < size) p.data = new float[size];
        p.k = k;
        p.n = n;
        p.panels = true;
        p.trans = transB;
        int panels = npad / NR;
        float[] dst = p.data;
        if (pool != null && size >= PACK_PARALLEL_MIN_FLOATS && panels > 1) {
            // the panels split among the threads (a layer packs its weights on every call, before
            // its time loop: one thread packing them left the others waiting)
            int parts = Math.min(pool.threads(), panels);
            if (parallel(parts, part -> packPanels(transB, k, n, npad, b, bOff, ldb, dst,
                    panels * part / parts, panels * (part + 1) / parts))) {
                return p;
            }
        }
        packPanels(transB, k, n, npad, b, bOff, ldb, dst, 0, panels);
        return p;
    }

    /** A {@link #pack}ed matrix of at least this many floats is packed by the pool's threads. */
    static final int PACK_PARALLEL_MIN_FLOATS = 1 << 16;

    /** Panels [p0, p1) of every k slice of a {@link #pack}ed op(B), n columns padded to npad. */
    private static void packPanels(boolean transB, int k, int n, int npad, float[] b, int bOff, int ldb, float[] dst,
                                   int p0, int p1) {
        int j0 = p0 * NR, j1 = Math.min(n, p1 * NR);
        if (j1 <= j0) return;
        for (int pc = 0, kp = packedDepth(k); pc < k; pc += kp) {
            int kc = Math.min(kp, k - pc);
            packB(transB, b, bOff, ldb, pc, kc, j0, j1 - j0, dst, pc * npad + p0 * kc * NR);
        }
    }

    /**
     * Depth of the k slices of a packed matrix with k rows: k whole up to {@link #KP_MAX}, else
     * the fewest slices of at most KP_MAX, of equal depth (the last may be shorter). A slice
     * boundary costs a load, add and store of every element of C; 288 = 32 + 256 cost a second
     * pass over C for 32 rows of B. Fixed by k alone, so every range and row of a product sums in
     * the same slices.
     */
    static int packedDepth(int k) {
        int slices = Math.max(1, (k + KP_MAX - 1) / KP_MAX);
        return (k + slices - 1) / slices;
    }

    @Override
    public int columnAlign() {
        return NR;
    }

    /**
     * Columns [j0, j1) of C (beta) += A · packed B on this thread: for each k slice and each panel,
     * the 6 x 2-vector micro-kernel (then 5- and 4-row ones for the rows 6-row tiles cannot take,
     * see {@link #tilePlan}) reads A's rows in place (no packing: A is a [batch, units] state that
     * fits in L2) and the panel, which the panel's later row tiles find in L1 (or L2, for slices
     * deeper than 512). Leftover rows (at most one, or all of a batch under 4) go through
     * {@link #rowsPacked}. Each element of C is summed
     * in the same order in both paths (one FMA chain per k slice), so a row's result does not
     * depend on the batch size or on how columns are split between threads.
     */
    @Override
    public void gemmPacked(int m, int j0, int j1, float[] a, int aOff, int lda, PackedMatrix pb,
                           float beta, float[] c, int cOff, int ldc) {
        if (!pb.panels) {
            Kernels.super.gemmPacked(m, j0, j1, a, aOff, lda, pb, beta, c, cOff, ldc);
            return;
        }
        if (j0 % NR != 0) throw new IllegalArgumentException("gemmPacked: j0 = " + j0 + " is not a multiple of " + NR);
        if (m <= 0 || j1 <= j0) return;
        int k = pb.k;
        if (k <= 0) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = j0; j < j1; j++) c[ci + j] = beta == 0f ? 0f : beta * c[ci + j];
            }
            return;
        }
        if (beta != 0f && beta != 1f) {
            // the kernels below add to C (beta 1) or overwrite it (beta 0): scale first
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = j0; j < j1; j++) c[ci + j] *= beta;
            }
            beta = 1f;
        }
        float[] bp = pb.data;
        int npad = roundUp(pb.n, NR), kp = packedDepth(k);
        float[] tile = WORKSPACE.get().tile;
        // rows [0, m6) in 6-row tiles, [m6, m5) in 5-row tiles, [m5, mFull) in 4-row tiles, the
        // last m - mFull one at a time (see tilePlan)
        int plan = tilePlan(m), q5 = plan & 0xff, q4 = plan >>> 8;
        int m6 = (m - 5 * q5 - MR4 * q4) / 6 * 6, m5 = m6 + 5 * q5, mFull = m5 + MR4 * q4;
        // panel by panel, every k slice of a panel before the next panel: the panel's C columns
        // (rows x 16) stay in L1 from one slice to the next instead of coming back from L2 or L3
        // after a sweep over every panel (each element's sum is still slice by slice, in order)
        for (int jr = j0; jr < j1; jr += NR) {
            int nr = Math.min(NR, j1 - jr);
            for (int pc = 0; pc < k; pc += kp) {
                int kc = Math.min(kp, k - pc);
                float bet = pc == 0 ? beta : 1f;
                int bi = pc * npad + (jr / NR) * kc * NR;
                for (int ir = 0; ir < mFull; ) {
                    int rows = ir < m6 ? 6 : ir < m5 ? 5 : MR4;
                    int ai = aOff + ir * lda + pc, ci = cOff + ir * ldc + jr;
                    // a ragged last panel goes into the scratch tile, then its nr columns into C
                    boolean ragged = nr < NR;
                    float[] dst = ragged ? tile : c;
                    int di = ragged ? 0 : ci, ld = ragged ? NR : ldc;
                    float db = ragged ? 0f : bet;
                    if (rows == 6) {
                        microRows6(kc, a, ai, lda, bp, bi, dst, di, ld, db);
                    } else if (rows == 5) {
                        microRows5(kc, a, ai, lda, bp, bi, dst, di, ld, db);
                    } else {
                        microRows(kc, a, ai, lda, bp, bi, dst, di, ld, db);
                    }
                    if (ragged) {
                        for (int r = 0; r < rows; r++) {
                            int cr = ci + r * ldc, tr = r * NR;
                            for (int j = 0; j < nr; j++) c[cr + j] = combine(tile[tr + j], bet, c[cr + j]);
                        }
                    }
                    ir += rows;
                }
            }
        }
        for (int pc = 0; pc < k; pc += kp) {
            int kc = Math.min(kp, k - pc);
            float bet = pc == 0 ? beta : 1f;
            for (int i = mFull; i < m; i++) {
                rowsPacked(kc, a, aOff + i * lda + pc, bp, pc * npad, j0, j1, bet, c, cOff + i * ldc, tile);
            }
        }
    }

    /**
     * How {@link #gemmPacked} cuts m rows into register tiles: the fewest rows left over for the
     * one-row path, then the fewest 4-row tiles (eight accumulators: a 4-row tile took 30 % more
     * time per row than a 6-row one in the medium LSTM's profile), then the fewest 5-row tiles;
     * the rest are 6-row tiles. Returns q5 | q4 << 8 (at most 5 and 2).
     */
    static int tilePlan(int m) {
        int best = 0, bestLeft = Integer.MAX_VALUE;
        for (int q4 = 0; q4 <= 2 && 4 * q4 <= m; q4++) {
            for (int q5 = 0; q5 <= 5 && 4 * q4 + 5 * q5 <= m; q5++) {
                int left = (m - 4 * q4 - 5 * q5) % 6;
                if (left < bestLeft) {  // ties keep the earlier plan: fewer 4-row, then 5-row tiles
                    best = q5 | q4 << 8;
                    bestLeft = left;
                }
            }
        }
        return best;
    }

    /**
     * As {@link #microRows6} for five rows: ten accumulators, two B loads and five broadcasts per
     * ten FMAs; the same FMA chain per element, so the tile a row falls in does not change its bits.
     */
    private static void microRows5(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci,
                                   int ldc, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc;
        if (beta != 0f) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, c4));
            c41 = c41.add(FloatVector.fromArray(S, c, c4 + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + L);
    }

    /**
     * As {@link #micro}, but the four rows of A are read in place (row stride lda), not from a
     * packed panel; beta is 0 (overwrite C) or 1 (add to it).
     */
    private static void microRows(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci, int ldc,
                                  float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        // stores written out (no helper taking vectors: a helper C2 does not inline boxes them)
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        if (beta != 0f) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
    }

    /**
     * As {@link #microRows} for six rows: twelve accumulators, two B loads and six broadcasts
     * per twelve FMAs (the 4-row tile does eight FMAs per two B loads). Each element is the same
     * FMA chain as in the 4-row tile, so the tile a row falls in does not change its bits.
     */
    private static void microRows6(int kc, float[] a, int ai, int lda, float[] bp, int bi, float[] c, int ci,
                                   int ldc, float beta) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        int a1 = ai + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + p]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (beta != 0f) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, c4));
            c41 = c41.add(FloatVector.fromArray(S, c, c4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, c5));
            c51 = c51.add(FloatVector.fromArray(S, c, c5 + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + L);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + L);
    }

    /**
     * One row of C, columns [j0, j1), (beta) += a-row (kc values) times one k slice of packed B.
     * Four full panels at a time (eight independent FMA chains), then two, then one, so a
     * batch-1 step is not bound by the latency of a chain; a ragged last panel goes through the
     * scratch tile. Each element is the same chain whichever block it falls in.
     */
    private static void rowsPacked(int kc, float[] a, int ai, float[] bp, int slice, int j0, int j1, float beta,
                                   float[] c, int ci, float[] tile) {
        int jr = j0;
        // four panels at a time: eight FMA chains, as many as the FMA units' latency needs (a
        // batch-1 step over packed weights waited on four chains)
        for (; jr + 4 * NR <= j1; jr += 4 * NR) {
            int b0i = slice + (jr / NR) * kc * NR, b1i = b0i + kc * NR, b2i = b1i + kc * NR, b3i = b2i + kc * NR;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int p = 0; p < kc; p++, b0i += NR, b1i += NR, b2i += NR, b3i += NR) {
                FloatVector x = FloatVector.broadcast(S, a[ai + p]);
                s0 = x.fma(FloatVector.fromArray(S, bp, b0i), s0);
                s1 = x.fma(FloatVector.fromArray(S, bp, b0i + L), s1);
                s2 = x.fma(FloatVector.fromArray(S, bp, b1i), s2);
                s3 = x.fma(FloatVector.fromArray(S, bp, b1i + L), s3);
                s4 = x.fma(FloatVector.fromArray(S, bp, b2i), s4);
                s5 = x.fma(FloatVector.fromArray(S, bp, b2i + L), s5);
                s6 = x.fma(FloatVector.fromArray(S, bp, b3i), s6);
                s7 = x.fma(FloatVector.fromArray(S, bp, b3i + L), s7);
            }
            int o = ci + jr;
            if (beta != 0f) {
                s0 = s0.add(FloatVector.fromArray(S, c, o));
                s1 = s1.add(FloatVector.fromArray(S, c, o + L));
                s2 = s2.add(FloatVector.fromArray(S, c, o + NR));
                s3 = s3.add(FloatVector.fromArray(S, c, o + NR + L));
                s4 = s4.add(FloatVector.fromArray(S, c, o + 2 * NR));
                s5 = s5.add(FloatVector.fromArray(S, c, o + 2 * NR + L));
                s6 = s6.add(FloatVector.fromArray(S, c, o + 3 * NR));
                s7 = s7.add(FloatVector.fromArray(S, c, o + 3 * NR + L));
            }
            s0.intoArray(c, o);
            s1.intoArray(c, o + L);
            s2.intoArray(c, o + NR);
            s3.intoArray(c, o + NR + L);
            s4.intoArray(c, o + 2 * NR);
            s5.intoArray(c, o + 2 * NR + L);
            s6.intoArray(c, o + 3 * NR);
            s7.intoArray(c, o + 3 * NR + L);
        }
        for (; jr + 2 * NR <= j1; jr += 2 * NR) {
            int b0i = slice + (jr / NR) * kc * NR, b1i = b0i + kc * NR;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < kc; p++, b0i += NR, b1i += NR) {
                FloatVector x = FloatVector.broadcast(S, a[ai + p]);
                s0 = x.fma(FloatVector.fromArray(S, bp, b0i), s0);
                s1 = x.fma(FloatVector.fromArray(S, bp, b0i + L), s1);
                s2 = x.fma(FloatVector.fromArray(S, bp, b1i), s2);
                s3 = x.fma(FloatVector.fromArray(S, bp, b1i + L), s3);
            }
            int o = ci + jr;
            if (beta != 0f) {
                s0 = s0.add(FloatVector.fromArray(S, c, o));
                s1 = s1.add(FloatVector.fromArray(S, c, o + L));
                s2 = s2.add(FloatVector.fromArray(S, c, o + NR));
                s3 = s3.add(FloatVector.fromArray(S, c, o + NR + L));
            }
            s0.intoArray(c, o);
            s1.intoArray(c, o + L);
            s2.intoArray(c, o + NR);
            s3.intoArray(c, o + NR + L);
        }
        for (; jr < j1; jr += NR) {
            int bi = slice + (jr / NR) * kc * NR;
            int nr = Math.min(NR, j1 - jr);
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (int p = 0; p < kc; p++, bi += NR) {
                FloatVector x = FloatVector.broadcast(S, a[ai + p]);
                s0 = x.fma(FloatVector.fromArray(S, bp, bi), s0);
                s1 = x.fma(FloatVector.fromArray(S, bp, bi + L), s1);
            }
            if (nr == NR) {
                int o = ci + jr;
                if (beta != 0f) {
                    s0 = s0.add(FloatVector.fromArray(S, c, o));
                    s1 = s1.add(FloatVector.fromArray(S, c, o + L));
                }
                s0.intoArray(c, o);
                s1.intoArray(c, o + L);
            } else {
                s0.intoArray(tile, 0);
                s1.intoArray(tile, L);
                for (int j = 0; j < nr; j++) c[ci + jr + j] = combine(tile[j], beta, c[ci + jr + j]);
            }
        }
    }

    @Override
    public boolean parallel(int parts, java.util.function.IntConsumer body) {
        if (parts < 1) throw new IllegalArgumentException("parts must be >= 1, got " + parts);
        if (pool == null || parts > pool.threads()) return false;
        return pool.runRegion(parts, body);
    }

    /** C[mc x nc] (beta) += packed A block times packed B block; beta is 0 or 1 (see gemmSerial). */
    private static void macroKernel(int mc, int nc, int kc, float[] ap, float[] bp, float beta,
                                    float[] c, int cIdx, int ldc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bi = (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int ai = (ir / MR) * kc * MR;
                int ci = cIdx + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    microRows6(kc, ap, ai, kc, bp, bi, c, ci, ldc, beta);
                } else {
                    microRows6(kc, ap, ai, kc, bp, bi, tile, 0, NR, 0f);
                    for (int r = 0; r < mr; r++) {
                        int cr = ci + r * ldc, tr = r * NR;
                        for (int j = 0; j < nr; j++) c[cr + j] = combine(tile[tr + j], beta, c[cr + j]);
                    }
                }
            }
        }
    }

    private static float combine(float acc, float beta, float old) {
        return beta == 0f ? acc : beta == 1f ? old + acc : beta * old + acc;
    }

    /**
     * One row of C (beta) += alpha * a-row (k, stride arStride) times B (k x n row-major): for each
     * block of columns the sum over p is kept in registers and B is streamed once.
     */
    private static void rowTimesB(int n, int k, float alpha, float[] a, int aOff, int aStride,
                                  float[] b, int bOff, int ldb, float beta, float[] c, int cOff) {
        int j = 0;
        // eight independent FMA chains per row of B: a batch-1 step is otherwise bound by the
        // latency of the chains, not by the bandwidth of reading B
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int p = 0, ai = aOff, bi = bOff + j; p < k; p++, ai += aStride, bi += ldb) {
                FloatVector av = FloatVector.broadcast(S, alpha * a[ai]);
                s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
                s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
                s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
                s4 = av.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
                s5 = av.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
                s6 = av.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
                s7 = av.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
            }
            int o = cOff + j;
            s0 = beta == 0f ? s0 : beta == 1f ? s0.add(FloatVector.fromArray(S, c, o))
                    : FloatVector.fromArray(S, c, o).fma(FloatVector.broadcast(S, beta), s0);
            s0.intoArray(c, o);
            s1 = beta == 0f ? s1 : beta == 1f ? s1.add(FloatVector.fromArray(S, c, o + L))
                    : FloatVector.fromArray(S, c, o + L).fma(FloatVector.broadcast(S, beta), s1);
            s1.intoArray(c, o + L);
            s2 = beta == 0f ? s2 : beta == 1f ? s2.add(FloatVector.fromArray(S, c, o + 2 * L))
                    : FloatVector.fromArray(S, c, o + 2 * L).fma(FloatVector.broadcast(S, beta), s2);
            s2.intoArray(c, o + 2 * L);
            s3 = beta == 0f ? s3 : beta == 1f ? s3.add(FloatVector.fromArray(S, c, o + 3 * L))
                    : FloatVector.fromArray(S, c, o + 3 * L).fma(FloatVector.broadcast(S, beta), s3);
            s3.intoArray(c, o + 3 * L);
            s4 = beta == 0f ? s4 : beta == 1f ? s4.add(FloatVector.fromArray(S, c, o + 4 * L))
                    : FloatVector.fromArray(S, c, o + 4 * L).fma(FloatVector.broadcast(S, beta), s4);
            s4.intoArray(c, o + 4 * L);
            s5 = beta == 0f ? s5 : beta == 1f ? s5.add(FloatVector.fromArray(S, c, o + 5 * L))
                    : FloatVector.fromArray(S, c, o + 5 * L).fma(FloatVector.broadcast(S, beta), s5);
            s5.intoArray(c, o + 5 * L);
            s6 = beta == 0f ? s6 : beta == 1f ? s6.add(FloatVector.fromArray(S, c, o + 6 * L))
                    : FloatVector.fromArray(S, c, o + 6 * L).fma(FloatVector.broadcast(S, beta), s6);
            s6.intoArray(c, o + 6 * L);
            s7 = beta == 0f ? s7 : beta == 1f ? s7.add(FloatVector.fromArray(S, c, o + 7 * L))
                    : FloatVector.fromArray(S, c, o + 7 * L).fma(FloatVector.broadcast(S, beta), s7);
            s7.intoArray(c, o + 7 * L);
        }
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, ai = aOff, bi = bOff + j; p < k; p++, ai += aStride, bi += ldb) {
                FloatVector av = FloatVector.broadcast(S, alpha * a[ai]);
                s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
                s2 = av.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
                s3 = av.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
            }
            s0 = beta == 0f ? s0 : beta == 1f ? s0.add(FloatVector.fromArray(S, c, cOff + j))
                    : FloatVector.fromArray(S, c, cOff + j).fma(FloatVector.broadcast(S, beta), s0);
            s0.intoArray(c, cOff + j);
            s1 = beta == 0f ? s1 : beta == 1f ? s1.add(FloatVector.fromArray(S, c, cOff + j + L))
                    : FloatVector.fromArray(S, c, cOff + j + L).fma(FloatVector.broadcast(S, beta), s1);
            s1.intoArray(c, cOff + j + L);
            s2 = beta == 0f ? s2 : beta == 1f ? s2.add(FloatVector.fromArray(S, c, cOff + j + 2 * L))
                    : FloatVector.fromArray(S, c, cOff + j + 2 * L).fma(FloatVector.broadcast(S, beta), s2);
            s2.intoArray(c, cOff + j + 2 * L);
            s3 = beta == 0f ? s3 : beta == 1f ? s3.add(FloatVector.fromArray(S, c, cOff + j + 3 * L))
                    : FloatVector.fromArray(S, c, cOff + j + 3 * L).fma(FloatVector.broadcast(S, beta), s3);
            s3.intoArray(c, cOff + j + 3 * L);
        }
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (int p = 0, ai = aOff, bi = bOff + j; p < k; p++, ai += aStride, bi += ldb) {
                FloatVector av = FloatVector.broadcast(S, alpha * a[ai]);
                s0 = av.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = av.fma(FloatVector.fromArray(S, b, bi + L), s1);
            }
            s0 = beta == 0f ? s0 : beta == 1f ? s0.add(FloatVector.fromArray(S, c, cOff + j))
                    : FloatVector.fromArray(S, c, cOff + j).fma(FloatVector.broadcast(S, beta), s0);
            s0.intoArray(c, cOff + j);
            s1 = beta == 0f ? s1 : beta == 1f ? s1.add(FloatVector.fromArray(S, c, cOff + j + L))
                    : FloatVector.fromArray(S, c, cOff + j + L).fma(FloatVector.broadcast(S, beta), s1);
            s1.intoArray(c, cOff + j + L);
        }
        for (; j + L <= n; j += L) {
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0, ai = aOff, bi = bOff + j; p < k; p++, ai += aStride, bi += ldb) {
                s0 = FloatVector.broadcast(S, alpha * a[ai]).fma(FloatVector.fromArray(S, b, bi), s0);
            }
            s0 = beta == 0f ? s0 : beta == 1f ? s0.add(FloatVector.fromArray(S, c, cOff + j))
                    : FloatVector.fromArray(S, c, cOff + j).fma(FloatVector.broadcast(S, beta), s0);
            s0.intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            // Math.fma: the rounding of a lane, so a column's value does not depend on whether it falls in a vector
            float s = 0f;
            for (int p = 0, ai = aOff, bi = bOff + j; p < k; p++, ai += aStride, bi += ldb) {
                s = Math.fma(alpha * a[ai], b[bi], s);
            }
            c[cOff + j] = combine(s, beta, c[cOff + j]);
        }
    }

    /**
     * Eight vectors (64 columns on AVX2) at a time, each column's sum one FMA chain over x·A
     * then y·B, plus the bias at the end — the order of {@link #gemmPacked} over a packed
     * [A; B] when kx + ky fits one k slice, so a batch-1 step and a packed batch agree there.
     * Narrower blocks of four, two and one vector, then a scalar tail (Math.fma: the same
     * rounding as a lane), so a column's value does not depend on where a block boundary falls.
     */
    @Override
    public void rowTimesTwo(int n, float[] x, int xOff, int kx, float[] a, int aOff, int lda,
                            float[] y, int yOff, int ky, float[] b, int bOff, int ldb,
                            float[] bias, int biasOff, float[] c, int cOff) {
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int p = 0, ai = aOff + j; p < kx; p++, ai += lda) {
                FloatVector v = FloatVector.broadcast(S, x[xOff + p]);
                s0 = v.fma(FloatVector.fromArray(S, a, ai), s0);
                s1 = v.fma(FloatVector.fromArray(S, a, ai + L), s1);
                s2 = v.fma(FloatVector.fromArray(S, a, ai + 2 * L), s2);
                s3 = v.fma(FloatVector.fromArray(S, a, ai + 3 * L), s3);
                s4 = v.fma(FloatVector.fromArray(S, a, ai + 4 * L), s4);
                s5 = v.fma(FloatVector.fromArray(S, a, ai + 5 * L), s5);
                s6 = v.fma(FloatVector.fromArray(S, a, ai + 6 * L), s6);
                s7 = v.fma(FloatVector.fromArray(S, a, ai + 7 * L), s7);
            }
            for (int q = 0, bi = bOff + j; q < ky; q++, bi += ldb) {
                FloatVector v = FloatVector.broadcast(S, y[yOff + q]);
                s0 = v.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = v.fma(FloatVector.fromArray(S, b, bi + L), s1);
                s2 = v.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
                s3 = v.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
                s4 = v.fma(FloatVector.fromArray(S, b, bi + 4 * L), s4);
                s5 = v.fma(FloatVector.fromArray(S, b, bi + 5 * L), s5);
                s6 = v.fma(FloatVector.fromArray(S, b, bi + 6 * L), s6);
                s7 = v.fma(FloatVector.fromArray(S, b, bi + 7 * L), s7);
            }
            int o = cOff + j;
            if (bias != null) {
                int bo = biasOff + j;
                s0 = s0.add(FloatVector.fromArray(S, bias, bo));
                s1 = s1.add(FloatVector.fromArray(S, bias, bo + L));
                s2 = s2.add(FloatVector.fromArray(S, bias, bo + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, bias, bo + 3 * L));
                s4 = s4.add(FloatVector.fromArray(S, bias, bo + 4 * L));
                s5 = s5.add(FloatVector.fromArray(S, bias, bo + 5 * L));
                s6 = s6.add(FloatVector.fromArray(S, bias, bo + 6 * L));
                s7 = s7.add(FloatVector.fromArray(S, bias, bo + 7 * L));
            }
            s0.intoArray(c, o);
            s1.intoArray(c, o + L);
            s2.intoArray(c, o + 2 * L);
            s3.intoArray(c, o + 3 * L);
            s4.intoArray(c, o + 4 * L);
            s5.intoArray(c, o + 5 * L);
            s6.intoArray(c, o + 6 * L);
            s7.intoArray(c, o + 7 * L);
        }
        // a narrow range (a small layer's step, or a chunk's units) in 4- and 2-vector blocks:
        // one vector at a time, the step waited on one FMA chain (a 32-unit LSTM step took 2 us)
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, ai = aOff + j; p < kx; p++, ai += lda) {
                FloatVector v = FloatVector.broadcast(S, x[xOff + p]);
                s0 = v.fma(FloatVector.fromArray(S, a, ai), s0);
                s1 = v.fma(FloatVector.fromArray(S, a, ai + L), s1);
                s2 = v.fma(FloatVector.fromArray(S, a, ai + 2 * L), s2);
                s3 = v.fma(FloatVector.fromArray(S, a, ai + 3 * L), s3);
            }
            for (int q = 0, bi = bOff + j; q < ky; q++, bi += ldb) {
                FloatVector v = FloatVector.broadcast(S, y[yOff + q]);
                s0 = v.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = v.fma(FloatVector.fromArray(S, b, bi + L), s1);
                s2 = v.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
                s3 = v.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
            }
            int o = cOff + j;
            if (bias != null) {
                int bo = biasOff + j;
                s0 = s0.add(FloatVector.fromArray(S, bias, bo));
                s1 = s1.add(FloatVector.fromArray(S, bias, bo + L));
                s2 = s2.add(FloatVector.fromArray(S, bias, bo + 2 * L));
                s3 = s3.add(FloatVector.fromArray(S, bias, bo + 3 * L));
            }
            s0.intoArray(c, o);
            s1.intoArray(c, o + L);
            s2.intoArray(c, o + 2 * L);
            s3.intoArray(c, o + 3 * L);
        }
        for (; j + 2 * L <= n; j += 2 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (int p = 0, ai = aOff + j; p < kx; p++, ai += lda) {
                FloatVector v = FloatVector.broadcast(S, x[xOff + p]);
                s0 = v.fma(FloatVector.fromArray(S, a, ai), s0);
                s1 = v.fma(FloatVector.fromArray(S, a, ai + L), s1);
            }
            for (int q = 0, bi = bOff + j; q < ky; q++, bi += ldb) {
                FloatVector v = FloatVector.broadcast(S, y[yOff + q]);
                s0 = v.fma(FloatVector.fromArray(S, b, bi), s0);
                s1 = v.fma(FloatVector.fromArray(S, b, bi + L), s1);
            }
            if (bias != null) {
                s0 = s0.add(FloatVector.fromArray(S, bias, biasOff + j));
                s1 = s1.add(FloatVector.fromArray(S, bias, biasOff + j + L));
            }
            s0.intoArray(c, cOff + j);
            s1.intoArray(c, cOff + j + L);
        }
        for (; j + L <= n; j += L) {
            FloatVector s0 = FloatVector.zero(S);
            for (int p = 0, ai = aOff + j; p < kx; p++, ai += lda) {
                s0 = FloatVector.broadcast(S, x[xOff + p]).fma(FloatVector.fromArray(S, a, ai), s0);
            }
            for (int q = 0, bi = bOff + j; q < ky; q++, bi += ldb) {
                s0 = FloatVector.broadcast(S, y[yOff + q]).fma(FloatVector.fromArray(S, b, bi), s0);
            }
            if (bias != null) s0 = s0.add(FloatVector.fromArray(S, bias, biasOff + j));
            s0.intoArray(c, cOff + j);
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int p = 0, ai = aOff + j; p < kx; p++, ai += lda) s = Math.fma(x[xOff + p], a[ai], s);
            for (int q = 0, bi = bOff + j; q < ky; q++, bi += ldb) s = Math.fma(y[yOff + q], b[bi], s);
            c[cOff + j] = bias != null ? s + bias[biasOff + j] : s;
        }
    }

    /** One row of C (beta) += alpha * dot(a-row, row j of B) for each j (B stored n x k). */
    private static void rowDotB(int n, int k, float alpha, float[] a, int aOff,
                                float[] b, int bOff, int ldb, float beta, float[] c, int cOff) {
        for (int j = 0; j < n; j++) {
            float s = dotVec(k, a, aOff, b, bOff + j * ldb);
            c[cOff + j] = combine(alpha * s, beta, c[cOff + j]);
        }
    }

    /** C = beta * C over m x n (beta == 0 writes zeros without reading C). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else {
                int j = 0;
                for (; j < n - n % L; j += L) FloatVector.fromArray(S, c, ci + j).mul(beta).intoArray(c, ci + j);
                for (; j < n; j++) c[ci + j] *= beta;
            }
        }
    }

    // ------------------------------------------------------------------------- element-wise

    @Override
    public void addRowVector(int m, int n, float[] bias, int bOff, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            int j = 0;
            for (; j < n - n % L; j += L) {
                FloatVector.fromArray(S, c, ci + j).add(FloatVector.fromArray(S, bias, bOff + j)).intoArray(c, ci + j);
            }
            for (; j < n; j++) c[ci + j] += bias[bOff + j];
        }
    }

    @Override
    public void sumRowsAdd(int m, int n, float[] a, int aOff, int lda, float[] out, int outOff) {
        if (m <= 0 || n <= 0) return;
        // row by row into a zeroed scratch row, then added once: the same sums in the same order
        // as summing each column down the rows, but reading A in its memory order (the column
        // walk read a bias gradient of T·B rows a few cache lines per row, 8 KiB apart)
        float[] s = WORKSPACE.get().row(n);
        java.util.Arrays.fill(s, 0, n, 0f);
        int nv = n - n % L;
        for (int i = 0, ai = aOff; i < m; i++, ai += lda) {
            for (int j = 0; j < nv; j += L) {
                FloatVector.fromArray(S, s, j).add(FloatVector.fromArray(S, a, ai + j)).intoArray(s, j);
            }
            for (int j = nv; j < n; j++) s[j] += a[ai + j];
        }
        for (int j = 0; j < nv; j += L) {
            FloatVector.fromArray(S, out, outOff + j).add(FloatVector.fromArray(S, s, j)).intoArray(out, outOff + j);
        }
        for (int j = nv; j < n; j++) out[outOff + j] += s[j];
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        for (; i < n - n % L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        int i = 0;
        for (; i < n - n % L; i += L) {
            FloatVector.fromArray(S, x, xOff + i).mul(FloatVector.fromArray(S, y, yOff + i)).intoArray(z, zOff + i);
        }
        for (; i < n; i++) z[zOff + i] = x[xOff + i] * y[yOff + i];
    }

    // ---- activations: a deterministic exp from FMAs, adds and exact conversions -------------
    //
    // The Vector API's lanewise EXP/TANH are SVML intrinsics once C2 compiles a loop but plain
    // Java per lane before that, and the two need not agree to the bit, which would break "same
    // seed, same bits". Everything below uses only IEEE operations with one exact result (fma,
    // add, mul, div, float<->int conversion, shifts), so every tier gives the same bits, and the
    // scalar tail runs the same formula. exp: Cephes expf (range reduction by ln 2 in two parts,
    // degree-7 polynomial), clamped to the normal range; sigmoid 1 / (1 + exp(-x)). tanh: the
    // 13/6-degree rational interpolant on [-9, 9] of Eigen's generic_fast_tanh_float (also ONNX
    // Runtime's MLAS tanh), its result clamped to [-1, 1]: no exp, half the time of the exp form
    // (1 - 2/(exp(2|x|) + 1) with a Taylor branch near 0, which every lane had to compute both of),
    // at 2.7e-7 absolute error instead of 8.2e-8. Errors against double precision are measured
    // by VectorKernelsTest.activationsMatchDoublePrecision.

    private static final float EXP_HI = 88.0f;
    private static final float EXP_LO = -87.33654f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float MAGIC = 12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private static final float TANH_CLAMP = 9f;
    private static final float TA1 = 4.89352455891786e-03f, TA3 = 6.37261928875436e-04f,
            TA5 = 1.48572235717979e-05f, TA7 = 5.12229709037114e-08f, TA9 = -8.60467152213735e-11f,
            TA11 = 2.00018790482477e-13f, TA13 = -2.76076847742355e-16f;
    private static final float TB0 = 4.89352518554385e-03f, TB2 = 2.26843463243900e-03f,
            TB4 = 1.18534705686654e-04f, TB6 = 1.19825839466702e-06f;

    private static FloatVector expV(FloatVector x) {
        // clamp by compare and blend (FloatVector.max/min carry Java's NaN and -0 rules, several
        // instructions each on AVX2; the results are the same here: NaN stays NaN either way)
        FloatVector lo = FloatVector.broadcast(S, EXP_LO), hi = FloatVector.broadcast(S, EXP_HI);
        x = x.blend(lo, x.lt(lo)).blend(hi, hi.lt(x));
        FloatVector t = x.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, MAGIC));
        FloatVector n = t.sub(MAGIC);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, P0), FloatVector.broadcast(S, P1));
        p = p.fma(r, FloatVector.broadcast(S, P2));
        p = p.fma(r, FloatVector.broadcast(S, P3));
        p = p.fma(r, FloatVector.broadcast(S, P4));
        p = p.fma(r, FloatVector.broadcast(S, P5));
        p = p.fma(r.mul(r), r).add(1f);
        // 2^n from t's bits: t = 1.5*2^23 + n exactly, so its low bits are n, and the bits of
        // 1.5*2^23 vanish in the shift (the same integer as (int) n, without a conversion)
        FloatVector scale = t.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    static float expS(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float n = Math.fma(x, LOG2E, MAGIC) - MAGIC;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    static float sigmoidS(float x) {
        return 1f / (1f + expS(-x));
    }

    static float tanhS(float x) {
        // comparisons are false for NaN: it passes through both clamps
        x = x < -TANH_CLAMP ? -TANH_CLAMP : TANH_CLAMP < x ? TANH_CLAMP : x;
        float x2 = x * x;
        float p = Math.fma(x2, TA13, TA11);
        p = Math.fma(p, x2, TA9);
        p = Math.fma(p, x2, TA7);
        p = Math.fma(p, x2, TA5);
        p = Math.fma(p, x2, TA3);
        p = Math.fma(p, x2, TA1);
        p = p * x;
        float q = Math.fma(x2, TB6, TB4);
        q = Math.fma(q, x2, TB2);
        q = Math.fma(q, x2, TB0);
        float y = p / q;
        return y < -1f ? -1f : 1f < y ? 1f : y;
    }

    // The two loops below take two vectors per iteration and run to a precomputed bound (i < n2):
    // a loop written "i + L <= n" was not a counted loop for C2 (a safepoint poll and two range
    // checks every iteration), and one vector's chain of about 20 dependent operations per
    // iteration left the FMA units idle; two independent chains per iteration made sigmoid 37 %
    // faster in isolation (four per iteration ran 2-3x slower). Both vectors are loaded before either
    // is stored, so src and dst may be the same range; every lane gets the same operations.

    @Override
    public void sigmoid(int n, float[] src, int sOff, float[] dst, int dOff) {
        int n2 = n - n % (2 * L), n1 = n - n % L, i = 0;
        FloatVector one = ONE;
        for (; i < n2; i += 2 * L) {
            FloatVector x = FloatVector.fromArray(S, src, sOff + i);
            FloatVector y = FloatVector.fromArray(S, src, sOff + i + L);
            FloatVector ex = expV(x.neg()), ey = expV(y.neg());
            one.div(ex.add(one)).intoArray(dst, dOff + i);
            one.div(ey.add(one)).intoArray(dst, dOff + i + L);
        }
        for (; i < n1; i += L) {
            one.div(expV(FloatVector.fromArray(S, src, sOff + i).neg()).add(one)).intoArray(dst, dOff + i);
        }
        for (; i < n; i++) dst[dOff + i] = sigmoidS(src[sOff + i]);
    }

    @Override
    public void tanh(int n, float[] src, int sOff, float[] dst, int dOff) {
        int n2 = n - n % (2 * L), n1 = n - n % L, i = 0;
        for (; i < n2; i += 2 * L) {
            FloatVector x = FloatVector.fromArray(S, src, sOff + i);
            FloatVector y = FloatVector.fromArray(S, src, sOff + i + L);
            FloatVector tx = tanhV(x), ty = tanhV(y);
            tx.intoArray(dst, dOff + i);
            ty.intoArray(dst, dOff + i + L);
        }
        for (; i < n1; i += L) tanhV(FloatVector.fromArray(S, src, sOff + i)).intoArray(dst, dOff + i);
        for (; i < n; i++) dst[dOff + i] = tanhS(src[sOff + i]);
    }

    /** {@link #tanhS} lane by lane. */
    private static FloatVector tanhV(FloatVector x) {
        FloatVector lo = FloatVector.broadcast(S, -TANH_CLAMP), hi = FloatVector.broadcast(S, TANH_CLAMP);
        // clamps by compare and blend, as in expV (NaN lanes compare false and stay NaN)
        x = x.blend(lo, x.lt(lo)).blend(hi, hi.lt(x));
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma(FloatVector.broadcast(S, TA13), FloatVector.broadcast(S, TA11));
        p = p.fma(x2, FloatVector.broadcast(S, TA9));
        p = p.fma(x2, FloatVector.broadcast(S, TA7));
        p = p.fma(x2, FloatVector.broadcast(S, TA5));
        p = p.fma(x2, FloatVector.broadcast(S, TA3));
        p = p.fma(x2, FloatVector.broadcast(S, TA1));
        p = p.mul(x);
        FloatVector q = x2.fma(FloatVector.broadcast(S, TB6), FloatVector.broadcast(S, TB4));
        q = q.fma(x2, FloatVector.broadcast(S, TB2));
        q = q.fma(x2, FloatVector.broadcast(S, TB0));
        FloatVector y = p.div(q);
        FloatVector one = ONE, minusOne = FloatVector.broadcast(S, -1f);
        return y.blend(minusOne, y.lt(minusOne)).blend(one, one.lt(y));
    }

    /**
     * The activations through {@link #sigmoid} and {@link #tanh} (a pass per gate: one loop
     * doing all five activations per lane ran 17 % slower in an A/B), the cell and output
     * products as vector loops (the scalar ones were not vectorised by C2).
     */
    @Override
    public void lstmPointwise(int n, Activations gate, Activations act, float[] z, int zOff, float[] a, int aOff,
                              int stride, float[] c, int cOff, float[] cNext, int cnOff, float[] t, int tOff,
                              float[] h, int hOff) {
        if (!kerasDefaults(gate, act)) {
            Kernels.super.lstmPointwise(n, gate, act, z, zOff, a, aOff, stride, c, cOff, cNext, cnOff, t, tOff, h, hOff);
            return;
        }
        if (n == stride) {
            sigmoid(2 * n, z, zOff, a, aOff);
        } else {
            sigmoid(n, z, zOff, a, aOff);
            sigmoid(n, z, zOff + stride, a, aOff + stride);
        }
        tanh(n, z, zOff + 2 * stride, a, aOff + 2 * stride);
        sigmoid(n, z, zOff + 3 * stride, a, aOff + 3 * stride);
        int fOff = aOff + stride, gOff = aOff + 2 * stride, oOff = aOff + 3 * stride;
        int j = 0;
        for (; j < n - n % L; j += L) {
            FloatVector f = FloatVector.fromArray(S, a, fOff + j);
            FloatVector i = FloatVector.fromArray(S, a, aOff + j);
            FloatVector g = FloatVector.fromArray(S, a, gOff + j);
            f.mul(FloatVector.fromArray(S, c, cOff + j)).add(i.mul(g)).intoArray(cNext, cnOff + j);
        }
        for (; j < n; j++) cNext[cnOff + j] = a[fOff + j] * c[cOff + j] + a[aOff + j] * a[gOff + j];
        tanh(n, cNext, cnOff, t, tOff);
        j = 0;
        for (; j < n - n % L; j += L) {
            FloatVector.fromArray(S, a, oOff + j).mul(FloatVector.fromArray(S, t, tOff + j)).intoArray(h, hOff + j);
        }
        for (; j < n; j++) h[hOff + j] = a[oOff + j] * t[tOff + j];
    }

    /** Lane by lane, the same operations in the same order as the scalar definition (then it, for the tail). */
    @Override
    public void lstmBackwardPointwise(int n, Activations gate, Activations act, float[] a, int aOff, int stride,
                                      float[] t, int tOff, float[] dh, int dhOff, float[] dc, int dcOff, float[] c,
                                      int cOff) {
        // lanes for Keras's activations; other activations take the scalar definition throughout
        int j = 0, vectorEnd = kerasDefaults(gate, act) ? n - n % L : 0;
        FloatVector zero = FloatVector.zero(S);
        for (; j < vectorEnd; j += L) {
            int ai = aOff + j;
            FloatVector i = FloatVector.fromArray(S, a, ai);
            FloatVector f = FloatVector.fromArray(S, a, ai + stride);
            FloatVector g = FloatVector.fromArray(S, a, ai + 2 * stride);
            FloatVector o = FloatVector.fromArray(S, a, ai + 3 * stride);
            FloatVector tc = FloatVector.fromArray(S, t, tOff + j);
            FloatVector dhj = FloatVector.fromArray(S, dh, dhOff + j);
            FloatVector dct = FloatVector.fromArray(S, dc, dcOff + j).add(dhj.mul(o).mul(ONE.sub(tc.mul(tc))));
            dct.mul(g).mul(i.mul(ONE.sub(i))).intoArray(a, ai);
            dct.mul(FloatVector.fromArray(S, c, cOff + j)).mul(f.mul(ONE.sub(f))).intoArray(a, ai + stride);
            dct.mul(i).mul(ONE.sub(g.mul(g))).intoArray(a, ai + 2 * stride);
            dhj.mul(tc).mul(o.mul(ONE.sub(o))).intoArray(a, ai + 3 * stride);
            dct.mul(f).intoArray(dc, dcOff + j);
            zero.intoArray(dh, dhOff + j);
        }
        if (j < n) {
            Kernels.super.lstmBackwardPointwise(n - j, gate, act, a, aOff + j, stride, t, tOff + j, dh, dhOff + j, dc,
                    dcOff + j, c, cOff + j);
        }
    }

    /** The activations through {@link #sigmoid} and {@link #tanh}, the products as vector loops. */
    @Override
    public void gruPointwise(int n, Activations gate, Activations act, float[] rec, int recOff, float[] a, int aOff,
                             int stride, float[] hPrev, int hpOff, float[] hNext, int hnOff, float[] rhOut, int rhOff) {
        if (!kerasDefaults(gate, act)) {
            Kernels.super.gruPointwise(n, gate, act, rec, recOff, a, aOff, stride, hPrev, hpOff, hNext, hnOff, rhOut,
                    rhOff);
            return;
        }
        if (n == stride) {
            sigmoid(2 * n, rec, recOff, a, aOff);
        } else {
            sigmoid(n, rec, recOff, a, aOff);
            sigmoid(n, rec, recOff + stride, a, aOff + stride);
        }
        int rOff = aOff + stride, gOff = aOff + 2 * stride, rhIn = recOff + 2 * stride;
        int j = 0;
        for (; j < n - n % L; j += L) {
            FloatVector rh = FloatVector.fromArray(S, rec, rhIn + j);
            rh.intoArray(rhOut, rhOff + j);
            FloatVector.fromArray(S, a, gOff + j).add(FloatVector.fromArray(S, a, rOff + j).mul(rh)).intoArray(a, gOff + j);
        }
        for (; j < n; j++) {
            float rh = rec[rhIn + j];
            rhOut[rhOff + j] = rh;
            a[gOff + j] += a[rOff + j] * rh;
        }
        tanh(n, a, gOff, a, gOff);
        j = 0;
        for (; j < n - n % L; j += L) {
            FloatVector z = FloatVector.fromArray(S, a, aOff + j);
            z.mul(FloatVector.fromArray(S, hPrev, hpOff + j)).add(ONE.sub(z).mul(FloatVector.fromArray(S, a, gOff + j)))
                    .intoArray(hNext, hnOff + j);
        }
        for (; j < n; j++) {
            float z = a[aOff + j];
            hNext[hnOff + j] = z * hPrev[hpOff + j] + (1f - z) * a[gOff + j];
        }
    }

    /** Lane by lane, the scalar definition's operations in its order (then it, for the tail). */
    @Override
    public void gruBackwardPointwise(int n, Activations gate, Activations act, float[] a, int aOff, int stride,
                                     float[] rh, int rhOff, float[] dh, int dhOff, float[] h, int hOff, float[] dR,
                                     int dROff) {
        // lanes for Keras's activations; other activations take the scalar definition throughout
        int j = 0, vectorEnd = kerasDefaults(gate, act) ? n - n % L : 0;
        for (; j < vectorEnd; j += L) {
            int ai = aOff + j, ri = dROff + j;
            FloatVector z = FloatVector.fromArray(S, a, ai);
            FloatVector r = FloatVector.fromArray(S, a, ai + stride);
            FloatVector hh = FloatVector.fromArray(S, a, ai + 2 * stride);
            FloatVector g = FloatVector.fromArray(S, dh, dhOff + j);
            FloatVector dhhPre = g.mul(ONE.sub(z)).mul(ONE.sub(hh.mul(hh)));
            FloatVector dzPre = g.mul(FloatVector.fromArray(S, h, hOff + j).sub(hh)).mul(z.mul(ONE.sub(z)));
            FloatVector drPre = dhhPre.mul(FloatVector.fromArray(S, rh, rhOff + j)).mul(r.mul(ONE.sub(r)));
            dzPre.intoArray(a, ai);
            drPre.intoArray(a, ai + stride);
            dhhPre.intoArray(a, ai + 2 * stride);
            dzPre.intoArray(dR, ri);
            drPre.intoArray(dR, ri + stride);
            dhhPre.mul(r).intoArray(dR, ri + 2 * stride);
            g.mul(z).intoArray(dh, dhOff + j);
        }
        if (j < n) {
            Kernels.super.gruBackwardPointwise(n - j, gate, act, a, aOff + j, stride, rh, rhOff + j, dh, dhOff + j, h,
                    hOff + j, dR, dROff + j);
        }
    }

    /** Keras's activations (sigmoid gates, tanh): the ones the cell updates' vector paths are written for. */
    private static boolean kerasDefaults(Activations gate, Activations act) {
        return gate == Activations.SIGMOID && act == Activations.TANH;
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        return dotVec(n, x, xOff, y, yOff);
    }

    private static float dotVec(int n, float[] x, int xOff, float[] y, int yOff) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
            s1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), s1);
            s2 = FloatVector.fromArray(S, x, xOff + i + 2 * L).fma(FloatVector.fromArray(S, y, yOff + i + 2 * L), s2);
            s3 = FloatVector.fromArray(S, x, xOff + i + 3 * L).fma(FloatVector.fromArray(S, y, yOff + i + 3 * L), s3);
        }
        for (; i + L <= n; i += L) {
            s0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), s0);
        }
        // lanes summed in a fixed order: reduceLanes(ADD) leaves the float order unspecified,
        // and it differs between the interpreter and C2
        FloatVector acc = s0.add(s1).add(s2.add(s3));
        float s = 0f;
        for (int j = 0; j < L; j++) s += acc.lane(j);
        for (; i < n; i++) s += x[xOff + i] * y[yOff + i];
        return s;
    }

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit, " + threads() + (threads() == 1 ? " thread)" : " threads)");
    }
}
