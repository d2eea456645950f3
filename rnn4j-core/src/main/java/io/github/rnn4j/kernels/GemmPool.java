package io.github.rnn4j.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The fixed thread pool that runs one large GEMM of {@link VectorKernels} on several threads:
 * {@code threads - 1} daemon workers, created once per thread count and parked between calls,
 * plus the calling thread. The GEMM is cut into a few chunks per thread (column or row blocks,
 * see {@link VectorKernels#chunkCount}) that the threads claim one at a time, so a thread slowed
 * down by another process on its core takes fewer chunks instead of holding up the call.
 *
 * <p>Hand-rolled rather than an executor so that a call allocates nothing (GEMMs run inside the
 * recurrent time loop, where the library promises no allocation) and wakes the workers with
 * one volatile write (plus an unpark when a worker is parked); workers and the caller spin
 * briefly before parking, which keeps back-to-back per-timestep GEMMs and batch-1 steps from
 * paying a wake-up each.
 *
 * <p>Claims go through one counter holding (job generation, next chunk): a claim succeeds only
 * while its job is still running, so a worker that wakes late can never take a chunk of the
 * next job with the previous job's arguments.
 *
 * <p>It also runs a parallel region ({@link #runRegion}): a few parts, one per thread, that share
 * work among themselves (the recurrent time loop, through a {@link PhaseQueue} or a
 * {@link RowQueue}; the weight-gradient products through the pool's own RowQueue). Part i runs on
 * worker i (the caller runs part 0), so a part that prefers the same share of the work call
 * after call finds its data in its core's cache; but a part is claimed, not assigned: once the
 * caller is done with part 0 it runs every part no worker has claimed yet (with a queue they
 * find no work left), so a worker whose core was taken by another process never holds up the
 * call.
 *
 * <p>Not a general executor: one GEMM or region at a time. A second thread that calls while the pool is busy
 * gets {@code false} from {@link #run} and computes its GEMM on its own thread instead of waiting.
 */
final class GemmPool {
    /** Spin iterations (each a {@code Thread.onSpinWait}) before parking: roughly 50-100 us. */
    private static final int SPINS = 1 << 12;
    private static final ConcurrentHashMap<Integer, GemmPool> SHARED = new ConcurrentHashMap<>();

    private final int threads;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** (generation << 32) | (region ? 1 << 31 : 0) | (chunk or part count << 16) | next unclaimed GEMM chunk. */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    /** Per region part, the generation of the last job that claimed it (claims are CAS up to the job's generation). */
    private final java.util.concurrent.atomic.AtomicLongArray partClaims;
    /** Workers parked (or about to park); the caller unparks only when there are any. */
    private final AtomicInteger parkedWorkers = new AtomicInteger();
    /** Work a region's parts share, reset by the region's call while it holds the pool. */
    private final RowQueue rowQueue = new RowQueue();
    /** Whether the caller is parked (or about to park) waiting for the last chunk. */
    private volatile boolean callerParked;
    private volatile Thread caller;
    private volatile Throwable failure;

    // the job; written by the caller before the volatile write of ticket, read after a claim
    private boolean transA, transB, byColumns;
    private int m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
    private float alpha, beta;
    private float[] a, b, c;
    /** A parallel region's body (then the GEMM fields are unused), or null for a GEMM. */
    private java.util.function.IntConsumer region;

    /** The pool for {@code threads} threads (>= 2), created on first request and kept for the JVM's life. */
    static GemmPool shared(int threads) {
        return SHARED.computeIfAbsent(threads, GemmPool::new);
    }

    private GemmPool(int threads) {
        if (threads < 2) throw new IllegalArgumentException("a GEMM pool needs at least 2 threads, got " + threads);
        this.threads = threads;
        this.partClaims = new java.util.concurrent.atomic.AtomicLongArray(threads);
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int self = i + 1;
            Thread t = new Thread(() -> work(self), "rnn4j-gemm-" + self);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs the GEMM in {@code chunks} (< 32768) pieces on all threads and returns true, or returns false at
     * once (doing nothing) when another thread's GEMM holds the pool.
     */
    boolean run(int chunks, boolean byColumns, boolean transA, boolean transB, int m, int n, int k, float alpha,
                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                float beta, float[] c, int cOff, int ldc) {
        if (!busy.compareAndSet(false, true)) return false;
        try {
            this.region = null;
            this.byColumns = byColumns;
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            dispatch(chunks);
            return true;
        } finally {
            this.a = null;
            this.b = null;
            this.c = null;
            busy.set(false);
        }
    }

    /**
     * Runs {@code body.accept(part)} for each of {@code parts} (<= threads) parts, part 0 on the
     * calling thread and part i on worker i unless the caller got to it first, and returns true;
     * false at once when the pool is busy.
     */
    boolean runRegion(int parts, java.util.function.IntConsumer body) {
        return runRegion(parts, body, -1, 0, 1, 1);
    }

    /**
     * As {@link #runRegion(int, java.util.function.IntConsumer)}, with the pool's {@link #rowQueue}
     * reset first for {@code rows} rows of {@code steps} steps in {@code parts} ranges (see
     * {@link RowQueue#reset}; rows < 0: left alone): the parts share that work through it. The
     * queue is reset only once the pool is held, so a call that finds the pool busy leaves
     * another's queue alone.
     */
    boolean runRegion(int parts, java.util.function.IntConsumer body, int rows, int steps, int align, int minRows) {
        if (parts > threads) throw new IllegalArgumentException(parts + " parts on a pool of " + threads + " threads");
        if (!busy.compareAndSet(false, true)) return false;
        try {
            if (rows >= 0) rowQueue.reset(rows, steps, parts, align, minRows);
            this.region = body;
            dispatch(parts | REGION);
            return true;
        } finally {
            this.region = null;
            busy.set(false);
        }
    }

    /** The queue of {@link #runRegion(int, java.util.function.IntConsumer, int, int, int, int)}, for its parts. */
    RowQueue rowQueue() {
        return rowQueue;
    }

    /** Flag of a region's part count in {@link #dispatch} (bit 31 of the ticket). */
    private static final int REGION = 1 << 15;

    /**
     * Publishes the job set in the fields ({@code chunks}, or parts | REGION), works on it too,
     * waits for all chunks, rethrows a failure.
     */
    private void dispatch(int count) {
        int chunks = count & ~REGION;
        failure = null;
        caller = Thread.currentThread();
        done.set(0);
        long gen = (ticket.get() >>> 32) + 1;
        ticket.set(gen << 32 | (long) count << 16);   // publishes the job
        // a spinning worker sees the ticket by itself; unpark (a few hundred ns even when the
        // thread is not parked) only when one went to sleep. A worker counts itself in before it
        // re-reads the ticket and parks, so either it sees this job or this read sees it
        if (parkedWorkers.get() > 0) {
            for (Thread w : workers) LockSupport.unpark(w);
        }
        claimAndRun(gen, 0);
        int spins = 0;
        while (done.get() != chunks) {
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
            } else {
                callerParked = true;
                if (done.get() != chunks) LockSupport.park(this);
                callerParked = false;
            }
        }
        Throwable t = failure;
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    /**
     * Claims chunks of GEMM job {@code gen} until none is left, or part {@code self} (0 the
     * caller, i worker i) of a region — the caller then also every part still unclaimed; returns
     * at once if that job is over.
     */
    private void claimAndRun(long gen, int self) {
        long t = ticket.get();
        if ((t >>> 32) != gen) return;
        if ((t & (1L << 31)) != 0) {
            int total = (int) ((t >>> 16) & 0x7FFF);
            if (self < total) runPart(gen, self, total);
            if (self == 0) {
                for (int p = 1; p < total; p++) runPart(gen, p, total);
            }
            return;
        }
        for (;;) {
            t = ticket.get();
            if ((t >>> 32) != gen) return;
            int chunk = (int) (t & 0xFFFF), total = (int) ((t >>> 16) & 0x7FFF);
            if (chunk >= total) return;
            if (!ticket.compareAndSet(t, t + 1)) continue;
            try {
                VectorKernels.gemmChunk(chunk, total, byColumns, transA, transB, m, n, k, alpha, a, aOff, lda,
                        b, bOff, ldb, beta, c, cOff, ldc);
            } catch (Throwable e) {
                failure = e;
            }
            if (done.incrementAndGet() == total && callerParked) LockSupport.unpark(caller);
        }
    }

    /**
     * Runs part {@code part} of region job {@code gen} if no thread has claimed it. A successful
     * claim means the job is still running (it cannot finish without this part), so the region
     * field still holds its body; a thread that arrives late for a finished job fails the claim.
     */
    private void runPart(long gen, int part, int total) {
        long last = partClaims.get(part);
        if (last >= gen || !partClaims.compareAndSet(part, last, gen)) return;
        try {
            region.accept(part);
        } catch (Throwable e) {
            failure = e;
        }
        if (done.incrementAndGet() == total && callerParked) LockSupport.unpark(caller);
    }

    private void work(int self) {
        long seen = 0;
        for (;;) {
            long gen;
            int spins = 0;
            while ((gen = ticket.get() >>> 32) == seen) {
                if (spins < SPINS) {
                    spins++;
                    Thread.onSpinWait();
                } else {
                    parkedWorkers.incrementAndGet();
                    if ((ticket.get() >>> 32) == seen) LockSupport.park(this);
                    parkedWorkers.decrementAndGet();
                }
            }
            seen = gen;
            claimAndRun(gen, self);
        }
    }
}
