package io.dsm.it;

import io.dsm.it.programs.IncrementProgram;
import io.dsm.it.programs.MistakesProgram;
import io.dsm.it.programs.SemanticsProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java shape that touches a {@code @Shared} field either shares correctly or fails at once, in the thread that
 * did it, naming the field: real JVMs with the real agent, the shapes driven one at a time over standard input.
 */
@Tag("slow")
class JavaSemanticsIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FIELDS = "io.dsm.it.programs.ValueFields.";

    private static String ask(final JvmCluster.Jvm jvm, final String command)
    {
        jvm.send(command);
        return jvm.awaitMatch("^(ok|error) .*", WAIT).group();
    }

    private static void assertError(final String answer, final String exception, final String... mentions)
    {
        assertTrue(answer.startsWith("error " + exception + " "), answer);
        for (final String mention : mentions)
        {
            assertTrue(answer.contains(mention), "'" + mention + "' in: " + answer);
        }
    }

    @Test
    @Timeout(240)
    void everyShapeSharesOrFailsAtOnceNamingTheField()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm a = cluster.startNode("a", SemanticsProgram.class, List.of());
            final JvmCluster.Jvm b = cluster.startNode("b", SemanticsProgram.class, List.of());
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);

            // 1. The first access from another class runs the static initialiser once; its values are initial values.
            assertEquals("ok port=8080 hosts=[a] inits=1", ask(a, "settings"));
            assertEquals("ok port 9090", ask(a, "set-port 9090"));
            assertEquals("ok port=9090 hosts=[a] inits=1", ask(b, "settings"),
                "b's initialiser ran once and did not reset what a wrote");
            for (final JvmCluster.Jvm jvm : List.of(a, b))
            {
                assertEquals(1, jvm.stdout().stream().filter(l -> l.contains("static initialiser of Settings runs"))
                    .count(), jvm.describe());
            }

            // 2. In place: a collection refuses, naming the field and the way; a write through the field is a write.
            assertEquals("ok written", ask(a, "write-values"));
            assertError(ask(a, "list-add"), "io.dsm.ImmutableValueException", FIELDS + "list", "List.add",
                "Dsm.mutate");
            assertError(ask(a, "map-put"), "io.dsm.ImmutableValueException", FIELDS + "map", "Map.put");
            assertEquals("ok stored", ask(a, "array-store"));
            assertEquals("ok mine=9 field=4", ask(a, "array-alias"), "an array read from the field is a copy");
            assertEquals("ok stored", ask(a, "config-store"));
            assertEquals("ok mine=mine field=h", ask(a, "config-alias"), "an object read from the field is a copy");
            assertEquals("ok mutated", ask(a, "mutate-list"));
            final String values = "ok list=[a, b, m] map={k=1} numbers=[0, 1, 2, 7, 4] config=h:8080";
            assertEquals(values, ask(b, "read-values"), "the other JVM sees every change made through the field");
            assertEquals(values, ask(a, "read-values"));

            // 3. A value that cannot be shared is refused at the write; nothing reaches the other JVM.
            assertEquals("ok written", ask(a, "write-anything"));
            assertError(ask(a, "write-cycle"), "io.dsm.DsmException", FIELDS + "node", "cycle");
            assertError(ask(a, "write-socket"), "io.dsm.DsmException", FIELDS + "connection", ".socket",
                "java.net.Socket");
            assertError(ask(a, "write-thread"), "io.dsm.DsmException", FIELDS + "anything", "java.lang.Thread");
            assertError(ask(a, "write-atomic"), "io.dsm.DsmException", FIELDS + "anything", "AtomicLong",
                "declare the field as long: x++, x += k and the other compound assignments of a @Shared field are atomic");
            assertEquals("ok anything=[still, here] node=null connection=null", ask(b, "read-anything"));
            assertEquals("ok anything=[still, here] node=null connection=null", ask(a, "read-anything"));
            assertEquals("ok written", ask(a, "write-records"));
            assertEquals("ok written", ask(a, "write-jdk"));
            final String records = "ok trades=[Trade[symbol=ACME, quantity=3, side=BUY], Trade[symbol=XYZ, " +
                "quantity=5, side=SELL]] book=Book[name=b, trades=[Trade[symbol=ACME, quantity=3, side=BUY], " +
                "Trade[symbol=XYZ, quantity=5, side=SELL]], bySymbol={ACME=[Trade[symbol=ACME, quantity=3, " +
                "side=BUY]]}]";
            assertEquals(records, ask(b, "read-records"), "records inside collections, nested records");
            final String jdk = "ok uri=https://example.com/a?b=c locale=fr_CA bits={1, 130} bySide={BUY=1, SELL=2} " +
                "sides=[SELL] instant=2023-11-14T22:13:20.000000005Z date=2026-11-25 duration=PT1.5S " +
                "maybe=Optional[yes] price=12.340";
            assertEquals(jdk, ask(b, "read-jdk"));
            assertEquals(jdk, ask(a, "read-jdk"));
            assertEquals("ok list immutable map immutable trades immutable", ask(b, "types"));

            // 5. Two classes with the same simple name are two variables.
            assertEquals("ok pa=1 pb=2 name=io.dsm.it.programs.pa.Counter.hits", ask(a, "names write"));
            assertEquals("ok pa=1 pb=2 name=io.dsm.it.programs.pa.Counter.hits", ask(b, "names"));

            // 6. Reflection reads and writes the shared value; VarHandles and field updaters are refused.
            assertEquals("ok getLong=33 get=33", ask(a, "reflect-get"));
            assertEquals("ok set", ask(b, "reflect-set 22"));
            assertEquals("ok total=22", ask(a, "read-total"));
            assertError(ask(a, "varhandle"), "io.dsm.DsmException", "ValueFields.counter", "VarHandle");
            assertError(ask(a, "updater"), "io.dsm.DsmException", "ValueFields.counter", "AtomicLongFieldUpdater");

            assertEquals("ok bye", ask(a, "exit"));
            assertEquals("ok bye", ask(b, "exit"));
            for (final JvmCluster.Jvm jvm : List.of(a, b))
            {
                assertEquals(0, jvm.awaitExit(WAIT), jvm.describe());
                assertEquals("", jvm.stderr(), "the console stays quiet: every mistake went to its thread");
            }
        }
    }

    @Test
    @Timeout(240)
    void aValueOfSixtyFourMebibytesReplicatesInChunksAndOneOverTheLimitIsRefusedNamingTheFieldSizeAndKey()
    {
        // Defaults but the heap: dsm.term.length=4 MiB (a message is at most 512 KiB), dsm.max.value.bytes=128 MiB.
        try (JvmCluster cluster = new JvmCluster())
        {
            final JvmCluster.Jvm coordinator = cluster.startCoordinator();
            final List<String> heap = List.of("-Xmx1g");
            final JvmCluster.Jvm a = cluster.startNode("a", SemanticsProgram.class, heap);
            final JvmCluster.Jvm b = cluster.startNode("b", SemanticsProgram.class, heap);
            a.awaitLine("ready", WAIT);
            b.awaitLine("ready", WAIT);
            assertEquals("ok written 67108864", ask(a, "write-blob 67108864"));
            final String written = ask(a, "read-blob");
            assertEquals("ok length=67108864", written.substring(0, written.indexOf(' ', 3)));
            assertEquals(written, ask(b, "read-blob"), "a read miss fetched 64 MiB from the owner");
            assertEquals("ok written 1048576", ask(b, "write-blob 1048576"));
            assertEquals("ok written 67108864", ask(a, "write-blob 67108864"), "ownership and 64 MiB came back");
            assertEquals(written, ask(b, "read-blob"));

            final int overLimit = 128 * 1024 * 1024 + 1;
            assertError(ask(b, "write-blob " + overLimit), "io.dsm.DsmException", FIELDS + "blob",
                "a byte[" + overLimit + "]", "dsm.max.value.bytes=134217728", "raise dsm.max.value.bytes");
            assertEquals(written, ask(b, "read-blob"), "the refused write changed nothing");

            assertEquals("ok bye", ask(a, "exit"));
            assertEquals(0, a.awaitExit(WAIT), a.describe());
            assertEquals(written, ask(b, "read-blob"), "a JVM that wrote 64 MiB and left handed the value back");
            assertEquals("", a.stderr(), "nothing was refused or lost on the way");
            assertEquals("", b.stderr());
            assertEquals("", coordinator.stderr());
        }
    }

    @Test
    @Timeout(300)
    void fourJvmsIncrementingWithPlainPlusPlusLoseNoIncrement()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final List<JvmCluster.Jvm> nodes = new ArrayList<>();
            for (int i = 1; i <= 4; i++)
            {
                nodes.add(cluster.startNode("node" + i, IncrementProgram.class, List.of(), "4", "10000"));
            }
            for (final JvmCluster.Jvm node : nodes)
            {
                assertEquals("total 40000", node.awaitLine("total", Duration.ofSeconds(240)), node.describe());
                assertEquals(0, node.awaitExit(WAIT), node.describe());
                assertEquals("", node.stderr(), node.describe());
            }
        }
    }

    @Test
    @Timeout(240)
    void mistakesAreNamedAndStrictModeMakesThemFailures()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            cluster.startCoordinator();
            final String agent = JvmCluster.AGENT_JAR.toString();

            // Without the agent: the API says how to start the JVM.
            final JvmCluster.Jvm noAgent = cluster.startJvm("no-agent", false,
                JvmCluster.TEST_CLASSES + File.pathSeparator + agent, MistakesProgram.class, List.of(), "dsm");
            final String refused = noAgent.awaitLine("error", WAIT);
            assertTrue(refused.startsWith("error io.dsm.DsmException") && refused.contains("-javaagent:"), refused);

            // A mistyped agent argument or property is named with the key meant, and dsm works.
            final JvmCluster.Jvm typo = cluster.start("typo", cluster.command(List.of(
                "-javaagent:" + agent + "=timout.ms=5000", "-Ddsm.leese.ms=3000"), MistakesProgram.class, "share"));
            assertEquals("value 42", typo.awaitLine("value", WAIT), typo.describe());
            assertEquals(0, typo.awaitExit(WAIT), typo.describe());
            assertTrue(typo.stderr().contains("unknown dsm agent argument 'timout.ms': did you mean dsm.timeout.ms?"),
                typo.stderr());
            assertTrue(typo.stderr().contains("'dsm.leese.ms'") && typo.stderr().contains("dsm.lease.ms?"),
                typo.stderr());

            // A field dsm refuses: a warning naming it, the field stays local.
            final JvmCluster.Jvm lenient = cluster.startNode("lenient", MistakesProgram.class, List.of(), "refused");
            assertEquals("refused field is x", lenient.awaitLine("refused", WAIT), lenient.describe());
            assertTrue(lenient.stderr().contains("field io.dsm.it.programs.MistakesProgram$Holder.text is not " +
                "shared") && lenient.stderr().contains("dsm.strict"), lenient.stderr());

            // Strict mode: the same field fails the first access (and its class's initialisation), naming it.
            final JvmCluster.Jvm strict = cluster.startNode("strict", MistakesProgram.class,
                List.of("-Ddsm.strict=true"), "refused");
            final String failed = strict.awaitLine("error", WAIT);
            assertTrue(failed.startsWith("error io.dsm.DsmException") &&
                failed.contains("MistakesProgram$Holder.text is not shared") && failed.contains("StringBuilder") &&
                failed.contains("declare it as String"), failed);
            assertTrue(strict.stderr().contains("ERROR field io.dsm.it.programs.MistakesProgram$Holder.text"),
                strict.stderr());

            // Strict mode: a mistyped key stops the JVM at start-up, before the application runs.
            final JvmCluster.Jvm stopped = cluster.startNode("stopped", MistakesProgram.class,
                List.of("-Ddsm.strict=true", "-Ddsm.timout.ms=5"), "share");
            assertNotEquals(0, stopped.awaitExit(WAIT), stopped.describe());
            assertTrue(stopped.stdout().isEmpty(), stopped.describe());
            assertTrue(stopped.stderr().contains("dsm.timout.ms") && stopped.stderr().contains("dsm.strict"),
                stopped.stderr());

            // Local mode runs static initialisers too.
            final JvmCluster.Jvm local = cluster.start("local", cluster.command(List.of(
                "-javaagent:" + agent + "=mode=local"), SemanticsProgram.class));
            local.awaitLine("ready", WAIT);
            assertEquals("ok port=8080 hosts=[a] inits=1", ask(local, "settings"));
            assertEquals("ok bye", ask(local, "exit"));
        }
    }
}
