package io.dsm.it;

import io.dsm.it.programs.EventsProgram;
import io.dsm.test.DsmCluster;
import io.dsm.test.DsmExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Dsm.members()}, {@code Dsm.awaitMembers} and {@code ClusterListener}, in real JVMs: a member joining and
 * leaving, write access moving between two JVMs, and both JVMs losing and regaining the cluster while the directory is
 * stopped ({@code SIGSTOP}) for longer than their lease. Written on the test kit (dsm-test), as a user would.
 */
@ExtendWith(DsmExtension.class)
class EventsIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(180)
    void listenersHearMembersOwnershipAndTheClusterLostAndRegained(final DsmCluster cluster)
    {
        cluster.property("dsm.heartbeat.interval.ms", "100").property("dsm.lease.ms", "700")
            .property("dsm.eviction.ms", "20000");
        final DsmCluster.Jvm a = cluster.start("a", EventsProgram.class, "2");
        final DsmCluster.Jvm b = cluster.start("b", EventsProgram.class, "2");
        final Matcher joinedA = a.awaitMatch("members 2 node (\\d+) pid (\\d+)", WAIT);
        final Matcher joinedB = b.awaitMatch("members 2 node (\\d+) pid (\\d+)", WAIT);
        final String idA = joinedA.group(1);
        final String idB = joinedB.group(1);

        // Each hears of itself and of the other, with the other's process id. Events come on their own thread, in
        // between the answers to commands: each is looked for in the whole output.
        a.awaitOutput("event joined " + idA + " pid " + joinedA.group(2) + " self true", WAIT);
        a.awaitOutput("event joined " + idB + " pid " + joinedB.group(2) + " self false", WAIT);
        b.awaitOutput("event joined " + idA + " pid " + joinedA.group(2) + " self false", WAIT);

        // Write access moves to a, then from a to b: both hear of it.
        a.send("write 1");
        a.awaitLine("ok wrote 1", WAIT);
        a.awaitOutput("event ownership events.value " + idA, WAIT);
        b.send("write 2");
        b.awaitLine("ok wrote 2", WAIT);
        b.awaitOutput("event ownership events.value " + idB, WAIT);
        a.awaitOutput("event ownership events.value " + idB, WAIT);

        // The directory stopped for longer than the lease: both lose the cluster, and regain it once it resumes.
        final DsmCluster.Jvm directory = cluster.directory();
        directory.pause();
        try
        {
            a.awaitOutput("event lost", WAIT);
            b.awaitOutput("event lost", WAIT);
        }
        finally
        {
            directory.resume();
        }
        a.awaitOutput("event regained", WAIT);
        b.awaitOutput("event regained", WAIT);

        // b leaves: a hears of it, and lists a alone.
        b.send("exit");
        b.awaitLine("ok bye", WAIT);
        assertEquals(0, b.awaitExit(WAIT), b.describe());
        a.awaitOutput("event left " + idB + " pid " + joinedB.group(2), WAIT);
        a.send("members");
        final String members = a.awaitLine("ok members", WAIT);
        assertTrue(members.contains("nodeId=" + idA) && !members.contains("nodeId=" + idB), members);
        a.send("exit");
        assertEquals(0, a.awaitExit(WAIT), a.describe());
        assertEquals("", a.errors().replaceAll("(?m)^\\[dsm\\].*WARN.*lease expired.*\\R?", ""),
            "nothing on stderr but the lease's expiry");
    }
}
