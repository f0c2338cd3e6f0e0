package io.dsm.it.programs;

import io.dsm.Dsm;

/** Increments ItFields.counter under write access; args: parties, increments. */
public final class CounterProgram
{
    public static void main(final String[] args)
    {
        final int parties = Integer.parseInt(args[0]);
        final int increments = Integer.parseInt(args[1]);
        final String name = Dsm.nameOf(ItFields.class, "counter");
        new Barrier("counter-start").await(parties);
        for (int i = 0; i < increments; i++)
        {
            Dsm.withWriteAccess(name, () -> ItFields.counter++);
        }
        new Barrier("counter-done").await(parties);
        System.out.println("total " + ItFields.counter);
    }
}
