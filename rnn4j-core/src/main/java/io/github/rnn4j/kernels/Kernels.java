package io.github.rnn4j.kernels;

/**
 * The numeric kernel interface: BLAS-like GEMM in its transpose/accumulate variants (and over
 * weights packed once for repeated products), the element-wise operations, the gate activations
 * and the fused per-row cell updates (LSTM, GRU) that the layers are built from. The defaults of
 * the cell updates are their definitions, written with the other operations of the same
 * implementation; {@link VectorKernels}' own versions give the same bits.
 *
 * <p>All arrays are row-major {@code float[]} with explicit offsets and leading dimensions, so a
 * kernel can work on a slice (one timestep, one gate block) of a larger buffer without copying.
 * Outputs are always passed in; nothing here allocates. This package imports nothing of the rest
 * of the library (it sits at the bottom of the package tree).
 *
 * <p>This is not a tensor library: no shapes, no broadcasting, no autograd. {@link PlainKernels}
 * is the scalar reference implementation, {@link VectorKernels} the Vector API one; {@link #get()}
 * chooses.
 */
public interface Kernels {

    /**
     * General matrix multiply, {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is
     * m x k and op(B) is k x n. With {@code beta == 0} C is overwritten (its old contents, even
     * NaN, are ignored), as in BLAS.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float beta, float[] c, int cOff, int ldc);

    /**
     * Two accumulating products with the same right-hand operand: {@code C1 += A1^T · B} and
     * {@code C2 += A2^T · B}, where A1 is k x m1 (row-major, so A1^T is m1 x k), A2 is k x m2
     * and B is k x n. A recurrent layer's kernel and recurrent-kernel gradients over all
     * timesteps ([x | h]^T times the gate gradients): one call lets an implementation prepare B
     * once for both. Each element has the value (and, for a given implementation, the bits) of
     * {@code gemm(true, false, ...)} with alpha 1 and beta 1. The default is those two calls.
     */
    default void gemmTransASharedB(int n, int k, float[] b, int bOff, int ldb,
                                   int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off, int ldc1,
                                   int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off, int ldc2) {
        gemm(true, false, m1, n, k, 1f, a1, a1Off, lda1, b, bOff, ldb, 1f, c1, c1Off, ldc1);
        gemm(true, false, m2, n, k, 1f, a2, a2Off, lda2, b, bOff, ldb, 1f, c2, c2Off, ldc2);
    }

    /**
     * As {@link #gemmTransASharedB}, except that the second product takes the columns of its
     * right operand from {@code split} on from b2 (k x (n - split), column 0 at b2Off, leading
     * dimension ldb2): {@code C1 += A1^T · B} and {@code C2 += A2^T · [B[:, :split] | b2]}. A GRU
     * (reset after) layer's weight gradients: its recurrent-product gradients equal the gate
     * gradients in the z and r columns only. Each element has the value (and bits) of the
     * corresponding {@code gemm(true, false, ...)}; the default is those calls.
     *
     * <p>The column sums of the right operands come with it (the bias gradients), when asked:
     * {@code sums} (may be null) is overwritten with B's, {@code sums[sumsOff + j]} for j in
     * [0, n), and {@code sums2} (may be null) with b2's, {@code sums2[sums2Off + j - split]} for j
     * in [split, n); each column's rows added in order from zero, as {@link #sumRowsAdd} adds them
     * before adding the total, so the same bits.
     */
    default void gemmTransASharedBSplit(int n, int k, float[] b, int bOff, int ldb, int split, float[] b2, int b2Off,
                                        int ldb2, int m1, float[] a1, int a1Off, int lda1, float[] c1, int c1Off,
                                        int ldc1, int m2, float[] a2, int a2Off, int lda2, float[] c2, int c2Off,
                                        int ldc2, float[] sums, int sumsOff, float[] sums2, int sums2Off) {
        if (split < 0 || split > n) throw new IllegalArgumentException("split must be in [0, " + n + "], got " + split);
        gemm(true, false, m1, n, k, 1f, a1, a1Off, lda1, b, bOff, ldb, 1f, c1, c1Off, ldc1);
        if (split > 0) gemm(true, false, m2, split, k, 1f, a2, a2Off, lda2, b, bOff, ldb, 1f, c2, c2Off, ldc2);
        if (split < n) {
            gemm(true, false, m2, n - split, k, 1f, a2, a2Off, lda2, b2, b2Off, ldb2, 1f, c2, c2Off + split, ldc2);
        }
        if (sums != null) {
            java.util.Arrays.fill(sums, sumsOff, sumsOff + n, 0f);
            sumRowsAdd(k, n, b, bOff, ldb, sums, sumsOff);
        }
        if (sums2 != null && split < n) {
            java.util.Arrays.fill(sums2, sums2Off, sums2Off + n - split, 0f);
            sumRowsAdd(k, n - split, b2, b2Off, ldb2, sums2, sums2Off);
        }
    }

