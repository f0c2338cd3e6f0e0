package io.dsm.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Benchmark 4: the time for this JVM to read a variable that a peer JVM has just written (so this JVM's replica was
 * invalidated): the miss fetches the new value, taking it back from the writer through the coordinator. Before each
 * read (outside the measured time) the peer writes and confirms that its write returned.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReadMissBenchmark
{
    /** A coordinator and a writer peer. */
    @State(Scope.Benchmark)
    public static class MissState
    {
        DsmCluster cluster;
        PeerProcess writer;

        @Setup(Level.Trial)
        public void setUp()
        {
            configure();
            cluster = DsmCluster.start();
            writer = cluster.peer("writer", "writer");
        }

        /** Sets the run's dsm properties before the cluster starts (a variant's own settings). */
        protected void configure()
        {
        }

        @Setup(Level.Invocation)
        public void invalidate()
        {
            writer.send("w");
            writer.await("ok", 30);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    @Benchmark
    public long readMiss(final MissState state)
    {
        return BenchFields.missed;
    }
}
