package io.dsm.agent;

import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.List;

/**
 * The agent's one class file transformer: a class whose name is ignored, or whose constant pool shows it cannot touch
 * a shared field ({@link ClassFileScan}), is left alone at the cost of a scan; any other goes through the full
 * transformation ({@link DsmAgent#transformer}), built with Byte Buddy's machinery the first time a class needs it.
 */
final class LazyTransformer implements ClassFileTransformer
{
    private final Configuration config;
    private final boolean strict;
    private final List<String> ignoredPrefixes;
    private final ClassFileScan scan = new ClassFileScan();
    private volatile ClassFileTransformer full;

    /**
     * @param config          the configuration the full transformation is built with.
     * @param strict          whether a refused field is an error.
     * @param ignoredPrefixes internal-name prefixes of classes never transformed.
     */
    LazyTransformer(final Configuration config, final boolean strict, final List<String> ignoredPrefixes)
    {
        this.config = config;
        this.strict = strict;
        this.ignoredPrefixes = ignoredPrefixes;
    }

    /**
     * @param className a class's internal name.
     * @return whether it is never transformed (the JDK, dsm itself, excluded packages).
     */
    boolean isIgnored(final String className)
    {
        for (int i = 0; i < ignoredPrefixes.size(); i++)
        {
            if (className.startsWith(ignoredPrefixes.get(i)))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] transform(final Module module, final ClassLoader loader, final String className,
        final Class<?> classBeingRedefined, final ProtectionDomain protectionDomain, final byte[] classfileBuffer)
        throws IllegalClassFormatException
    {
        if (className == null || isIgnored(className) || !scan.mayNeedRewriting(loader, className, classfileBuffer))
        {
            return null;
        }
        return full().transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    @Override
    public byte[] transform(final ClassLoader loader, final String className, final Class<?> classBeingRedefined,
        final ProtectionDomain protectionDomain, final byte[] classfileBuffer) throws IllegalClassFormatException
    {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    private ClassFileTransformer full()
    {
        ClassFileTransformer f = full;
        if (f == null)
        {
            synchronized (this)
            {
                f = full;
                if (f == null)
                {
                    final long start = System.nanoTime();
                    f = DsmAgent.transformer(config, strict).makeRaw();
                    full = f;
                    DsmLog.debug("agent: built the shared-field transformation in " +
                        (System.nanoTime() - start) / 1_000_000 + " ms");
                }
            }
        }
        return f;
    }
}
