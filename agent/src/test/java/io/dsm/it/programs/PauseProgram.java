package io.dsm.it.programs;

import io.dsm.Shared;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Increments one shared counter until a deadline and prints every increment as a history line ({@code op rmw call
 * return read written - by}, {@code System.nanoTime()}, one clock for the host). The {@code owner} increments by one
 * about every 20 to 80 µs, so that it holds write access nearly all the time; the {@code taker} adds a million every 50 ms,
 * so that any increment computed from a value older than one of the taker's is told apart by its size. Args: role,
 * run time in ms.
 */
public final class PauseProgram
{
    /** The counter both JVMs increment. */
    public static final class Counter
    {
        @Shared public static long value;

        private Counter()
        {
        }
    }

    private PauseProgram()
    {
    }

    public static void main(final String[] args)
    {
        final boolean owner = "owner".equals(args[0]);
        final long runNs = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        final int capacity = 500_000;
        final long[] calls = new long[capacity];
        final long[] returns = new long[capacity];
        final long[] reads = new long[capacity];
        final long step = owner ? 1 : 1_000_000;
        new Barrier("pause-start").await(2);
        final long deadline = System.nanoTime() + runNs;
        int n = 0;
        int errors = 0;
        while (n < capacity && System.nanoTime() - deadline < 0)
        {
            final long call = System.nanoTime();
            try
            {
                final long read = owner ? Counter.value++ : (Counter.value += step) - step;
                returns[n] = System.nanoTime();
                calls[n] = call;
                reads[n] = read;
                n++;
                if (!owner)
                {
                    System.out.println("taker called " + call + " took " + (returns[n - 1] - call) / 1_000_000 + " ms");
                }
                if (owner && n % 2_000 == 0)
                {
                    System.out.println("owner made " + n);
                }
            }
            catch (final RuntimeException ex)
            {
                // An operation that failed (a timeout while the other JVM is paused) has an unknown outcome.
                errors++;
                System.out.println("failed " + call + " " + ex);
            }
            LockSupport.parkNanos(owner ? 20_000 : 50_000_000);
        }
        final StringBuilder out = new StringBuilder(n * 64);
        for (int i = 0; i < n; i++)
        {
            out.append("op rmw ").append(calls[i]).append(' ').append(returns[i]).append(' ').append(reads[i])
                .append(' ').append(reads[i] + step).append(' ').append(args[0]).append('\n');
        }
        System.out.print(out);
        System.out.println("done " + n + " " + errors);
        System.out.flush();
    }
}
