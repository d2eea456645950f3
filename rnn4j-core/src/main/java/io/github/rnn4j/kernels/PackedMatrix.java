package io.github.rnn4j.kernels;

/**
 * A right-hand GEMM operand op(B) (k x n) prepared once by {@link Kernels#pack} for many
 * products with the same weights: the recurrent kernel, used at every timestep of a sequence.
 *
 * <p>What the preparation is depends on the kernels that made it: {@link VectorKernels} copies
 * op(B) into the column panels its micro-kernel reads (so the per-step products skip packing),
 * {@link PlainKernels} keeps a view of the caller's array. Either way the values are those of
 * the array at the time of {@code pack} for the packed form, and of the array itself for a view:
 * the caller must not change the weights while a packed matrix is in use (a layer packs at the
 * start of each forward or backward call).
 *
 * <p>Not a tensor: no shape checks beyond k and n, and only the kernels that made it may read it.
 */
public final class PackedMatrix {
    int k;
    int n;
    /** Panels (VectorKernels) or the caller's array (a view). */
    float[] data;
    /** For a view: offset, leading dimension and transpose flag of the original. */
    int off;
    int ld;
    boolean trans;
    /** True for VectorKernels' panel layout. */
    boolean panels;

    PackedMatrix() {
    }

    /** Rows of op(B) (the inner dimension of the product). */
    public int k() {
        return k;
    }

    /** Columns of op(B). */
    public int n() {
        return n;
    }
}
