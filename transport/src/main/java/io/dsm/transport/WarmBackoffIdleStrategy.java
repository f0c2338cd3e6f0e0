package io.dsm.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Backoff that stays warm for a while after the last work: for {@code warmNs} after a duty cycle that did work it
 * only yields, so a reply that comes back within that window finds the thread awake; after it, Agrona's
 * {@link BackoffIdleStrategy} spins, yields and parks as usual.
 * <p>
 * Why: a dsm exchange crosses three processes (node, coordinator, node). With plain backoff every process parks
 * between the hops of one exchange, and on a small or virtual machine each wake-up from a park costs tens of
 * microseconds or more, so a round of a few hops takes milliseconds. A warm window as long as a few hops keeps an
 * active exchange fast, while an idle JVM still parks: it burns at most {@code warmNs} of one core after each burst
 * of traffic (a heartbeat every 500 ms with a 1 ms window: 0.2 % of a core).
 */
public final class WarmBackoffIdleStrategy implements IdleStrategy
{
    private final long warmNs;
    private final BackoffIdleStrategy backoff;
    private long lastWorkNs;
    private boolean warm;

    /**
     * @param warmNs    how long after the last work to only yield.
     * @param maxSpins  spins of the backoff once cold.
     * @param maxYields yields of the backoff once cold.
     * @param minParkNs shortest park.
     * @param maxParkNs longest park.
     */
    public WarmBackoffIdleStrategy(
        final long warmNs, final long maxSpins, final long maxYields, final long minParkNs, final long maxParkNs)
    {
        this.warmNs = warmNs;
        this.backoff = new BackoffIdleStrategy(maxSpins, maxYields, minParkNs, maxParkNs);
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
        if (warm)
        {
            if (System.nanoTime() - lastWorkNs < warmNs)
            {
                Thread.yield();
                return;
            }
            warm = false;
        }
        backoff.idle();
    }

    @Override
    public void reset()
    {
        lastWorkNs = System.nanoTime();
        warm = warmNs > 0;
        backoff.reset();
    }

    @Override
    public String alias()
    {
        return "warm-backoff";
    }
}
