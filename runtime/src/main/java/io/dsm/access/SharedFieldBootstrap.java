package io.dsm.access;

import io.dsm.DsmException;
import io.dsm.Shared;
import io.dsm.node.CompoundOperation;
import io.dsm.node.ReplicaTable;
import io.dsm.node.SharedVariable;
import io.dsm.values.ValueTypes;

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
    private static final MethodHandle GET_IMMUTABLE;
    private static final MethodHandle SET;
    private static final MethodHandle INIT;
    private static final MethodHandle INSTANCE_VARIABLE;
    private static final MethodHandle INSTANCE_INIT;
    private static final MethodHandle INSTANCE_CTOR_GET;
    private static final MethodHandle UPDATE_BITS;
    private static final MethodHandle CONTENT_FOR_READING;
    private static final MethodHandle COPY_FOR_READER;
    private static final MethodHandle STORE;
    private static final MethodHandle UPDATE;
    private static final MethodHandle CONCAT;
    /** Bits of an operand, by its descriptor, and a value from bits, by the variable's descriptor. */
    private static final Map<Character, MethodHandle> TO_BITS = new java.util.HashMap<>();
    private static final Map<Character, MethodHandle> FROM_BITS = new java.util.HashMap<>();
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
            GET_IMMUTABLE = lookup.findVirtual(SharedVariable.class, "getImmutable", MethodType.methodType(Object.class));
            SET = lookup.findVirtual(SharedVariable.class, "set", MethodType.methodType(void.class, Object.class));
            INIT = lookup.findVirtual(SharedVariable.class, "init", MethodType.methodType(void.class, Object.class));
            INSTANCE_VARIABLE = lookup.findVirtual(InstanceFamily.class, "variableOf",
                MethodType.methodType(SharedVariable.class, Object.class));
            INSTANCE_INIT = lookup.findVirtual(InstanceFamily.class, "init",
                MethodType.methodType(void.class, Object.class, Object.class));
            INSTANCE_CTOR_GET = lookup.findVirtual(InstanceFamily.class, "constructorGet",
                MethodType.methodType(Object.class, Object.class));
            CONTENT_FOR_READING = lookup.findVirtual(SharedVariable.class, "contentForReading",
                MethodType.methodType(Object.class));
            COPY_FOR_READER = lookup.findStatic(SharedFieldBootstrap.class, "copyForReader",
                MethodType.methodType(Object.class, String.class, Object.class));
            UPDATE_BITS = lookup.findVirtual(SharedVariable.class, "updateBits",
                MethodType.methodType(long.class, CompoundOperation.class, long.class, boolean.class));
            final MethodType pathOperation = MethodType.methodType(Object.class, SharedVariable.class, PathPlan.class,
                Object[].class);
            STORE = lookup.findStatic(SharedAccess.class, "store", pathOperation);
            UPDATE = lookup.findStatic(SharedAccess.class, "update", pathOperation);
            CONCAT = lookup.findStatic(SharedAccess.class, "concat", pathOperation);
            for (final String conversion : new String[] {"I:int", "J:long", "F:float", "D:double"})
            {
                final Class<?> type = primitive(conversion.substring(2));
                TO_BITS.put(conversion.charAt(0), lookup.findStatic(SharedFieldBootstrap.class, "bitsOf",
                    MethodType.methodType(long.class, type)));
            }
            for (final String conversion : new String[] {"Z:boolean", "B:byte", "S:short", "C:char", "I:int",
                "J:long", "F:float", "D:double"})
            {
                final Class<?> type = primitive(conversion.substring(2));
                final String suffix = Character.toUpperCase(type.getName().charAt(0)) + type.getName().substring(1);
                FROM_BITS.put(conversion.charAt(0), lookup.findStatic(SharedFieldBootstrap.class, "to" + suffix,
                    MethodType.methodType(type, long.class)));
            }
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
        // Initialised, as the getstatic/putstatic this replaces would (JLS 12.4.1): the first access to a static field
        // runs its class's static initialiser, once per JVM. From inside that initialiser (its own writes), or from
        // the thread already running it, this returns at once, as the JVM's own initialisation does.
        final Class<?> owner = Class.forName(declaringClass, true, caller.lookupClass().getClassLoader());
        final Field field = owner.getDeclaredField(fieldName);
        final MethodHandle accessor;
        switch (operation)
        {
            case "get":
                accessor = field.getType().isPrimitive() ? PRIMITIVE_GETS.get(field.getType()) :
                    ValueTypes.isAlwaysImmutable(field.getGenericType()) ? GET_IMMUTABLE : GET;
                break;
            case "set":
                accessor = field.getType().isPrimitive() ? PRIMITIVE_SETS.get(field.getType()) : SET;
                break;
            case "init":
                accessor = INIT;
                break;
            case "ctorget":
                accessor = INSTANCE_CTOR_GET;
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
                accessor == INSTANCE_CTOR_GET ? INSTANCE_CTOR_GET.bindTo(family) :
                MethodHandles.filterArguments(accessor, 0, INSTANCE_VARIABLE.bindTo(family));
        }
        return new ConstantCallSite(MethodHandles.explicitCastArguments(target, type));
    }

    /**
     * Links a rewritten access that goes beyond a plain read or write: a compound assignment to the field, or an access
     * through its value (see {@link AccessSpec}).
     *
     * @param caller         the class whose code holds the call site.
     * @param operation      {@code access}.
     * @param type           the call's type: the owner object for an instance field, then the operands left on the
     *                       stack (array indices, the value stored, the right-hand operands), in order.
     * @param declaringClass binary name of the class that declares the field.
     * @param fieldName      the field.
     * @param spec           the access, as {@link AccessSpec#encode()} wrote it.
     * @param concat         for a string concatenation: the recipe and constants of the original
     *                       {@code makeConcatWithConstants}.
     * @return a constant call site.
     * @throws Throwable when the field or a field on the path cannot be found.
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
        final ClassLoader loader = caller.lookupClass().getClassLoader();
        final Class<?> owner = Class.forName(declaringClass, true, loader);
        final Field field = owner.getDeclaredField(fieldName);
        final boolean isStatic = Modifier.isStatic(field.getModifiers());
        final AccessSpec access = AccessSpec.parse(spec);
        MethodHandle h;
        if (access.kind == AccessSpec.UPDATE && access.steps.isEmpty() && access.op != AccessSpec.CONCAT)
        {
            // x op= k on a primitive field: unboxed, through the variable's bits.
            final CompoundOperation compound = new CompoundOperation(access.location, access.pre, access.op,
                access.post);
            h = MethodHandles.insertArguments(UPDATE_BITS, 1, compound);
            h = MethodHandles.insertArguments(h, 2, access.form == AccessSpec.NEW);
            h = MethodHandles.filterArguments(h, 1, TO_BITS.get(access.operands.get(0).charAt(0)));
            h = access.form == AccessSpec.VOID ? MethodHandles.dropReturn(h) :
                MethodHandles.filterReturnValue(h, FROM_BITS.get(access.location.charAt(0)));
        }
        else if (access.kind == AccessSpec.LOAD)
        {
            h = load(access, field, loader);
        }
        else
        {
            MethodHandle concatenation = null;
            if (access.op == AccessSpec.CONCAT)
            {
                final Class<?>[] operands = new Class<?>[access.operands.size() + 1];
                operands[0] = String.class;
                for (int i = 0; i < access.operands.size(); i++)
                {
                    operands[i + 1] = MethodType.fromMethodDescriptorString("(" + access.operands.get(i) + ")V",
                        loader).parameterType(0);
                }
                final Object[] constants = java.util.Arrays.copyOfRange(concat, 1, concat.length);
                concatenation = java.lang.invoke.StringConcatFactory.makeConcatWithConstants(caller, "concat",
                    MethodType.methodType(String.class, operands), (String)concat[0], constants).dynamicInvoker()
                    .asType(MethodType.methodType(Object.class, operands).generic());
            }
            final PathPlan plan = new PathPlan(access, loader, concatenation);
            final MethodHandle entry = access.steps.isEmpty() ? CONCAT : access.kind == AccessSpec.STORE ? STORE :
                UPDATE;
            h = MethodHandles.insertArguments(entry, 1, plan)
                .asCollector(Object[].class, type.parameterCount() - (isStatic ? 0 : 1));
        }
        final MethodHandle target;
        if (isStatic)
        {
            target = h.bindTo(variableOf(field));
        }
        else
        {
            final InstanceFamily family = FAMILIES.computeIfAbsent(field, f -> new InstanceFamily(f, caller));
            target = MethodHandles.filterArguments(h, 0, INSTANCE_VARIABLE.bindTo(family));
        }
        return new ConstantCallSite(MethodHandles.explicitCastArguments(target, type));
    }

    /**
     * A read through a field's value, composed of method handles the JIT inlines: the replica's content (never a copy),
     * then each array element, field or array length on the path; a part that can change in place is copied at the end.
     *
     * @return {@code (SharedVariable, indices...) -> value}.
     */
    private static MethodHandle load(final AccessSpec access, final Field field, final ClassLoader loader)
        throws ReflectiveOperationException
    {
        Class<?> current = field.getType();
        MethodHandle h = CONTENT_FOR_READING.asType(MethodType.methodType(current, SharedVariable.class));
        for (final AccessSpec.Step step : access.steps)
        {
            final MethodHandle next;
            switch (step.kind)
            {
                case 'E':
                    next = MethodHandles.arrayElementGetter(current);
                    break;
                case 'L':
                    next = MethodHandles.arrayLength(current);
                    break;
                default:
                    final Field target = PathPlan.findField(
                        Class.forName(step.owner.replace('/', '.'), false, loader), step.name);
                    target.setAccessible(true);
                    next = MethodHandles.lookup().unreflectGetter(target).asType(
                        MethodType.methodType(target.getType(), current));
            }
            h = MethodHandles.collectArguments(next, 0, h);
            current = next.type().returnType();
        }
        if (!current.isPrimitive() && current != String.class)
        {
            h = MethodHandles.filterReturnValue(h.asType(h.type().changeReturnType(Object.class)),
                MethodHandles.insertArguments(COPY_FOR_READER, 0, baseName(field)));
        }
        return h;
    }

    static Object copyForReader(final String variable, final Object part)
    {
        return part == null ? null : ReplicaTable.codec().copyForReader(part, variable);
    }

    /**
     * Fails an access to a field that strict mode refused ({@code dsm.strict}).
     *
     * @param message the field and why it is refused.
     * @throws DsmException always.
     */
    public static void refused(final String message)
    {
        throw new DsmException(message);
    }

    private static Class<?> primitive(final String name)
    {
        return MethodType.fromMethodDescriptorString("(" + descriptorOf(name) + ")V", null).parameterType(0);
    }

    private static String descriptorOf(final String primitive)
    {
        switch (primitive)
        {
            case "boolean":
                return "Z";
            case "byte":
                return "B";
            case "short":
                return "S";
            case "char":
                return "C";
            case "int":
                return "I";
            case "long":
                return "J";
            case "float":
                return "F";
            default:
                return "D";
        }
    }

    static long bitsOf(final int v)
    {
        return v;
    }

    static long bitsOf(final long v)
    {
        return v;
    }

    static long bitsOf(final float v)
    {
        return Float.floatToRawIntBits(v);
    }

    static long bitsOf(final double v)
    {
        return Double.doubleToRawLongBits(v);
    }

    static boolean toBoolean(final long bits)
    {
        return bits != 0;
    }

    static byte toByte(final long bits)
    {
        return (byte)bits;
    }

    static short toShort(final long bits)
    {
        return (short)bits;
    }

    static char toChar(final long bits)
    {
        return (char)bits;
    }

    static int toInt(final long bits)
    {
        return (int)bits;
    }

    static long toLong(final long bits)
    {
        return bits;
    }

    static float toFloat(final long bits)
    {
        return Float.intBitsToFloat((int)bits);
    }

    static double toDouble(final long bits)
    {
        return Double.longBitsToDouble(bits);
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
     * @return the variable name it declares: {@code @Shared("name")}, or {@code package.Class.field} (the binary name
     *         of the declaring class, so two classes of the same simple name never share by accident).
     */
    public static String baseName(final Field field)
    {
        final String name = SharedAnnotations.sharedName(field);
        if (name == null)
        {
            // The agent saw @Shared in the class file; reflection does not, so the class's loader cannot load the
            // annotation: a default name here could differ from another JVM's @Shared("name") for the same field.
            throw new DsmException("@Shared on " + describe(field) + " is not visible to its class loader " +
                field.getDeclaringClass().getClassLoader() + " (it cannot load io.dsm.Shared): give the class " +
                "loader dsm's API, by its parent or by bundling dsm-api");
        }
        return name.isEmpty() ? field.getDeclaringClass().getName() + "." + field.getName() : name;
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
                if (SharedAnnotations.isSharedId(f))
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
        /** The variables of every instance field that declares {@link #baseName}, by object id. */
        private final ConcurrentHashMap<Object, SharedVariable> byId;

        InstanceFamily(final Field field, final MethodHandles.Lookup caller)
        {
            this.field = field;
            this.idField = idField(field.getDeclaringClass());
            this.baseName = baseName(field);
            this.declaredBy = describe(field);
            this.byId = ReplicaTable.instances(baseName);
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
            // Until the object's first access outside its constructors, the constructors see and change only what they
            // assigned; the last of it becomes the variable's initial value then.
            if (id(owner) == null || pending != 0 && pendingInit.containsKey(owner))
            {
                rawSetter.invokeExact(owner, value);
                pendingInit.put(owner, Boolean.TRUE);
                pending = pendingInit.size();
                return;
            }
            variableOf(owner).init(value);
        }

        /**
         * A read in a constructor: while the object's initial value waits for its id, the constructor sees what it
         * assigned, as plain Java would; otherwise, the variable.
         */
        Object constructorGet(final Object owner) throws Throwable
        {
            if (pending != 0 && pendingInit.containsKey(owner))
            {
                return rawGetter.invokeExact(owner);
            }
            return variableOf(owner).get();
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
            // Checks the type too: another field may have declared this name with another type.
            return ReplicaTable.instanceVariable(byId, baseName, id, field.getGenericType(), field.getType(),
                declaredBy);
        }
    }
}
