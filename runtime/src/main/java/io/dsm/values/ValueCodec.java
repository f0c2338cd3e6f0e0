package io.dsm.values;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.pool.ClassLookup;
import net.openhft.chronicle.core.util.ClassNotFoundRuntimeException;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.Wire;
import net.openhft.chronicle.wire.WireType;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;

/**
 * Turns a whole value into bytes and back with Chronicle Wire's binary format. Records, which Chronicle Wire's
 * reflective marshaller cannot rebuild, are written as their class name and components and rebuilt through the
 * canonical constructor. Every class name read back is checked against the {@link AllowList} before it is resolved.
 * Other classes are rebuilt by Chronicle without running their constructors or {@code readObject}, so no code of a
 * received class runs while decoding.
 */
public final class ValueCodec
{
    private static final byte CHRONICLE = 0;
    private static final byte RECORD = 1;

    private final AllowList allowList;
    private final ThreadLocal<Wire> writers;

    /**
     * @param allowList which class names a decoded value may use.
     */
    public ValueCodec(final AllowList allowList)
    {
        this.allowList = allowList;
        this.writers = ThreadLocal.withInitial(() -> WireType.BINARY_LIGHT.apply(Bytes.allocateElasticOnHeap(128)));
    }

    /**
     * @return the allow list this codec checks.
     */
    public AllowList allowList()
    {
        return allowList;
    }

    /**
     * @param value any supported value, or null.
     * @return its serialized form.
     * @throws IllegalArgumentException when the value cannot be serialized, with the reason.
     */
    public byte[] encode(final Object value)
    {
        final Wire wire = writers.get();
        final Bytes<?> bytes = wire.bytes();
        bytes.clear();
        try
        {
            write(wire, value);
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            throw new CodecException("cannot serialize " + value.getClass().getName() + ": " + ex, ex);
        }
        return bytes.toByteArray();
    }

    private void write(final Wire wire, final Object value)
    {
        if (value != null && value.getClass().isRecord())
        {
            wire.getValueOut().int8(RECORD);
            wire.getValueOut().text(value.getClass().getName());
            final RecordComponent[] components = value.getClass().getRecordComponents();
            wire.getValueOut().int32(components.length);
            for (final RecordComponent component : components)
            {
                final Object item;
                try
                {
                    final var accessor = component.getAccessor();
                    accessor.setAccessible(true);
                    item = accessor.invoke(value);
                }
                catch (final ReflectiveOperationException ex)
                {
                    throw new CodecException("cannot read record component " + component.getName(), ex);
                }
                write(wire, item);
            }
            return;
        }
        wire.getValueOut().int8(CHRONICLE);
        wire.getValueOut().object(value);
    }

    /**
     * @param bytes    the serialized form; null means "never written", decoded as {@code defaultValue}.
     * @param expected the declared (boxed) type the value must have.
     * @param defaultValue the value of a variable never written.
     * @return the value.
     * @throws IllegalArgumentException when the bytes are malformed, name a class not on the allow list, or hold a
     *                                  value that is not an instance of {@code expected}.
     */
    public Object decode(final byte[] bytes, final Class<?> expected, final Object defaultValue)
    {
        if (bytes == null)
        {
            return defaultValue;
        }
        final Wire wire = WireType.BINARY_LIGHT.apply(Bytes.wrapForRead(bytes));
        final ClassLookup base = wire.classLookup();
        wire.classLookup(new AllowListLookup(base));
        final Object value;
        try
        {
            value = read(wire, expected);
        }
        catch (final CodecException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            throw new CodecException("cannot decode a " + expected.getName() + " from " + bytes.length +
                " bytes: " + ex.getMessage(), ex);
        }
        if (value != null && !expected.isInstance(value))
        {
            throw new CodecException("decoded a " + value.getClass().getName() + " where a " +
                expected.getName() + " was declared");
        }
        return value;
    }

    private Object read(final Wire wire, final Class<?> expected)
    {
        final ValueIn in = wire.getValueIn();
        final byte kind = in.int8();
        if (kind == CHRONICLE)
        {
            return expected == Object.class ? in.object() : in.object(expected);
        }
        if (kind != RECORD)
        {
            throw new CodecException("unknown value encoding " + kind);
        }
        final String className = in.text();
        if (className == null || !allowList.allows(className))
        {
            throw new CodecException("record class " + className + " is not an allowed value type " +
                "(declare it as the type of a @Shared field, or list it in dsm.values.allow)");
        }
        final Class<?> type;
        try
        {
            type = Class.forName(className, false, loaderFor(expected));
        }
        catch (final ClassNotFoundException ex)
        {
            throw new CodecException("record class " + className + " is not on this JVM's class path");
        }
        if (!type.isRecord())
        {
            throw new CodecException(className + " is not a record");
        }
        final RecordComponent[] components = type.getRecordComponents();
        final int count = in.int32();
        if (count != components.length)
        {
            throw new CodecException("record " + className + " has " + components.length +
                " components here but " + count + " on the wire");
        }
        final Class<?>[] types = new Class<?>[components.length];
        final Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++)
        {
            types[i] = components[i].getType();
            args[i] = read(wire, box(types[i]));
        }
        try
        {
            final Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(args);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new CodecException("cannot rebuild record " + className + ": " + ex, ex);
        }
    }

    private static ClassLoader loaderFor(final Class<?> expected)
    {
        if (expected.getClassLoader() != null)
        {
            return expected.getClassLoader();
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

    /** A value that cannot be encoded or decoded; the message says why. */
    static final class CodecException extends IllegalArgumentException
    {
        private static final long serialVersionUID = 1L;

        CodecException(final String message)
        {
            super(message);
        }

        CodecException(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    private final class AllowListLookup implements ClassLookup
    {
        private final ClassLookup delegate;

        AllowListLookup(final ClassLookup delegate)
        {
            this.delegate = delegate;
        }

        @Override
        public Class<?> forName(final CharSequence name) throws ClassNotFoundRuntimeException
        {
            final String text = name.toString();
            final boolean alias = text.indexOf('.') < 0 &&
                (text.startsWith("!") || text.matches("[A-Za-z]+(\\[\\])*") && isChronicleAlias(text));
            if (!alias && !allowList.allows(text))
            {
                throw new ClassNotFoundRuntimeException(new ClassNotFoundException(
                    "class " + text + " is not an allowed value type (declare it as the type of a @Shared " +
                    "field, or list it in dsm.values.allow)"));
            }
            final Class<?> resolved = delegate.forName(name);
            if (alias && !allowList.allows(resolved.getName()) && !resolved.isArray())
            {
                throw new ClassNotFoundRuntimeException(new ClassNotFoundException(
                    "alias " + text + " names " + resolved.getName() + ", which is not an allowed value type"));
            }
            return resolved;
        }

        private boolean isChronicleAlias(final String text)
        {
            String element = text;
            while (element.endsWith("[]"))
            {
                element = element.substring(0, element.length() - 2);
            }
            return allowList.allows(element) || allowList.allows("java.lang." + element) ||
                Character.isUpperCase(element.charAt(0)) && allowList.allows("java.util." + element);
        }

        @Override
        public String nameFor(final Class<?> clazz) throws IllegalArgumentException
        {
            return delegate.nameFor(clazz);
        }

        @Override
        public void addAlias(final Class<?>... classes)
        {
            delegate.addAlias(classes);
        }

        @Override
        public void addAlias(final Class<?> clazz, final String names)
        {
            delegate.addAlias(clazz, names);
        }
    }
}
