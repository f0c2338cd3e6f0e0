package io.dsm.access;

import io.dsm.DsmException;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code invokedynamic} bootstrap of the {@code MethodHandles.Lookup} factories of field getters, setters and
 * {@code VarHandle}s that the agent rewrites (see the agent's {@code ReflectionCallRewriter}; {@code Field.get*},
 * {@code Field.set*} and the field updaters, which check access by their caller, are handled in place by
 * {@link ReflectiveAccess}), and which fields are shared.
 * <p>
 * Each call site tests, per call, whether the field is shared. If not, it calls the original method with the same
 * lookup, so nothing changes. If it is: after the original's access checks, a getter or setter method handle that
 * reads or writes the variable; a {@code VarHandle} is refused with a {@link DsmException} naming the field, because
 * it would act on the local field behind dsm's back.
 */
public final class ReflectionBootstrap
{
    /** Shared fields the agent refused (they stay local): {@code Class#field}. */
    private static final Set<String> REFUSED = ConcurrentHashMap.newKeySet();
    private static final ClassValue<Set<String>> SHARED_FIELDS = new ClassValue<>()
    {
        @Override
        protected Set<String> computeValue(final Class<?> type)
        {
            final Set<String> names = ConcurrentHashMap.newKeySet();
            for (final Field field : type.getDeclaredFields())
            {
                if (SharedAnnotations.isShared(field) && !Modifier.isFinal(field.getModifiers()) &&
                    !REFUSED.contains(type.getName() + "#" + field.getName()))
                {
                    names.add(field.getName());
                }
            }
            return names;
        }
    };

