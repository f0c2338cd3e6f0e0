package io.dsm.benchmarks;

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

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark 1b: what dsm's value semantics cost this JVM. Reads of shared fields of each kind of value (a String, a
 * record, an immutable collection, an array, which a read copies, and an element read through the field) next to a
 * volatile reference; a compound assignment ({@code x++}, one atomic read-modify-write) next to a local write, a
 * volatile {@code x++} and {@code AtomicLong.incrementAndGet}; and writes of a record and of an array element, which
 * check (serialize) the value in the writing thread. This JVM holds write access throughout: no network.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ValueAccessBenchmark
{
    /** Baselines: volatile fields; inputs are non-final fields so that the JIT cannot fold them. */
    @State(Scope.Thread)
    public static class Local
    {
        volatile String text = "some text";
        volatile BenchFields.Quote quote = new BenchFields.Quote("ACME", 101.5, 300);
        volatile long counter;
        final AtomicLong atomic = new AtomicLong();
        int index = 3;
        long next;
    }

    /** A coordinator; this JVM wrote every field, so it holds write access and valid replicas. */
    @State(Scope.Benchmark)
    public static class DsmState
    {
        DsmCluster cluster;
        int index = 3;
        long next;

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start();
            BenchFields.text = "some text";
            BenchFields.quote = new BenchFields.Quote("ACME", 101.5, 300);
            BenchFields.names = List.of("ann", "ben", "cid", "dan", "eve", "fay", "gus", "hal");
            BenchFields.numbers = new int[16];
            BenchFields.counted = 0;
            if (!Dsm.hasWriteAccess(Dsm.nameOf(BenchFields.class, "counted")))
            {
                throw new IllegalStateException("expected write access to 'counted'");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    @Benchmark
    public String readVolatileReference(final Local local)
    {
        return local.text;
    }

    @Benchmark
    public String readSharedString(final DsmState dsm)
    {
        return BenchFields.text;
    }

    @Benchmark
    public BenchFields.Quote readSharedRecord(final DsmState dsm)
    {
        return BenchFields.quote;
    }

    @Benchmark
    public List<String> readSharedList(final DsmState dsm)
    {
        return BenchFields.names;
    }

    @Benchmark
    public int[] readSharedArray(final DsmState dsm)
    {
        return BenchFields.numbers;
    }

    @Benchmark
    public int readSharedArrayElement(final DsmState dsm)
    {
        return BenchFields.numbers[dsm.index];
    }

    @Benchmark
    public void incrementVolatileField(final Local local)
    {
        local.counter++;
    }

    @Benchmark
    public long incrementAtomicLong(final Local local)
    {
        return local.atomic.incrementAndGet();
    }

    @Benchmark
    public void incrementSharedField(final DsmState dsm)
    {
        BenchFields.counted++;
    }

    @Benchmark
    public void writeVolatileRecord(final Local local)
    {
        local.quote = new BenchFields.Quote("ACME", 101.5, local.next++);
    }

    @Benchmark
    public void writeSharedRecord(final DsmState dsm)
    {
        BenchFields.quote = new BenchFields.Quote("ACME", 101.5, dsm.next++);
    }

    @Benchmark
    public void writeSharedArrayElement(final DsmState dsm)
    {
        BenchFields.numbers[dsm.index] = (int)dsm.next++;
    }
}
