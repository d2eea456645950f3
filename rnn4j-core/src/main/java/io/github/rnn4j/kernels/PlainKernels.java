package io.github.rnn4j.kernels;

/**
 * Scalar reference implementation of {@link Kernels}, in plain Java.
 *
 * <p>Written for clarity first and reasonable speed second (loops ordered so the innermost one
 * walks contiguous memory, which the JIT auto-vectorises). It is the reference that faster
 * implementations are tested against, and the fallback when the Vector API is absent. It is
 * not blocked for cache and uses one thread.
 */
public final class PlainKernels implements Kernels {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        // Scale (or clear) C first, then accumulate rank-1 / dot contributions.
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                for (int j = 0; j < n; j++) c[ci + j] = 0f;
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
        if (k == 0 || alpha == 0f) return;
        if (!transB) {
            // C[i,:] += alpha * A(i,p) * B[p,:]  -- inner loop contiguous over B's and C's rows
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    if (av == 0f) continue;
                    av *= alpha;
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
                }
            }
        } else if (!transA) {
            // C[i,j] += alpha * dot(A[i,:], B[j,:]) -- both rows contiguous
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * lda;
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
                    c[ci + j] += alpha * s;
                }
            }
        } else {
            // both transposed: C[i,j] += alpha * sum_p A[p,i] * B[j,p]
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) s += a[aOff + p * lda + i] * b[bj + p];
                    c[ci + j] += alpha * s;
                }
            }
        }
    }

    @Override
    public void addRowVector(int m, int n, float[] bias, int bOff, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) c[ci + j] += bias[bOff + j];
        }
    }

    @Override
    public void sumRowsAdd(int m, int n, float[] a, int aOff, int lda, float[] out, int outOff) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            for (int j = 0; j < n; j++) out[outOff + j] += a[ai + j];
        }
    }

    @Override
    public void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    @Override
    public void mul(int n, float[] x, int xOff, float[] y, int yOff, float[] z, int zOff) {
        for (int i = 0; i < n; i++) z[zOff + i] = x[xOff + i] * y[yOff + i];
    }

    @Override
    public void sigmoid(int n, float[] src, int sOff, float[] dst, int dOff) {
        for (int i = 0; i < n; i++) dst[dOff + i] = Activations.sigmoid(src[sOff + i]);
    }

    @Override
    public void tanh(int n, float[] src, int sOff, float[] dst, int dOff) {
        for (int i = 0; i < n; i++) dst[dOff + i] = (float) Math.tanh(src[sOff + i]);
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xOff + i] * y[yOff + i];
        return s;
    }

    @Override
    public String name() {
        return "plain";
    }
}
