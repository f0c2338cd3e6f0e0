package io.dsm.it.programs;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An application server in miniature: {@code system|none jars mainClass args...} runs {@code mainClass} from
 * {@code jars} in a child-first class loader whose parent is the system class loader, or the bootstrap loader alone
 * ({@code none}: isolated). It then prints which {@code io.dsm} classes that loader defined itself.
 */
public final class ChildFirstProgram
{
    private ChildFirstProgram()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final List<URL> urls = new ArrayList<>();
        for (final String jar : args[1].split(File.pathSeparator))
        {
            urls.add(Path.of(jar).toUri().toURL());
        }
        final ChildFirst loader = new ChildFirst(urls.toArray(new URL[0]),
            "none".equals(args[0]) ? null : ClassLoader.getSystemClassLoader());
        Thread.currentThread().setContextClassLoader(loader);
        int status = 0;
        try
        {
            Class.forName(args[2], true, loader).getMethod("main", String[].class)
                .invoke(null, (Object)Arrays.copyOfRange(args, 3, args.length));
        }
        catch (final InvocationTargetException ex)
        {
            final StringBuilder causes = new StringBuilder();
            for (Throwable t = ex.getCause(); t != null; t = t.getCause())
            {
                causes.append(" <- ").append(t);
            }
            System.out.println("failed" + causes);
            status = 1;
        }
        System.out.println("child loader defined " + loader.defined);
        System.exit(status);
    }

    /** Looks in its own jars first, for every class but the JDK's. */
    static final class ChildFirst extends URLClassLoader
    {
        final Set<String> defined = new TreeSet<>();

        ChildFirst(final URL[] urls, final ClassLoader parent)
        {
            super("child-first", urls, parent);
        }

        @Override
        protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
        {
            synchronized (getClassLoadingLock(name))
            {
                Class<?> type = findLoadedClass(name);
                if (type == null && !name.startsWith("java."))
                {
                    try
                    {
                        type = findClass(name);
                        if (name.startsWith("io.dsm."))
                        {
                            synchronized (defined)
                            {
                                defined.add(name);
                            }
                        }
                    }
                    catch (final ClassNotFoundException notHere)
                    {
                        type = null;
                    }
                }
                return type != null ? type : super.loadClass(name, resolve);
            }
        }
    }
}
