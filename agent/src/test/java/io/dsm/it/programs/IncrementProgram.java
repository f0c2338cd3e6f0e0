package io.dsm.it.programs;

import io.dsm.Shared;

/** Increments a shared counter with plain x++, no API; args: parties, increments. */
public final class IncrementProgram
{
    @Shared public static long hits;

    private IncrementProgram()
    {
    }

    public static void main(final String[] args)
    {
        final int parties = Integer.parseInt(args[0]);
        final int increments = Integer.parseInt(args[1]);
        new Barrier("increment-start").await(parties);
        for (int i = 0; i < increments; i++)
        {
            hits++;
        }
        new Barrier("increment-done").await(parties);
        System.out.println("total " + hits);
    }
}
