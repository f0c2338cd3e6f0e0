package io.dsm.transport;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DoorbellTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    @Test
    void aRingWakesASleeperThatWouldOtherwiseSleepForAnHour() throws Exception
    {
        try (Doorbell sleeper = Doorbell.open("127.0.0.1"); Doorbell ringer = Doorbell.open("127.0.0.1"))
        {
            final CountDownLatch asleep = new CountDownLatch(1);
            final AtomicBoolean rung = new AtomicBoolean();
            final Thread thread = new Thread(() ->
            {
                asleep.countDown();
                rung.set(sleeper.await(HOUR_NS));
            });
            thread.start();
            assertTrue(asleep.await(10, TimeUnit.SECONDS));
            ringer.ring(Doorbell.parse(sleeper.address()));
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), "the ring did not wake the sleeper within 10 s");
            assertTrue(rung.get(), "await says it was rung");
            assertEquals(1, ringer.rings());
            assertEquals(1, sleeper.wakeups());
        }
    }

    @Test
    void aLocalWakeupEndsTheSleepAndAnAwaitWithNoRingTimesOut() throws Exception
    {
        try (Doorbell bell = Doorbell.open("127.0.0.1"))
        {
            assertFalse(bell.await(1_000_000), "nothing rang: the 1 ms sleep times out");
            final Thread thread = new Thread(() -> bell.await(HOUR_NS));
            thread.start();
            bell.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), "wakeup() did not end the sleep within 10 s");
        }
    }

    @Test
    void addressesAreParsedOrRefusedByName()
    {
        assertEquals(new InetSocketAddress("127.0.0.1", 4242), Doorbell.parse("127.0.0.1:4242"));
        assertNull(Doorbell.parse(""), "empty: no doorbell");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Doorbell.parse("localhost"))
            .getMessage().contains("'localhost'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Doorbell.parse("h:99999"))
            .getMessage().contains("99999"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Doorbell.parse("h:port"))
            .getMessage().contains("'h:port'"));
    }

    @Test
    void theDoorbellStrategySleepsOnItsBellAndARingEndsTheSleep() throws Exception
    {
        try (Doorbell sleeper = Doorbell.open("127.0.0.1"); Doorbell ringer = Doorbell.open("127.0.0.1"))
        {
            assertInstanceOf(DoorbellIdleStrategy.class,
                IdleStrategies.of(IdleStrategies.DOORBELL, 1_000_000, 10, 0, sleeper));
            final IdleStrategy strategy = new DoorbellIdleStrategy(sleeper, 0, HOUR_NS);
            final CountDownLatch started = new CountDownLatch(1);
            final Thread thread = new Thread(() ->
            {
                started.countDown();
                strategy.idle(0);
            });
            thread.start();
            assertTrue(started.await(10, TimeUnit.SECONDS));
            ringer.ring(Doorbell.parse(sleeper.address()));
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), "idle(0) did not return within 10 s of a ring");
        }
    }

    @Test
    void afterPollAgainTheStrategyPollsOnceMoreBeforeItSleeps() throws Exception
    {
        try (Doorbell sleeper = Doorbell.open("127.0.0.1"); Doorbell ringer = Doorbell.open("127.0.0.1"))
        {
            final IdleStrategy strategy = new DoorbellIdleStrategy(sleeper, 0, HOUR_NS);
            final CountDownLatch polledAgain = new CountDownLatch(1);
            final Thread thread = new Thread(() ->
            {
                sleeper.pollAgain();
                strategy.idle(0); // returns at once: the transport did work that rang nothing
                polledAgain.countDown();
                strategy.idle(0); // sleeps: the flag was taken
            });
            thread.start();
            assertTrue(polledAgain.await(10, TimeUnit.SECONDS), "idle(0) slept although pollAgain() was called");
            ringer.ring(Doorbell.parse(sleeper.address()));
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertFalse(thread.isAlive(), "the second idle(0) did not return within 10 s of a ring");
            assertEquals(1, sleeper.wakeups(), "the second idle(0) slept on the bell and the ring woke it");
        }
    }

    @Test
    void withoutABellTheDoorbellStrategyFallsBackToBackoff()
    {
        assertFalse(IdleStrategies.of(IdleStrategies.DOORBELL, 1_000_000, 10, 0, null) instanceof DoorbellIdleStrategy);
    }
}
