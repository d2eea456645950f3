package io.github.rnn4j.kernels;

/**
 * The numeric kernel interface: BLAS-like GEMM in its transpose/accumulate variants, the
 * element-wise operations and the gate activations that the layers are built from.
 *
 * <p>All arrays are row-major {@code float[]} with explicit offsets and leading dimensions, so a
 * kernel can work on a slice (one timestep, one gate block) of a larger buffer without copying.
 * Outputs are always passed in; nothing here allocates. This package imports nothing of the rest
 * of the library (it sits at the bottom of the package tree).
 *
 * <p>This is not a tensor library: no shapes, no broadcasting, no autograd. {@link PlainKernels}
 * is the scalar reference implementation; a Vector API implementation will sit behind the same
 * interface and be chosen by {@link #get()}.
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
