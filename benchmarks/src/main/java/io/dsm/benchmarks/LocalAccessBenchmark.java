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
 * Benchmarks 1 and 2: a read of a shared field whose replica is valid, and a write with write access held and no
 * other replica, each next to a plain field, a volatile field, and (reads) a Hazelcast near-cache hit.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalAccessBenchmark
{
    /** Plain and volatile baselines; inputs are non-final fields so that the JIT cannot fold them. */
    @State(Scope.Thread)
    public static class Fields
    {
        long plain = 42;
        volatile long volatileField = 42;
        long next;
    }

    /** A coordinator, and this JVM's replica of {@code hit} made valid, and write access to {@code written}. */
    @State(Scope.Benchmark)
    public static class DsmState
    {
        DsmCluster cluster;
        long next;

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start();
            BenchFields.hit = 42;
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

    /** A Hazelcast member in another JVM and a client here whose near cache holds the key. */
    @State(Scope.Benchmark)
    public static class HazelcastState
    {
        HazelcastPair hazelcast;
        IMap<String, Long> nearCached;
        String key = "k";

        @Setup(Level.Trial)
        public void setUp()
        {
            hazelcast = HazelcastPair.start("none");
            nearCached = hazelcast.client.getMap(HazelcastSupport.NEAR_CACHED_MAP);
            nearCached.set(key, 42L);
            nearCached.get(key);
            nearCached.get(key);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            hazelcast.close();
        }
    }

    @Benchmark
    public long readPlainField(final Fields fields)
    {
        return fields.plain;
    }

    @Benchmark
    public long readVolatileField(final Fields fields)
    {
        return fields.volatileField;
    }

    @Benchmark
    public long readSharedField(final DsmState dsm)
    {
        return BenchFields.hit;
    }

    @Benchmark
    public Long readHazelcastNearCache(final HazelcastState hazelcast)
    {
        return hazelcast.nearCached.get(hazelcast.key);
    }

    @Benchmark
    public void writeVolatileField(final Fields fields)
    {
        fields.volatileField = fields.next++;
    }

    @Benchmark
    public void writeSharedField(final DsmState dsm)
    {
        BenchFields.written = dsm.next++;
    }
}
