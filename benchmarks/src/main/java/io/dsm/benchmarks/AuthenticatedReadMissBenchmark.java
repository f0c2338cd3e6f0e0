package io.dsm.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What authenticating the data plane costs (docs/SECURITY.md): {@link ReadMissBenchmark}'s read of a variable a peer
 * JVM has just written, on the directory on Aeron Cluster, without {@code dsm.secret} (the baseline) and with it, when
 * every message between the two nodes carries a keyed MAC that the receiver checks (the read to the owner and the
 * value back: two on the measured path).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuthenticatedReadMissBenchmark
{
    /** {@link ReadMissBenchmark}'s cluster, on Aeron Cluster, with or without the secret. */
    @State(Scope.Benchmark)
    public static class SecretState extends ReadMissBenchmark.MissState
    {
        @Param({"none", "set"})
        String secret;

        @Override
        protected void configure()
        {
            System.setProperty("dsm.coordinator.engine", "cluster");
            if ("set".equals(secret))
            {
                System.setProperty("dsm.secret", "a-secret-of-this-benchmark-run");
            }
        }
    }

    @Benchmark
    public long readMiss(final SecretState state)
    {
        return BenchFields.missed;
    }
}
