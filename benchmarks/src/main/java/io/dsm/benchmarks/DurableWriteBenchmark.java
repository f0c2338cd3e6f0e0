package io.dsm.benchmarks;

import io.dsm.Dsm;
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
 * What {@code dsm.durability} costs an owner's write (docs/CONSISTENCY.md, "Durability"): the write of a field this
 * JVM holds write access to, with no other replica, in {@code fast} mode (local; the node's thread checkpoints it
 * later) and in {@code durable} mode (the write returns once the directory holds it: a round trip), against the
 * {@code classic} coordinator and the directory on Aeron Cluster (one member; the checkpoint goes through its log).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DurableWriteBenchmark
{
    /** A directory of the given engine, and write access to {@code written} in the given mode. */
    @State(Scope.Benchmark)
    public static class DsmState
    {
        @Param({"fast", "durable"})
        String durability;

        @Param({"classic", "cluster"})
        String engine;

        DsmCluster cluster;
        long next;

        @Setup(Level.Trial)
        public void setUp()
        {
            System.setProperty("dsm.durability", durability);
            System.setProperty("dsm.coordinator.engine", engine);
            cluster = DsmCluster.start();
            BenchFields.written = 1;
            if (!Dsm.hasWriteAccess(Dsm.nameOf(BenchFields.class, "written")))
            {
                throw new IllegalStateException("expected write access to 'written'");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    @Benchmark
    public void writeSharedField(final DsmState dsm)
    {
        BenchFields.written = dsm.next++;
    }
}
