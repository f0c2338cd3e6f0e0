package io.dsm.it;

import io.dsm.it.programs.EventsProgram;
import io.dsm.test.DsmCluster;
import io.dsm.test.DsmExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar dsm-agent.jar} as a user types it: {@code --help} and {@code --version} on every command, a usage
 * error's exit code and message, {@code config} saying where each value comes from, and the read-only commands
 * against a live cluster (on the test kit, dsm-test).
 */
@ExtendWith(DsmExtension.class)
class CommandLineIT
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private record Result(int exit, String out, String err)
    {
    }

    @Test
    @Timeout(120)
    void helpAndVersionOnEveryCommandAndUsageErrorsExitWithTwo() throws Exception
    {
        final Result version = run(Map.of(), List.of(), "--version");
        assertEquals(0, version.exit, version.toString());
        assertTrue(version.out.startsWith("dsm ") && version.out.contains("Java "), version.out);

        final Result help = run(Map.of(), List.of(), "--help");
        assertEquals(0, help.exit, help.toString());
        for (final String command : List.of("coordinator", "driver", "config", "variables", "members", "show", "top",
            "counters", "help"))
        {
            assertTrue(help.out.contains(command), "lists " + command + ": " + help.out);
        }

        for (final String command : List.of("coordinator", "driver", "config", "variables", "members", "show", "top",
            "counters"))
        {
            // --help describes the command and exits: coordinator --help once started a coordinator.
            final Result commandHelp = run(Map.of(), List.of(), command, "--help");
            assertEquals(0, commandHelp.exit, commandHelp.toString());
            assertTrue(commandHelp.out.contains("Usage: java -jar dsm-agent.jar " + command), commandHelp.out);
            final Result commandVersion = run(Map.of(), List.of(), command, "--version");
            assertEquals(0, commandVersion.exit, commandVersion.toString());
            assertEquals(version.out, commandVersion.out);
        }

        final Result unknown = run(Map.of(), List.of(), "status");
        assertEquals(2, unknown.exit, unknown.toString());
        assertTrue(unknown.err.contains("status"), "names what it did not know: " + unknown.err);

        final Result badOption = run(Map.of(), List.of(), "config", "--verbose");
        assertEquals(2, badOption.exit, badOption.toString());
        assertTrue(badOption.err.contains("--verbose"), badOption.err);

        final Result none = run(Map.of(), List.of());
        assertEquals(2, none.exit, none.toString());
        assertTrue(none.err.contains("Usage:"), none.err);
    }

    @Test
    @Timeout(60)
    void configSaysWhereEachValueComesFromAndHidesTheSecret() throws Exception
    {
        final Result config = run(Map.of("DSM_TIMEOUT_MS", "2500", "DSM_SECRET", "a-secret-of-twenty-chars"),
            List.of("-Ddsm.lease.ms=1500"), "config");
        assertEquals(0, config.exit, config.toString());
        assertTrue(line(config, "dsm.lease.ms").matches("dsm\\.lease\\.ms\\s+1500\\s+-Ddsm\\.lease\\.ms\\s+3000"),
            line(config, "dsm.lease.ms"));
        assertTrue(line(config, "dsm.timeout.ms").matches(
            "dsm\\.timeout\\.ms\\s+2500\\s+environment DSM_TIMEOUT_MS\\s+\\d+"), line(config, "dsm.timeout.ms"));
        assertTrue(line(config, "dsm.coordinator.engine").matches("dsm\\.coordinator\\.engine\\s+cluster\\s+default\\s+" +
            "cluster"), line(config, "dsm.coordinator.engine"));
        assertTrue(line(config, "dsm.secret").contains("<set, hidden>"), line(config, "dsm.secret"));
        assertTrue(!config.out.contains("a-secret-of-twenty-chars"), "the secret is never printed");
    }

    @Test
    @Timeout(180)
    void readOnlyCommandsShowALiveCluster(final DsmCluster cluster) throws Exception
    {
        {
            final DsmCluster.Jvm a = cluster.start("a", EventsProgram.class, "1");
            final DsmCluster.Jvm b = cluster.start("b", EventsProgram.class, "1");
            final java.time.Duration wait = java.time.Duration.ofSeconds(60);
            final java.util.regex.Matcher joinedA = a.awaitMatch("members \\d+ node (\\d+) pid (\\d+)", wait);
            final java.util.regex.Matcher joinedB = b.awaitMatch("members \\d+ node (\\d+) pid (\\d+)", wait);
            a.send("write 42");
            a.awaitLine("ok wrote 42", wait);
            b.send("read");
            assertEquals("ok read 42", b.awaitLine("ok read", wait));
            final List<String> port = List.of("-Ddsm.coordinator.port=" + cluster.port());

            final Result variables = run(Map.of(), port, "variables");
            assertEquals(0, variables.exit, variables.toString());
            assertTrue(line(variables, "events.value").matches("events\\.value\\s+java\\.lang\\.Integer\\s+node " +
                joinedA.group(1) + "\\s+n/a\\s+[1-9]\\d*\\s+\\d+"), "owner a (who keeps its readers): " + variables.out);
            assertTrue(variables.out.contains("1 variables"), variables.out);

            final Result members = run(Map.of(), port, "members");
            assertEquals(0, members.exit, members.toString());
            final String since = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
            assertTrue(members.out.lines().anyMatch(l -> l.matches(joinedA.group(1) + "\\s+" + joinedA.group(2) +
                "\\s+pid " + joinedA.group(2) + "@.*\\s+" + since + "\\s+1")), "a, which owns one variable: " +
                members.out);
            assertTrue(members.out.lines().anyMatch(l -> l.matches(joinedB.group(1) + "\\s+" + joinedB.group(2) +
                "\\s+pid " + joinedB.group(2) + "@.*\\s+" + since + "\\s+0")), "b, which owns none: " + members.out);
            assertTrue(members.out.lines().anyMatch(l -> l.contains("dsm members (read-only)") &&
                l.endsWith("(this command)")), members.out);
            assertTrue(members.out.contains("3 members"), members.out);

            final Result show = run(Map.of(), port, "show", "events.value");
            assertEquals(0, show.exit, show.toString());
            assertTrue(show.out.startsWith("events.value = 42\n"), show.out);
            assertTrue(show.out.contains("type java.lang.Integer, owner node " + joinedA.group(1)), show.out);

            final Result missing = run(Map.of(), port, "show", "no.such.variable");
            assertEquals(1, missing.exit, missing.toString());
            assertTrue(missing.err.contains("no variable named 'no.such.variable'"), missing.err);

            final Result top = run(Map.of(), port, "top", "--iterations", "2", "--interval", "300");
            assertEquals(0, top.exit, top.toString());
            assertEquals(2, top.out.lines().filter(l -> l.startsWith("dsm top ") && l.endsWith("1 variables")).count(),
                top.out);
            assertEquals(2, top.out.lines().filter(l -> l.matches("events\\.value\\s+\\d+\\.\\d\\s+node " +
                joinedA.group(1) + "\\s+0\\s+n/a\\s+\\d+")).count(), top.out);

            // Counters, from outside: the node's and the directory's dsm counters, by process.
            // (the directory brings its counters up to date every second: the observers that left may still count)
            final long countersDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Result counters = run(Map.of(), List.of(), "counters");
            while (!counters.out.lines().anyMatch(l -> l.matches("\\d+\\s+2\\s+dsm directory .*: members")) &&
                System.nanoTime() - countersDeadline < 0)
            {
                counters = run(Map.of(), List.of(), "counters");
            }
            assertEquals(0, counters.exit, counters.toString());
            assertTrue(counters.out.lines().anyMatch(l -> l.matches("\\d+\\s+2\\s+dsm directory .*: members")),
                "the directory's members counter, 2: " + counters.out);
            assertTrue(counters.out.lines().anyMatch(l -> l.matches(joinedA.group(2) + "\\s+0\\s+dsm node .*: " +
                "malformed messages dropped")), "a's counters: " + counters.out);

            // The member the commands joined as has left each time: a and b are the members again.
            a.send("members");
            final String left = a.awaitLine("ok members", wait);
            assertEquals(2, left.split("Member\\[").length - 1, left);
        }

        final Result nobody = run(Map.of(), List.of("-Ddsm.coordinator.port=" + JvmCluster.freeUdpPort(),
            "-Ddsm.connect.timeout.ms=2000"), "variables");
        assertEquals(1, nobody.exit, nobody.toString());
        assertTrue(nobody.err.contains("could not join") && nobody.err.contains("is one running?"), nobody.err);
    }

    private static String line(final Result result, final String key)
    {
        return result.out.lines().filter(l -> l.startsWith(key + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no line for " + key + ": " + result.out)).trim();
    }

    private static Result run(final Map<String, String> environment, final List<String> jvmOptions,
        final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(JAVA));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JvmCluster.AGENT_JAR.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("DSM_"));
        builder.environment().putAll(environment);
        final Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(command + " did not exit within 30 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
