package io.dsm.it;

import io.dsm.it.programs.ShellProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A directory of three Aeron Cluster members in three JVMs, and two nodes: the leader is killed with {@code kill -9}
 * and a write that needs the directory (write access handed over from the other node) succeeds again once a new
 * leader is elected, with the value read before the crash intact. The time from the kill to the first such write is
 * printed (docs/faults/).
 */
@Tag("slow")
class ClusterFailoverIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path state;

    @Test
    @Timeout(240)
    void writesResumeAfterTheLeaderIsKilled()
    {
        final int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(1_000);
        final String members = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 10) + ",127.0.0.1:" + (base + 20);
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=cluster", "dsm.coordinator.members=" + members))
        {
            final List<JvmCluster.Jvm> directory = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                directory.add(cluster.startDirectoryMember(i, state.resolve("member" + i)));
            }
            final JvmCluster.Jvm[] leader = new JvmCluster.Jvm[1];
            Await.until(() -> "a leader among the members: " + cluster.describeAll(), WAIT, () ->
            {
                for (final JvmCluster.Jvm member : directory)
                {
                    if (member.stdout().stream().anyMatch(line -> line.endsWith(" is LEADER")))
                    {
                        leader[0] = member;
                        return true;
                    }
                }
                return false;
            });

            final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of());
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);
            assertEquals("ok wrote 1", a.ask("write 1", "ok wrote", WAIT));
            assertEquals("ok read 1", b.ask("read", "ok read", WAIT));

            leader[0].kill9();
            final long killedNs = System.nanoTime();
            // Write access must move from a to b through the directory: retried until the new leader answers.
            int attempts = 0;
            String answer;
            do
            {
                attempts++;
                answer = b.ask("write 2", "ok wrote", WAIT);
            }
            while (!answer.startsWith("ok") && System.nanoTime() - killedNs < TimeUnit.SECONDS.toNanos(60));
            final long resumedNs = System.nanoTime();
            assertEquals("ok wrote 2", answer, () -> "a write after the leader's death: " + cluster.describeAll());
            assertEquals("ok read 2", a.ask("read", "ok read", WAIT));
            System.out.println("ClusterFailoverIT: leader " + leader[0].label + " killed; the first write through the " +
                "directory returned " + (resumedNs - killedNs) / 1_000_000 + " ms later, attempt " + attempts);
            assertTrue(directory.stream().filter(m -> m != leader[0])
                .anyMatch(m -> m.stdout().stream().anyMatch(line -> line.endsWith(" is LEADER"))),
                "another member became leader: " + cluster.describeAll());
            for (final JvmCluster.Jvm node : List.of(a, b))
            {
                node.send("exit");
                assertEquals(0, node.awaitExit(WAIT), node.describe());
            }
        }
    }
}
