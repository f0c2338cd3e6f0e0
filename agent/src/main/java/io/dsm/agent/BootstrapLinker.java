package io.dsm.agent;

import io.dsm.runtime.DsmLog;

import java.io.IOException;
import java.io.InputStream;

/**
 * Puts {@code io.dsm.bootstrap.Linker}, through which every rewritten call site links ({@link Linking}), in the
 * bootstrap class loader, and names the agent's class loader to it as the JVM's one runtime.
 */
final class BootstrapLinker
{
    private static final String NAME = "io.dsm.bootstrap.Linker";

    private BootstrapLinker()
    {
    }

    /**
     * @return the module of the linker the call sites will find: the bootstrap class loader's unnamed module, or, if it
     *         could not be defined there, the agent's (then a class loader that does not delegate to the agent's reaches
     *         no runtime, and says so at its first shared access).
     */
    static Module install()
    {
        final ClassLoader agentLoader = BootstrapLinker.class.getClassLoader();
        Class<?> linker;
        try (InputStream in = agentLoader.getResourceAsStream(NAME.replace('.', '/') + ".class"))
        {
            if (in == null)
            {
                throw new IOException("no " + NAME + " in the agent jar");
            }
            // By name: the class is compiled apart, with the export of jdk.internal.misc (agent/pom.xml).
            linker = (Class<?>)Class.forName("io.dsm.agent.jdk.BootstrapClasses")
                .getMethod("define", String.class, byte[].class).invoke(null, NAME, in.readAllBytes());
        }
        catch (final Throwable t)
        {
            DsmLog.warn("dsm could not put its linker in the bootstrap class loader (" + t + "): classes defined by " +
                "class loaders that do not delegate to the application class loader cannot reach @Shared fields");
            try
            {
                linker = Class.forName(NAME, true, agentLoader);
            }
            catch (final ClassNotFoundException ex)
            {
                throw new IllegalStateException("the agent jar has no " + NAME, ex);
            }
        }
        try
        {
            linker.getMethod("runtime", ClassLoader.class).invoke(null, agentLoader);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot name the runtime to " + NAME, ex);
        }
        return linker.getModule();
    }
}
