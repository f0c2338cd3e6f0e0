package io.dsm.agent;


/**
 * Loads the classes of one package through the agent's transformation, as the agent would at class-load time, but
 * without attaching an agent; everything else comes from the parent.
 */
final class TransformingClassLoader extends ClassLoader
{
    private final String prefix;
    private final ClassRewriting rewriting;
    private final java.util.Map<String, byte[]> transformed = new java.util.concurrent.ConcurrentHashMap<>();

    TransformingClassLoader(final String prefix, final SharedFieldResolver resolver)
    {
        this(prefix, resolver, false);
    }

    TransformingClassLoader(final String prefix, final SharedFieldResolver resolver, final boolean strict)
    {
        super(TransformingClassLoader.class.getClassLoader());
        this.prefix = prefix;
        this.rewriting = new ClassRewriting(resolver, strict);
    }

    /** @return the class file as the agent rewrote it. */
    byte[] transformedBytes(final String name)
    {
        return transformed.get(name);
    }

    @Override
    protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
    {
        if (!name.startsWith(prefix))
        {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name))
        {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null)
            {
                final byte[] original;
                try (java.io.InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class"))
                {
                    original = in.readAllBytes();
                }
                catch (final java.io.IOException ex)
                {
                    throw new ClassNotFoundException(name, ex);
                }
                // The agent's own rewriting, as its transformer applies it at class-load time.
                final byte[] rewritten = rewriting.rewrite(name, original, this);
                final byte[] bytes = rewritten == null ? original : rewritten;
                transformed.put(name, bytes);
                if (System.getProperty("dsm.test.dump") != null)
                {
                    try
                    {
                        java.nio.file.Files.write(java.nio.file.Path.of(System.getProperty("dsm.test.dump"),
                            name.substring(name.lastIndexOf('.') + 1) + ".class"), bytes);
                    }
                    catch (final java.io.IOException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                }
                loaded = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve)
            {
                resolveClass(loaded);
            }
            return loaded;
        }
    }
}
