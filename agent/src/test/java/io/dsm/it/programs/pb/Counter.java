package io.dsm.it.programs.pb;

import io.dsm.Shared;

/** Same simple name as {@link io.dsm.it.programs.pa.Counter}, another class: another variable. */
public final class Counter
{
    @Shared public static long hits;

    private Counter()
    {
    }
}
