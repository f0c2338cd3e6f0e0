package io.dsm.it.programs;

/**
 * One writer writes 1..N to ItFields.sequence; readers poll it and check that it never goes back.
 * args: writer|reader, parties, N. The writer ends by saying whether it still holds write access.
 */
public final class SequenceProgram
{
    public static void main(final String[] args)
    {
        final boolean writer = "writer".equals(args[0]);
        final int parties = Integer.parseInt(args[1]);
        final long last = Long.parseLong(args[2]);
        new Barrier("sequence-start").await(parties);
        if (writer)
        {
            for (long i = 1; i <= last; i++)
            {
                ItFields.sequence = i;
            }
            System.out.println("wrote " + last);
        }
        else
        {
            long previous = 0;
            long distinct = 0;
            final long deadline = System.currentTimeMillis() + 60_000;
            while (previous < last)
            {
                final long now = ItFields.sequence;
                if (now < previous)
                {
                    System.out.println("WENT BACK from " + previous + " to " + now);
                    System.exit(3);
                }
                if (now != previous)
                {
                    distinct++;
                    previous = now;
                }
                if (System.currentTimeMillis() > deadline)
                {
                    System.out.println("STUCK at " + previous);
                    System.exit(4);
                }
            }
            System.out.println("monotonic " + distinct + " last " + previous);
        }
        new Barrier("sequence-done").await(parties);
        if (writer)
        {
            // Readers in update mode leave the writer its write access; invalidating readers downgraded it.
            System.out.println("writer holds write access " +
                io.dsm.Dsm.hasWriteAccess(io.dsm.Dsm.nameOf(ItFields.class, "sequence")));
        }
    }
}
