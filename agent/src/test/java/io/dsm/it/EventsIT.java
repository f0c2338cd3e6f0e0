package io.dsm.it;

import io.dsm.it.programs.EventsProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Dsm.members()}, {@code Dsm.awaitMembers} and {@code ClusterListener}, in real JVMs: a member joining and
 * leaving, write access moving between two JVMs, and both JVMs losing and regaining the cluster while the directory is
 * stopped ({@code SIGSTOP}) for longer than their lease.
 */
class EventsIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(180)
    void listenersHearMembersOwnershipAndTheClusterLostAndRegained()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.heartbeat.interval.ms=100", "dsm.lease.ms=700",
            "dsm.eviction.ms=20000"))
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", EventsProgram.class, List.of(), "2");
            final JvmCluster.Jvm b = cluster.startNode("b", EventsProgram.class, List.of(), "2");
            final Matcher joinedA = a.awaitMatch("members 2 node (\\d+) pid (\\d+)", WAIT);
            final Matcher joinedB = b.awaitMatch("members 2 node (\\d+) pid (\\d+)", WAIT);
            final String idA = joinedA.group(1);
            final String idB = joinedB.group(1);

            // Each hears of itself and of the other, with the other's process id.
            seen(a, "event joined " + idA + " pid " + joinedA.group(2) + " self true");
            seen(a, "event joined " + idB + " pid " + joinedB.group(2) + " self false");
            seen(b, "event joined " + idA + " pid " + joinedA.group(2) + " self false");

            // Write access moves to a, then from a to b: both hear of it.
            a.send("write 1");
            a.awaitLine("ok wrote 1", WAIT);
            seen(a, "event ownership events.value " + idA);
            b.send("write 2");
            b.awaitLine("ok wrote 2", WAIT);
            seen(b, "event ownership events.value " + idB);
            seen(a, "event ownership events.value " + idB);

            // The directory stopped for longer than the lease: both lose the cluster, and regain it once it resumes.
            directory.pause();
            try
            {
                seen(a, "event lost");
                seen(b, "event lost");
            }
            finally
            {
                directory.resume();
            }
            seen(a, "event regained");
            seen(b, "event regained");

            // b leaves: a hears of it, and lists a alone.
            b.send("exit");
            b.awaitLine("ok bye", WAIT);
            assertEquals(0, b.awaitExit(WAIT), b.describe());
            seen(a, "event left " + idB + " pid " + joinedB.group(2));
            a.send("members");
            final String members = a.awaitLine("ok members", WAIT);
            assertTrue(members.contains("nodeId=" + idA) && !members.contains("nodeId=" + idB), members);
            a.send("exit");
            assertEquals(0, a.awaitExit(WAIT), a.describe());
            assertEquals("", a.stderr().replaceAll("(?m)^\\[dsm\\].*WARN.*lease expired.*\\R?", ""),
                "nothing on stderr but the lease's expiry");
        }
    }

    /** Events come on their own thread, in between command answers: each is looked for in the whole output. */
    private static void seen(final JvmCluster.Jvm jvm, final String line)
    {
        Await.until(() -> jvm.label + " never printed '" + line + "': " + jvm.describe(), WAIT,
            () -> jvm.stdout().contains(line));
    }
}
