package io.dsm.agent.jdk;

/**
 * Defines a class in the bootstrap class loader from bytes, with no file: {@code jdk.internal.misc.Unsafe.defineClass}
 * with no loader, as Byte Buddy's {@code ClassInjector.UsingUnsafe} does (the agent exports {@code jdk.internal.misc} to
 * dsm at start-up). The alternative, {@code Instrumentation.appendToBootstrapClassLoaderSearch}, needs a jar file on
 * disk, which a read-only or full temporary directory would refuse.
 */
public final class BootstrapClasses
{
    private BootstrapClasses()
    {
    }

    /**
     * @param name  the class's binary name.
     * @param bytes its class file.
     * @return the class of that name in the bootstrap class loader: the one already there, or the one defined now.
     */
    public static synchronized Class<?> define(final String name, final byte[] bytes)
    {
        try
        {
            return Class.forName(name, false, null);
        }
        catch (final ClassNotFoundException notYet)
        {
            return jdk.internal.misc.Unsafe.getUnsafe().defineClass(name, bytes, 0, bytes.length, null, null);
        }
    }
}
