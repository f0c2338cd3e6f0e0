package io.dsm.it.programs;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.SharedId;

/** A barrier across JVMs, one shared counter per name. */
public final class Barrier
{
    @SharedId
    private final String name;
    @Shared
    private int arrived;

    public Barrier(final String name)
    {
        this.name = name;
    }

    public void await(final int parties)
    {
        Dsm.withWriteAccess(Dsm.nameOf(this, "arrived"), () -> arrived++);
        final long deadline = System.currentTimeMillis() + 60_000;
        while (arrived < parties)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("barrier " + name + ": " + arrived + " of " + parties);
            }
            Thread.onSpinWait();
        }
    }
}
