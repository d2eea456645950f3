package io.github.rnn4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RowQueue hands out every (row, step) once, each row's steps in order and each after the one
 * before it completed, with one thread, with threads of equal speed, and when one thread is slow
 * and the others take its rows (steals); a thread waiting for a stolen task's first step is
 * released with an exception when the victim fails; bad arguments are refused with their values.
 */
class RowQueueTest {

    /**
     * Runs the loop of the class comment on {@code threads} threads (part = index), the thread of
     * part {@code slowPart} sleeping before each step, and checks every row's steps: each step
     * handed out once, in order, and started only after the row's step before it completed
     * ({@code done[row]} is a plain array, written by whichever thread ran the row last: the
     * queue's hand-over is what makes it visible).
     */
    private static int runAndCheck(int rows, int steps, int threads, int slowPart, int align, int minRows)
            throws InterruptedException {
        RowQueue q = new RowQueue();
        q.reset(rows, steps, threads, align, minRows);
        int[] done = new int[rows];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        // every thread claims its own part before any starts work (else a thread that starts
        // late finds its part taken whole, and nothing is left to steal)
        CountDownLatch claimed = new CountDownLatch(threads);
        List<Thread> ts = new ArrayList<>();
        for (int p = 0; p < threads; p++) {
            int part = p;
            Thread t = new Thread(() -> {
                try {
                    int own = q.claimOwn(part);
                    claimed.countDown();
                    claimed.await();
                    for (int task = own; task >= 0 || (task = q.acquire()) >= 0; task = -1) {
                        for (long r; (r = q.advance(task)) >= 0; ) {
                            int s = RowQueue.step(r), lo = RowQueue.lo(r), hi = RowQueue.hi(r);
                            if (lo >= hi || lo < 0 || hi > rows) {
                                throw new AssertionError("bad range " + lo + ".." + hi);
                            }
                            if (part == slowPart) Thread.sleep(1);
                            for (int row = lo; row < hi; row++) {
                                if (done[row] != s) {
                                    throw new AssertionError("row " + row + " got step " + s + " after "
                                            + done[row] + " steps");
                                }
                                done[row] = s + 1;
                            }
                        }
                    }
                } catch (Throwable e) {
                    q.fail();   // as the queue's users do: releases a thread waiting on this one's rows
                    failure.compareAndSet(null, e);
                }
            });
            ts.add(t);
            t.start();
        }
        for (Thread t : ts) t.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        for (int row = 0; row < rows; row++) assertEquals(steps, done[row], "steps run for row " + row);
        return q.steals();
    }

    @Test
    void oneThreadRunsEveryRowOfEveryPart() throws InterruptedException {
        // the thread's own part, then the other part whole (no thread holds it: not a steal)
        assertEquals(0, runAndCheck(24, 7, 1, -1, 4, 4));
        RowQueue q = new RowQueue();
        q.reset(24, 7, 2, 4, 4);
        assertEquals(0, q.claimOwn(0));
        assertEquals(-1, q.claimOwn(0), "a part is claimed once");
        assertEquals(1, q.acquire(), "the part no thread has taken, whole");
        long r = q.advance(1);
        assertEquals(0, RowQueue.step(r));
        assertEquals(12, RowQueue.lo(r));
        assertEquals(24, RowQueue.hi(r));
    }

    @Test
    void aSlowThreadsRowsAreTakenOverAndEveryStepStillRunsOnceInOrder() throws InterruptedException {
        int steals = runAndCheck(64, 40, 2, 0, 4, 4);
        assertTrue(steals >= 1, "the fast thread must take rows from the slow one, steals " + steals);
        steals = runAndCheck(50, 30, 3, 2, 1, 3);
        assertTrue(steals >= 1, "three threads, ragged rows: steals " + steals);
    }

    @Test
    void equalThreadsAndEdgeShapesRunEveryStepOnce() throws InterruptedException {
        for (int rows : new int[]{0, 1, 7, 8, 33}) {
            for (int steps : new int[]{0, 1, 2, 5}) runAndCheck(rows, steps, 2, -1, 4, 4);
        }
        runAndCheck(200, 50, 4, -1, 4, 8);
    }

    @Test
    void aStealStartsAfterTheStepTheVictimIsRunningAndLeavesItTheLowerHalf() {
        RowQueue q = new RowQueue();
        q.reset(16, 5, 1, 4, 4);
        assertEquals(0, q.claimOwn(0));
        long r = q.advance(0);                    // part 0 runs step 0 of rows [0, 16)
        assertEquals(16, RowQueue.hi(r));
        int n = q.acquire();                      // another thread takes rows [8, 16) from step 1
        assertEquals(1, n);
        assertEquals(1, q.steals());
        r = q.advance(0);                         // part 0 completes step 0, then runs step 1 of [0, 8)
        assertEquals(1, RowQueue.step(r));
        assertEquals(0, RowQueue.lo(r));
        assertEquals(8, RowQueue.hi(r));
        r = q.advance(n);                         // the thief may start: step 0 of [8, 16) is done
        assertEquals(1, RowQueue.step(r));
        assertEquals(8, RowQueue.lo(r));
        assertEquals(16, RowQueue.hi(r));
    }

    @Test
    void tooFewRowsOrStepsLeftAreNotSplit() {
        RowQueue q = new RowQueue();
        q.reset(7, 5, 1, 1, 4);
        assertEquals(0, q.claimOwn(0));
        q.advance(0);
        assertEquals(-1, q.acquire(), "7 rows: below 2 x minRows 4");
        q.reset(16, 2, 1, 4, 4);
        assertEquals(0, q.claimOwn(0));
        q.advance(0);
        assertEquals(-1, q.acquire(), "one step left after the one running");
        assertEquals(0, q.steals());
    }

    @Test
    void aThreadWaitingOnAFailedVictimGetsAnException() throws InterruptedException {
        RowQueue q = new RowQueue();
        q.reset(16, 5, 1, 4, 4);
        assertEquals(0, q.claimOwn(0));
        q.advance(0);                             // the victim holds step 0 and never completes it
        int n = q.acquire();
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread thief = new Thread(() -> {
            try {
                q.advance(n);
            } catch (Throwable e) {
                got.set(e);
            }
        });
        thief.start();
        Thread.sleep(20);
        q.fail();
        thief.join(5000);
        assertTrue(got.get() instanceof IllegalStateException, "got " + got.get());
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        RowQueue q = new RowQueue();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.reset(10, 5, 2, 4, 6));
        assertTrue(e.getMessage().contains("10, 5, 2, 4, 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> q.reset(-1, 5, 2, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> q.reset(10, 5, 0, 4, 4));
        q.reset(8, 2, 2, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> q.claimOwn(-1));
    }
}
