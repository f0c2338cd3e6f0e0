package io.dsm.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleStrategiesTest
{
    @Test
    void namesMapToAgronaStrategies()
    {
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.of("backoff", 1_000_000, 10, 0));
        assertInstanceOf(YieldingIdleStrategy.class, IdleStrategies.of("YIELDING", 1_000_000, 10, 0));
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.of("busy-spin", 1_000_000, 10, 0));
        assertInstanceOf(SleepingMillisIdleStrategy.class, IdleStrategies.of("sleeping", 1_000_000, 10, 0));
        assertNotSame(IdleStrategies.of("backoff", 1_000_000, 10, 0), IdleStrategies.of("backoff", 1_000_000, 10, 0),
            "idle strategies keep state: one per thread");
    }

    @Test
    void badValuesAreNamed()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("spinny", 1_000_000, 10, 0))
            .getMessage().contains("spinny"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("backoff", 10, 10, 0))
            .getMessage().contains("10 ns"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("backoff", 1_000_000, 10, -1))
            .getMessage().contains("dsm.idle.warm.ns"));
    }

    @Test
    void backoffWithAWarmWindowNeverParksWithinItButPlainBackoffDoes() throws Exception
    {
        final IdleStrategy warm = IdleStrategies.of("backoff", 1_000_000, 10, 3_600_000_000_000L);
        assertInstanceOf(WarmBackoffIdleStrategy.class, warm);
        assertFalse(parksWithin(warm, 2_000), "a thread inside its warm window only yields");
        assertTrue(parksWithin(IdleStrategies.of("backoff", 1_000_000, 10, 0), Integer.MAX_VALUE),
            "the same probe sees plain backoff park");
    }

    /**
     * Runs {@code strategy.idle(0)} in a loop on another thread, after one unit of work, and samples its state up to
     * {@code samples} times (until a 10 s deadline): true once it is seen parked.
     */
    private static boolean parksWithin(final IdleStrategy strategy, final int samples) throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread idler = new Thread(() ->
        {
            strategy.idle(1);
            while (!stop.get())
            {
                strategy.idle(0);
            }
        }, "idler");
        idler.setDaemon(true);
        idler.start();
        try
        {
            final long deadline = System.nanoTime() + 10_000_000_000L;
            for (int i = 0; i < samples && System.nanoTime() - deadline < 0; i++)
            {
                if (idler.getState() == Thread.State.TIMED_WAITING)
                {
                    return true;
                }
                Thread.onSpinWait();
            }
            return false;
        }
        finally
        {
            stop.set(true);
            idler.join(10_000);
        }
    }
}
