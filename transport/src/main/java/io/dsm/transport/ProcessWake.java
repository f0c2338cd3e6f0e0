package io.dsm.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Idle strategies for several agents of one process that hand work to each other through shared memory (the
 * directory's media driver, archive, consensus module and service container). While any of them did work in the last
 * {@link #WARM_NS}, all back off briefly (spin, yield, park up to 50 µs), so a request runs through the pipeline warm.
 * After that each sleeps up to its longest sleep: one agent on the process's {@link Doorbell} (the media driver, which
 * a remote sender's ring wakes), the others parked. Whichever agent does work first after a quiet spell wakes all the
 * others. An idle process thus wakes each agent a few times a second instead of a thousand.
 */
public final class ProcessWake
{
    /** How long after the process's last work its agents stay responsive. */
    static final long WARM_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How long after it is made the process stays responsive whatever happens. */
    static final long STARTUP_WARM_NS = TimeUnit.SECONDS.toNanos(5);

    private final Doorbell doorbell;
    private final long maxSleepNs;
    private final CopyOnWriteArrayList<Thread> parked = new CopyOnWriteArrayList<>();
    private volatile long lastWorkNs = System.nanoTime();
    /** Start-up (recovery, election, connecting to the archive) is a chain of hand-offs: stay warm through it. */
    private final long warmUntilNs = System.nanoTime() + STARTUP_WARM_NS;

    /**
     * @param doorbell   what the agent made with {@link #strategy(boolean) strategy(true)} sleeps on; remote senders
     *                   ring it.
     * @param maxSleepNs the longest sleep of an agent with nothing to do.
     */
    public ProcessWake(final Doorbell doorbell, final long maxSleepNs)
    {
        this.doorbell = doorbell;
        this.maxSleepNs = maxSleepNs;
    }

    /**
     * @param onDoorbell whether this agent sleeps on the doorbell (one agent: the one that reads the network).
     * @return a new idle strategy for one agent.
     */
    public IdleStrategy strategy(final boolean onDoorbell)
    {
        return new Strategy(onDoorbell);
    }

    /**
     * Says that an agent is busy outside its duty cycle's work count (waiting on back pressure, say): the others stay
     * warm, so that what it waits for (a status message the driver reads) moves.
     */
    public void busy()
    {
        worked(System.nanoTime());
    }

    private void worked(final long nowNs)
    {
        final long last = lastWorkNs;
        lastWorkNs = nowNs;
        if (nowNs - last > WARM_NS)
        {
            // The others may be asleep: this work is likely theirs next.
            for (final Thread thread : parked)
            {
                LockSupport.unpark(thread);
            }
            doorbell.wakeup();
        }
    }

    private final class Strategy implements IdleStrategy
    {
        private final boolean onDoorbell;
        private final BackoffIdleStrategy backoff = new BackoffIdleStrategy(10, 20,
            TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(50));

        Strategy(final boolean onDoorbell)
        {
            this.onDoorbell = onDoorbell;
        }

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                worked(System.nanoTime());
                backoff.reset();
                return;
            }
            idle();
        }

        @Override
        public void idle()
        {
            final long nowNs = System.nanoTime();
            if (nowNs - lastWorkNs < WARM_NS || nowNs - warmUntilNs < 0)
            {
                backoff.idle();
                return;
            }
            if (onDoorbell)
            {
                doorbell.await(maxSleepNs);
            }
            else
            {
                final Thread self = Thread.currentThread();
                parked.add(self);
                // Work that began after the check above has either seen this thread in the list (and unparked it)
                // or is seen here.
                if (System.nanoTime() - lastWorkNs >= WARM_NS)
                {
                    LockSupport.parkNanos(this, maxSleepNs);
                }
                parked.remove(self);
            }
            backoff.reset();
        }

        @Override
        public void reset()
        {
            backoff.reset();
        }

        @Override
        public String alias()
        {
            return "dsm-process-wake";
        }
    }
}
