package io.github.rnn4j.testing;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes allocated on the heap while some code runs, by the calling thread and the kernels' pool
 * threads (named {@code rnn4j-...}), from {@code com.sun.management.ThreadMXBean}: what the
 * allocation tests (no allocation per timestep, none per batch) measure. Not a profiler: other
 * threads' allocations are not counted, and the JIT's warm-up allocates (the Vector API boxes
 * vectors until C2 has compiled the code), so tests measure after warm-up.
 */
public final class AllocatedBytes {
    private AllocatedBytes() {
    }

    /** Bytes allocated by this thread and the pool's while {@code body} runs. */
    public static long during(Runnable body) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threadIds();
        long before = sum(mx.getThreadAllocatedBytes(ids));
        body.run();
        return sum(mx.getThreadAllocatedBytes(ids)) - before;
    }

    private static long[] threadIds() {
        List<Long> ids = new ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("rnn4j-")) ids.add(t.threadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) s += Math.max(0, x);
        return s;
    }
}
