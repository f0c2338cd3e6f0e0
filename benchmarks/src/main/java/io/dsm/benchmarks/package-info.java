/**
 * JMH benchmarks of dsm, each beside its baseline (a plain or volatile field, raw Aeron, Hazelcast), run in the
 * same suite on the same machine. {@link io.dsm.benchmarks.BenchmarkSuite} runs them and writes the report.
 * Benchmarks that need the agent run in JVMs forked with it; peers are real JVMs started in {@code @Setup}.
 */
package io.dsm.benchmarks;
