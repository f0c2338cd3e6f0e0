package io.dsm.it;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent jar cannot clash with an application's libraries: every class it holds is under {@code io/dsm/}, the
 * libraries it bundles relocated under {@code io/dsm/shaded/}; and it holds no usage reporting or native bindings.
 */
class AgentJarIT
{
    @Test
    void everyClassIsUnderIoDsmAndNothingPhonesHome() throws Exception
    {
        final List<String> outside = new ArrayList<>();
        final List<String> unwanted = new ArrayList<>();
        try (JarFile jar = new JarFile(JvmCluster.AGENT_JAR.toFile()))
        {
            jar.stream().forEach(entry ->
            {
                final String name = entry.getName().replaceFirst("^META-INF/versions/\\d+/", "");
                if (name.endsWith(".class") && !name.startsWith("io/dsm/"))
                {
                    outside.add(entry.getName());
                }
                // chronicle-analytics (usage reporting) is excluded; chronicle-core's facade then stays mute.
                if (name.startsWith("io/dsm/shaded/openhft/chronicle/analytics/") || name.contains("/jna/") || name.contains("/jnr/") ||
                    name.contains("openhft/compiler") || name.endsWith(".so") || name.endsWith(".dll"))
                {
                    unwanted.add(entry.getName());
                }
            });
            assertEquals(List.of(), outside, "classes outside io/dsm/ could clash with the application's");
            assertEquals(List.of(), unwanted);
            final Manifest manifest = jar.getManifest();
            assertEquals("io.dsm.agent.DsmAgent", manifest.getMainAttributes().getValue("Premain-Class"));
            assertEquals("true", manifest.getMainAttributes().getValue("Can-Retransform-Classes"));
            assertTrue(jar.getEntry("io/dsm/shaded/aeron/Aeron.class") != null);
        }
    }

    /**
     * No class of the jar calls {@code sun.misc.Unsafe} (JDK 24 and later warn on its memory-access methods, and a
     * later JDK will throw): the shade plugin relocates it to {@code io.dsm.agent.jdk.Unsafe}, which must then have
     * every method and constant the jar's classes use, with the same descriptor.
     */
    @Test
    void noClassCallsSunMiscUnsafeAndTheReplacementHasEverythingCalled() throws Exception
    {
        // And nothing from jdk.unsupported, which -m module/Main does not resolve (docs/design/jdk-support.md).
        final java.util.Map<String, String> replaced = java.util.Map.of(
            "sun/misc/Unsafe", "io/dsm/agent/jdk/Unsafe",
            "sun/misc/SignalHandler", "io/dsm/agent/jdk/SignalHandler",
            "sun/misc/Signal", "io/dsm/agent/jdk/Signal",
            "sun/reflect/ReflectionFactory", "io/dsm/agent/jdk/ReflectionFactory");
        final List<String> referencing = new ArrayList<>();
        final Set<String> used = new TreeSet<>();
        final Set<String> declared = new TreeSet<>();
        try (JarFile jar = new JarFile(JvmCluster.AGENT_JAR.toFile()))
        {
            for (final JarEntry entry : java.util.Collections.list(jar.entries()))
            {
                if (!entry.getName().endsWith(".class"))
                {
                    continue;
                }
                final byte[] bytes = jar.getInputStream(entry).readAllBytes();
                final String text = new String(bytes, StandardCharsets.ISO_8859_1);
                for (final String original : replaced.keySet())
                {
                    // Byte Buddy's TypeProxy writes the name into classes it generates (never linked by the jar's
                    // own classes; dsm generates no type proxy).
                    final boolean generatedOnly = entry.getName().endsWith("TypeProxy$SilentConstruction$Appender.class");
                    if (!generatedOnly && (text.contains(original) || text.contains(original.replace('/', '.'))))
                    {
                        referencing.add(entry.getName() + " names " + original);
                    }
                }
                final ClassReader reader = new ClassReader(bytes);
                final String self = reader.getClassName();
                final boolean isReplacement = replaced.containsValue(self);
                reader.accept(new ClassVisitor(Opcodes.ASM9)
                {
                    @Override
                    public FieldVisitor visitField(final int access, final String name, final String descriptor,
                        final String signature, final Object value)
                    {
                        if (isReplacement)
                        {
                            declared.add(self + "." + name + ":" + descriptor);
                        }
                        return null;
                    }

                    @Override
                    public MethodVisitor visitMethod(final int access, final String name, final String descriptor,
                        final String signature, final String[] exceptions)
                    {
                        if (isReplacement)
                        {
                            declared.add(self + "." + name + descriptor);
                            return null;
                        }
                        return new MethodVisitor(Opcodes.ASM9)
                        {
                            @Override
                            public void visitMethodInsn(final int opcode, final String owner, final String method,
                                final String desc, final boolean isInterface)
                            {
                                if (replaced.containsValue(owner))
                                {
                                    used.add(owner + "." + method + desc);
                                }
                            }

                            @Override
                            public void visitFieldInsn(final int opcode, final String owner, final String field,
                                final String desc)
                            {
                                if (replaced.containsValue(owner))
                                {
                                    used.add(owner + "." + field + ":" + desc);
                                }
                            }
                        };
                    }
                }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            }
        }
        assertEquals(List.of(), referencing, "classes that still name sun.misc.Unsafe, Signal or ReflectionFactory");
        assertFalse(used.isEmpty(), "Chronicle's UnsafeMemory calls the replacement: the relocation took effect");
        final Set<String> missing = new TreeSet<>(used);
        missing.removeAll(declared);
        assertEquals(Set.of(), missing, "used on a replacement but not declared there");
    }
}
