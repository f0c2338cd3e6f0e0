package io.dsm.it;

import io.dsm.it.programs.CounterProgram;
import io.dsm.it.programs.ForeignLibsProgram;
import io.dsm.it.programs.LateAttachProgram;
import io.dsm.it.programs.LateReaderProgram;
import io.dsm.it.programs.SequenceProgram;
import io.dsm.it.programs.TypesProgram;
import io.dsm.test.DsmCluster;
import io.dsm.test.DsmExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several real JVMs, each started with the built agent jar, share fields through one coordinator. On the test kit
 * (dsm-test), but for the application that brings its own libraries, which needs a class path of its own.
 */
@ExtendWith(DsmExtension.class)
class SharingIT
{
    private static final Duration WAIT = Duration.ofSeconds(90);

    @ParameterizedTest(name = "dsm.replication={0}")
    @ValueSource(strings = {"invalidate", "update", "push"})
    @Timeout(180)
    void threeJvmsIncrementingUnderWriteAccessLoseNoIncrement(final String replication, final DsmCluster cluster)
    {
        final List<DsmCluster.Jvm> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            nodes.add(cluster.start("node" + i, List.of("-Ddsm.replication=" + replication), CounterProgram.class,
                "3", "1000"));
        }
        for (final DsmCluster.Jvm node : nodes)
        {
            assertEquals("total 3000", node.awaitLine("total", WAIT), node.describe());
            assertEquals(0, node.awaitExit(WAIT), node.describe());
            assertEquals("", node.errors(), "the console stays quiet when all is well (Java " +
                Runtime.version() + ", whose java every JVM of the test runs)");
        }
        System.out.println("SharingIT: three JVMs on Java " + Runtime.version() + ", " + replication +
            ": nothing on any stderr");
    }

    /** Reader modes: each reader asks to be kept current its own way; the owner serves each as it asked. */
    @ParameterizedTest(name = "readers {0} and {1}")
    @CsvSource({"invalidate,invalidate", "update,push", "update,invalidate"})
    @Timeout(180)
    void readersSeeAWritersValuesInOrderNeverGoingBack(final String first, final String second,
        final DsmCluster cluster)
    {
        final DsmCluster.Jvm writer = cluster.start("writer", SequenceProgram.class, "writer", "3", "3000");
        final DsmCluster.Jvm reader1 = cluster.start("reader1", List.of("-Ddsm.replication=" + first),
            SequenceProgram.class, "reader", "3", "3000");
        final DsmCluster.Jvm reader2 = cluster.start("reader2", List.of("-Ddsm.replication=" + second),
            SequenceProgram.class, "reader", "3", "3000");
        assertEquals("wrote 3000", writer.awaitLine("wrote", WAIT));
        for (final DsmCluster.Jvm reader : List.of(reader1, reader2))
        {
            final String line = reader.awaitLine("last", WAIT);
            assertTrue(line.matches("monotonic \\d+ last 3000"), line);
            assertEquals(0, reader.awaitExit(WAIT), reader.describe());
        }
        assertEquals("writer holds write access true", writer.awaitLine("writer holds write access", WAIT),
            "the writer owns the variable: its readers read from it and never take its write access");
        assertEquals(0, writer.awaitExit(WAIT), writer.describe());
    }

    @Test
    @Timeout(120)
    void valuesOfEveryKindCrossJvmsIntact(final DsmCluster cluster)
    {
        {
            final DsmCluster.Jvm writer = cluster.start("writer", TypesProgram.class, "writer");
            final DsmCluster.Jvm reader = cluster.start("reader", TypesProgram.class, "reader");
            writer.awaitLine("end", WAIT);
            reader.awaitLine("end", WAIT);
            assertEquals(0, writer.awaitExit(WAIT), writer.describe());
            assertEquals(0, reader.awaitExit(WAIT), reader.describe());
            final List<String> expected = List.of(
                "text=héllo wörld",
                "level=HIGH",
                "position=Position[symbol=ACME, quantity=300, fills=[1.5, 2.25]]",
                "names=[ann, ben]",
                "scores={ann=3, ben=4}",
                "profile=Profile{carol,41,{team=blue}}",
                "ratio=0.75",
                "letter=z",
                "flag=true",
                "boxed=12345",
                "alice=15",
                "bob=7",
                "end");
            assertEquals(expected, writer.output());
            assertEquals(expected, reader.output(), "the reader JVM sees exactly what the writer JVM wrote");
        }
    }

    @Test
    @Timeout(120)
    void anApplicationWithItsOwnAeronAgronaAndByteBuddyStillWorks() throws Exception
    {
        final String foreign;
        try (Stream<Path> jars = Files.list(JvmCluster.FOREIGN_LIBS))
        {
            foreign = jars.map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator));
        }
        assertTrue(foreign.contains("byte-buddy-1.14.18") && foreign.contains("agrona-1.21.2") &&
            foreign.contains("aeron-client-1.44.1"), foreign);
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final String classPath = JvmCluster.TEST_CLASSES + File.pathSeparator + foreign;
            final JvmCluster.Jvm a = cluster.startJvm("a", true, classPath, ForeignLibsProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startJvm("b", true, classPath, ForeignLibsProgram.class, List.of());
            for (final JvmCluster.Jvm jvm : List.of(a, b))
            {
                jvm.awaitLine("bytebuddy byte-buddy-1.14.18.jar made", WAIT);
                jvm.awaitLine("agrona agrona-1.21.2.jar align 16", WAIT);
                jvm.awaitLine("aeron aeron-client-1.44.1.jar", WAIT);
                jvm.awaitLine("text=shared alongside foreign libraries", WAIT);
                assertEquals(0, jvm.awaitExit(WAIT), jvm.describe());
            }
        }
    }

    @Test
    @Timeout(120)
    void classesLoadedBeforeTheAgentAreRetransformedWhenItAttaches()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm late = cluster.startJvm("late", false, JvmCluster.TEST_CLASSES,
                LateAttachProgram.class, List.of("-Djdk.attach.allowAttachSelf=true"),
                JvmCluster.AGENT_JAR.toString());
            final JvmCluster.Jvm reader = cluster.startNode("reader", LateReaderProgram.class, List.of());
            late.awaitLine("before attach, local value 11", WAIT);
            late.awaitLine("after attach, shared value 0", WAIT);
            reader.awaitLine("late=42", WAIT);
            assertEquals(0, late.awaitExit(WAIT), late.describe());
            assertEquals(0, reader.awaitExit(WAIT), reader.describe());
        }
    }
}
