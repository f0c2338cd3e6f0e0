package io.dsm.benchmarks;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the benchmarks working: runs the built benchmark jar once with {@code --smoke} (one fork, one short
 * iteration each) and checks that every benchmark produced a result. No timing is asserted.
 */
class BenchmarkSmokeIT
{
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyBenchmarkRunsAndReports() throws Exception
    {
        final Path out = Path.of("target", "smoke");
        final Path log = Path.of("target", "smoke.log");
        Files.createDirectories(out);
        // Only what this run writes counts: a file left by an earlier run (another default idle strategy) would hide
        // a missing one.
        try (var old = Files.list(out))
        {
            for (final Path file : (Iterable<Path>)old::iterator)
            {
                Files.delete(file);
            }
        }
        final Process suite = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dbench.agent.jar=" + System.getProperty("bench.agent.jar"),
            "-jar", Path.of("target", "benchmarks.jar").toString(),
            "--smoke", "--out", out.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        assertTrue(suite.waitFor(14, TimeUnit.MINUTES), "the smoke run did not finish; see " + log);
        assertEquals(0, suite.exitValue(), "the smoke run failed; see " + log.toAbsolutePath());

        final Set<String> ran = new TreeSet<>();
        for (final JsonElement result : JsonParser.parseString(Files.readString(out.resolve("jmh-doorbell.json")))
            .getAsJsonArray())
        {
            final String benchmark = result.getAsJsonObject().get("benchmark").getAsString();
            ran.add(benchmark.substring("io.dsm.benchmarks.".length()));
        }
        final Set<String> expected = new TreeSet<>(List.of(
            "LocalAccessBenchmark.readPlainField", "LocalAccessBenchmark.readVolatileField",
            "LocalAccessBenchmark.readSharedField", "LocalAccessBenchmark.readHazelcastNearCache",
            "LocalAccessBenchmark.writeVolatileField", "LocalAccessBenchmark.writeSharedField",
            "PingPongBenchmark.dsm", "PingPongBenchmark.dsmUpdate", "PingPongBenchmark.dsmPush", "PingPongBenchmark.aeron",
            "PingPongBenchmark.hazelcastImap", "PingPongBenchmark.hazelcastNearCache",
            "SparsePingPongBenchmark.dsm", "SparsePingPongBenchmark.dsmUpdate", "SparsePingPongBenchmark.dsmPush", "SparsePingPongBenchmark.aeron", "ReadMissBenchmark.readMiss",
            "TransferBenchmark.dsmWithWriteAccess", "TransferBenchmark.hazelcastAtomicIncrement",
            "FanOutBenchmark.writeUntilAllReadersSawIt", "FanOutBenchmark.writeUntilAllReadersSawItUpdate",
            "FanOutBenchmark.writeUntilAllReadersSawItPush",
            "ScaleBenchmark.listAllVariables",
            "ValueAccessBenchmark.readVolatileReference", "ValueAccessBenchmark.readSharedString",
            "ValueAccessBenchmark.readSharedRecord", "ValueAccessBenchmark.readSharedList",
            "ValueAccessBenchmark.readSharedArray", "ValueAccessBenchmark.readSharedArrayElement",
            "ValueAccessBenchmark.incrementVolatileField", "ValueAccessBenchmark.incrementAtomicLong",
            "ValueAccessBenchmark.incrementSharedField", "ValueAccessBenchmark.writeVolatileRecord",
            "ValueAccessBenchmark.writeSharedRecord", "ValueAccessBenchmark.writeSharedArrayElement",
            "DurableWriteBenchmark.writeSharedField", "AuthenticatedReadMissBenchmark.readMiss"));
        assertEquals(expected, ran);
    }
}
