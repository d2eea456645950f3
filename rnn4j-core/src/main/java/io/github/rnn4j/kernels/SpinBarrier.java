package io.github.rnn4j.kernels;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reusable barrier for the parts of one parallel region ({@link Kernels#parallel}): each part
 * calls {@link #await} at the same points, and none passes until all have arrived. Used by the
 * recurrent time loop, where the parts own slices of the units and meet once per timestep.
 *
 * <p>Waiting spins ({@code Thread.onSpinWait}) and then yields, never parks: the waits are a
 * timestep long (microseconds), and the parts run on the pool's threads, one each. A part that
 * fails calls {@link #breakBarrier} so the others stop waiting and fail too, instead of hanging.
 * Passing the barrier orders memory: what a part wrote before {@code await} is visible to every
 * part after it.
 *
 * <p>Not a general {@link java.util.concurrent.CyclicBarrier}: no timeouts, no interruption, one
 * user at a time; {@link #reset} is called between regions, never during one.
 */
public final class SpinBarrier {
    private static final int SPINS = 1 << 12;
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile int generation;
    private volatile boolean broken;
    private int parties = 1;

    /** Prepares for a region of {@code parties} parts (before the region starts). */
    public void reset(int parties) {
        if (parties < 1) throw new IllegalArgumentException("parties must be >= 1, got " + parties);
        this.parties = parties;
        arrived.set(0);
        broken = false;
    }

    /** Parties of the current region. */
    public int parties() {
        return parties;
    }

    /** Waits until every part has arrived (returns at once for a single part). */
    public void await() {
        if (parties == 1) return;
        int gen = generation;
        if (arrived.incrementAndGet() == parties) {
            arrived.set(0);
            generation = gen + 1;
            return;
        }
        int spins = 0;
        while (generation == gen) {
            if (broken) throw new IllegalStateException("another part of the parallel region failed");
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Releases the waiting parts with an exception (called by a part that fails). */
    public void breakBarrier() {
        broken = true;
    }
}
