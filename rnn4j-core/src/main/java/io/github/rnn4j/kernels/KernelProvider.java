package io.github.rnn4j.kernels;

/**
 * Chooses the {@link Kernels} implementation once, at class initialisation.
 *
 * <p>The system property {@code rnn4j.kernels} forces a choice; today only {@code plain} exists.
 * This is the hook where the Vector API implementation will be selected when the
 * {@code jdk.incubator.vector} module is present, with the plain one as fallback.
 */
final class KernelProvider {
    static final Kernels INSTANCE = choose();

    private KernelProvider() {
    }

    private static Kernels choose() {
        String forced = System.getProperty("rnn4j.kernels", "plain");
        if (!forced.equals("plain")) {
            System.err.println("rnn4j: kernels '" + forced + "' are not available, using plain");
        }
        return new PlainKernels();
    }
}
