package io.dsm.it.programs;

import io.dsm.Dsm;
import io.dsm.Shared;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** {@code JVMS INCREMENTS}: waits for the JVMs, increments {@code kit.hits}, waits until all are done, prints the total. */
public final class KitCounterProgram
{
    @Shared("kit.hits")
    static long hits;

    @Shared("kit.done")
    static int done;

    private KitCounterProgram()
    {
    }

    public static void main(final String[] args)
    {
        final int jvms = Integer.parseInt(args[0]);
        final int increments = Integer.parseInt(args[1]);
        Dsm.awaitMembers(jvms, Duration.ofSeconds(60));
        for (int i = 0; i < increments; i++)
        {
            hits++;
        }
        done++;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (done < jvms && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        System.out.println("total " + hits);
    }
}
