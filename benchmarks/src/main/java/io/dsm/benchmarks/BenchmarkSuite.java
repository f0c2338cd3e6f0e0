package io.dsm.benchmarks;

import io.dsm.benchmarks.report.ReportGenerator;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark suite and writes JMH JSON, then the Markdown report and chart.
 * <pre>
 *   java -Dbench.agent.jar=agent/target/dsm-agent.jar -jar benchmarks/target/benchmarks.jar [options]
 *     --out DIR         where results go (default docs/bench)
 *     --idle NAME       dsm idle strategy of every JVM in the run: doorbell (default), backoff or yielding
 *     --warm-ns N       dsm.idle.warm.ns of every JVM in the run (default: dsm's default)
 *     --max-park-ns N   dsm.idle.max.park.ns of every JVM in the run (default: dsm's default)
 *     --include REGEX   benchmarks to run (default all)
 *     --smoke           one fork, one short iteration each, smallest parameters: checks that all still work
 *     --report-only     only regenerate the report from the JSON files in DIR
 * </pre>
 */
public final class BenchmarkSuite
{
    private BenchmarkSuite()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Path out = Path.of("docs", "bench");
        String idle = "doorbell";
        String include = "io\\.dsm\\.benchmarks\\..*";
        boolean smoke = false;
        boolean reportOnly = false;
        String warmNs = null;
        String maxParkNs = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                case "--idle":
                    idle = args[++i];
                    break;
                case "--warm-ns":
                    warmNs = args[++i];
                    break;
                case "--max-park-ns":
                    maxParkNs = args[++i];
                    break;
                case "--include":
                    include = args[++i];
                    break;
                case "--smoke":
                    smoke = true;
                    break;
                case "--report-only":
                    reportOnly = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        if (!reportOnly)
        {
            final String agent = Path.of(PeerProcess.agentJar()).toAbsolutePath().toString();
            // A fixed, pre-touched heap: with the default (a quarter of this VM's 24 GiB), benchmarks that allocate
            // were bimodal by iteration (an int[16] read: 5 ns or 400 ns), from first-touch page faults.
            final List<String> jvmArgs = new ArrayList<>(List.of(
                "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
                "-javaagent:" + agent,
                "-Dbench.agent.jar=" + agent,
                "-Ddsm.idle.strategy=" + idle,
                "-Dhazelcast.phone.home.enabled=false",
                "-Dhazelcast.logging.type=none"));
            if (warmNs != null)
            {
                jvmArgs.add("-Ddsm.idle.warm.ns=" + warmNs);
                System.setProperty("dsm.idle.warm.ns", warmNs);
            }
            if (maxParkNs != null)
            {
                jvmArgs.add("-Ddsm.idle.max.park.ns=" + maxParkNs);
                System.setProperty("dsm.idle.max.park.ns", maxParkNs);
            }
            final ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .jvmArgsAppend(jvmArgs.toArray(new String[0]))
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("jmh-" + idle + (warmNs == null ? "" : "-warm" + warmNs) + ".json").toString());
            if (smoke)
            {
                options.forks(1)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(300))
                    .param("readers", "1")
                    .param("variables", "1")
                    .param("pauseMs", "1");
            }
            System.setProperty("dsm.idle.strategy", idle);
            new Runner(options.build()).run();
        }
        if (!smoke)
        {
            ReportGenerator.write(out);
        }
    }
}
