package io.github.rnn4j.kernels;

/**
 * Main class of the child JVM in {@link KernelProviderTest}: prints the kernels chosen and uses
 * them once. Not a test by itself.
 */
final class KernelProviderProbe {
    private KernelProviderProbe() {
    }

    public static void main(String[] args) {
        Kernels k = Kernels.get();
        float[] c = new float[4];
        k.gemm(false, false, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {1, 0, 0, 1}, 0, 2, 0f, c, 0, 2);
        System.out.println("kernels=" + k.name() + " c=" + java.util.Arrays.toString(c));
    }
}