    /**
     * One row, two products summed: {@code c[cOff + j] = sum_p x[p]·A[p][j] + sum_q y[q]·B[q][j]
     * (+ bias[biasOff + j])} for j in [0, n), with A ({@code kx} rows, row i at aOff + i*lda)
     * and B ({@code ky} rows, row i at bOff + i*ldb) row-major and read in place; bias may be
     * null. The fused input projection and recurrent product of a step for a batch too small to
     * pack the weights for: one pass, the x·A sum continuing into the y·B one. Overwrites c.
     */
    default void rowTimesTwo(int n, float[] x, int xOff, int kx, float[] a, int aOff, int lda,
                             float[] y, int yOff, int ky, float[] b, int bOff, int ldb,
                             float[] bias, int biasOff, float[] c, int cOff) {
        if (n <= 0) return;
        gemm(false, false, 1, n, kx, 1f, x, xOff, kx, a, aOff, lda, 0f, c, cOff, n);
        gemm(false, false, 1, n, ky, 1f, y, yOff, ky, b, bOff, ldb, 1f, c, cOff, n);
        if (bias != null) addRowVector(1, n, bias, biasOff, c, cOff, n);
    }

    /**
     * The LSTM cell update for n units of one row, with gate activation {@code gate} (Keras's
     * recurrent_activation, sigmoid by default) and {@code act} (tanh by default): from the
     * pre-activations in z (gate blocks i, f, g, o at zOff, zOff + stride, ...), writes the gate
     * activations to a (same layout from aOff), the new cell state {@code c' = f*c + i*g} to
     * cNext, {@code t = act(c')} to t and {@code h' = o*t} to h. The default is the definition:
     * the activations one gate after another, then the products.
     */
    default void lstmPointwise(int n, Activations gate, Activations act, float[] z, int zOff, float[] a, int aOff,
                               int stride, float[] c, int cOff, float[] cNext, int cnOff, float[] t, int tOff,
                               float[] h, int hOff) {
        activate(gate, n, z, zOff, a, aOff);
        activate(gate, n, z, zOff + stride, a, aOff + stride);
        activate(act, n, z, zOff + 2 * stride, a, aOff + 2 * stride);
        activate(gate, n, z, zOff + 3 * stride, a, aOff + 3 * stride);
        for (int j = 0; j < n; j++) {
            cNext[cnOff + j] = a[aOff + stride + j] * c[cOff + j] + a[aOff + j] * a[aOff + 2 * stride + j];
        }
        activate(act, n, cNext, cnOff, t, tOff);
        for (int j = 0; j < n; j++) h[hOff + j] = a[aOff + 3 * stride + j] * t[tOff + j];
    }

    /**
     * The backward of {@link #lstmPointwise} for n units of one row: from the gate activations
     * in a (blocks i, f, g, o at aOff + g*stride), act(c') in t, the gradients dh (at the
     * output) and dc (at the new cell state), and the previous cell state c, overwrites a with
     * the gradients of the gate pre-activations, dc with the gradient at the previous cell state
     * and dh with zeros (with gate' and act' from the outputs, {@link Activations#derivFromOutput}):
     * <pre>
     *   dc' = dc + dh*o*act'(t)
     *   di = dc'*g*gate'(i)   df = dc'*c*gate'(f)   dg = dc'*i*act'(g)   do = dh*t*gate'(o)
     *   dc  = dc'*f
     * </pre>
     * each product evaluated left to right, as written.
     */
    default void lstmBackwardPointwise(int n, Activations gate, Activations act, float[] a, int aOff, int stride,
                                       float[] t, int tOff, float[] dh, int dhOff, float[] dc, int dcOff, float[] c,
                                       int cOff) {
        for (int j = 0; j < n; j++) {
            int ai = aOff + j;
            float i = a[ai], f = a[ai + stride], g = a[ai + 2 * stride], o = a[ai + 3 * stride];
            float tc = t[tOff + j], dhj = dh[dhOff + j];
            float dct = dc[dcOff + j] + dhj * o * act.derivFromOutput(tc);
            a[ai] = dct * g * gate.derivFromOutput(i);
            a[ai + stride] = dct * c[cOff + j] * gate.derivFromOutput(f);
            a[ai + 2 * stride] = dct * i * act.derivFromOutput(g);
            a[ai + 3 * stride] = dhj * tc * gate.derivFromOutput(o);
            dc[dcOff + j] = dct * f;
            dh[dhOff + j] = 0f;
        }
    }

