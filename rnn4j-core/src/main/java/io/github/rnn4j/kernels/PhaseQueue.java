package io.github.rnn4j.kernels;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Work handed out in phases of equal-sized chunks, where a phase may start only when the one
 * before it is complete: the recurrent time loop, in which each timestep (or each half of one)
 * is a phase and each slice of the units a chunk. Any number of threads call {@link #claim}
 * until it returns -1; a chunk is done by whoever claims it, so a thread that loses its core to
 * another process simply does fewer chunks, and the work finishes even if only one thread ever
 * shows up (there is no barrier counting threads, only chunks).
 *
 * <pre>{@code
 * queue.reset(phases, chunks);
 * // on every participating thread:
 * for (long t; (t = queue.claim()) >= 0; ) {
 *     try { work(phase = t / chunks, chunk = t % chunks); } catch (RuntimeException e) { queue.fail(); throw e; }
 *     queue.complete();
 * }
 * }</pre>
 *
 * <p>Memory: completing a chunk happens-before the start of every chunk of later phases.
 * Waiting for a phase spins ({@code Thread.onSpinWait}) and then yields, never parks: phases are
 * microseconds long. A failing chunk calls {@link #fail} so that threads waiting for its phase
 * stop with an exception instead of waiting forever.
 *
 * <p>Not a general scheduler: one user at a time, {@link #reset} between uses, never during one.
 */
public final class PhaseQueue {
    private static final int SPINS = 1 << 10;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile boolean failed;
    private int chunks = 1;
    private long total;

    /** Prepares {@code phases} phases of {@code chunks} chunks (before any thread claims). */
    public void reset(int phases, int chunks) {
        if (phases < 0 || chunks < 1) {
            throw new IllegalArgumentException("phases must be >= 0 and chunks >= 1, got " + phases + ", " + chunks);
        }
        this.chunks = chunks;
        this.total = (long) phases * chunks;
        next.set(0);
        done.set(0);
        failed = false;
    }

    /** Chunks per phase. */
    public int chunks() {
        return chunks;
    }

    /**
     * The next chunk's ticket ({@code phase * chunks + chunk}), once every chunk of the phases
     * before it is complete; -1 when no chunk is left.
     *
     * @throws IllegalStateException when another chunk failed while this one waited
     */
    public long claim() {
        long t = next.getAndIncrement();
        if (t >= total) return -1;
        long need = t - t % chunks;
        int spins = 0;
        while (done.get() < need) {
            if (failed) throw new IllegalStateException("another chunk of the phased work failed");
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return t;
    }

    /** Marks a claimed chunk done. */
    public void complete() {
        done.incrementAndGet();
    }

    /** Called by a chunk that fails: releases the threads waiting for its phase with an exception. */
    public void fail() {
        failed = true;
    }
}
