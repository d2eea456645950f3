package io.github.rnn4j.kernels;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Work handed out in phases of equal-sized chunks, where a phase may start only when the one
 * before it is complete: the recurrent time loop, in which each timestep (or each half of one)
 * is a phase and each slice of the units a chunk. Any number of threads call {@link #claim}
 * until it returns -1; a chunk is done by whoever claims it, so a thread that loses its core to
 * another process simply does fewer chunks, and the work finishes even if only one thread ever
 * shows up (there is no barrier counting threads, only chunks).
 *
 * <p>Each thread names its part (0, 1, ...) and first tries chunk {@code part % chunks} of each
 * phase, then any chunk still free: with as many chunks as threads, every thread keeps the same
 * slice of the weights step after step, in its own core's cache, as long as both keep up (with
 * first-come claiming the slices swapped between cores from one step to the next).
 *
 * <pre>{@code
 * queue.reset(phases, chunks);
 * // on every participating thread, part = 0, 1, ...:
 * for (long t = -1; (t = queue.claim(part, t)) >= 0; ) {
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
    /** The most chunks a phase may have (one bit each in a phase's claim mask). */
    public static final int MAX_CHUNKS = 64;
    /** Per phase, one bit per chunk already claimed (at most 64 chunks per phase). */
    private AtomicLongArray claimed = new AtomicLongArray(0);
    private final AtomicLong done = new AtomicLong();
    private volatile boolean failed;
    private int chunks = 1;
    private int phases;

    /** Prepares {@code phases} phases of {@code chunks} chunks (before any thread claims). */
    public void reset(int phases, int chunks) {
        if (phases < 0 || chunks < 1 || chunks > MAX_CHUNKS) {
            throw new IllegalArgumentException("phases must be >= 0 and chunks in [1, " + MAX_CHUNKS + "], got " + phases + ", " + chunks);
        }
        this.chunks = chunks;
        this.phases = phases;
        if (claimed.length() < phases) claimed = new AtomicLongArray(Math.max(phases, 2 * claimed.length()));
        for (int q = 0; q < phases; q++) claimed.set(q, 0L);
        done.set(0);
        failed = false;
    }

    /** Chunks per phase. */
    public int chunks() {
        return chunks;
    }

    /**
     * The next chunk's ticket ({@code phase * chunks + chunk}) for the thread of part
     * {@code part}, in the phase of its last ticket {@code last} (-1 at the start) or a later one:
     * chunk {@code part % chunks} if still free, else any free chunk; returned once every chunk
     * of the phases before it is complete. -1 when no chunk is left.
     *
     * @throws IllegalStateException when another chunk failed while this one waited
     */
    public long claim(int part, long last) {
        if (part < 0) throw new IllegalArgumentException("part must be >= 0, got " + part);
        long full = chunks == 64 ? -1L : (1L << chunks) - 1;
        int own = part % chunks;
        for (int q = last < 0 ? 0 : (int) (last / chunks); q < phases; q++) {
            long m;
            int c = -1;
            while ((m = claimed.get(q)) != full) {
                int pick = (m & (1L << own)) == 0 ? own : Long.numberOfTrailingZeros(~m);
                if (claimed.compareAndSet(q, m, m | (1L << pick))) {
                    c = pick;
                    break;
                }
            }
            if (c < 0) continue;   // every chunk of phase q is taken: look at the next phase
            awaitDone((long) q * chunks);
            return (long) q * chunks + c;
        }
        return -1;
    }

    /** Waits until {@code need} chunks are complete (those of every earlier phase). */
    private void awaitDone(long need) {
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
