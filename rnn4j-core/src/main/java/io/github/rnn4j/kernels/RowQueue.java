package io.github.rnn4j.kernels;

/**
 * Rows of independent sequences advanced step by step on several threads, rebalanced between
 * the threads at step boundaries: the recurrent time loop split by batch rows, where a row's
 * step s needs only that row's step s-1. The rows start cut into one range (a task) per
 * thread; a thread runs its task's steps in order, and when it has no rows left it takes a task
 * no thread has started, or else steals the upper half of the rows of the running task with the
 * most work left, from the step after the one its owner is running. A thread whose core is
 * shared with another process (on the machines measured, one of two vCPUs often ran the
 * micro-kernel at 55-60 % of the other's rate for seconds at a time) then holds fewer rows
 * instead of holding up the call: a fixed split ends when the slower thread does.
 *
 * <pre>{@code
 * queue.reset(rows, steps, parts, align, minRows);
 * // on every participating thread, part = 0, 1, ...:
 * queue.work(part, (step, lo, hi) -> run(step, lo, hi));
 * }</pre>
 * ({@link #work} is the loop over {@link #claimOwn}, {@link #acquire} and {@link #advance}.)
 *
 * <p>Every (row, step) is handed out exactly once, each row's steps in order, and a row's step
 * starts after its step before has completed (completing a step happens-before handing out the
 * next step of its rows, whichever thread gets them). Which thread runs which rows changes
 * nothing else: the caller's per-row computation must not depend on the range it comes in.
 * The work finishes even when only one thread ever shows up. One lock, taken once per step a
 * thread runs (more while a stolen range waits for its first step): steps are microseconds to
 * milliseconds long.
 *
 * <p>Not a general scheduler: one user at a time, {@link #reset} between uses, never during one.
 */
public final class RowQueue {
    private static final int SPINS = 1 << 10;
    /** Rows and steps fit the packed form of {@link #advance}'s result. */
    private static final int ROW_BITS = 21;
    public static final int MAX_ROWS = (1 << ROW_BITS) - 1;
    public static final int MAX_STEPS = (1 << (63 - 2 * ROW_BITS)) - 1;

    private int steps, minRows, align, tasks;
    // per task: rows [lo, hi), the next step to hand out, the owning part (-1: none), whether its
    // owner is running step next (handed out, not completed), and a stolen task's start
    // condition: task waitTask must have completed step waitStep - 1 (waitTask -1: none)
    private int[] lo = new int[0], hi = lo, next = lo, owner = lo, waitTask = lo, waitStep = lo;
    private boolean[] running = new boolean[0];
    private volatile boolean failed;
    private int steals;

    /**
     * Prepares {@code rows} rows of {@code steps} steps, cut into {@code parts} ranges at
     * multiples of {@code align}; a steal leaves at least {@code minRows} rows on either side
     * (a multiple of align).
     */
    public synchronized void reset(int rows, int steps, int parts, int align, int minRows) {
        if (rows < 0 || rows > MAX_ROWS || steps < 0 || steps > MAX_STEPS || parts < 1 || align < 1
                || minRows < align || minRows % align != 0) {
            throw new IllegalArgumentException("rows in [0, " + MAX_ROWS + "], steps in [0, " + MAX_STEPS
                    + "], parts >= 1, align >= 1 and minRows a multiple of align, got " + rows + ", " + steps + ", "
                    + parts + ", " + align + ", " + minRows);
        }
        this.steps = steps;
        this.align = align;
        this.minRows = minRows;
        // every steal leaves >= minRows rows on both sides, so there are at most rows / minRows
        // tasks made by steals, besides the parts' own
        int cap = parts + rows / minRows + 1;
        if (lo.length < cap) {
            lo = new int[cap];
            hi = new int[cap];
            next = new int[cap];
            owner = new int[cap];
            waitTask = new int[cap];
            waitStep = new int[cap];
            running = new boolean[cap];
        }
        int blocks = (rows + align - 1) / align;
        for (int t = 0; t < parts; t++) {
            lo[t] = Math.min(rows, (int) ((long) blocks * t / parts) * align);
            hi[t] = Math.min(rows, (int) ((long) blocks * (t + 1) / parts) * align);
            next[t] = 0;
            owner[t] = -1;
            waitTask[t] = -1;
            running[t] = false;
        }
        tasks = parts;
        steals = 0;
        failed = false;
    }

    /** One step of a range of rows, run by {@link #work}. */
    @FunctionalInterface
    public interface Work {
        void run(int step, int lo, int hi);
    }

