package io.dsm.transport;

import org.agrona.concurrent.IdleStrategy;

/**
 * Idles on a {@link Doorbell}: for a warm window after the last work the thread keeps polling (yielding between
 * polls), since the next message of an exchange usually follows within microseconds; after that it sleeps in the
 * doorbell until another process rings it, a local thread wakes it, or the longest sleep passes. An idle process
 * then costs one wake-up per longest sleep, and a message that comes to it wakes it within the kernel's wake-up
 * time, not the end of a park.
 */
public final class DoorbellIdleStrategy implements IdleStrategy
{
    private final Doorbell doorbell;
    private final long warmNs;
    private final long maxSleepNs;
    private long lastWorkNs = System.nanoTime();

    /**
     * @param doorbell   where to sleep.
     * @param warmNs     how long after the last work to keep polling (0: sleep at once).
     * @param maxSleepNs the longest sleep.
     */
    public DoorbellIdleStrategy(final Doorbell doorbell, final long warmNs, final long maxSleepNs)
    {
        if (warmNs < 0)
        {
            throw new IllegalArgumentException("dsm.idle.warm.ns must not be negative, was " + warmNs + " ns");
        }
        if (maxSleepNs <= 0)
        {
            throw new IllegalArgumentException("the doorbell's longest sleep must be positive, was " + maxSleepNs +
                " ns");
        }
        this.doorbell = doorbell;
        this.warmNs = warmNs;
        this.maxSleepNs = maxSleepNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (System.nanoTime() - lastWorkNs < warmNs)
        {
            // Yield, never spin: on this 2-vCPU virtual machine a warm window of Thread.onSpinWait() made a ping-pong
            // round 3.6 x slower (1,311 against 364 us p50; docs/bench/NOTES.md), the way Agrona's own spinning does.
            Thread.yield();
            return;
        }
        // Whatever ends the sleep, the agent polls once; only work found then makes it warm again (idle(work) > 0),
        // so a sleep that merely timed out costs one poll, not a warm window of polling.
        doorbell.await(maxSleepNs);
    }

    @Override
    public void reset()
    {
        lastWorkNs = System.nanoTime();
    }

    @Override
    public String alias()
    {
        return "doorbell";
    }
}
