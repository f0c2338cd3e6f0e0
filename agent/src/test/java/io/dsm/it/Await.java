package io.dsm.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; never sleeps a fixed time. */
final class Await
{
    private Await()
    {
    }

    static void until(final Supplier<String> what, final Duration timeout, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError(what.get() + " within " + timeout);
            }
            // Checks every millisecond: a spinning test thread would take a core from the JVMs under test.
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }
}