    /**
     * The thread of part {@code part}'s share: its own task, then whatever {@link #acquire}
     * gives, every step handed out run through {@code w}; a step that throws releases the other
     * threads ({@link #fail}) and the exception goes on.
     */
    public void work(int part, Work w) {
        for (int t = claimOwn(part); t >= 0 || (t = acquire()) >= 0; t = -1) {
            try {
                for (long r; (r = advance(t)) >= 0; ) w.run(step(r), lo(r), hi(r));
            } catch (RuntimeException | Error e) {
                fail();
                throw e;
            }
        }
    }

    /** Task {@code part} for the thread of that part, if no thread has taken it and it has work; else -1. */
    public synchronized int claimOwn(int part) {
        if (part < 0) throw new IllegalArgumentException("part must be >= 0, got " + part);
        if (part >= tasks || owner[part] >= 0 || !hasWork(part)) return -1;
        owner[part] = part;
        return part;
    }

    /**
     * For a thread with no rows left: a task no thread has taken (whole), or the upper half of
     * the rows of the running task with the most row-steps left, from the step after the one
     * its owner may be running; -1 when no task has work left that is worth splitting (fewer
     * than 2 x minRows rows, or fewer than two steps after the one running).
     */
    public synchronized int acquire() {
        int best = -1;
        long bestWork = 0;
        for (int t = 0; t < tasks; t++) {
            if (!hasWork(t)) continue;
            if (owner[t] < 0) {
                owner[t] = Integer.MAX_VALUE;
                return t;
            }
            int start = next[t] + (running[t] ? 1 : 0);
            if (hi[t] - lo[t] < 2 * minRows || steps - start < 2) continue;
            long work = (long) (hi[t] - lo[t]) * (steps - start);
            if (work > bestWork) {
                bestWork = work;
                best = t;
            }
        }
        if (best < 0) return -1;
        int v = best, n = tasks++;
        int half = Math.max(minRows, (hi[v] - lo[v]) / 2 / align * align);
        lo[n] = lo[v] + half;
        hi[n] = hi[v];
        hi[v] = lo[n];
        owner[n] = Integer.MAX_VALUE;
        running[n] = false;
        if (running[v]) {
            // the victim's owner is running step next[v] over the old range: start after it
            next[n] = next[v] + 1;
            waitTask[n] = v;
            waitStep[n] = next[v] + 1;
        } else {
            // not started yet (or waiting on its own victim): the same start and condition
            next[n] = next[v];
            waitTask[n] = waitTask[v];
            waitStep[n] = waitStep[v];
        }
        steals++;
        return n;
    }

    /**
     * Completes the step of task t handed out last (if any) and hands out the next: its step,
     * first row and end row packed (see {@link #step}, {@link #lo}, {@link #hi}), or -1 when the
     * task is done (the thread then looks for more with {@link #acquire}). Waits (spinning, then
     * yielding) until a stolen task's first step may start.
     *
     * @throws IllegalStateException when another thread's step failed while this one waited
     */
    public long advance(int t) {
        for (int spins = 0; ; spins++) {
            synchronized (this) {
                if (running[t]) {
                    running[t] = false;
                    next[t]++;
                }
                if (!hasWork(t)) {
                    owner[t] = -1;
                    return -1;
                }
                int w = waitTask[t];
                if (w < 0 || next[w] >= waitStep[t]) {
                    waitTask[t] = -1;
                    running[t] = true;
                    return (long) next[t] << (2 * ROW_BITS) | (long) lo[t] << ROW_BITS | hi[t];
                }
            }
            if (failed) throw new IllegalStateException("another thread's rows of the time loop failed");
            if (spins < SPINS) Thread.onSpinWait();
            else Thread.yield();
        }
    }

    private boolean hasWork(int t) {
        return next[t] < steps && lo[t] < hi[t];
    }

    /** Called by a thread whose step failed: releases the threads waiting on its rows with an exception. */
    public void fail() {
        failed = true;
    }

    /** How many steals the last use made (for tests and benchmarks). */
    public synchronized int steals() {
        return steals;
    }

    /** The step of a result of {@link #advance}. */
    public static int step(long r) {
        return (int) (r >>> (2 * ROW_BITS));
    }

    /** The first row of a result of {@link #advance}. */
    public static int lo(long r) {
        return (int) (r >>> ROW_BITS) & MAX_ROWS;
    }

    /** The end row (exclusive) of a result of {@link #advance}. */
    public static int hi(long r) {
        return (int) r & MAX_ROWS;
    }
}
