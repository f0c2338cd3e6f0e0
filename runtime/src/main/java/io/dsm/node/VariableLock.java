package io.dsm.node;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;

/**
 * The reentrant lock of one {@link SharedVariable}, built into the variable itself: the non-fair reentrant mutex of
 * {@link java.util.concurrent.locks.ReentrantLock}, on the same {@link AbstractQueuedSynchronizer}, without its two
 * extra objects. A replica then costs 16 bytes of lock state instead of 48 (measured per replica with 100,000
 * variables, docs/bench/NOTES.md).
 */
abstract class VariableLock extends AbstractQueuedSynchronizer
{
    private static final long serialVersionUID = 1L;

    @Override
    protected final boolean tryAcquire(final int acquires)
    {
        final Thread current = Thread.currentThread();
        final int held = getState();
        if (held == 0)
        {
            if (compareAndSetState(0, acquires))
            {
                setExclusiveOwnerThread(current);
                return true;
            }
        }
        else if (current == getExclusiveOwnerThread())
        {
            setState(held + acquires);
            return true;
        }
        return false;
    }

    @Override
    protected final boolean tryRelease(final int releases)
    {
        if (Thread.currentThread() != getExclusiveOwnerThread())
        {
            throw new IllegalMonitorStateException("the variable's lock is not held by this thread");
        }
        final int held = getState() - releases;
        final boolean free = held == 0;
        if (free)
        {
            setExclusiveOwnerThread(null);
        }
        setState(held);
        return free;
    }

    @Override
    protected final boolean isHeldExclusively()
    {
        return getExclusiveOwnerThread() == Thread.currentThread();
    }

    /** Takes the lock, waiting as long as it takes. */
    final void lock()
    {
        acquire(1);
    }

    /** @return whether the lock was free (or already held by this thread) and is now held. */
    final boolean tryLock()
    {
        return tryAcquire(1);
    }

    /**
     * @return whether the lock was free and is now held: fails when any thread holds it, the calling one included.
     *         The node's protocol takes the lock this way, so that a thread that runs the node's duty cycle while it
     *         holds a variable (inside {@code withWriteAccess}, say) never changes that variable under itself.
     */
    final boolean tryLockFree()
    {
        if (compareAndSetState(0, 1))
        {
            setExclusiveOwnerThread(Thread.currentThread());
            return true;
        }
        return false;
    }

    /** @return whether the lock was taken within the timeout. */
    final boolean tryLock(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return tryAcquireNanos(1, unit.toNanos(timeout));
    }

    /** Releases one hold of the lock. */
    final void unlock()
    {
        release(1);
    }

    /** @return how many times the current thread holds the lock. */
    final int getHoldCount()
    {
        return isHeldExclusively() ? getState() : 0;
    }
}
