package io.dsm.agent;

import io.dsm.runtime.DsmLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's pre-check never lets a class through that the full transformation would change: for every fixture, if
 * rewriting makes it call into {@code io.dsm.access}, the scan of its original class file says it may need rewriting.
 * Classes that touch no shared field and no reflective call are passed over.
 */
class ClassFileScanTest
{
    private static final String FIXTURES = "io.dsm.agent.fixtures.";
    private static final List<String> CLASSES = List.of(
        "Account", "Color", "CompoundFields", "CompoundShapes", "CompoundShapesPlain", "Counter", "NoId", "PathFields",
        "Point", "ReflectiveFields", "Refused", "SavingsAccount", "Settings", "SettingsReader", "StaticFields");

    @Test
    void everyClassTheTransformationRewritesIsLetThroughAndPlainOnesAreNot() throws Exception
    {
        DsmLog.output(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        final TransformingClassLoader transforming = new TransformingClassLoader(FIXTURES,
            new SharedFieldResolver(false));
        final ClassFileScan scan = new ClassFileScan();
        final List<String> rewritten = new ArrayList<>();
        final List<String> passedOver = new ArrayList<>();
        for (final String simpleName : CLASSES)
        {
            final String name = FIXTURES + simpleName;
            transforming.loadClass(name);
            final boolean changed = new String(transforming.transformedBytes(name), StandardCharsets.ISO_8859_1)
                .contains("io/dsm/bootstrap/Linker");
            final boolean letThrough = scan.mayNeedRewriting(getClass().getClassLoader(), name.replace('.', '/'),
                original(name));
            if (changed)
            {
                rewritten.add(simpleName);
                assertTrue(letThrough, simpleName + " is rewritten, so the scan must let it through");
            }
            else if (!letThrough)
            {
                passedOver.add(simpleName);
            }
        }
        assertTrue(rewritten.containsAll(List.of("SavingsAccount", "SettingsReader", "ReflectiveFields", "Counter")),
            "inherited, another class's and reflective accesses are among the rewritten: " + rewritten);
        assertTrue(passedOver.containsAll(List.of("Color", "Point", "CompoundShapesPlain")),
            "classes that touch no shared field are passed over: " + passedOver);
    }

    @Test
    void aClassFileThatCannotBeParsedIsLeftToTheFullTransformation()
    {
        assertTrue(new ClassFileScan().mayNeedRewriting(null, "Broken", new byte[] {1, 2, 3}));
    }

    @Test
    void aFieldOfAClassWhoseFileCannotBeFoundIsNotShared() throws Exception
    {
        // The plain fixture reads only its own and the JDK's fields: nothing to look up, nothing to rewrite.
        final ClassFileScan scan = new ClassFileScan();
        assertFalse(scan.mayNeedRewriting(new ClassLoader(null) { }, "io/dsm/agent/fixtures/Point",
            original(FIXTURES + "Point")));
        assertEquals(false, scan.mayNeedRewriting(new ClassLoader(null) { }, "io/dsm/agent/fixtures/Color",
            original(FIXTURES + "Color")));
    }

    private static byte[] original(final String name) throws IOException
    {
        try (InputStream in = ClassFileScanTest.class.getClassLoader()
            .getResourceAsStream(name.replace('.', '/') + ".class"))
        {
            return in.readAllBytes();
        }
    }
}
