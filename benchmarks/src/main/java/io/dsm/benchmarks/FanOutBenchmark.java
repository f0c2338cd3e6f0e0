package io.dsm.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Benchmark 6: one writer (this JVM), K reader JVMs. The time from a write until every reader has seen it (each
 * acknowledges by writing the value it saw into its own shared {@code Ack}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class FanOutBenchmark
{
    /** A coordinator and K readers. */
    @State(Scope.Benchmark)
    public static class FanOutState
    {
        @Param({"1", "2", "4"})
        int readers;

        DsmCluster cluster;
        BenchFields.Ack[] acks;
        final Spin spin = new Spin();
        long round;

        String replication()
        {
            return "invalidate";
        }

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start(replication());
            round = BenchFields.broadcast;
            acks = new BenchFields.Ack[readers];
            for (int k = 0; k < readers; k++)
            {
                acks[k] = new BenchFields.Ack(k);
                cluster.peer("reader" + k, "reader", String.valueOf(k));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    /** The same with {@code dsm.replication=update} in every JVM: the write goes to the readers in two phases. */
    @State(Scope.Benchmark)
    public static class FanOutUpdateState extends FanOutState
    {
        @Override
        String replication()
        {
            return "update";
        }
    }

    /** The same with {@code dsm.replication=push} in every JVM: the readers apply the write at once. */
    @State(Scope.Benchmark)
    public static class FanOutPushState extends FanOutState
    {
        @Override
        String replication()
        {
            return "push";
        }
    }

    @Benchmark
    public long writeUntilAllReadersSawIt(final FanOutState state)
    {
        return fanOut(state);
    }

    @Benchmark
    public long writeUntilAllReadersSawItUpdate(final FanOutUpdateState state)
    {
        return fanOut(state);
    }

    @Benchmark
    public long writeUntilAllReadersSawItPush(final FanOutPushState state)
    {
        return fanOut(state);
    }

    private static long fanOut(final FanOutState state)
    {
        final long i = ++state.round;
        BenchFields.broadcast = i;
        for (final BenchFields.Ack ack : state.acks)
        {
            state.spin.reset();
            while (ack.seen != i)
            {
                state.spin.idle();
            }
        }
        return i;
    }
}
