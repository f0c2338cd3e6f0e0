package io.dsm.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleStrategiesTest
{
    @Test
    void namesMapToAgronaStrategies()
    {
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.of("backoff", 1_000_000, 10));
        assertInstanceOf(YieldingIdleStrategy.class, IdleStrategies.of("YIELDING", 1_000_000, 10));
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.of("busy-spin", 1_000_000, 10));
        assertInstanceOf(SleepingMillisIdleStrategy.class, IdleStrategies.of("sleeping", 1_000_000, 10));
        assertNotSame(IdleStrategies.of("backoff", 1_000_000, 10), IdleStrategies.of("backoff", 1_000_000, 10),
            "idle strategies keep state: one per thread");
    }

    @Test
    void badValuesAreNamed()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("spinny", 1_000_000, 10))
            .getMessage().contains("spinny"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IdleStrategies.of("backoff", 10, 10))
            .getMessage().contains("10 ns"));
    }
}
