package io.dsm.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A request a thread waits for: the node's thread completes it, or the waiter gives up at its deadline. The two
 * race through one compare-and-set, so exactly one of them decides the outcome.
 */
final class PendingRequest
{
    private static final int WAITING = 0;
    private static final int COMPLETED = 1;
    private static final int ABANDONED = 2;
    private static final long YIELD_NS = 200_000;

    final long correlationId;
    final String what;
    private final Thread waiter = Thread.currentThread();
    private final AtomicInteger state = new AtomicInteger(WAITING);
    Object result;
    int errorCode;
    String error;

    PendingRequest(final long correlationId, final String what)
    {
        this.correlationId = correlationId;
        this.what = what;
    }

    /**
     * Called by the node's thread with the fields already set.
     *
     * @return false if the waiter gave up first.
     */
    boolean complete()
    {
        if (state.compareAndSet(WAITING, COMPLETED))
        {
            LockSupport.unpark(waiter);
            return true;
        }
        return false;
    }

    boolean completeExceptionally(final int code, final String message)
    {
        errorCode = code;
        error = message;
        return complete();
    }

    /**
     * Waits until completed or the deadline.
     *
     * @param deadlineNs the deadline on {@link System#nanoTime()}.
     * @return true if completed; false if the waiter gave up (the request is then abandoned).
     */
    boolean await(final long deadlineNs)
    {
        // A reply usually comes within tens to a few hundred microseconds: spin, then yield the core (the dsm thread
        // may need it on a small machine) for up to YIELD_NS, and only then park, whose wake-up costs tens of
        // microseconds or more on a virtual machine (measured: a 20 us yield window made the ping-pong benchmark's
        // round about 25 % slower than this one, docs/bench/NOTES.md).
        for (int spins = 0; spins < 100; spins++)
        {
            if (state.get() == COMPLETED)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        final long yieldUntil = System.nanoTime() + YIELD_NS;
        while (System.nanoTime() - yieldUntil < 0)
        {
            if (state.get() != WAITING)
            {
                return state.get() == COMPLETED;
            }
            Thread.yield();
        }
        while (state.get() == WAITING)
        {
            final long remaining = deadlineNs - System.nanoTime();
            if (remaining <= 0)
            {
                return !state.compareAndSet(WAITING, ABANDONED);
            }
            LockSupport.parkNanos(this, remaining);
        }
        return state.get() == COMPLETED;
    }
}
