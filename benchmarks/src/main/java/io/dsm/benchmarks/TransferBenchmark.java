package io.dsm.benchmarks;

import com.hazelcast.map.IMap;
import io.dsm.Dsm;
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
 * Benchmark 5: the migratory pattern. This JVM and a peer JVM increment one counter without pause, each increment
 * atomic across the cluster; the score is this JVM's increments per second. dsm: {@code withWriteAccess} around
 * {@code counter++}; Hazelcast: an atomic increment on the key's owner ({@code IMap.executeOnKey} with an entry
 * processor: {@code IAtomicLong} needs the CP subsystem, an Enterprise feature in Hazelcast 5.7) from a client here
 * and from the member there.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransferBenchmark
{
    /** A coordinator and a peer incrementing the same counter. */
    @State(Scope.Benchmark)
    public static class DsmState
    {
        DsmCluster cluster;
        String counter;
        final Runnable increment = () -> BenchFields.counter++;

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start();
            counter = Dsm.nameOf(BenchFields.class, "counter");
            cluster.peer("increment", "increment");
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    /** A member incrementing the atomic long, and a client here. */
    @State(Scope.Benchmark)
    public static class HazelcastState
    {
        HazelcastPair hazelcast;
        IMap<String, Long> counters;
        final IncrementProcessor increment = new IncrementProcessor();

        @Setup(Level.Trial)
        public void setUp()
        {
            hazelcast = HazelcastPair.start("increment");
            counters = hazelcast.client.getMap(HazelcastSupport.PLAIN_MAP);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            hazelcast.close();
        }
    }

    @Benchmark
    public void dsmWithWriteAccess(final DsmState state)
    {
        Dsm.withWriteAccess(state.counter, state.increment);
    }

    @Benchmark
    public Long hazelcastAtomicIncrement(final HazelcastState state)
    {
        return state.counters.executeOnKey("counter", state.increment);
    }
}
