package io.github.rnn4j.kernels;

/**
 * Chooses the {@link Kernels} implementation once, at class initialisation.
 *
 * <p>{@link VectorKernels} is chosen when the {@code jdk.incubator.vector} module is in the boot
 * layer (the JVM was started with {@code --add-modules jdk.incubator.vector}); it is loaded
 * reflectively, so a JVM without the module never loads that class. Otherwise, or if loading it
 * fails, {@link PlainKernels} is used, with one warning line on stderr — never a failure.
 *
 * <p>The system property {@code rnn4j.kernels} forces a choice: {@code plain} (silently) or
 * {@code vector} (warning once and falling back to plain if the module is missing). Unset or
 * {@code auto}: vector when available, else plain with the warning. The thread count for large
 * GEMMs comes from {@code rnn4j.threads} (see {@link VectorKernels}).
 *
 * <p>Not a registry: there is no way to plug in further implementations at run time.
 */
final class KernelProvider {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    static final Kernels INSTANCE = choose(System.getProperty("rnn4j.kernels", "auto"));

    private KernelProvider() {
    }

    static Kernels choose(String requested) {
        String r = requested.trim().toLowerCase(java.util.Locale.ROOT);
        switch (r) {
            case "plain":
                return new PlainKernels();
            case "vector":
            case "auto":
            case "":
                break;
            default:
                System.err.println("rnn4j: unknown rnn4j.kernels='" + requested
                        + "' (use plain or vector); choosing automatically");
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            System.err.println("rnn4j: the Vector API is not enabled, using the slower plain-Java kernels; "
                    + "run java with --add-modules " + VECTOR_MODULE + " (or -Drnn4j.kernels=plain to silence this)");
            return new PlainKernels();
        }
        try {
            return (Kernels) Class.forName("io.github.rnn4j.kernels.VectorKernels")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("rnn4j: Vector API kernels unavailable (" + cause + "), using plain-Java kernels");
            return new PlainKernels();
        }
    }
}
