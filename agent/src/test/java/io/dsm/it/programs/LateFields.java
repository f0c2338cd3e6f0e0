package io.dsm.it.programs;

import io.dsm.Shared;

/** Loaded before the agent in {@link LateAttachProgram}. */
public final class LateFields
{
    @Shared
    public static long late;

    private LateFields()
    {
    }

    public static long get()
    {
        return late;
    }

    public static void set(final long value)
    {
        late = value;
    }
}
