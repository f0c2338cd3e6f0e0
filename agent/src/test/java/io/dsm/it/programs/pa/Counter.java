package io.dsm.it.programs.pa;

import io.dsm.Shared;

/** A class whose simple name another package uses too. */
public final class Counter
{
    @Shared public static long hits;

    private Counter()
    {
    }
}
