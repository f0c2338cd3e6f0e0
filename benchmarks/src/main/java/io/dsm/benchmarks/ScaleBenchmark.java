package io.dsm.benchmarks;

import io.dsm.Dsm;
import io.dsm.VariableInfo;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 7: 1, 1,000 and 100,000 variables. The score is the time to list every variable (from the
 * coordinator); the secondary result {@code bytesPerReplica} is this JVM's heap growth per variable created and
 * read, less the 16 bytes of its {@code Long} value and the 16 bytes of the {@code Cell} object the application
 * itself holds: what dsm keeps per replica.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseSerialGC"})
public class ScaleBenchmark
{
    private static final long VALUE_BYTES = 16;
    private static final long APPLICATION_OBJECT_BYTES = 16;

    /** A coordinator and N variables with a valid replica here. */
    @State(Scope.Benchmark)
    public static class ScaleState
    {
        @Param({"1", "1000", "100000"})
        int variables;

        DsmCluster cluster;
        BenchFields.Cell[] cells;
        double bytesPerReplica;

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start();
            new BenchFields.Cell(-1).value = 1; // joins the cluster and links the call sites first
            final long before = usedHeapAfterGc();
            cells = new BenchFields.Cell[variables];
            for (int i = 0; i < variables; i++)
            {
                final BenchFields.Cell cell = new BenchFields.Cell(i);
                cell.value = 1_000_000L + i; // outside the Long cache: every value is its own object
                cells[i] = cell;
            }
            final long after = usedHeapAfterGc();
            bytesPerReplica = (double)(after - before) / variables - VALUE_BYTES - APPLICATION_OBJECT_BYTES -
                4; // the array slot holding the Cell
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }

        private static long usedHeapAfterGc()
        {
            for (int i = 0; i < 3; i++)
            {
                System.gc();
            }
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }

    /**
     * Reported beside the score. JMH sums an EVENTS counter over the measured iterations: the report takes the
     * per-iteration value from the raw data (each iteration reports the same figure, measured once in set-up).
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Memory
    {
        public double bytesPerReplica;
    }

    @Benchmark
    public List<VariableInfo> listAllVariables(final ScaleState state, final Memory memory)
    {
        memory.bytesPerReplica = state.bytesPerReplica;
        final List<VariableInfo> all = Dsm.variables();
        if (all.size() < state.variables)
        {
            throw new IllegalStateException("listed " + all.size() + " of " + state.variables);
        }
        return all;
    }
}
