package io.dsm.it;

import io.dsm.it.Linearizability.Op;
import io.dsm.it.programs.HistoryProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three JVMs, two threads each, read, write and increment one shared register; the histories they record are checked
 * for linearizability (docs/CONSISTENCY.md: per variable, linearizable in the invalidate and update modes).
 */
@Tag("slow")
class LinearizabilityIT
{
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int OPERATIONS = 300;

    @ParameterizedTest(name = "dsm.replication per node: {0}, {1}, {2}")
    @CsvSource({"invalidate,invalidate,invalidate", "update,update,update", "invalidate,update,update"})
    @Timeout(240)
    void historiesOfThreeJvmsAreLinearizable(final String a, final String b, final String c)
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final List<JvmCluster.Jvm> jvms = new ArrayList<>();
            final String[] modes = {a, b, c};
            for (int i = 0; i < modes.length; i++)
            {
                jvms.add(cluster.startNode("n" + i, HistoryProgram.class, List.of("-Ddsm.replication=" + modes[i]),
                    "n" + i, "3", Integer.toString(OPERATIONS), Integer.toString(11 + i)));
            }
            final List<Op> history = new ArrayList<>();
            for (final JvmCluster.Jvm jvm : jvms)
            {
                assertEquals("done " + 2 * OPERATIONS, jvm.awaitLine("done", WAIT), jvm.describe());
                assertEquals(0, jvm.awaitExit(WAIT), jvm.describe());
                for (final String line : jvm.stdout())
                {
                    assertTrue(!line.startsWith("error"), "no operation fails when nothing does: " + line);
                    if (line.startsWith("op "))
                    {
                        history.add(parse(line));
                    }
                }
            }
            assertEquals(3 * 2 * OPERATIONS, history.size());
            final Linearizability.Result result = Linearizability.check(history, 0L);
            assertTrue(result.linearizable(), result.explanation());
            assertTrue(history.stream().anyMatch(op -> op.kind() == Linearizability.Kind.READ && op.read() != null &&
                (Long)op.read() != 0L), "readers saw writes (the history is not trivially linearizable)");
        }
    }

    private static Op parse(final String line)
    {
        final String[] w = line.split(" ");
        final long call = Long.parseLong(w[2]);
        final long ret = Long.parseLong(w[3]);
        final String by = w[6];
        switch (w[1])
        {
            case "read":
                return Op.read(call, ret, Long.parseLong(w[4]), by);
            case "write":
                return Op.write(call, ret, Long.parseLong(w[5]), by);
            default:
                return Op.readModifyWrite(call, ret, Long.parseLong(w[4]), Long.parseLong(w[5]), by);
        }
    }
}
