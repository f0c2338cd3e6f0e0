package io.dsm.agent.jdk;

import java.lang.reflect.Constructor;

/**
 * {@code sun.reflect.ReflectionFactory}, as dsm's value codec uses it (to build an object of the application's without
 * running its constructor, as Java serialization does), on {@code jdk.internal.reflect.ReflectionFactory}, exported to
 * dsm at start-up: the shade plugin relocates {@code sun.reflect.ReflectionFactory} here, so that dsm does not need the
 * {@code jdk.unsupported} module (see {@link Signal}).
 */
public final class ReflectionFactory
{
    private static final ReflectionFactory INSTANCE = new ReflectionFactory();

    private ReflectionFactory()
    {
    }

    /** @return the factory. */
    public static ReflectionFactory getReflectionFactory()
    {
        return INSTANCE;
    }

    /**
     * @param type        the class to build.
     * @param constructor the constructor to run instead of its own (a no-argument constructor of a superclass).
     * @return a constructor that builds {@code type} running only {@code constructor}.
     */
    public Constructor<?> newConstructorForSerialization(final Class<?> type, final Constructor<?> constructor)
    {
        return jdk.internal.reflect.ReflectionFactory.getReflectionFactory()
            .newConstructorForSerialization(type, constructor);
    }
}
