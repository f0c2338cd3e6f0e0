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
        final Spin spin = new Spin();
        switch (args[0])
        {
            case "pong":
            {
                long last = BenchFields.ping; // read before saying ready: the first ping must be one we answer
                System.out.println("node " + node + " ready");
                while (true)
                {
                    final long ping = BenchFields.ping;
                    if (ping != last)
                    {
                        last = ping;
                        BenchFields.pong = ping;
                        spin.reset();
                    }
                    else
                    {
                        spin.idle();
                    }
                }
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
                long last = BenchFields.broadcast;
                System.out.println("node " + node + " ready");
                while (true)
                {
                    final long value = BenchFields.broadcast;
                    if (value != last)
                    {
                        last = value;
                        ack.seen = value;
                        spin.reset();
                    }
                    else
                    {
                        spin.idle();
                    }
                }
            }
            default:
                throw new IllegalArgumentException("unknown role " + args[0]);
        }
    }
}
