package io.github.rnn4j.kernels;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel choice: the {@code rnn4j.kernels} property, the Vector API module check, and the
 * fallback in a JVM without the module (a child JVM started without {@code --add-modules}, which
 * must print one warning, use the plain kernels, and never load {@code VectorKernels}).
 *
 * <p>Not here: the numeric parity of the two implementations ({@link VectorKernelsTest}).
 */
class KernelProviderTest {

    @Test
    void theKernelsInUseFollowTheSystemProperty() {
        // surefire runs the suite twice: -Drnn4j.kernels=vector (default execution) and =plain
        String requested = System.getProperty("rnn4j.kernels", "auto");
        String name = Kernels.get().name();
        if (requested.equals("plain")) {
            assertEquals("plain", name);
        } else {
            assertTrue(ModuleLayer.boot().findModule(KernelProvider.VECTOR_MODULE).isPresent(),
                    "the tests are meant to run with --add-modules jdk.incubator.vector (surefire argLine)");
            assertTrue(name.startsWith("vector("), "expected the Vector API kernels, got " + name);
        }
    }

    @Test
    void forcedChoices() {
        assertInstanceOf(PlainKernels.class, KernelProvider.choose("plain"));
        assertInstanceOf(PlainKernels.class, KernelProvider.choose(" PLAIN "));
        assertInstanceOf(VectorKernels.class, KernelProvider.choose("vector"));
        assertInstanceOf(VectorKernels.class, KernelProvider.choose("auto"));
    }

    @Test
    void withoutTheModuleOneWarningAndPlainKernels() throws IOException, InterruptedException {
        for (String requested : new String[] {"auto", "vector", "plain"}) {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-verbose:class",
                    "-Drnn4j.kernels=" + requested,
                    "-cp", System.getProperty("java.class.path"), KernelProviderProbe.class.getName());
            pb.redirectErrorStream(false);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
            String stdout = new String(out, StandardCharsets.UTF_8), stderr = new String(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "child failed: " + stderr);
            assertTrue(stdout.contains("kernels=plain"), requested + ": " + stdout.lines().filter(l -> l.startsWith("kernels")).toList());
            assertFalse(stdout.contains("io.github.rnn4j.kernels.VectorKernels"), requested + ": VectorKernels was loaded");
            assertFalse(stdout.contains("jdk.incubator.vector.FloatVector"), requested + ": the Vector API was loaded");
            List<String> warnings = stderr.lines().filter(l -> l.startsWith("rnn4j:")).toList();
            assertEquals(requested.equals("plain") ? 0 : 1, warnings.size(), requested + ": " + warnings);
        }
    }
}
