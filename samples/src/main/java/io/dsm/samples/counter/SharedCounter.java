package io.dsm.samples.counter;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.SharedId;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * N JVMs increment one shared counter with plain {@code total++}: a compound assignment to a shared field is one
 * atomic read-modify-write across the JVMs, so the total is exact.
 * <pre>
 *   java -javaagent:dsm-agent.jar -cp dsm-samples.jar io.dsm.samples.counter.SharedCounter JVMS INCREMENTS RUN
 * </pre>
 */
public final class SharedCounter
{
    /** One run's counter: the objects of the same run in every JVM share these fields. */
    static final class Tally
    {
        @SharedId
        final String run;

        /** The counter every JVM increments; a plain Java field as far as this code is concerned. */
        @Shared
        long total;

        /** How many JVMs are done. */
        @Shared
        int finished;

        Tally(final String run)
        {
            this.run = run;
        }
    }

    private SharedCounter()
    {
    }

    /**
     * @param args number of JVMs taking part, increments per JVM, and a name for this run (JVMs of one run meet).
     */
    public static void main(final String[] args)
    {
        final int jvms = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        final int increments = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        final String run = args.length > 2 ? args[2] : "default";
        final int node = Dsm.nodeId();
        System.out.println("node " + node + ": joined, waiting for " + jvms + " JVMs");
        System.out.println("node " + node + ": " + Dsm.awaitMembers(jvms, Duration.ofSeconds(60)).size() +
            " JVMs in the cluster");
        final Tally tally = new Tally(run);

        final long startNs = System.nanoTime();
        for (int i = 0; i < increments; i++)
        {
            tally.total++;
        }
        final long micros = (System.nanoTime() - startNs) / 1_000;
        System.out.println("node " + node + ": did " + increments + " increments in " + micros / 1000 + " ms");

        tally.finished++;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (tally.finished < jvms)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("only " + tally.finished + " of " + jvms + " JVMs finished in 60 s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        System.out.println("node " + node + ": total = " + tally.total + " (expected " + (long)jvms * increments + ")");
    }
}
