package io.dsm.agent;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Rewrites one class file: its accesses to shared fields become {@code invokedynamic} call sites
 * ({@link SharedFieldAccessRewriter}), reading what it needs of other classes through Byte Buddy's {@link TypePool}
 * (class files, never loaded classes).
 * <p>
 * This is Byte Buddy's {@code AsmVisitorWrapper} applied the way Byte Buddy applies it to a redefined type that
 * changes nothing else (one {@link ClassReader} into one {@link ClassWriter} that shares its constant pool, no frames
 * computed), without building an {@code AgentBuilder}: that builder and its defaults took 500 to 800 ms of a JVM's
 * start-up here before the first class could be rewritten, a {@code TypePool} about 150 ms (docs/bench/NOTES.md).
 */
final class ClassRewriting
{
    private final SharedFieldResolver resolver;
    private final SharedFieldAccessRewriter rewriter;

    /**
     * @param resolver decides which accesses are to shared fields, and reports refused ones.
     * @param strict   whether a refused field makes its class fail to initialise.
     */
    ClassRewriting(final SharedFieldResolver resolver, final boolean strict)
    {
        this.resolver = resolver;
        this.rewriter = new SharedFieldAccessRewriter(resolver, strict);
    }

    /**
     * @param className   the class's binary name ({@code a.b.C}).
     * @param classFile   its class file.
     * @param classLoader the loader that defines it (null: the boot loader), through which other classes are read.
     * @return the rewritten class file, or null when the class is synthetic (left alone).
     */
    private static final ClassFileLocator DSM_ANNOTATIONS = new ClassFileLocator()
    {
        private final ClassFileLocator agent = ClassFileLocator.ForClassLoader.of(ClassRewriting.class.getClassLoader());

        @Override
        public Resolution locate(final String name) throws java.io.IOException
        {
            return "io.dsm.Shared".equals(name) || "io.dsm.SharedId".equals(name) ? agent.locate(name) :
                new Resolution.Illegal(name);
        }

        @Override
        public void close()
        {
        }
    };

    byte[] rewrite(final String className, final byte[] classFile, final ClassLoader classLoader)
    {
        final ClassReader reader = OpenedClassReader.of(classFile);
        if ((reader.getAccess() & Opcodes.ACC_SYNTHETIC) != 0)
        {
            return null;
        }
        // The class being defined cannot be read through its loader yet: the pool reads it from these bytes.
        // dsm's own annotations are read from the agent's jar when the class's loader cannot load them (an isolated
        // loader without dsm's API): the field is then recognised as shared, and the runtime refuses it by name at its
        // first access rather than leaving it silently local.
        final ClassFileLocator locator = new ClassFileLocator.Compound(
            ClassFileLocator.Simple.of(className, classFile),
            classLoader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() :
                ClassFileLocator.ForClassLoader.of(classLoader),
            DSM_ANNOTATIONS);
        final TypePool pool = new TypePool.Default.WithLazyResolution(
            new TypePool.CacheProvider.Simple(), locator, TypePool.Default.ReaderMode.EXTENDED);
        final TypeDescription type = pool.describe(className).resolve();
        resolver.checkDeclaredFields(type);
        final ClassWriter writer = new ClassWriter(reader, 0);
        // The wrapper uses the type and the pool; Byte Buddy's implementation context and member lists are not used.
        reader.accept(rewriter.wrap(type, writer, null, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
            0, 0), 0);
        return writer.toByteArray();
    }
}
