package demo.shared;

import io.dsm.Dsm;
import io.dsm.Shared;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code writer N [api]} writes {@code Point(N, -N)} and waits for the reader's acknowledgement; {@code reader N [api]}
 * waits for that point and acknowledges it. With {@code api}, each also calls {@code Dsm.nodeId()}. Every wait has a
 * deadline of 60 s.
 */
public final class Main
{
    @Shared("platform.where")
    static Point where;

    @Shared("platform.ack")
    static int ack;

    private Main()
    {
    }

    public static void main(final String[] args)
    {
        final int n = Integer.parseInt(args[1]);
        System.out.println("loaded by " + Main.class.getClassLoader().getClass().getName() + " in " +
            Main.class.getModule());
        if (args.length > 2 && "api".equals(args[2]))
        {
            System.out.println("node " + Dsm.nodeId());
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        if ("writer".equals(args[0]))
        {
            where = new Point(n, -n);
            System.out.println("wrote " + where);
            while (ack != n)
            {
                waitUntil(deadline, "the reader's acknowledgement");
            }
            System.out.println("acknowledged " + ack);
        }
        else
        {
            Point seen;
            while ((seen = where) == null || seen.x() != n)
            {
                waitUntil(deadline, "Point[x=" + n + "]");
            }
            System.out.println("read " + seen);
            ack = n;
        }
    }

    private static void waitUntil(final long deadline, final String what)
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new IllegalStateException("timed out after 60 s waiting for " + what);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
}
