package io.dsm.samples.counter;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.samples.Rendezvous;

/**
 * N JVMs increment one shared counter with plain {@code total++}: a compound assignment to a shared field is one
 * atomic read-modify-write across the JVMs, so the total is exact.
 * <pre>
 *   java -javaagent:dsm-agent.jar -cp dsm-samples.jar io.dsm.samples.counter.SharedCounter JVMS INCREMENTS RUN
 * </pre>
 */
public final class SharedCounter
{
    /** The counter every JVM increments; a plain Java field as far as this code is concerned. */
    @Shared
    static long total;

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
        final Rendezvous start = new Rendezvous(run + "/counter-start");
        final Rendezvous done = new Rendezvous(run + "/counter-done");
        start.await(jvms, 60_000);
        // The counter may hold what an earlier run left (the coordinator lingers a while): count from there.
        final long base = total;
        new Rendezvous(run + "/counter-base").await(jvms, 60_000);

        final long startNs = System.nanoTime();
        for (int i = 0; i < increments; i++)
        {
            total++;
        }
        final long micros = (System.nanoTime() - startNs) / 1_000;
        System.out.println("node " + node + ": did " + increments + " increments in " + micros / 1000 + " ms");

        done.await(jvms, 60_000);
        System.out.println("node " + node + ": total = " + total + " (started at " + base + ", expected " +
            (base + (long)jvms * increments) + ")");
    }
}
