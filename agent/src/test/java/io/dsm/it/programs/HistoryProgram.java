package io.dsm.it.programs;

import io.dsm.Shared;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Reads, writes and increments one shared register from two threads, and prints the history: for each operation,
 * when it was called and returned ({@code System.nanoTime()}, one clock for every JVM of the host), what it read and
 * what it wrote. Args: label, parties (JVMs), operations per thread, seed.
 */
public final class HistoryProgram
{
    /** The register every JVM of the test reads and writes. */
    public static final class Register
    {
        @Shared public static long value;

        private Register()
        {
        }
    }

    private HistoryProgram()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String label = args[0];
        final int parties = Integer.parseInt(args[1]);
        final int operations = Integer.parseInt(args[2]);
        final long seed = Long.parseLong(args[3]);
        final long base = (seed & 0xFFFF) * 1_000_000_000L;
        final List<String> lines = new ArrayList<>();
        new Barrier("history-start").await(parties);
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++)
        {
            final int thread = t;
            threads[t] = new Thread(() ->
            {
                final Random random = new Random(seed * 31 + thread);
                final List<String> mine = new ArrayList<>(operations);
                for (int i = 0; i < operations; i++)
                {
                    final int dice = random.nextInt(20);
                    final long call = System.nanoTime();
                    try
                    {
                        if (dice < 10)
                        {
                            final long read = Register.value;
                            mine.add("op read " + call + " " + System.nanoTime() + " " + read + " -");
                        }
                        else if (dice < 17)
                        {
                            final long written = base + thread * 100_000_000L + i * 1_000L;
                            Register.value = written;
                            mine.add("op write " + call + " " + System.nanoTime() + " - " + written);
                        }
                        else
                        {
                            final long read = Register.value++;
                            mine.add("op rmw " + call + " " + System.nanoTime() + " " + read + " " + (read + 1));
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        mine.add("error " + dice + " " + call + " " + ex);
                    }
                    if (random.nextInt(4) == 0)
                    {
                        Thread.yield();
                    }
                }
                synchronized (lines)
                {
                    lines.addAll(mine);
                }
            }, label + "-" + t);
            threads[t].start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        new Barrier("history-done").await(parties);
        final StringBuilder out = new StringBuilder();
        for (final String line : lines)
        {
            out.append(line).append(' ').append(label).append('\n');
        }
        System.out.print(out);
        System.out.println("done " + lines.size());
    }
}
