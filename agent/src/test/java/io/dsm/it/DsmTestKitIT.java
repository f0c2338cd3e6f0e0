package io.dsm.it;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.it.programs.KitCounterProgram;
import io.dsm.test.DsmCluster;
import io.dsm.test.DsmExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test kit (dsm-test) used as a user would use it, as the README shows: an extension that gives a test a cluster
 * of JVMs running the test's own classes with the real agent, and stops them when the test ends.
 */
@ExtendWith(DsmExtension.class)
class DsmTestKitIT
{
    /** The code under test, in a JVM of its own: the README's example, word for word. */
    public static class CounterMain
    {
        @Shared
        static long hits;
        @Shared
        static int done;

        public static void main(final String[] args)
        {
            Dsm.awaitMembers(3, Duration.ofSeconds(60));
            for (int i = 0; i < 500; i++)
            {
                hits++;
            }
            done++;
            while (done < 3)
            {
                Thread.onSpinWait();
            }
            System.out.println("total " + hits);
        }
    }

    @Test
    @Timeout(180)
    void threeJvmsCountExactly(final DsmCluster cluster)
    {
        for (final DsmCluster.Jvm jvm : cluster.start(3, CounterMain.class))
        {
            assertEquals("total 1500", jvm.awaitLine("total", Duration.ofSeconds(60)));
            assertEquals(0, jvm.awaitExit(Duration.ofSeconds(60)));
            assertEquals("", jvm.errors(), jvm.describe());
        }
    }

    @Test
    @Timeout(60)
    void aClusterClosedStopsItsJvmsAndDescribesWhatTheyPrinted()
    {
        final DsmCluster.Jvm waiting;
        final DsmCluster cluster = new DsmCluster("closing");
        try (cluster)
        {
            // Waits for 2 members that never come: running until the cluster closes.
            waiting = cluster.start("waiting", KitCounterProgram.class, "2", "1");
            final AssertionError timedOut = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> waiting.awaitLine("total", Duration.ofMillis(300)));
            assertTrue(timedOut.getMessage().contains("waiting") && timedOut.getMessage().contains("running"),
                timedOut.getMessage());
            assertTrue(cluster.describe().contains("--- directory"), cluster.describe());
        }
        assertTrue(waiting.describe().contains("exit"), "stopped when the cluster closed: " + waiting.describe());
    }
}
