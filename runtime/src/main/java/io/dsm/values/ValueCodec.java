package io.dsm.values;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireType;

import java.lang.reflect.Type;

/**
 * Turns whole values into bytes and back, with Chronicle Wire's binary format, and decides what a replica holds.
 * <p>
 * The format is structural: each part of a value is a tag and its content (a collection its elements, a record its
 * components, an application class its fields by name), so what a value reads back as does not depend on any
 * serializer's idea of its class. Writing checks the whole value first (see {@link ValueWriter}): a value that cannot
 * be shared is refused in the writing thread, before any other JVM sees anything. Reading checks every class name a
 * value holds (see {@link ValueReader}) and builds no object of a class the reading JVM does not accept there.
 * <p>
 * What a replica holds, and so what a read returns: an immutable value as it is (primitives, strings, enums, records
 * and classes with final fields made of immutable values); a collection as an immutable snapshot ({@link FrozenList}
 * and its siblings); and a value with parts that can change in place (arrays, Date, BitSet, classes with non-final
 * fields) as a {@link Snapshot}, of which each read gets its own copy.
 */
public final class ValueCodec
{
    /** The deepest nesting of a value. */
    static final int MAX_DEPTH = 256;
    /** A thread's encoding buffer that grew past this is dropped after use, so that one large value is not kept. */
    private static final int KEEP_BUFFER_BYTES = 1 << 20;

    private final AllowList allowList;
    private final ThreadLocal<Wire> writers = ThreadLocal.withInitial(ValueCodec::newWire);

    /**
     * @param allowList the application classes a value may name, besides subtypes of declared application types.
     */
    public ValueCodec(final AllowList allowList)
    {
        this.allowList = allowList;
    }

    private static Wire newWire()
    {
        return WireType.BINARY_LIGHT.apply(Bytes.allocateElasticOnHeap(256));
    }

    /**
     * @return the allow list this codec checks.
     */
    public AllowList allowList()
    {
        return allowList;
    }

    /**
     * @param value    any value, or null.
     * @param declared the declared type of the field it is written to.
     * @return its serialized form.
     * @throws CodecException when the value, or a part of it, cannot be shared; the message says where and why.
     */
    public byte[] encode(final Object value, final Type declared)
    {
        final Wire wire = writers.get();
        final Bytes<?> bytes = wire.bytes();
        bytes.clear();
        try
        {
            new ValueWriter(wire.getValueOut(), allowList).write(value, declared, 0);
            return bytes.toByteArray();
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final StackOverflowError ex)
        {
            throw new CodecException("the value is nested too deeply to serialize");
        }
        catch (final RuntimeException ex)
        {
            throw new CodecException("cannot serialize a " + value.getClass().getName() + ": " + ex, ex);
        }
        finally
        {
            if (bytes.realCapacity() > KEEP_BUFFER_BYTES)
            {
                writers.remove();
            }
        }
    }

    /**
     * @param value    a value about to be written.
     * @param maxBytes the largest serialized value the cluster can carry.
     * @return whether it is null, a boxed primitive or a String short enough: {@link #prepare} returns it as it is.
     */
    public static boolean isPlain(final Object value, final int maxBytes)
    {
        return value == null || value instanceof Long || value instanceof Integer || value instanceof Double ||
            value instanceof Boolean || value instanceof Character || value instanceof Float ||
            value instanceof Short || value instanceof Byte ||
            value instanceof String && ((String)value).length() * 3L + 16 <= maxBytes;
    }

    /**
     * Checks a value this JVM writes and returns what its replica holds. Strings and boxed primitives need no
     * serializing here; anything else is serialized once (which checks it) and then frozen, or kept as a
     * {@link Snapshot} when it has parts that can change in place.
     *
     * @param value    the value written.
     * @param declared the declared type of the field.
     * @param variable the variable, named by frozen collections in their errors.
     * @param maxBytes the largest serialized value the cluster can carry.
     * @return the value itself (immutable), a frozen copy, or a {@link Snapshot}.
     * @throws CodecException when the value cannot be shared or is too large; the message says why.
     */
    public Object prepare(final Object value, final Type declared, final String variable, final int maxBytes)
    {
        if (isPlain(value, maxBytes))
        {
            return value;
        }
        if (ValueTypes.isAlwaysImmutable(declared) && SizeEstimate.of(value) <= maxBytes)
        {
            // The declared type admits only immutable values of final classes reachable from it (so other JVMs
            // accept them), and the value is smaller than a message at most: nothing to check by serializing.
            return value;
        }
        final byte[] bytes = encode(value, declared);
        if (bytes.length > maxBytes)
        {
            throw new TooLargeException(bytes.length, maxBytes);
        }
        final Object frozen = new ValueFreezer(variable).freeze(value);
        if (frozen != ValueFreezer.MUTABLE)
        {
            return frozen;
        }
        final Object prototype = value.getClass().isArray() && value.getClass().getComponentType().isPrimitive() ?
            PrimitiveArrays.copy(value) : read(bytes, declared, variable, false).value;
        return new Snapshot(this, bytes, prototype, declared, variable);
    }

