package io.dsm.access;

import io.dsm.DsmException;
import io.dsm.Shared;
import io.dsm.SharedId;
import io.dsm.node.ReplicaTable;
import io.dsm.node.SharedVariable;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code invokedynamic} bootstrap of every rewritten access to a {@link Shared} field.
 * <p>
 * The agent replaces {@code getstatic}/{@code putstatic}/{@code getfield}/{@code putfield} of a shared field with an
 * {@code invokedynamic} named {@code get}, {@code set} or {@code init}, whose static arguments name the declaring
 * class and field. On first execution this bootstrap finds the field, creates (or finds) its variable, and returns a
 * constant call site bound to it: afterwards the JIT sees a direct call to {@link SharedVariable#get()} (or, for a
 * primitive field, {@link SharedVariable#getLong()} and its siblings), so a read of a valid replica costs a volatile
 * read of the value and, for a primitive, an independent read of its bits instead of unboxing; a local write of a
 * primitive stores its bits without boxing. No network is touched while linking.
 */
public final class SharedFieldBootstrap
{
    private static final MethodHandle GET;
    private static final MethodHandle SET;
    private static final MethodHandle INIT;
    private static final MethodHandle INSTANCE_VARIABLE;
    private static final MethodHandle INSTANCE_INIT;
    private static final ConcurrentHashMap<Field, InstanceFamily> FAMILIES = new ConcurrentHashMap<>();
    /** Readers of primitive fields that do not unbox: {@code getLong}, {@code getInt}, ... by primitive type. */
    private static final Map<Class<?>, MethodHandle> PRIMITIVE_GETS = new java.util.HashMap<>();
    /** Writers of primitive fields that do not box a local write: {@code setLong}, ... by primitive type. */
    private static final Map<Class<?>, MethodHandle> PRIMITIVE_SETS = new java.util.HashMap<>();

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            GET = lookup.findVirtual(SharedVariable.class, "get", MethodType.methodType(Object.class));
            SET = lookup.findVirtual(SharedVariable.class, "set", MethodType.methodType(void.class, Object.class));
            INIT = lookup.findVirtual(SharedVariable.class, "init", MethodType.methodType(void.class, Object.class));
            INSTANCE_VARIABLE = lookup.findVirtual(InstanceFamily.class, "variableOf",
                MethodType.methodType(SharedVariable.class, Object.class));
            INSTANCE_INIT = lookup.findVirtual(InstanceFamily.class, "init",
                MethodType.methodType(void.class, Object.class, Object.class));
            for (final Class<?> primitive : new Class<?>[] {long.class, int.class, short.class, byte.class,
                char.class, boolean.class, double.class, float.class})
            {
                final String name = primitive.getName();
                final String suffix = Character.toUpperCase(name.charAt(0)) + name.substring(1);
                PRIMITIVE_GETS.put(primitive, lookup.findVirtual(SharedVariable.class, "get" + suffix,
                    MethodType.methodType(primitive)));
                PRIMITIVE_SETS.put(primitive, lookup.findVirtual(SharedVariable.class, "set" + suffix,
                    MethodType.methodType(void.class, primitive)));
            }
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private SharedFieldBootstrap()
    {
    }

    /**
     * Links one rewritten field access.
     *
     * @param caller         the class whose code holds the call site.
     * @param operation      {@code get}, {@code set} or {@code init}.
     * @param type           {@code ()T}, {@code (T)V}, {@code (O)T} or {@code (O,T)V}.
     * @param declaringClass binary name of the class that declares the field.
     * @param fieldName      the field.
     * @return a constant call site bound to the field's variable.
     * @throws ReflectiveOperationException when the field cannot be found.
     */
    public static CallSite bootstrap(
        final MethodHandles.Lookup caller,
        final String operation,
        final MethodType type,
        final String declaringClass,
        final String fieldName) throws ReflectiveOperationException
    {
        final Class<?> owner = Class.forName(declaringClass, false, caller.lookupClass().getClassLoader());
        final Field field = owner.getDeclaredField(fieldName);
        final MethodHandle accessor;
        switch (operation)
        {
            case "get":
                accessor = field.getType().isPrimitive() ? PRIMITIVE_GETS.get(field.getType()) : GET;
                break;
            case "set":
                accessor = field.getType().isPrimitive() ? PRIMITIVE_SETS.get(field.getType()) : SET;
                break;
            case "init":
                accessor = INIT;
                break;
            default:
                throw new IllegalArgumentException("unknown shared field operation " + operation);
        }
        MethodHandle target;
        if (Modifier.isStatic(field.getModifiers()))
        {
            target = accessor.bindTo(variableOf(field));
        }
        else
        {
            final InstanceFamily family = FAMILIES.computeIfAbsent(field, f -> new InstanceFamily(f, caller));
            target = accessor == INIT ? INSTANCE_INIT.bindTo(family) :
                MethodHandles.filterArguments(accessor, 0, INSTANCE_VARIABLE.bindTo(family));
        }
        return new ConstantCallSite(MethodHandles.explicitCastArguments(target, type));
    }

    /**
     * @param field a static shared field.
     * @return its variable, created on first use.
     */
    public static SharedVariable variableOf(final Field field)
    {
        return ReplicaTable.variable(baseName(field), field.getGenericType(), field.getType(), describe(field));
    }

    /**
     * @param owner an object whose class has shared instance fields.
     * @param field one of them.
     * @return the variable of that object's field.
     */
    public static SharedVariable variableOf(final Object owner, final Field field)
    {
        final InstanceFamily family = FAMILIES.computeIfAbsent(field, f -> new InstanceFamily(f, MethodHandles.lookup()));
        return family.variableOf(owner);
    }

    /**
     * @param field a shared field.
     * @return the variable name it declares: {@code @Shared("name")}, or {@code Class.field}.
     */
    public static String baseName(final Field field)
    {
        final Shared shared = field.getAnnotation(Shared.class);
        if (shared != null && !shared.value().isEmpty())
        {
            return shared.value();
        }
        final String className = field.getDeclaringClass().getName();
        return className.substring(className.lastIndexOf('.') + 1) + "." + field.getName();
    }

    static String describe(final Field field)
    {
        return "field " + field.getDeclaringClass().getName() + "." + field.getName();
    }

    /**
     * @param type a class with shared instance fields.
     * @return its {@link SharedId} field, searching superclasses.
     * @throws DsmException when there is none.
     */
    public static Field idField(final Class<?> type)
    {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass())
        {
            for (final Field f : c.getDeclaredFields())
            {
                if (f.isAnnotationPresent(SharedId.class))
                {
                    return f;
                }
            }
        }
        throw new DsmException(type.getName() + " has @Shared instance fields but no @SharedId field");
    }

    /**
     * The variables of one shared instance field, one per object id. A constructor may assign the field (a field
     * initialiser does) before it assigns the id: that initial value waits in the object's own field until the id
     * is known, and is applied as the variable's initial value on the object's next shared access.
     */
    static final class InstanceFamily
    {
        private final Field field;
        private final Field idField;
        private final MethodHandle idGetter;
        private final MethodHandle rawGetter;
        private final MethodHandle rawSetter;
        private final Map<Object, Boolean> pendingInit = Collections.synchronizedMap(new WeakHashMap<>());
        private volatile int pending;
        private final String baseName;
        private final String declaredBy;
        private final ConcurrentHashMap<Object, SharedVariable> byId = new ConcurrentHashMap<>();

        InstanceFamily(final Field field, final MethodHandles.Lookup caller)
        {
            this.field = field;
            this.idField = idField(field.getDeclaringClass());
            this.baseName = baseName(field);
            this.declaredBy = describe(field);
            MethodHandle getter;
            try
            {
                final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(idField.getDeclaringClass(), caller);
                getter = lookup.unreflectGetter(idField);
            }
            catch (final IllegalAccessException ex)
            {
                idField.setAccessible(true);
                try
                {
                    getter = MethodHandles.lookup().unreflectGetter(idField);
                }
                catch (final IllegalAccessException again)
                {
                    throw new DsmException("cannot read @SharedId field " + idField + ": " + again.getMessage());
                }
            }
            this.idGetter = getter.asType(MethodType.methodType(Object.class, Object.class));
            try
            {
                final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(field.getDeclaringClass(), caller);
                this.rawGetter = lookup.unreflectGetter(field)
                    .asType(MethodType.methodType(Object.class, Object.class));
                this.rawSetter = lookup.unreflectSetter(field)
                    .asType(MethodType.methodType(void.class, Object.class, Object.class));
            }
            catch (final IllegalAccessException ex)
            {
                throw new DsmException("cannot access " + describe(field) + ": " + ex.getMessage());
            }
        }

        void init(final Object owner, final Object value) throws Throwable
        {
            if (id(owner) == null)
            {
                rawSetter.invokeExact(owner, value);
                pendingInit.put(owner, Boolean.TRUE);
                pending = pendingInit.size();
                return;
            }
            variableOf(owner).init(value);
        }

        SharedVariable variableOf(final Object owner)
        {
            if (pending != 0 && pendingInit.remove(owner) != null)
            {
                pending = pendingInit.size();
                final SharedVariable variable = lookup(owner);
                final Object initial;
                try
                {
                    initial = rawGetter.invokeExact(owner);
                }
                catch (final Throwable t)
                {
                    throw new DsmException("cannot read the initial value of " + describe(field), t);
                }
                variable.init(initial);
                return variable;
            }
            return lookup(owner);
        }

        private Object id(final Object owner)
        {
            Objects.requireNonNull(owner, "owner");
            try
            {
                return idGetter.invokeExact(owner);
            }
            catch (final Throwable t)
            {
                throw new DsmException("cannot read the @SharedId of " + owner.getClass().getName(), t);
            }
        }

        private SharedVariable lookup(final Object owner)
        {
            final Object id = id(owner);
            if (id == null)
            {
                throw new DsmException("shared field " + field.getDeclaringClass().getName() + "." + field.getName() +
                    " used on an object whose @SharedId " + idField.getName() + " is null: set the id first");
            }
            final SharedVariable cached = byId.get(id);
            if (cached != null)
            {
                return cached;
            }
            return byId.computeIfAbsent(id, k -> ReplicaTable.variable(baseName + "[" + k + "]",
                field.getGenericType(), field.getType(), declaredBy));
        }
    }
}
