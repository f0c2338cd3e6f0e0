package io.dsm.agent;

import io.dsm.DsmException;
import io.dsm.ImmutableValueException;
import io.dsm.node.LocalBackend;
import io.dsm.node.ReplicaTable;
import io.dsm.runtime.DsmLog;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compound assignments, accesses through a field's value, reflection and static initialisers, as the agent rewrites
 * them: sample classes compiled by javac, transformed with the agent's rewriter, run against the local backend.
 * Each shape must give what plain Java gives, and go through the runtime in one access (checked in the class file).
 */
class AccessRewritingTest
{
    private static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();
    private static TransformingClassLoader loader;

    @BeforeAll
    static void setUp()
    {
        DsmLog.output(new PrintStream(LOG, true, StandardCharsets.UTF_8));
        ReplicaTable.backend(new LocalBackend());
        loader = new TransformingClassLoader("io.dsm.agent.fixtures.", new SharedFieldResolver(false));
    }

    @AfterAll
    static void tearDown()
    {
        DsmLog.output(System.err);
    }

    @SuppressWarnings("unchecked")
    private static <T> T call(final String className) throws Exception
    {
        return ((Callable<T>)loader.loadClass(className).getDeclaredConstructor().newInstance()).call();
    }

    /** @return the names of the dsm invokedynamic call sites in a method of a transformed class, in order. */
    private static List<String> dsmCallSites(final String className, final String method)
    {
        final List<String> names = new ArrayList<>();
        new ClassReader(loader.transformedBytes(className)).accept(new ClassVisitor(Opcodes.ASM9)
        {
            @Override
            public MethodVisitor visitMethod(final int access, final String name, final String descriptor,
                final String signature, final String[] exceptions)
            {
                if (!name.equals(method))
                {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9)
                {
                    @Override
                    public void visitInvokeDynamicInsn(final String n, final String d, final Handle bootstrap,
                        final Object... arguments)
                    {
                        if (bootstrap.getOwner().startsWith("io/dsm/"))
                        {
                            names.add(n);
                        }
                    }
                };
            }
        }, 0);
        return names;
    }

    @Test
    void compoundAssignmentsGiveWhatJavaGivesAsOneAtomicAccessEach() throws Exception
    {
        final List<List<Object>> results = call("io.dsm.agent.fixtures.CompoundFields");
        assertEquals(results.get(1), results.get(0), "shared fields compute exactly what plain fields do");
        final Class<?> type = loader.loadClass("io.dsm.agent.fixtures.CompoundFields");
        assertEquals(0, type.getField("i").getInt(null), "the declared field itself is never written");
        assertEquals(results.get(1).get(results.get(1).size() - 1),
            ReplicaTable.find("io.dsm.agent.fixtures.CompoundFields.i").get());

        final List<String> sites = dsmCallSites("io.dsm.agent.fixtures.CompoundFields", "call");
        assertTrue(sites.stream().filter("access"::equals).count() > 40, sites.toString());
    }

    @Test
    void eachCompoundShapeIsOneAccessWithNoSeparateReadOrWrite() throws Exception
    {
        final String shapes = "io.dsm.agent.fixtures.CompoundShapes";
        final Class<?> type = loader.loadClass(shapes);
        int checked = 0;
        for (final java.lang.reflect.Method method : type.getDeclaredMethods())
        {
            if (method.getName().startsWith("branch"))
            {
                assertEquals(List.of("get", "set"), dsmCallSites(shapes, method.getName()),
                    method.getName() + ": a right-hand side with a branch stays a read then a write");
            }
            else if (!"run".equals(method.getName()))
            {
                assertEquals(List.of("access"), dsmCallSites(shapes, method.getName()), method.getName());
                checked++;
            }
        }
        assertTrue(checked >= 40, "shapes checked: " + checked);
        final Object plain = loader.loadClass(shapes + "Plain").getMethod("run").invoke(null);
        assertEquals(plain, type.getMethod("run").invoke(null), "and each computes what Java computes");
    }

    @Test
    void compoundAssignmentsOnInstanceFieldsAreAtomicAccessesToo() throws Exception
    {
        final Class<?> counter = loader.loadClass("io.dsm.agent.fixtures.Counter");
        final Object first = counter.getConstructor(String.class).newInstance("c1");
        assertEquals("12 14 14 12 x14", counter.getMethod("exercise").invoke(first));
        final Object again = counter.getConstructor(String.class).newInstance("c1");
        assertEquals("26 28 28 24 x14x28", counter.getMethod("exercise").invoke(again),
            "a second object with the same id shares the variables; the constructor's initial values do not reset them");
        final List<String> sites = dsmCallSites("io.dsm.agent.fixtures.Counter", "exercise");
        assertEquals(8, sites.stream().filter("access"::equals).count(), sites.toString());
    }

