package io.dsm.it;

import io.dsm.coordinator.CoordinatorLock;
import io.dsm.it.programs.ShellProgram;
import io.dsm.it.programs.TypesProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ways to deploy: the embedded default (no coordinator to start by hand), a graceful leave that hands values
 * back, and IPC through one shared media driver.
 */
class DeploymentIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void withNothingButTheAgentTheFirstJvmStartsACoordinatorThatExitsWhenIdle() throws Exception
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.autostart=true",
            "dsm.coordinator.autostart.idle.exit.ms=1500"))
        {
            final String key = "127.0.0.1-" + cluster.port;
            assertFalse(CoordinatorLock.isHeld(key), "no coordinator before the nodes start");
            final JvmCluster.Jvm writer = cluster.startNode("writer", TypesProgram.class, List.of(), "writer");
            final JvmCluster.Jvm reader = cluster.startNode("reader", TypesProgram.class, List.of(), "reader");
            assertEquals("text=héllo wörld", reader.awaitLine("text=", WAIT));
            assertEquals("alice=15", reader.awaitLine("alice=", WAIT));
            assertEquals(0, writer.awaitExit(WAIT), writer.describe());
            assertEquals(0, reader.awaitExit(WAIT), reader.describe());
            assertTrue(CoordinatorLock.isHeld(key), "a coordinator process was started");
            Await.until(() -> "the auto-started coordinator did not exit once idle", Duration.ofSeconds(30),
                () -> !isHeld(key));
        }
    }

    private static boolean isHeld(final String key)
    {
        try
        {
            return CoordinatorLock.isHeld(key);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    @Test
    @Timeout(120)
    void aGracefulLeaveHandsTheLatestValueBack()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm first = cluster.startNode("first", ShellProgram.class, List.of());
            first.awaitLine("ready", WAIT);
            first.send("write 41");
            first.awaitLine("ok wrote 41", WAIT);
            first.send("write 99");
            first.awaitLine("ok wrote 99", WAIT);
            first.send("exit");
            assertEquals(0, first.awaitExit(WAIT), first.describe());

            final JvmCluster.Jvm second = cluster.startNode("second", ShellProgram.class, List.of());
            second.awaitLine("ready", WAIT);
            second.send("read");
            assertEquals("ok read 99", second.awaitLine("ok read", WAIT), "the value written last, never read " +
                "by anyone, survived its writer's exit");
        }
    }

    @Test
    @Timeout(120)
    void nodesAndCoordinatorCanTalkOverIpcThroughOneSharedMediaDriver() throws Exception
    {
        final Path dir = Files.createTempDirectory("dsm-ipc-");
        final String aeronDir = dir.resolve("driver").toString();
        try (JvmCluster cluster = new JvmCluster("dsm.driver=external", "dsm.aeron.dir=" + aeronDir,
            "dsm.coordinator.channel=aeron:ipc", "dsm.node.channel=aeron:ipc"))
        {
            final JvmCluster.Jvm driver = cluster.start("driver", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-Ddsm.aeron.dir=" + aeronDir, "-jar", JvmCluster.AGENT_JAR.toString(), "driver"));
            driver.awaitLine("media driver", WAIT);
            cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of());
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);
            a.send("write 12");
            a.awaitLine("ok wrote 12", WAIT);
            b.send("read");
            assertEquals("ok read 12", b.awaitLine("ok read", WAIT), b.describe());
            b.send("channel");
            assertTrue(b.awaitLine("ok channel", WAIT).startsWith("ok channel aeron:ipc"));
        }
    }
}
