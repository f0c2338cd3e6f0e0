package io.dsm.it.programs;

import io.dsm.Shared;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One JVM of the fault suite: reads, writes and increments three shared registers at random until a deadline, and
 * prints each operation as it happens, so that a JVM killed mid-run leaves its history up to its death: {@code c
 * <id> <register> <kind> <call ns> <written>} before the operation, {@code r <id> <return ns> <read>} after it, and
 * {@code e <id> <exception>} when it failed ({@code System.nanoTime()}: one clock for every JVM of the host). An
 * operation with a call and no return has an unknown outcome. Written values are unique per JVM. Args: label (a
 * number), run time in ms, pause between operations in µs, seed.
 */
public final class FaultProgram
{
    /** The registers. */
    public static final class Registers
    {
        @Shared public static long r0;
        @Shared public static long r1;
        @Shared public static long r2;

        private Registers()
        {
        }
    }

    private FaultProgram()
    {
    }

    public static void main(final String[] args)
    {
        final int label = Integer.parseInt(args[0]);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[1]));
        final long pauseNs = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[2]));
        final Random random = new Random(Long.parseLong(args[3]));
        System.out.println("started");
        long seq = 0;
        while (System.nanoTime() - deadline < 0)
        {
            final String id = label + "-" + seq++;
            final int register = random.nextInt(3);
            final int dice = random.nextInt(10);
            final String kind = dice < 5 ? "read" : dice < 8 ? "write" : "rmw";
            final long written = ((long)label << 40) | seq;
            final long call = System.nanoTime();
            System.out.println("c " + id + " " + register + " " + kind + " " + call + " " + written);
            try
            {
                final long read;
                switch (kind)
                {
                    case "read":
                        read = get(register);
                        break;
                    case "write":
                        set(register, written);
                        read = 0;
                        break;
                    default:
                        read = increment(register);
                        break;
                }
                System.out.println("r " + id + " " + System.nanoTime() + " " + read);
            }
            catch (final RuntimeException ex)
            {
                System.out.println("e " + id + " " + ex.toString().replace('\n', ' '));
            }
            LockSupport.parkNanos(pauseNs / 2 + random.nextInt((int)Math.max(1, pauseNs)));
        }
        // What the fault suite's network did to this JVM's frames (zero unless its driver disorders them).
        System.out.println("frames duplicated " +
            io.dsm.transport.debug.DisorderingReceiveChannelEndpoint.DUPLICATED.get() + " reordered " +
            io.dsm.transport.debug.DisorderingReceiveChannelEndpoint.REORDERED.get());
        System.out.println("done " + seq);
    }

    private static long get(final int register)
    {
        switch (register)
        {
            case 0:
                return Registers.r0;
            case 1:
                return Registers.r1;
            default:
                return Registers.r2;
        }
    }

    private static void set(final int register, final long value)
    {
        switch (register)
        {
            case 0:
                Registers.r0 = value;
                break;
            case 1:
                Registers.r1 = value;
                break;
            default:
                Registers.r2 = value;
                break;
        }
    }

    /** @return the value before the increment. */
    private static long increment(final int register)
    {
        switch (register)
        {
            case 0:
                return Registers.r0++;
            case 1:
                return Registers.r1++;
            default:
                return Registers.r2++;
        }
    }
}
