package io.dsm.agent;

import io.dsm.agent.fixtures.Color;
import io.dsm.agent.fixtures.Point;
import io.dsm.node.LocalBackend;
import io.dsm.node.ReplicaTable;
import io.dsm.runtime.DsmLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's rewriting, applied to sample classes with Byte Buddy and run against the local backend (one JVM, no
 * network). A rewritten access never touches the declared field, so the declared field keeping its default value
 * while the variable changes proves that an access was rewritten.
 */
class SharedFieldTransformationTest
{
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static TransformingClassLoader loader;
    private static Class<?> staticFields;
    private static Map<String, Object> seen;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void setUp() throws Exception
    {
        DsmLog.output(new PrintStream(LOG, true, StandardCharsets.UTF_8));
        ReplicaTable.backend(new LocalBackend());
        loader = new TransformingClassLoader("io.dsm.agent.fixtures.", new SharedFieldResolver(false));
        staticFields = loader.loadClass("io.dsm.agent.fixtures.StaticFields");
        seen = ((Callable<Map<String, Object>>)staticFields.getDeclaredConstructor().newInstance()).call();
    }

    @AfterAll
    static void tearDown()
    {
        DsmLog.output(System.err);
    }

    private static List<Integer> toList(final int[] values)
    {
        final List<Integer> list = new java.util.ArrayList<>();
        for (final int v : values)
        {
            list.add(v);
        }
        return list;
    }

    private static String log()
    {
        return LOG.toString(StandardCharsets.UTF_8);
    }

    @Test
    void staticFieldsOfEveryKindAndEveryAccessSiteAreShared() throws Exception
    {
        final Class<?> type = staticFields;

        assertEquals(5, seen.get("initialised"), "static initialiser gave the initial value");
        assertEquals("a", seen.get("text-initial"));
        assertEquals(12L, seen.get("counter"), "x++, x += k, ++x");
        assertEquals("abc", seen.get("text"), "s += \"...\"");
        assertEquals(Color.BLUE.name(), String.valueOf(seen.get("color")));
        assertEquals(new Point(1, 2, "p", List.of("x")).toString(), String.valueOf(seen.get("point")));
        assertEquals(List.of("one"), seen.get("list"));
        assertEquals(Map.of("k", 7), seen.get("map"));
        assertEquals("true 1.5 1.5 q 3 -2 42 1 77", seen.get("primitives"));
        assertEquals(112L, seen.get("after-lambda"));
        assertEquals(112L, seen.get("lambda-read"));
        assertEquals(1_112L, seen.get("after-anonymous"));
        assertEquals(11_112L, seen.get("after-inner"));
        assertEquals(111_112L, seen.get("after-nested"));

        assertEquals(111_112L, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.counter").get());
        assertEquals(77L, ReplicaTable.find("custom.name").get(), "@Shared(\"name\") names the variable");
        // Local writes of primitives keep only the bits; the boxed view of the variable agrees with them.
        assertEquals(Boolean.TRUE, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.flag").get());
        assertEquals(1.5d, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.ratio").get());
        assertEquals(1.5f, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.small").get());
        assertEquals('q', ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.letter").get());
        assertEquals((byte)3, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.octet").get());
        assertEquals((short)-2, ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.pair").get());
        assertEquals(0L, type.getField("counter").getLong(null), "the declared field itself is never written");
        assertEquals("a", type.getField("text").get(null),
            "except by the static initialiser, which runs as plain Java and then publishes what it assigned");
        assertEquals(List.of(1, 9), toList((int[])ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.numbers").get()),
            "an element write through the field is a write of the variable");
    }

    @Test
    void fieldsThatCannotBeSharedAreReportedAndStayLocal() throws Exception
    {
        final Class<?> type = staticFields;
        assertEquals(true, seen.get("thread-is-local"));
        assertSame(Thread.currentThread(), type.getField("thread").get(null), "written as a plain field");
        assertEquals(1L, seen.get("constant"));
        assertNull(ReplicaTable.find("io.dsm.agent.fixtures.StaticFields.thread"));
        assertTrue(log().contains("field io.dsm.agent.fixtures.StaticFields.CONSTANT is not shared: a final field"),
            log());
        assertTrue(log().contains("field io.dsm.agent.fixtures.StaticFields.thread is not shared: its type " +
            "java.lang.Thread is not a value dsm can share"), log());

        final Class<?> noId = loader.loadClass("io.dsm.agent.fixtures.NoId");
        final Object first = noId.getDeclaredConstructor().newInstance();
        final Object second = noId.getDeclaredConstructor().newInstance();
        assertEquals(1L, noId.getMethod("bump").invoke(first));
        assertEquals(2L, noId.getMethod("bump").invoke(first));
        assertEquals(1L, noId.getMethod("bump").invoke(second), "without @SharedId objects must not alias");
        assertTrue(log().contains("field io.dsm.agent.fixtures.NoId.value is not shared: its class declares no " +
            "@SharedId field"), log());
    }

    @Test
    void instanceFieldsAreSharedByIdIncludingThroughASubclass() throws Exception
    {
        final Class<?> account = loader.loadClass("io.dsm.agent.fixtures.Account");
        final Class<?> savings = loader.loadClass("io.dsm.agent.fixtures.SavingsAccount");
        final Object alice = account.getConstructor(String.class).newInstance("alice");
        assertEquals(100L, account.getMethod("current").invoke(alice), "field initialiser ran before the id was set");
        account.getMethod("deposit", long.class).invoke(alice, 5L);

        final Object aliceAgain = account.getConstructor(String.class).newInstance("alice");
        assertEquals(105L, account.getMethod("current").invoke(aliceAgain),
            "a second object with the same id shares the value; its initialiser did not reset it");
        final Object bob = account.getConstructor(String.class).newInstance("bob");
        assertEquals(100L, account.getMethod("current").invoke(bob), "another id is another variable");

        final Object aliceSavings = savings.getConstructor(String.class).newInstance("alice");
        assertEquals(115L, savings.getMethod("addInterest").invoke(aliceSavings));
        assertEquals(115L, account.getMethod("current").invoke(alice));
        assertEquals(115L, ReplicaTable.find("io.dsm.agent.fixtures.Account.balance[alice]").get());
        assertEquals(100L, ReplicaTable.find("io.dsm.agent.fixtures.Account.balance[bob]").get());
    }
}
