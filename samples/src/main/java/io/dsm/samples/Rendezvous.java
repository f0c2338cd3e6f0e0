package io.dsm.samples;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.SharedId;

/**
 * A barrier across JVMs made of one shared instance field: the objects named alike in every JVM share
 * {@link #arrived}; each JVM increments it under write access, then waits until it reaches the expected count.
 */
public final class Rendezvous
{
    @SharedId
    private final String name;

    @Shared
    private int arrived;

    /**
     * @param name the barrier's name; JVMs that use the same name meet at the same barrier.
     */
    public Rendezvous(final String name)
    {
        this.name = name;
    }

    /**
     * Arrives and waits until {@code expected} arrivals in all were counted.
     *
     * @param expected  total arrivals to wait for.
     * @param timeoutMs how long to wait.
     * @throws IllegalStateException when the others do not arrive in time.
     */
    public void await(final int expected, final long timeoutMs)
    {
        Dsm.withWriteAccess(Dsm.nameOf(this, "arrived"), () -> arrived++);
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (arrived < expected)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("barrier " + name + ": only " + arrived + " of " + expected +
                    " arrived in " + timeoutMs + " ms");
            }
            Thread.onSpinWait();
        }
    }
}