    private static final MethodHandle IS_SHARED;
    private static final MethodHandle IS_SHARED_NAMED;
    private static final MethodHandle GETTER;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            IS_SHARED = lookup.findStatic(ReflectionBootstrap.class, "isShared",
                MethodType.methodType(boolean.class, Field.class));
            IS_SHARED_NAMED = lookup.findStatic(ReflectionBootstrap.class, "isShared",
                MethodType.methodType(boolean.class, Class.class, String.class));
            GETTER = lookup.findStatic(ReflectionBootstrap.class, "accessor",
                MethodType.methodType(MethodHandle.class, boolean.class, Field.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private ReflectionBootstrap()
    {
    }

    /**
     * Records a shared field the agent refused, so that reflection treats it as the plain field it stays.
     *
     * @param className the declaring class.
     * @param field     the field.
     */
    public static void refused(final String className, final String field)
    {
        REFUSED.add(className + "#" + field);
    }

    /**
     * Links one rewritten reflective call.
     *
     * @param caller the class that makes the call.
     * @param name   the method called.
     * @param type   its type, the receiver first for an instance method.
     * @param owner  internal name of the class the call named: {@code java/lang/invoke/MethodHandles$Lookup}.
     * @return a constant call site.
     * @throws ReflectiveOperationException when the original method cannot be found.
     */
    public static CallSite bootstrap(
        final MethodHandles.Lookup caller,
        final String name,
        final MethodType type,
        final String owner) throws ReflectiveOperationException
    {
        if (!"java/lang/invoke/MethodHandles$Lookup".equals(owner))
        {
            throw new IllegalArgumentException("no reflective rewrite for " + owner + "." + name);
        }
        // Not caller-sensitive: the Lookup passed as the receiver carries the access.
        final MethodHandle original = caller.findVirtual(MethodHandles.Lookup.class, name,
            type.dropParameterTypes(0, 1));
        final MethodHandle target = lookupCall(name, type, original);
        return new ConstantCallSite(target.asType(type));
    }

    private static MethodHandle lookupCall(final String name, final MethodType type, final MethodHandle original)
    {
        final boolean unreflect = name.startsWith("unreflect");
        // (Lookup, Field) or (Lookup, Class, String, Class)
        final MethodHandle test = unreflect ?
            MethodHandles.dropArguments(IS_SHARED, 0, MethodHandles.Lookup.class) :
            MethodHandles.dropArguments(MethodHandles.dropArguments(IS_SHARED_NAMED, 2, Class.class), 0,
                MethodHandles.Lookup.class);
        final MethodHandle field = unreflect ? MethodHandles.identity(Field.class) : FIND_FIELD;
        MethodHandle shared;
        if (name.endsWith("VarHandle"))
        {
            shared = MethodHandles.insertArguments(REFUSE_FIELD, 0,
                "a VarHandle on a @Shared field would act on this JVM's local field: read and write the field " +
                "itself (x++ and x += k are atomic across JVMs), or use Dsm.update for an atomic read-modify-write");
            shared = MethodHandles.collectArguments(shared, 0, field);
            shared = MethodHandles.dropArguments(shared, 0, MethodHandles.Lookup.class);
        }
        else
        {
            // A getter or setter: do what the original does first (its access checks, its exceptions), then hand
            // out one that reads or writes the variable.
            shared = MethodHandles.insertArguments(GETTER, 0, name.contains("Getter"));
            shared = MethodHandles.collectArguments(shared, 0, field);
            shared = MethodHandles.dropArguments(shared, 0, MethodHandle.class, MethodHandles.Lookup.class);
            shared = MethodHandles.foldArguments(shared, original.asType(original.type().changeReturnType(
                MethodHandle.class)));
        }
        return MethodHandles.guardWithTest(test, shared.asType(type), original);
    }

    private static final MethodHandle FIND_FIELD;
    private static final MethodHandle REFUSE_FIELD;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            REFUSE_FIELD = lookup.findStatic(ReflectionBootstrap.class, "refuse",
                MethodType.methodType(Object.class, String.class, Field.class));
            FIND_FIELD = lookup.findStatic(ReflectionBootstrap.class, "findField",
                MethodType.methodType(Field.class, Class.class, String.class, Class.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    static boolean isShared(final Field field)
    {
        return SHARED_FIELDS.get(field.getDeclaringClass()).contains(field.getName());
    }

    static boolean isShared(final Class<?> type, final String name)
    {
        return type != null && name != null && findDeclaring(type, name) != null;
    }

    private static Class<?> findDeclaring(final Class<?> type, final String name)
    {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass())
        {
            if (SHARED_FIELDS.get(c).contains(name))
            {
                return c;
            }
        }
        return null;
    }

    static Field findField(final Class<?> type, final String name, final Class<?> fieldType)
        throws NoSuchFieldException
    {
        final Class<?> declaring = findDeclaring(type, name);
        if (declaring == null)
        {
            throw new NoSuchFieldException(type.getName() + "." + name);
        }
        return declaring.getDeclaredField(name);
    }

    /** A getter or setter method handle for a shared field: reads or writes the variable, as the field would. */
    static MethodHandle accessor(final boolean getter, final Field field) throws Throwable
    {
        final boolean isStatic = Modifier.isStatic(field.getModifiers());
        final Class<?> type = field.getType();
        final MethodType callType = getter ?
            (isStatic ? MethodType.methodType(type) : MethodType.methodType(type, field.getDeclaringClass())) :
            (isStatic ? MethodType.methodType(void.class, type) :
                MethodType.methodType(void.class, field.getDeclaringClass(), type));
        // Linked as the declaring class would link it, so that the class comes from its own loader.
        final MethodHandles.Lookup own = MethodHandles.privateLookupIn(field.getDeclaringClass(), MethodHandles.lookup());
        return SharedFieldBootstrap.bootstrap(own, getter ? "get" : "set", callType,
            field.getDeclaringClass().getName(), field.getName()).dynamicInvoker();
    }

    static Object refuse(final String why, final Class<?> type, final String name)
    {
        throw new DsmException("cannot make one for field " + type.getName() + "." + name + ": " + why);
    }

    static Object refuse(final String why, final Field field)
    {
        return refuse(why, field.getDeclaringClass(), field.getName());
    }
}
