package io.dsm.access;

import io.dsm.DsmException;
import io.dsm.node.SharedVariable;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * What the rewritten reflective calls on fields do around the original call, which stays in the caller's own code:
 * {@code Field.get}, {@code Field.set} and {@code Atomic*FieldUpdater.newUpdater} check access by their caller, so only
 * the caller can make them (a method handle to them acts as another class and loses private access).
 * <ul>
 * <li>{@code field.get(o)} runs as written (its access checks and exceptions unchanged); on a shared field,
 * {@link #afterGet} then replaces what it read from the local field by the shared value.</li>
 * <li>{@code field.set(o, v)} runs as written; on a shared field, {@link #afterSet} then writes {@code v} to the
 * variable. The arguments travel in an array built by {@link #pack} so that the rewritten code needs no local
 * variable.</li>
 * <li>{@code newUpdater(type, name)} is refused on a shared field before it runs ({@link #checkUpdater}): an updater
 * would act on the local field behind dsm's back.</li>
 * </ul>
 */
public final class ReflectiveAccess
{
    private ReflectiveAccess()
    {
    }

    private static SharedVariable variable(final Field field, final Object owner)
    {
        return Modifier.isStatic(field.getModifiers()) ? SharedFieldBootstrap.variableOf(field) :
            SharedFieldBootstrap.variableOf(owner, field);
    }

    /**
     * @param field the field read.
     * @param owner the object read (null for a static field).
     * @param read  what {@code Field.get} read from the local field.
     * @return {@code read}, or the shared value when the field is shared.
     */
    public static Object afterGet(final Field field, final Object owner, final Object read)
    {
        return ReflectionBootstrap.isShared(field) ? variable(field, owner).get() : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getBoolean}. */
    public static boolean afterGetBoolean(final Field field, final Object owner, final boolean read)
    {
        return ReflectionBootstrap.isShared(field) ? (Boolean)variable(field, owner).get() : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getByte}. */
    public static byte afterGetByte(final Field field, final Object owner, final byte read)
    {
        return ReflectionBootstrap.isShared(field) ? ((Number)variable(field, owner).get()).byteValue() : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getChar}. */
    public static char afterGetChar(final Field field, final Object owner, final char read)
    {
        return ReflectionBootstrap.isShared(field) ? (Character)variable(field, owner).get() : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getShort}: the JDK widened the local value already. */
    public static short afterGetShort(final Field field, final Object owner, final short read)
    {
        return ReflectionBootstrap.isShared(field) ? (short)integral(variable(field, owner).get()) : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getInt}. */
    public static int afterGetInt(final Field field, final Object owner, final int read)
    {
        return ReflectionBootstrap.isShared(field) ? (int)integral(variable(field, owner).get()) : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getLong}. */
    public static long afterGetLong(final Field field, final Object owner, final long read)
    {
        return ReflectionBootstrap.isShared(field) ? integral(variable(field, owner).get()) : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getFloat}. */
    public static float afterGetFloat(final Field field, final Object owner, final float read)
    {
        return ReflectionBootstrap.isShared(field) ? (float)real(variable(field, owner).get()) : read;
    }

    /** As {@link #afterGet(Field, Object, Object)}, for {@code getDouble}. */
    public static double afterGetDouble(final Field field, final Object owner, final double read)
    {
        return ReflectionBootstrap.isShared(field) ? real(variable(field, owner).get()) : read;
    }

    /**
     * Packs the arguments of {@code field.set(owner, value)} (a primitive value boxed), so that the rewritten code
     * can make the original call and then {@link #afterSet} with one reference on the stack.
     *
     * @param field the field.
     * @param owner the object (null for a static field).
     * @param value the value.
     * @return the three.
     */
    public static Object[] pack(final Field field, final Object owner, final Object value)
    {
        return new Object[] {field, owner, value};
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final boolean value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final byte value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final char value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final short value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final int value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final long value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final float value)
    {
        return pack(field, owner, (Object)value);
    }

    /** As {@link #pack(Field, Object, Object)}. */
    public static Object[] pack(final Field field, final Object owner, final double value)
    {
        return pack(field, owner, (Object)value);
    }

    /** @return the packed field. */
    public static Field fieldOf(final Object[] packed)
    {
        return (Field)packed[0];
    }

    /** @return the packed owner. */
    public static Object ownerOf(final Object[] packed)
    {
        return packed[1];
    }

    /** @return the packed value. */
    public static Object valueOf(final Object[] packed)
    {
        return packed[2];
    }

    /** @return the packed value. */
    public static boolean booleanOf(final Object[] packed)
    {
        return (Boolean)packed[2];
    }

    /** @return the packed value. */
    public static byte byteOf(final Object[] packed)
    {
        return (Byte)packed[2];
    }

    /** @return the packed value. */
    public static char charOf(final Object[] packed)
    {
        return (Character)packed[2];
    }

    /** @return the packed value. */
    public static short shortOf(final Object[] packed)
    {
        return (Short)packed[2];
    }

    /** @return the packed value. */
    public static int intOf(final Object[] packed)
    {
        return (Integer)packed[2];
    }

    /** @return the packed value. */
    public static long longOf(final Object[] packed)
    {
        return (Long)packed[2];
    }

    /** @return the packed value. */
    public static float floatOf(final Object[] packed)
    {
        return (Float)packed[2];
    }

    /** @return the packed value. */
    public static double doubleOf(final Object[] packed)
    {
        return (Double)packed[2];
    }

    /**
     * After {@code field.set(owner, value)} succeeded (so the caller may write the field, and the value fits it): on a
     * shared field, writes the value, converted as {@code Field.set} converts it, to the variable.
     *
     * @param packed the field, owner and value.
     */
    public static void afterSet(final Object[] packed)
    {
        final Field field = (Field)packed[0];
        if (!ReflectionBootstrap.isShared(field))
        {
            return;
        }
        variable(field, packed[1]).set(convert(packed[2], field.getType()));
    }

    /**
     * Before {@code Atomic*FieldUpdater.newUpdater(type, name)}: refuses a shared field.
     *
     * @param type    the class named.
     * @param name    the field named.
     * @param updater the kind of updater, for the message.
     * @throws DsmException when the field is shared.
     */
    public static void checkUpdater(final Class<?> type, final String name, final String updater)
    {
        if (ReflectionBootstrap.isShared(type, name))
        {
            throw new DsmException("cannot make an " + updater + " for field " + type.getName() + "." + name + ": it " +
                "would act on this JVM's local field behind dsm's back; x++ and x += k on a @Shared field are " +
                "atomic across JVMs, and Dsm.update makes any read-modify-write atomic");
        }
    }

    /** @return the three arguments of {@code AtomicReferenceFieldUpdater.newUpdater}, packed. */
    public static Object[] pack(final Class<?> type, final Class<?> valueType, final String name)
    {
        return new Object[] {type, valueType, name};
    }

    /** Before {@code AtomicReferenceFieldUpdater.newUpdater}: as {@link #checkUpdater(Class, String, String)}. */
    public static void checkUpdater(final Object[] packed)
    {
        checkUpdater((Class<?>)packed[0], (String)packed[2], "AtomicReferenceFieldUpdater");
    }

    /** @return the first of the packed classes. */
    public static Class<?> typeOf(final Object[] packed)
    {
        return (Class<?>)packed[0];
    }

    /** @return the second of the packed classes. */
    public static Class<?> valueTypeOf(final Object[] packed)
    {
        return (Class<?>)packed[1];
    }

    /** @return the packed name. */
    public static String nameOf(final Object[] packed)
    {
        return (String)packed[2];
    }

    private static long integral(final Object value)
    {
        return value instanceof Character ? (Character)value : ((Number)value).longValue();
    }

    private static double real(final Object value)
    {
        return value instanceof Character ? (Character)value : ((Number)value).doubleValue();
    }

    /** The widening {@code Field.set} applied (it accepted the value, so the conversion exists). */
    private static Object convert(final Object value, final Class<?> type)
    {
        if (!type.isPrimitive() || value instanceof Boolean)
        {
            return value;
        }
        if (type == int.class)
        {
            return (int)integral(value);
        }
        if (type == long.class)
        {
            return integral(value);
        }
        if (type == short.class)
        {
            return (short)integral(value);
        }
        if (type == byte.class)
        {
            return (byte)integral(value);
        }
        if (type == char.class)
        {
            return (char)integral(value);
        }
        if (type == float.class)
        {
            return value instanceof Double || value instanceof Float ? (float)real(value) : (float)integral(value);
        }
        return value instanceof Double || value instanceof Float ? real(value) : (double)integral(value);
    }
}
