package io.dsm.benchmarks.peers;

import io.dsm.Dsm;
import io.dsm.benchmarks.BenchFields;
import io.dsm.benchmarks.Spin;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The dsm side of a benchmark, in a JVM started with the agent. args[0] is the role:
 * {@code pong} answers each new {@code ping} in {@code pong}; {@code writer} writes {@code missed} once per
 * input line and answers {@code ok}; {@code increment} increments {@code counter} under write access without end;
 * {@code reader K} acknowledges each new {@code broadcast} in {@code Ack(K)}.
 */
public final class DsmPeer
{
    public static void main(final String[] args) throws Exception
    {
        try
        {
            run(args);
        }
        catch (final io.dsm.DsmException ex)
        {
            // Stopped by the benchmark's tear-down while waiting for the cluster: nothing to report.
            System.out.println("stopped: " + ex.getMessage());
        }
    }

    private static void run(final String[] args) throws Exception
    {
        final int node = Dsm.nodeId();
        switch (args[0])
        {
            case "pong":
            {
                answerEachChange(node, () -> BenchFields.ping, value -> BenchFields.pong = value);
                return;
            }
            case "writer":
            {
                final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                long value = 0;
                System.out.println("node " + node + " ready");
                while (in.readLine() != null)
                {
                    BenchFields.missed = ++value;
                    System.out.println("ok " + value);
                }
                return;
            }
            case "increment":
            {
                final String counter = Dsm.nameOf(BenchFields.class, "counter");
                System.out.println("node " + node + " ready");
                while (true)
                {
                    Dsm.withWriteAccess(counter, () -> BenchFields.counter++);
                }
            }
            case "reader":
            {
                final BenchFields.Ack ack = new BenchFields.Ack(Integer.parseInt(args[1]));
                answerEachChange(node, () -> BenchFields.broadcast, value -> ack.seen = value);
                return;
            }
            default:
                throw new IllegalArgumentException("unknown role " + args[0]);
        }
    }

    /** Polls {@code watched}; passes every new value to {@code answer}. Reads once before saying ready, so that
     * the first change the benchmark makes is one this peer answers. */
    private static void answerEachChange(
        final int node, final java.util.function.LongSupplier watched, final java.util.function.LongConsumer answer)
    {
        final Spin spin = new Spin();
        long last = watched.getAsLong();
        System.out.println("node " + node + " ready");
        while (true)
        {
            final long value = watched.getAsLong();
            if (value != last)
            {
                last = value;
                answer.accept(value);
                spin.reset();
            }
            else
            {
                spin.idle();
            }
        }
    }
}
