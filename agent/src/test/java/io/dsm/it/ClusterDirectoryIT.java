package io.dsm.it;

import io.dsm.it.programs.SemanticsProgram;
import io.dsm.it.programs.ShellProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory on Aeron Cluster ({@code dsm.coordinator.engine=cluster}) with real JVMs: killed with {@code kill -9}
 * and started again on its state directory, it keeps every value it held, and the nodes that lived through the crash
 * go on reading and writing without restarting. Every JVM has the cluster's secret but one, which is refused.
 */
@Tag("slow")
class ClusterDirectoryIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "a-test-secret-of-this-cluster";

    @TempDir
    Path state;

    @Test
    @Timeout(180)
    void aDirectoryKilledWithSigkillComesBackWithEveryValueAndItsNodesGoOn()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=cluster", "dsm.coordinator.dir=" + state,
            "dsm.secret=" + SECRET))
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
            a.awaitLine("ready", WAIT);
            assertEquals("ok wrote 41", a.ask("write 41", "ok wrote", WAIT));
            // Given back: the directory now holds the only copy of the value.
            assertEquals("ok released", a.ask("release", "ok released", WAIT));
            final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of());
            b.awaitLine("ready", WAIT);
            assertEquals("ok read 41", b.ask("read", "ok read", WAIT));

            directory.kill9();
            final long killedNs = System.nanoTime();
            cluster.startCoordinator();
            final long restartedNs = System.nanoTime();

            final JvmCluster.Jvm c = cluster.startNode("c", ShellProgram.class, List.of());
            c.awaitLine("ready", WAIT);
            assertEquals("ok read 41", c.ask("read", "ok read", WAIT), "the value the directory held survived kill -9");
            assertEquals("ok wrote 42", b.ask("write 42", "ok wrote", WAIT), () -> "a node that lived through the " +
                "crash writes: " + b.describe() + "; directory: " + cluster.describeAll());
            final long wroteNs = System.nanoTime();
            assertEquals("ok read 42", a.ask("read", "ok read", WAIT), "and another reads it");
            System.out.println("ClusterDirectoryIT: directory restarted (listening) " +
                (restartedNs - killedNs) / 1_000_000 + " ms after kill -9; a node that lived through it wrote " +
                (wroteNs - killedNs) / 1_000_000 + " ms after the kill");
            assertEquals("ok read 42", c.ask("read", "ok read", WAIT));
            // A JVM with another secret is refused at the session, and says why.
            final JvmCluster.Jvm intruder = cluster.startNode("intruder", ShellProgram.class,
                List.of("-Ddsm.secret=not-the-cluster-secret"));
            intruder.awaitLine("ready", WAIT);
            final String refused = intruder.ask("read", "ok read", WAIT);
            assertTrue(refused.startsWith("error") && refused.contains("refused this node") &&
                refused.contains("dsm.secret"), refused);
            assertEquals("ok read 42", c.ask("read", "ok read", WAIT), "the members go on");
            for (final JvmCluster.Jvm node : List.of(a, b, c))
            {
                node.send("exit");
                assertEquals(0, node.awaitExit(WAIT), node.describe());
            }
        }
    }

    @Test
    @Timeout(180)
    void aValueLongerThanAClusterMessageGoesThroughTheDirectoryInChunksAndSurvivesItsCrash()
    {
        // A session's term is 1 MiB, so a message longer than 128 KiB goes as chunks: 4 MiB is 33 of them each way.
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=cluster", "dsm.coordinator.dir=" + state))
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", SemanticsProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startNode("b", SemanticsProgram.class, List.of());
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);
            assertEquals("ok written 4194304", a.ask("write-blob 4194304", "ok written", WAIT));
            final String written = a.ask("read-blob", "ok length", WAIT);
            assertTrue(written.startsWith("ok length=4194304 sum="), written);
            // Leaving, a gives the value back to the directory: the only copy is now in the directory's log.
            a.send("exit");
            assertEquals(0, a.awaitExit(WAIT), a.describe());

            directory.kill9();
            cluster.startCoordinator();
            assertEquals(written, b.ask("read-blob", "ok length", WAIT), () -> "the directory's 4 MiB came back " +
                "from its log after kill -9, in chunks: " + b.describe() + "; " + cluster.describeAll());
            assertEquals("", a.stderr(), "nothing was refused or dropped on the way");
            b.send("exit");
            assertEquals(0, b.awaitExit(WAIT), b.describe());
            assertEquals("", b.stderr());
        }
    }

    /**
     * The embedded default with nothing started by hand: the first node starts the directory, and when it dies by
     * {@code kill -9} its nodes start it again on the same state directory, where it finds every value it held.
     */
    @Test
    @Timeout(180)
    void anAutoStartedDirectoryKilledWithSigkillIsStartedAgainByItsNodesWithEveryValue()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.autostart=true",
            "dsm.coordinator.autostart.idle.exit.ms=3000", "dsm.coordinator.dir=" + state))
        {
            try
            {
                final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
                a.awaitLine("ready", WAIT);
                assertEquals("ok wrote 41", a.ask("write 41", "ok wrote", WAIT));
                assertEquals("ok released", a.ask("release", "ok released", WAIT), "only the directory holds it now");
                final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of());
                b.awaitLine("ready", WAIT);
                final ProcessHandle first = directories(cluster).get(0);

                first.destroyForcibly(); // SIGKILL
                final long killedNs = System.nanoTime();
                Await.until(() -> "the directory was not started again: " + cluster.describeAll(), WAIT,
                    () -> directories(cluster).stream().anyMatch(p -> p.pid() != first.pid()));
                final long startedNs = System.nanoTime();

                final JvmCluster.Jvm c = cluster.startNode("c", ShellProgram.class, List.of());
                c.awaitLine("ready", WAIT);
                assertEquals("ok read 41", c.ask("read", "ok read", WAIT), "the value only the directory held " +
                    "survived its kill -9: " + cluster.describeAll());
                assertEquals("ok wrote 42", b.ask("write 42", "ok wrote", WAIT), "a node that lived through it writes");
                final long wroteNs = System.nanoTime();
                assertEquals("ok read 42", a.ask("read", "ok read", WAIT));
                System.out.println("ClusterDirectoryIT: auto-started directory killed; a new one started by its " +
                    "nodes " + (startedNs - killedNs) / 1_000_000 + " ms after the kill; a node wrote " +
                    (wroteNs - killedNs) / 1_000_000 + " ms after it");
                for (final JvmCluster.Jvm node : List.of(a, b, c))
                {
                    node.send("exit");
                    assertEquals(0, node.awaitExit(WAIT), node.describe());
                }
                Await.until(() -> "the directory did not exit once idle", Duration.ofSeconds(30),
                    () -> directories(cluster).isEmpty());
            }
            finally
            {
                directories(cluster).forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** @return the directory processes nodes started for this cluster's port (this test's, by their command). */
    private static List<ProcessHandle> directories(final JvmCluster cluster)
    {
        final String port = "-Ddsm.coordinator.port=" + cluster.port + " ";
        return ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(port) && c.endsWith(" coordinator")).orElse(false))
            .filter(ProcessHandle::isAlive)
            .toList();
    }
}
