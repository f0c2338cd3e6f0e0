package io.dsm.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;

/**
 * Names the idle strategies a dsm thread may use when a duty cycle did no work.
 * <p>
 * {@code doorbell} (default) yields briefly, then sleeps on a {@link Doorbell} that peers ring. {@code backoff} spins
 * briefly, yields, then parks up to a bound: an idle node costs little CPU, and a
 * message that arrives while parked waits at most that bound. {@code yielding} answers fastest on a machine with
 * few cores but keeps one core busy; {@code busy-spin} should only be used with a core to spare for each spinning
 * thread; {@code sleeping} parks 1 ms at a time.
 */
public final class IdleStrategies
{
    /** The name of the strategy that sleeps on a {@link Doorbell}. */
    public static final String DOORBELL = "doorbell";

    /**
     * The longest sleep on a doorbell: bounds how late a timer runs and what a lost ring costs (a ring is one datagram
     * on the host's loopback or LAN, so it is rarely lost).
     */
    public static final long DOORBELL_MAX_SLEEP_NS = 100_000_000L;

    private IdleStrategies()
    {
    }

    /**
     * The idle settings of one process, checked when made (so that a bad setting fails before anything starts); each
     * thread builds its own strategy from them with {@link #strategy(Doorbell)}.
     *
     * @param name      one of {@code doorbell}, {@code backoff}, {@code yielding}, {@code busy-spin}, {@code sleeping}.
     * @param maxParkNs upper bound on a park for {@code backoff}.
     * @param maxYields how many times {@code backoff} yields after its spins, before it starts parking.
     * @param warmNs    how long {@code backoff} and {@code doorbell} keep polling after the last work.
     */
    public record Settings(String name, long maxParkNs, long maxYields, long warmNs)
    {
        /**
         * @throws IllegalArgumentException naming the bad value.
         */
        public Settings
        {
            of(name, maxParkNs, maxYields, warmNs);
        }

        /** @return whether the strategy sleeps on a {@link Doorbell} (woken by {@link Doorbell#wakeup()}). */
        public boolean sleepsOnDoorbell()
        {
            return DOORBELL.equals(name.toLowerCase(Locale.ROOT));
        }

        /**
         * @param doorbell the calling process's doorbell, for {@code doorbell}; null for none.
         * @return a new strategy for one thread.
         */
        public IdleStrategy strategy(final Doorbell doorbell)
        {
            return of(name, maxParkNs, maxYields, warmNs, doorbell);
        }
    }

    /**
     * @param name       one of {@code backoff}, {@code yielding}, {@code busy-spin}, {@code sleeping}.
     * @param maxParkNs  upper bound on a park for {@code backoff}.
     * @param maxYields  how many times {@code backoff} yields after its spins, before it starts parking.
     * @param warmNs     how long {@code backoff} only yields after the last work, before it backs off (0: not at all).
     * @return a new idle strategy instance (idle strategies are stateful: one per thread).
     * @throws IllegalArgumentException naming the bad value.
     */
    public static IdleStrategy of(final String name, final long maxParkNs, final long maxYields, final long warmNs)
    {
        return of(name, maxParkNs, maxYields, warmNs, null);
    }

    /**
     * @param name       one of {@code doorbell}, {@code backoff}, {@code yielding}, {@code busy-spin}, {@code sleeping}.
     * @param maxParkNs  upper bound on a park for {@code backoff} ({@code doorbell} sleeps up to {@link #DOORBELL_MAX_SLEEP_NS}).
     * @param maxYields  how many times {@code backoff} yields after its spins, before it starts parking.
     * @param warmNs     how long {@code backoff} and {@code doorbell} keep polling after the last work.
     * @param doorbell   the doorbell {@code doorbell} sleeps on; null when the caller has none.
     * @return a new idle strategy instance (idle strategies are stateful: one per thread).
     * @throws IllegalArgumentException naming the bad value.
     */
    public static IdleStrategy of(
        final String name, final long maxParkNs, final long maxYields, final long warmNs, final Doorbell doorbell)
    {
        switch (name.toLowerCase(Locale.ROOT))
        {
            case DOORBELL:
                if (doorbell == null)
                {
                    return of("backoff", maxParkNs, maxYields, warmNs, null);
                }
                return new DoorbellIdleStrategy(doorbell, warmNs, DOORBELL_MAX_SLEEP_NS);
            case "backoff":
                if (maxParkNs < 1_000)
                {
                    throw new IllegalArgumentException("dsm.idle.max.park.ns must be at least 1000 ns, was " + maxParkNs + " ns");
                }
                if (warmNs < 0)
                {
                    throw new IllegalArgumentException("dsm.idle.warm.ns must not be negative, was " + warmNs + " ns");
                }
                return warmNs == 0 ? new BackoffIdleStrategy(100, maxYields, 1_000, maxParkNs) :
                    new WarmBackoffIdleStrategy(warmNs, 100, maxYields, 1_000, maxParkNs);
            case "yielding":
                return new YieldingIdleStrategy();
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "sleeping":
                return new SleepingMillisIdleStrategy(1);
            default:
                throw new IllegalArgumentException(
                    "unknown idle strategy '" + name + "': expected doorbell, backoff, yielding, busy-spin or sleeping");
        }
    }
}
