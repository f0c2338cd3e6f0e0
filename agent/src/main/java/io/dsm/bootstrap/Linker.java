package io.dsm.bootstrap;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The {@code invokedynamic} bootstrap methods of every call site the agent writes into an application class. The
 * agent defines this class in the bootstrap class loader at start-up, so that every class loader finds it (a
 * child-first loader, or one whose parent is the bootstrap loader, finds it too, where it would find no class of the
 * agent's jar, or a second copy of dsm's runtime that it bundles). Each method forwards to the same-named bootstrap
 * method of the one runtime, loaded by {@link #runtime(ClassLoader) the agent's class loader}, with the caller's
 * lookup and static arguments unchanged: once linked, a call site is bound to the runtime's method handle and this
 * class is out of the path.
 * <p>
 * Without the agent (tests that rewrite classes by hand) this class is loaded from the class path like any other, and
 * the runtime is the system class loader's.
 * <p>
 * Only the JDK may be used here: the bootstrap class loader sees nothing else.
 */
public final class Linker
{
    private static final MethodType FIELD = MethodType.methodType(CallSite.class, MethodHandles.Lookup.class,
        String.class, MethodType.class, String.class, String.class);
    private static final MethodType ACCESS = MethodType.methodType(CallSite.class, MethodHandles.Lookup.class,
        String.class, MethodType.class, String.class, String.class, String.class, Object[].class);
    private static final MethodType REFLECTION = MethodType.methodType(CallSite.class, MethodHandles.Lookup.class,
        String.class, MethodType.class, String.class);

    private static volatile ClassLoader runtime;

    private Linker()
    {
    }

    /**
     * Names the class loader of the JVM's one dsm runtime; called once by the agent at start-up.
     *
     * @param loader the agent's class loader.
     */
    public static void runtime(final ClassLoader loader)
    {
        runtime = loader;
    }

    /**
     * @return the class loader of the runtime the call sites link to: the agent's, or the system class loader's.
     */
    public static ClassLoader runtime()
    {
        final ClassLoader loader = runtime;
        return loader != null ? loader : ClassLoader.getSystemClassLoader();
    }

    /**
     * A plain access of a shared field: {@code io.dsm.access.SharedFieldBootstrap.bootstrap}.
     *
     * @param caller         the class whose code holds the call site.
     * @param operation      {@code get}, {@code set} or {@code init}.
     * @param type           the call site's type.
     * @param declaringClass binary name of the class that declares the field.
     * @param fieldName      the field.
     * @return the runtime's call site.
     * @throws Throwable what the runtime's bootstrap method throws.
     */
    public static CallSite field(
        final MethodHandles.Lookup caller,
        final String operation,
        final MethodType type,
        final String declaringClass,
        final String fieldName) throws Throwable
    {
        return (CallSite)bootstrap("io.dsm.access.SharedFieldBootstrap", "bootstrap", FIELD)
            .invokeExact(caller, operation, type, declaringClass, fieldName);
    }

    /**
     * A compound access, or an access through a path of a shared field: {@code SharedFieldBootstrap.access}.
     *
     * @param caller         the class whose code holds the call site.
     * @param operation      the operation.
     * @param type           the call site's type.
     * @param declaringClass binary name of the class that declares the field.
     * @param fieldName      the field.
     * @param spec           the access, encoded.
     * @param concat         for a string concatenation, the original recipe and constants.
     * @return the runtime's call site.
     * @throws Throwable what the runtime's bootstrap method throws.
     */
    public static CallSite access(
        final MethodHandles.Lookup caller,
        final String operation,
        final MethodType type,
        final String declaringClass,
        final String fieldName,
        final String spec,
        final Object... concat) throws Throwable
    {
        return (CallSite)bootstrap("io.dsm.access.SharedFieldBootstrap", "access", ACCESS)
            .invokeExact(caller, operation, type, declaringClass, fieldName, spec, concat);
    }

    /**
     * A rewritten {@code MethodHandles.Lookup} call: {@code io.dsm.access.ReflectionBootstrap.bootstrap}.
     *
     * @param caller the class whose code holds the call site.
     * @param name   the method called.
     * @param type   its type, the receiver first.
     * @param owner  internal name of the class the call named.
     * @return the runtime's call site.
     * @throws Throwable what the runtime's bootstrap method throws.
     */
    public static CallSite reflection(
        final MethodHandles.Lookup caller,
        final String name,
        final MethodType type,
        final String owner) throws Throwable
    {
        return (CallSite)bootstrap("io.dsm.access.ReflectionBootstrap", "bootstrap", REFLECTION)
            .invokeExact(caller, name, type, owner);
    }

    /**
     * A call of a public static method of the runtime (the checks and conversions around reflection on shared
     * fields): bound once to that method.
     *
     * @param caller the class whose code holds the call site (unused: the method is public).
     * @param name   the method.
     * @param type   its type.
     * @param owner  internal name of the runtime class that declares it, in {@code io/dsm/access/}.
     * @return a constant call site bound to the method.
     * @throws ReflectiveOperationException when the runtime has no such method.
     */
    public static CallSite invoke(
        final MethodHandles.Lookup caller,
        final String name,
        final MethodType type,
        final String owner) throws ReflectiveOperationException
    {
        return new ConstantCallSite(MethodHandles.publicLookup().findStatic(runtimeClass(owner), name, type));
    }

    private static MethodHandle bootstrap(final String className, final String name, final MethodType type)
        throws ReflectiveOperationException
    {
        return MethodHandles.publicLookup().findStatic(runtimeClass(className), name, type);
    }

    private static Class<?> runtimeClass(final String name) throws ClassNotFoundException
    {
        final String binary = name.replace('/', '.');
        if (!binary.startsWith("io.dsm.access."))
        {
            throw new IllegalArgumentException("not a class of dsm's runtime: " + name + " (expected io.dsm.access.*)");
        }
        return Class.forName(binary, true, runtime());
    }
}
