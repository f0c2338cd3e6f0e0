package io.dsm.it.programs;

import io.dsm.Dsm;
import io.dsm.Shared;

/**
 * Mistakes a user can make: args "dsm" calls the API (without the agent it must say how to start the JVM); "refused"
 * touches a class whose shared field dsm refuses; "share" writes and reads a shared field.
 */
public final class MistakesProgram
{
    /** A shared field of a type dsm refuses. */
    public static final class Holder
    {
        @Shared public static StringBuilder text;

        private Holder()
        {
        }
    }

    @Shared public static long value;

    private MistakesProgram()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            switch (args[0])
            {
                case "dsm":
                    System.out.println("node " + Dsm.nodeId());
                    break;
                case "refused":
                    Holder.text = new StringBuilder("x");
                    System.out.println("refused field is " + Holder.text);
                    break;
                default:
                    value = 41;
                    value++;
                    System.out.println("value " + value);
            }
        }
        catch (final Throwable t)
        {
            System.out.println("error " + t.getClass().getName() + " " + t.getMessage() +
                (t.getCause() == null ? "" : " caused by " + t.getCause()));
        }
    }
}