    @Test
    void accessesThroughAFieldsValueAreWritesOfTheVariable() throws Exception
    {
        final Map<String, Object> seen = call("io.dsm.agent.fixtures.PathFields");
        assertEquals("3,7,8 old=1 new=3 length=3", seen.get("numbers"));
        assertEquals("100 vs 3", seen.get("copy-is-mine"), "an array read from the field is a copy of its own");
        assertEquals("1,3,9,4", seen.get("grid"));
        assertEquals("1,11,21", seen.get("counts"));
        assertEquals("-56,3,false,true,n,nullx", seen.get("small"));
        assertEquals("8081,hx,15 local=1", seen.get("config"), "an object read from the field is a copy of its own");
        assertEquals("42,43,2", seen.get("configs"));
        assertEquals(3, ((int[])ReplicaTable.find("io.dsm.agent.fixtures.PathFields.numbers").get())[0]);
    }

    @Test
    void reflectionSeesTheSharedValueAndVarHandlesAreRefused() throws Exception
    {
        final Map<String, Object> seen = call("io.dsm.agent.fixtures.ReflectiveFields");
        assertEquals(33L, seen.get("getLong"));
        assertEquals(33L, seen.get("get"));
        assertEquals(33.0, seen.get("getDouble"));
        assertEquals(22L, seen.get("after setLong"));
        assertEquals(23L, seen.get("after setInt"));
        assertEquals(24L, seen.get("after set"));
        assertEquals("IllegalArgumentException", seen.get("getInt"));
        assertEquals("reflected", seen.get("name"));
        assertEquals("5 5", seen.get("plain"), "a plain field is untouched");
        assertEquals(3, seen.get("instance get"));
        assertEquals(9, seen.get("instance after set"));
        assertEquals("55 55", seen.get("handles"));
        assertEquals(9, seen.get("instance handle"));
        assertTrue(String.valueOf(seen.get("VarHandle")).contains("ReflectiveFields.counter") &&
            String.valueOf(seen.get("VarHandle")).contains("VarHandle"), String.valueOf(seen.get("VarHandle")));
        assertTrue(String.valueOf(seen.get("updater")).contains("ReflectiveFields.counter") &&
            String.valueOf(seen.get("updater")).contains("AtomicLongFieldUpdater"), String.valueOf(seen.get("updater")));
        assertEquals(true, seen.get("plain VarHandle"));
        assertEquals(55L, ReplicaTable.find("io.dsm.agent.fixtures.ReflectiveFields.total").get());
    }

    @Test
    void theFirstAccessFromAnotherClassRunsTheStaticInitialiserOnceAndItsValuesBecomeInitialValues() throws Exception
    {
        final String read = call("io.dsm.agent.fixtures.SettingsReader");
        assertEquals("port=8081 hosts=[a, b] untouched=0 init=1", read);
        final Object hosts = ReplicaTable.find("io.dsm.agent.fixtures.Settings.hosts").get();
        assertThrows(ImmutableValueException.class, () -> ((List<?>)hosts).clear());
    }

    @Test
    void strictModeMakesAClassWithARefusedFieldFailToInitialise() throws Exception
    {
        final TransformingClassLoader strict = new TransformingClassLoader("io.dsm.agent.fixtures.Refused",
            new SharedFieldResolver(true), true);
        final Class<?> refused = strict.loadClass("io.dsm.agent.fixtures.Refused");
        final ExceptionInInitializerError ex = assertThrows(ExceptionInInitializerError.class,
            () -> refused.getMethod("touch").invoke(null));
        final Throwable cause = ex.getCause();
        assertInstanceOf(DsmException.class, cause);
        assertTrue(cause.getMessage().contains("io.dsm.agent.fixtures.Refused.text") &&
            cause.getMessage().contains("StringBuilder") && cause.getMessage().contains("declare it as String"),
            cause.getMessage());
        assertTrue(LOG.toString(StandardCharsets.UTF_8).contains("ERROR field io.dsm.agent.fixtures.Refused.text"),
            LOG.toString(StandardCharsets.UTF_8));
    }
}