    /** A value larger than the cluster can carry in one message. */
    public static final class TooLargeException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        /** Its serialized size. */
        public final int size;
        /** The largest that fits. */
        public final int max;

        TooLargeException(final int size, final int max)
        {
            super("the value is " + size + " bytes serialized, and at most " + max + " bytes fit in one message");
            this.size = size;
            this.max = max;
        }
    }

    /**
     * @param value    a part of a replica's value that dsm read through a path ({@code cfg.inner}, {@code grid[i]}).
     * @param variable the variable, named by frozen collections in their errors.
     * @return the part itself when immutable, else a copy the caller owns.
     */
    public Object copyForReader(final Object value, final String variable)
    {
        final Object frozen = new ValueFreezer(variable).freeze(value);
        if (frozen != ValueFreezer.MUTABLE)
        {
            return frozen;
        }
        if (value.getClass().isArray() && value.getClass().getComponentType().isPrimitive())
        {
            return PrimitiveArrays.copy(value);
        }
        final Wire wire = newWire();
        new ValueWriter(wire.getValueOut(), null).write(value, Object.class, 0);
        final ValueReader reader = new ValueReader(wire, null, loaderFor(value.getClass()), variable, false);
        return reader.read(Object.class, 0);
    }

    /**
     * Decodes a value received from the cluster into what a replica holds.
     *
     * @param bytes        the serialized value; null means never written.
     * @param declared     the declared type of the field.
     * @param expected     the (boxed) class every value of the variable must be an instance of.
     * @param defaultValue the value of a variable never written.
     * @param variable     the variable.
     * @return the value, frozen, or a {@link Snapshot}.
     * @throws CodecException when the bytes are malformed, name a class this JVM does not accept, or hold a value
     *                        that is not an instance of {@code expected}.
     */
    public Object toReplica(final byte[] bytes, final Type declared, final Class<?> expected, final Object defaultValue,
        final String variable)
    {
        if (bytes == null)
        {
            return defaultValue;
        }
        final Decoded decoded = read(bytes, declared, variable, false);
        check(decoded.value, expected);
        return decoded.mutable ? new Snapshot(this, bytes, decoded.value, declared, variable) : decoded.value;
    }

    /**
     * Decodes a value as a copy the caller may change: collections as ordinary mutable ones.
     *
     * @param bytes    the serialized value; null means never written.
     * @param declared the declared type of the field.
     * @param expected the (boxed) class of the variable.
     * @param defaultValue the value of a variable never written.
     * @param variable the variable.
     * @return a mutable copy.
     */
    public Object mutableCopy(final byte[] bytes, final Type declared, final Class<?> expected,
        final Object defaultValue, final String variable)
    {
        if (bytes == null)
        {
            return defaultValue;
        }
        final Object value = read(bytes, declared, variable, true).value;
        check(value, expected);
        return value;
    }

    private static void check(final Object value, final Class<?> expected)
    {
        if (value != null && !expected.isInstance(value))
        {
            throw new CodecException("read a " + value.getClass().getName() + " where a " + expected.getName() +
                " was declared");
        }
    }

    Decoded read(final byte[] bytes, final Type declared, final String variable, final boolean mutable)
    {
        final Wire wire = WireType.BINARY_LIGHT.apply(Bytes.wrapForRead(bytes));
        final ClassLoader loader = loaderFor(declared);
        final ValueReader reader = new ValueReader(wire, allowList, loader, variable, mutable);
        final Object value;
        try
        {
            value = reader.read(declared, 0);
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final StackOverflowError ex)
        {
            throw new CodecException("the value is nested too deeply to read");
        }
        catch (final RuntimeException ex)
        {
            throw new CodecException("malformed value of " + bytes.length + " bytes: " + ex, ex);
        }
        if (wire.bytes().readRemaining() != 0)
        {
            throw new CodecException("malformed value: " + wire.bytes().readRemaining() + " bytes left after it");
        }
        return new Decoded(value, reader.sawMutable);
    }

    private static ClassLoader loaderFor(final Type declared)
    {
        final ClassLoader own = Types.erasure(declared).getClassLoader();
        if (own != null)
        {
            return own;
        }
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ClassLoader.getSystemClassLoader();
    }

    /**
     * @param type a type, possibly primitive.
     * @return its box, or itself.
     */
    public static Class<?> box(final Class<?> type)
    {
        if (!type.isPrimitive())
        {
            return type;
        }
        if (type == int.class)
        {
            return Integer.class;
        }
        if (type == long.class)
        {
            return Long.class;
        }
        if (type == boolean.class)
        {
            return Boolean.class;
        }
        if (type == double.class)
        {
            return Double.class;
        }
        if (type == float.class)
        {
            return Float.class;
        }
        if (type == char.class)
        {
            return Character.class;
        }
        if (type == byte.class)
        {
            return Byte.class;
        }
        if (type == short.class)
        {
            return Short.class;
        }
        return Void.class;
    }

    /** A value read, and whether a part of it can change in place. */
    static final class Decoded
    {
        final Object value;
        final boolean mutable;

        Decoded(final Object value, final boolean mutable)
        {
            this.value = value;
            this.mutable = mutable;
        }
    }
}