    /**
     * The GRU (reset after the recurrent product) update for n units of one row, with gate
     * activation {@code gate} (sigmoid by default) and {@code act} (tanh by default): from the
     * pre-activations of z and r in rec (at recOff, recOff + stride), the recurrent candidate
     * part rh = h·U_h + b in rec (recOff + 2*stride) and the input candidate part x·W_h + b in a
     * (aOff + 2*stride), writes z = gate, r = gate to a, rh to rhOut, hh = act(x·W_h + b + r*rh)
     * to a (aOff + 2*stride) and {@code h' = z*h + (1 - z)*hh} to hNext. The default is the
     * definition, one step after another.
     */
    default void gruPointwise(int n, Activations gate, Activations act, float[] rec, int recOff, float[] a, int aOff,
                              int stride, float[] hPrev, int hpOff, float[] hNext, int hnOff, float[] rhOut,
                              int rhOff) {
        activate(gate, n, rec, recOff, a, aOff);
        activate(gate, n, rec, recOff + stride, a, aOff + stride);
        int gOff = aOff + 2 * stride;
        for (int j = 0; j < n; j++) {
            float rh = rec[recOff + 2 * stride + j];
            rhOut[rhOff + j] = rh;
            a[gOff + j] += a[aOff + stride + j] * rh;
        }
        activate(act, n, a, gOff, a, gOff);
        for (int j = 0; j < n; j++) {
            float z = a[aOff + j];
            hNext[hnOff + j] = z * hPrev[hpOff + j] + (1f - z) * a[gOff + j];
        }
    }

    /**
     * The backward of {@link #gruPointwise} for n units of one row: from z, r, hh in a, rh, the
     * gradient dh at h' and the previous state h, overwrites a with the gradients of the z, r
     * and candidate pre-activations, writes (dz, dr, dhh * r) to dR (the recurrent side) and
     * {@code dh * z} to dh:
     * <pre>
     *   dhh = dh*(1 - z)*act'(hh)   dz = dh*(h - hh)*gate'(z)   dr = dhh*rh*gate'(r)
     * </pre>
     * each product evaluated left to right, as written.
     */
    default void gruBackwardPointwise(int n, Activations gate, Activations act, float[] a, int aOff, int stride,
                                      float[] rh, int rhOff, float[] dh, int dhOff, float[] h, int hOff, float[] dR,
                                      int dROff) {
        for (int j = 0; j < n; j++) {
            int ai = aOff + j, ri = dROff + j;
            float z = a[ai], r = a[ai + stride], hh = a[ai + 2 * stride];
            float g = dh[dhOff + j];
            float dhhPre = g * (1f - z) * act.derivFromOutput(hh);
            float dzPre = g * (h[hOff + j] - hh) * gate.derivFromOutput(z);
            float drPre = dhhPre * rh[rhOff + j] * gate.derivFromOutput(r);
            a[ai] = dzPre;
            a[ai + stride] = drPre;
            a[ai + 2 * stride] = dhhPre;
            dR[ri] = dzPre;
            dR[ri + stride] = drPre;
            dR[ri + 2 * stride] = dhhPre * r;
            dh[dhOff + j] = g * z;
        }
    }

    /** dst = f(src) over n values, through this implementation's sigmoid and tanh for those two. */
    private void activate(Activations f, int n, float[] src, int sOff, float[] dst, int dOff) {
        if (f == Activations.SIGMOID) {
            sigmoid(n, src, sOff, dst, dOff);
        } else if (f == Activations.TANH) {
            tanh(n, src, sOff, dst, dOff);
        } else {
            for (int i = 0; i < n; i++) dst[dOff + i] = f.apply(src[sOff + i]);
        }
    }

    /** {@code C = A * B} with dense row-major A (m x k), B (k x n), C (m x n). */
    default void mult(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        gemm(false, false, m, n, k, 1f, a, aOff, k, b, bOff, n, 0f, c, cOff, n);
    }

    /** {@code C += A * B}. */
    default void multAdd(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        gemm(false, false, m, n, k, 1f, a, aOff, k, b, bOff, n, 1f, c, cOff, n);
    }

