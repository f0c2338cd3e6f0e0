package io.dsm.agent;

import io.dsm.runtime.DsmLog;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The agent's one class file transformer: a class whose name is ignored, or whose constant pool shows it cannot touch
 * a shared field ({@link ClassFileScan}), is left alone at the cost of a scan; any other is rewritten
 * ({@link ClassRewriting}), whose Byte Buddy classes load the first time a class needs it. A class that cannot be
 * rewritten is reported once and loads unchanged: its accesses to shared fields stay local.
 */
final class LazyTransformer implements ClassFileTransformer
{
    private final boolean strict;
    private final List<String> ignoredPrefixes;
    private final Consumer<Module> admit;
    private final Set<Module> admitted = ConcurrentHashMap.newKeySet();
    private final ClassFileScan scan = new ClassFileScan();
    private volatile ClassRewriting rewriting;

    /**
     * @param strict          whether a refused field is an error.
     * @param ignoredPrefixes internal-name prefixes of classes never transformed.
     * @param admit           lets an application's named module reach dsm; called once per module, before the first
     *                        of its classes that is not ignored loads.
     */
    LazyTransformer(final boolean strict, final List<String> ignoredPrefixes, final Consumer<Module> admit)
    {
        this.strict = strict;
        this.ignoredPrefixes = ignoredPrefixes;
        this.admit = admit;
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
        if (className == null || isIgnored(className))
        {
            return null;
        }
        if (module != null && module.isNamed() && loader != null && admitted.add(module))
        {
            try
            {
                admit.accept(module);
            }
            catch (final Throwable t)
            {
                DsmLog.rateLimited(DsmLog.Level.WARN, "module-" + module.getName(), "could not let module " +
                    module.getName() + " read dsm; its code cannot call dsm: " + t);
            }
        }
        if (!scan.mayNeedRewriting(loader, className, classfileBuffer))
        {
            return null;
        }
        try
        {
            return rewriting().rewrite(className.replace('/', '.'), classfileBuffer, loader);
        }
        catch (final Throwable t)
        {
            DsmLog.rateLimited(DsmLog.Level.WARN, "transform-" + className, "could not instrument " +
                className.replace('/', '.') + "; its accesses to @Shared fields stay local: " + t);
            return null;
        }
    }

    @Override
    public byte[] transform(final ClassLoader loader, final String className, final Class<?> classBeingRedefined,
        final ProtectionDomain protectionDomain, final byte[] classfileBuffer) throws IllegalClassFormatException
    {
        return transform(null, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }

    private ClassRewriting rewriting()
    {
        ClassRewriting r = rewriting;
        if (r == null)
        {
            synchronized (this)
            {
                r = rewriting;
                if (r == null)
                {
                    final long start = System.nanoTime();
                    r = new ClassRewriting(new SharedFieldResolver(strict), strict);
                    rewriting = r;
                    DsmLog.debug("agent: built the shared-field rewriting in " +
                        (System.nanoTime() - start) / 1_000_000 + " ms");
                }
            }
        }
        return r;
    }
}
