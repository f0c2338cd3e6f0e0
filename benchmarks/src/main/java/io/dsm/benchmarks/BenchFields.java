package io.dsm.benchmarks;

import io.dsm.Shared;
import io.dsm.SharedId;

import java.util.List;

/** The shared fields of the benchmarks. */
public final class BenchFields
{
    /** Read-hit and local-write benchmarks. */
    @Shared public static long hit;
    @Shared public static long written;
    /** Ping-pong: the benchmark JVM writes ping, the peer answers in pong. */
    @Shared public static long ping;
    @Shared public static long pong;
    /** Read miss: the peer writes it, the benchmark JVM reads it. */
    @Shared public static long missed;
    /** Write-access transfer: both JVMs increment it. */
    @Shared public static long counter;
    /** Fan-out: the benchmark JVM writes it; each reader acknowledges in its own {@link Ack}. */
    @Shared public static long broadcast;
    /** Value access: one shared field per kind of value, and a counter for x++. */
    @Shared public static String text;
    @Shared public static Quote quote;
    @Shared public static List<String> names;
    @Shared public static int[] numbers;
    @Shared public static long counted;

    /** A record value. */
    public record Quote(String symbol, double price, long quantity)
    {
    }

    private BenchFields()
    {
    }

    /** One reader's acknowledgement in the fan-out benchmark. */
    public static final class Ack
    {
        @SharedId
        private final int reader;
        @Shared
        public long seen;

        public Ack(final int reader)
        {
            this.reader = reader;
        }
    }

    /** A variable of the scale benchmark. */
    public static final class Cell
    {
        @SharedId
        private final int index;
        @Shared
        public long value;

        public Cell(final int index)
        {
            this.index = index;
        }
    }
}