    /** {@code C += A^T * B}, A stored k x m. */
    default void multAddTransA(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        gemm(true, false, m, n, k, 1f, a, aOff, m, b, bOff, n, 1f, c, cOff, n);
    }

    /** {@code C = A * B^T}, B stored n x k. */
    default void multTransB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        gemm(false, true, m, n, k, 1f, a, aOff, k, b, bOff, k, 0f, c, cOff, n);
    }

    /** {@code C += A * B^T}, B stored n x k. */
    default void multAddTransB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        gemm(false, true, m, n, k, 1f, a, aOff, k, b, bOff, k, 1f, c, cOff, n);
    }

    /** Adds the row vector {@code bias[bOff..bOff+n)} to each of the m rows of C (m x n, ldc). */
    void addRowVector(int m, int n, float[] bias, int bOff, float[] c, int cOff, int ldc);

    /** {@code out[j] += sum over rows of A[i][j]} (A is m x n with leading dimension lda). */
    void sumRowsAdd(int m, int n, float[] a, int aOff, int lda, float[] out, int outOff);

    /** {@code y += alpha * x}. */
    void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** {@code z = x * y} element-wise. */
    void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff);

    /** {@code dst = sigmoid(src)}; src and dst may be the same range. */
    void sigmoid(int n, float[] src, int sOff, float[] dst, int dOff);

    /** {@code dst = tanh(src)}; src and dst may be the same range. */
    void tanh(int n, float[] src, int sOff, float[] dst, int dOff);

    /** Dot product of two ranges. */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    // ---- repeated products with the same weights, and parallel regions ------------------------

    /**
     * Prepares op(B) (k x n; B is k x n, or n x k when {@code transB}) for {@link #gemmPacked}.
     * {@code reuse}, when not null, is a matrix made earlier by these kernels whose storage may be
     * recycled; the result may be it. The default keeps a view of {@code b} (no copy).
     */
    default PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb, PackedMatrix reuse) {
        PackedMatrix p = reuse != null && !reuse.panels ? reuse : new PackedMatrix();
        p.k = k;
        p.n = n;
        p.data = b;
        p.off = bOff;
        p.ld = ldb;
        p.trans = transB;
        p.panels = false;
        return p;
    }

    /**
     * Columns {@code [j0, j1)} of {@code C = A · op(B) + beta * C} with A (m x k, row-major,
     * leading dimension lda) and op(B) packed by {@link #pack}; C's column j is at
     * {@code cOff + i * ldc + j}. Runs on the calling thread. {@code j0} must be a multiple of
     * {@link #columnAlign()}. The default multiplies through the view with {@link #gemm}.
     */
    default void gemmPacked(int m, int j0, int j1, float[] a, int aOff, int lda, PackedMatrix pb,
                            float beta, float[] c, int cOff, int ldc) {
        if (pb.panels) throw new IllegalArgumentException("a packed matrix made by other kernels");
        if (j1 <= j0) return;
        int bOff = pb.trans ? pb.off + j0 * pb.ld : pb.off + j0;
        gemm(false, pb.trans, m, j1 - j0, pb.k, 1f, a, aOff, lda, pb.data, bOff, pb.ld, beta, c, cOff + j0, ldc);
    }

    /** The column alignment {@link #gemmPacked} needs of {@code j0} (1: any). */
    default int columnAlign() {
        return 1;
    }

    /** Threads a parallel region or a large GEMM may use (1: none besides the caller). */
    default int threads() {
        return 1;
    }

    /**
     * Runs {@code body.accept(part)} for every part in {@code [0, parts)}, each on its own thread
     * (typically each claiming chunks from a shared {@link PhaseQueue}), and returns true when all
     * have finished; an exception of a part is rethrown here. Returns false at once, running nothing,
     * when that many threads are not available (more parts than {@link #threads()}, or the pool
     * busy with another caller's work): the caller then runs the work as one part. The default
     * has no pool.
     */
    default boolean parallel(int parts, java.util.function.IntConsumer body) {
        return false;
    }

    /** A short name for logs and benchmark reports. */
    String name();

    /**
     * The kernels in use, chosen once: {@code VectorKernels} when the JVM runs with
     * {@code --add-modules jdk.incubator.vector}, else {@link PlainKernels} (system property
     * {@code rnn4j.kernels=plain|vector} forces a choice).
     */
    static Kernels get() {
        return KernelProvider.INSTANCE;
    }
}
