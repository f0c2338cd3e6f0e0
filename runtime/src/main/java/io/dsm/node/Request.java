package io.dsm.node;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Something an application thread asks of the dsm thread and waits for: it builds the request, hands it to the
 * node's command queue, and waits; the dsm thread ({@link NodeProtocol}) sends what it takes, and completes the request
 * when the answer comes, or the waiter gives up at its deadline. The two race through one compare-and-set, so exactly
 * one of them decides the outcome. The dsm thread alone touches the request's protocol fields.
 */
final class Request
{
    enum Kind
    {
        /** Fetch a value: the variable's replica is not valid. */
        READ,
        /** Take ownership (write access). */
        ACQUIRE,
        /** A write by the owner while it has readers: invalidate or update them first. The caller holds the lock. */
        WRITE,
        /** Set the initial value if the variable was never written. */
        INIT,
        /** Give ownership back to the directory. */
        RELEASE,
        /** Delete a variable in the whole cluster. */
        DELETE,
        /** One page of the list of variables. */
        LIST,
        /** Leave the cluster. */
        LEAVE,
        /** Durable mode: the owner's value to the directory, answered once it holds it. The caller holds the lock. */
        CHECKPOINT
    }

    private static final int WAITING = 0;
    private static final int COMPLETED = 1;
    private static final int ABANDONED = 2;
    private static final long YIELD_NS = 200_000;
    /**
     * The waiter gives up this long after the deadline: the dsm thread fails the request at the deadline itself,
     * naming whom it waited for, and that message should win.
     */
    private static final long GRACE_NS = 100_000_000L;

    final Kind kind;
    final SharedVariable variable;
    final String what;
    /** When the dsm thread fails the request; moved later only while a large message is in flight (dsm thread). */
    volatile long deadlineNs;
    private final Thread waiter = Thread.currentThread();
    private final AtomicInteger state = new AtomicInteger(WAITING);

    // What the request carries (set by the application thread before it is queued).
    /** WRITE, INIT: what the replica will hold. */
    Object content;
    /** WRITE, INIT: the serialized value. */
    byte[] bytes;
    /** DELETE: the variable's name; LIST: the name to list after. */
    String name;
    /** RELEASE: keep a read replica. */
    boolean keep;
    /** CHECKPOINT: the version of {@link #bytes}. */
    long version;
    /** READ: the variable's invalidations when the read was sent (see {@link SharedVariable#invalidations}). */
    long invalidationsAtSend;

    // The dsm thread's (correlation, whom it waits for, its own state for the request).
    long correlationId;
    volatile String waitingFor = "the coordinator";
    Object pending;
    boolean retried;

    // The outcome.
    /** CHECKPOINT: the directory answered that it does not count this node as the owner (the value is not held). */
    boolean refused;
    Object result;
    int errorCode;
    String error;

    Request(final Kind kind, final SharedVariable variable, final String what, final long deadlineNs)
    {
        this.kind = kind;
        this.variable = variable;
        this.what = what;
        this.deadlineNs = deadlineNs;
    }

    /**
     * Called by the dsm thread with the outcome's fields set.
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

    /** @return whether the waiter gave up. */
    boolean isAbandoned()
    {
        return state.get() == ABANDONED;
    }

    /** @return whether it is done, either way. */
    boolean isDone()
    {
        return state.get() != WAITING;
    }

    /**
     * Waits until completed or the deadline.
     *
     * @return true if completed; false if the waiter gave up (the request is then abandoned).
     */
    boolean await()
    {
        // A reply usually comes within tens to a few hundred microseconds: spin, then yield the core (the dsm thread
        // may need it on a small machine) for up to YIELD_NS, and only then park, whose wake-up costs tens of
        // microseconds or more on a virtual machine (docs/bench/NOTES.md).
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
            final long remaining = deadlineNs + GRACE_NS - System.nanoTime();
            if (remaining <= 0)
            {
                return !state.compareAndSet(WAITING, ABANDONED);
            }
            LockSupport.parkNanos(this, remaining);
        }
        return state.get() == COMPLETED;
    }

    @Override
    public String toString()
    {
        return what;
    }
}
