package io.dsm.it;

import io.dsm.it.programs.ShellProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explicit operations of {@code io.dsm.Dsm} (the seed's message table) between two real JVMs.
 */
class FacadeIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String ask(final JvmCluster.Jvm jvm, final String command)
    {
        jvm.send(command);
        final String answer = jvm.awaitLine(" ", WAIT);
        assertTrue(answer.startsWith("ok"), command + " -> " + answer);
        return answer;
    }

    @Test
    @Timeout(120)
    void writeAccessListingAndDeletionAcrossJvms()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of("-Ddsm.directory=true"));
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);
            final String idA = ask(a, "id").substring("ok id ".length());

            ask(a, "write 5");
            assertEquals("ok has true", ask(a, "has"));
            assertEquals("ok has false", ask(b, "has"));
            assertEquals("ok read 5", ask(b, "read"));
            assertEquals("ok has true", ask(a, "has"), "a owns the variable: it served b's read and keeps writing");
            assertEquals("ok has false", ask(b, "has"));

            assertEquals("ok acquired", ask(a, "acquire"));
            assertEquals("ok has true", ask(a, "has"));
            final String owned = ask(b, "list");
            assertTrue(owned.matches("ok list io\\.dsm\\.it\\.programs\\.ItFields\\.victim:java\\.lang\\.Long:" + idA +
                ":[01]:-1"), () -> "a is the owner; the directory knows the version it handed over (0) or a's " +
                "checkpoint of its write (1, dsm.durability=fast sends it within the lag), and not a's readers (-1): " +
                owned);
            assertEquals("ok released", ask(a, "release"));
            assertEquals("ok has false", ask(a, "has"));
            assertEquals("ok list io.dsm.it.programs.ItFields.victim:java.lang.Long:0:1:2", ask(b, "list"),
                "released: the coordinator owns it at version 1, with a and b as its readers");
            assertEquals("ok read 5", ask(b, "read"));
            assertEquals("ok list io.dsm.it.programs.ItFields.victim:java.lang.Long:0:1:2", ask(a, "list"));

            // Metadata broadcasts keep the directory current on a node that asked for one (dsm.directory), only.
            assertTrue(ask(b, "directory").contains("io.dsm.it.programs.ItFields.victim:0"));
            assertEquals("ok directory", ask(a, "directory"), "a keeps no directory: dsm.directory is off");

            assertEquals("ok wrote 6", ask(b, "write 6"));
            assertEquals("ok read 6", ask(a, "read"), "b's write invalidated a's replica; a reads from b");
            assertEquals("ok has false", ask(a, "has"));

            assertEquals("ok deleted", ask(b, "delete"));
            assertEquals("ok list", ask(a, "list"), "deleted everywhere");
            assertEquals("ok read 0", ask(a, "read"), "a deleted variable reads as its type's default");
        }
    }
}
