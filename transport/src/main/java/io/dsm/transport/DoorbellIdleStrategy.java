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
        // The transport read or sent a datagram that rang no bell: poll again before sleeping (Doorbell#pollAgain).
        final boolean pollAgain = doorbell.takePollAgain();
        if (pollAgain || System.nanoTime() - lastWorkNs < warmNs)
        {
            // Yield, never spin: on this 2-vCPU virtual machine a warm window of Thread.onSpinWait() made a ping-pong
            // round 3.6 x slower (1,311 against 364 us p50; docs/bench/NOTES.md), the way Agrona's own spinning does.
            Thread.yield();
            return;
        }
        // A sleep that merely timed out costs one poll, not a warm window of polling. A ring makes the thread warm:
        // the ring follows the messages it announces, but the sender's driver may put the last of them on the wire a
        // little later (flow control), and a thread that went back to sleep after one empty poll would leave them
        // waiting for the longest sleep or the next ring.
        if (doorbell.await(maxSleepNs))
        {
            reset();
        }
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
