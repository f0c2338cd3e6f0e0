package io.dsm.benchmarks;

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
import org.openjdk.jmh.annotations.Warmup;

import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark 3 with sparse traffic: the same ping-pong round, one round every {@code pauseMs} milliseconds (the pause
 * is a per-invocation set-up, outside the measured time). This is where the idle strategies differ: a process that
 * has parked since the last round pays a wake-up. The secondary result {@code cpuPercent} is the CPU time of every
 * JVM of the run (this one, the peer, the coordinator) per wall-clock time of the iteration, in percent of one core.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 4)
@Fork(1)
public class SparsePingPongBenchmark
{
    /** The pause between rounds, and the CPU used by the JVMs of the run meanwhile. */
    static final class Pacer
    {
        private final List<ProcessHandle> processes = new ArrayList<>();
        private long startWallNs;
        private long startCpuNs;
        double cpuPercent;

        void processes(final List<ProcessHandle> others)
        {
            processes.clear();
            processes.add(ProcessHandle.current());
            processes.addAll(others);
        }

        void startIteration()
        {
            startWallNs = System.nanoTime();
            startCpuNs = cpuNs();
        }

        void pause(final int pauseMs)
        {
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
            for (long left = until - System.nanoTime(); left > 0; left = until - System.nanoTime())
            {
                LockSupport.parkNanos(left);
            }
            cpuPercent = 100.0 * (cpuNs() - startCpuNs) / Math.max(1, System.nanoTime() - startWallNs);
        }

        private long cpuNs()
        {
            long total = 0;
            for (final ProcessHandle process : processes)
            {
                total += process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
            }
            return total;
        }
    }

    /** dsm, default replication mode. */
    @State(Scope.Benchmark)
    public static class SparseDsmState extends PingPongBenchmark.DsmState
    {
        @Param({"1", "10"})
        int pauseMs;
        final Pacer pacer = new Pacer();

        @Setup(Level.Iteration)
        public void startIteration()
        {
            pacer.processes(cluster.processes());
            pacer.startIteration();
        }

        @Setup(Level.Invocation)
        public void pause()
        {
            pacer.pause(pauseMs);
        }
    }

    /** dsm, update mode (two-phase). */
    @State(Scope.Benchmark)
    public static class SparseDsmUpdateState extends SparseDsmState
    {
        @Override
        String replication()
        {
            return "update";
        }
    }

    /** dsm, push mode. */
    @State(Scope.Benchmark)
    public static class SparseDsmPushState extends SparseDsmState
    {
        @Override
        String replication()
        {
            return "push";
        }
    }

    /** Raw Aeron, the same threading and idle strategy. */
    @State(Scope.Benchmark)
    public static class SparseAeronState extends PingPongBenchmark.AeronState
    {
        @Param({"1", "10"})
        int pauseMs;
        final Pacer pacer = new Pacer();

        @Setup(Level.Iteration)
        public void startIteration()
        {
            pacer.processes(List.of(peer.handle()));
            pacer.startIteration();
        }

        final IdleStrategy idle = AeronSupport.idleStrategy();

        /** Between rounds this JVM's thread goes on with its duty cycle and idle strategy, as dsm's thread does. */
        @Setup(Level.Invocation)
        public void pause()
        {
            final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs);
            while (System.nanoTime() - until < 0)
            {
                idle.idle(driverInvoker.invoke() + clientInvoker.invoke() + in.poll(onPong, 10));
            }
            pacer.pause(0);
        }
    }

    /**
     * Reported beside the score; JMH sums EVENTS counters over iterations, the report takes each iteration's value.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu
    {
        public double cpuPercent;
    }

    @Benchmark
    public long dsm(final SparseDsmState state, final Cpu cpu)
    {
        cpu.cpuPercent = state.pacer.cpuPercent;
        return PingPongBenchmark.pingPong(state);
    }

    @Benchmark
    public long dsmUpdate(final SparseDsmUpdateState state, final Cpu cpu)
    {
        cpu.cpuPercent = state.pacer.cpuPercent;
        return PingPongBenchmark.pingPong(state);
    }

    @Benchmark
    public long dsmPush(final SparseDsmPushState state, final Cpu cpu)
    {
        cpu.cpuPercent = state.pacer.cpuPercent;
        return PingPongBenchmark.pingPong(state);
    }

    @Benchmark
    public long aeron(final SparseAeronState state, final Cpu cpu)
    {
        cpu.cpuPercent = state.pacer.cpuPercent;
        return PingPongBenchmark.aeronRound(state);
    }
}
