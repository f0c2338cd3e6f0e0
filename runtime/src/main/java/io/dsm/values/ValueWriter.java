package io.dsm.values;

import net.openhft.chronicle.wire.ValueOut;

import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;

/**
 * Writes one value, checking as it goes that every part of it can be shared: each part must be a value type, no part
 * may contain itself (a cycle), nesting is bounded, and an application class it names must be one the reading JVMs
 * accept (see {@link AllowList}). One instance per value written.
 */
final class ValueWriter
{
    private final ValueOut out;
    private final AllowList allowList;
    /** The containers from the top of the value down to the part being written, to find cycles. */
    private final ArrayList<Object> enclosing = new ArrayList<>();

    /** @param allowList the application classes other JVMs accept; null for a copy that never leaves this JVM. */
    ValueWriter(final ValueOut out, final AllowList allowList)
    {
        this.out = out;
        this.allowList = allowList;
    }

    void write(final Object value, final Type position, final int depth)
    {
        if (value == null)
        {
            out.int8(ValueKind.NULL);
            return;
        }
        if (depth > ValueCodec.MAX_DEPTH)
        {
            throw new CodecException("the value is nested more than " + ValueCodec.MAX_DEPTH + " levels deep");
        }
        final Class<?> type = value.getClass();
        final ValueKind kind = ValueKind.of(type);
        switch (kind.tag)
        {
            case ValueKind.TRUE:
                out.int8((Boolean)value ? ValueKind.TRUE : ValueKind.FALSE);
                return;
            case ValueKind.BYTE:
                out.int8(ValueKind.BYTE);
                out.int8((Byte)value);
                return;
            case ValueKind.SHORT:
                out.int8(ValueKind.SHORT);
                out.int16((Short)value);
                return;
            case ValueKind.CHAR:
                out.int8(ValueKind.CHAR);
                out.int32((Character)value);
                return;
            case ValueKind.INT:
                out.int8(ValueKind.INT);
                out.int32((Integer)value);
                return;
            case ValueKind.LONG:
                out.int8(ValueKind.LONG);
                out.int64((Long)value);
                return;
            case ValueKind.FLOAT:
                // Raw bits: exact for -0.0 and every NaN.
                out.int8(ValueKind.FLOAT);
                out.int32(Float.floatToRawIntBits((Float)value));
                return;
            case ValueKind.DOUBLE:
                out.int8(ValueKind.DOUBLE);
                out.int64(Double.doubleToRawLongBits((Double)value));
                return;
            case ValueKind.STRING:
                out.int8(ValueKind.STRING);
                out.text((String)value);
                return;
            case ValueKind.ENUM:
                checkAllowed(kind.enumClass, position);
                out.int8(ValueKind.ENUM);
                out.text(kind.enumClass.getName());
                out.text(((Enum<?>)value).name());
                return;
            case ValueKind.BIG_INTEGER:
                out.int8(ValueKind.BIG_INTEGER);
                out.bytes(((BigInteger)value).toByteArray());
                return;
            case ValueKind.BIG_DECIMAL:
                out.int8(ValueKind.BIG_DECIMAL);
                out.bytes(((BigDecimal)value).unscaledValue().toByteArray());
                out.int32(((BigDecimal)value).scale());
                return;
            case ValueKind.UUID_VALUE:
                out.int8(ValueKind.UUID_VALUE);
                out.int64(((UUID)value).getMostSignificantBits());
                out.int64(((UUID)value).getLeastSignificantBits());
                return;
            case ValueKind.URI_VALUE:
                out.int8(ValueKind.URI_VALUE);
                out.text(value.toString());
                return;
            case ValueKind.LOCALE:
                out.int8(ValueKind.LOCALE);
                out.text(((Locale)value).toLanguageTag());
                return;
            case ValueKind.TIME:
                out.int8(ValueKind.TIME);
                out.int8(kind.code);
                out.text(value.toString());
                return;
            case ValueKind.DATE:
                out.int8(ValueKind.DATE);
                out.int64(((Date)value).getTime());
                return;
            case ValueKind.BITSET:
                out.int8(ValueKind.BITSET);
                out.bytes(((BitSet)value).toByteArray());
                return;
            case ValueKind.PRIMITIVE_ARRAY:
                out.int8(ValueKind.PRIMITIVE_ARRAY);
                out.int8(kind.code);
                out.bytes(PrimitiveArrays.toBytes(value, kind.code));
                return;
            case ValueKind.UNSUPPORTED:
                throw new CodecException(kind.problem);
            default:
                writeContainer(value, kind, position, depth);
        }
    }

    private void writeContainer(final Object value, final ValueKind kind, final Type position, final int depth)
    {
        for (int i = 0; i < enclosing.size(); i++)
        {
            if (enclosing.get(i) == value)
            {
                throw new CodecException("the value contains itself (a cycle through a " + value.getClass().getName() +
                    "); dsm shares tree-shaped values: break the cycle, for example by holding ids instead of " +
                    "references");
            }
        }
        enclosing.add(value);
        switch (kind.tag)
        {
            case ValueKind.OPTIONAL:
                writeOptional((Optional<?>)value, position, depth);
                break;
            case ValueKind.LIST:
            case ValueKind.SET:
            case ValueKind.SORTED_SET:
                writeCollection((Collection<?>)value, kind, position, depth);
                break;
            case ValueKind.MAP:
            case ValueKind.SORTED_MAP:
                writeMap((Map<?, ?>)value, kind, position, depth);
                break;
            case ValueKind.ARRAY:
                writeArray((Object[])value, position, depth);
                break;
            case ValueKind.RECORD:
                writeRecord(value, kind, position, depth);
                break;
            case ValueKind.OBJECT:
                writeObject(value, kind, position, depth);
                break;
            default:
                throw new IllegalStateException("unknown value kind " + kind.tag);
        }
        enclosing.remove(enclosing.size() - 1);
    }

    private void writeOptional(final Optional<?> value, final Type position, final int depth)
    {
        out.int8(ValueKind.OPTIONAL);
        out.int8(value.isPresent() ? 1 : 0);
        if (value.isPresent())
        {
            try
            {
                write(value.get(), Types.argument(position, 0), depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at(".get()");
            }
        }
    }

    private void writeCollection(final Collection<?> value, final ValueKind kind, final Type position, final int depth)
    {
        if (kind.tag == ValueKind.SORTED_SET && ((SortedSet<?>)value).comparator() != null)
        {
            throw new CodecException("a " + value.getClass().getName() + " with a comparator cannot be shared: " +
                "the comparator is code, which does not travel; use elements with a natural order, or a List");
        }
        // toArray: one consistent pass, also over a concurrent collection that another thread changes.
        final Object[] items = value.toArray();
        out.int8(kind.tag);
        out.int32(items.length);
        final Type element = Types.argument(position, 0);
        for (int i = 0; i < items.length; i++)
        {
            try
            {
                write(items[i], element, depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at("[" + i + "]");
            }
        }
    }

    private void writeMap(final Map<?, ?> value, final ValueKind kind, final Type position, final int depth)
    {
        if (kind.tag == ValueKind.SORTED_MAP && ((SortedMap<?, ?>)value).comparator() != null)
        {
            throw new CodecException("a " + value.getClass().getName() + " with a comparator cannot be shared: " +
                "the comparator is code, which does not travel; use keys with a natural order, or a Map");
        }
        final Object[] entries = value.entrySet().toArray();
        out.int8(kind.tag);
        out.int32(entries.length);
        final Type keyType = Types.argument(position, 0);
        final Type valueType = Types.argument(position, 1);
        for (final Object item : entries)
        {
            final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)item;
            try
            {
                write(entry.getKey(), keyType, depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at(".keySet()");
            }
            try
            {
                write(entry.getValue(), valueType, depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at("{" + entry.getKey() + "}");
            }
        }
    }

    private void writeArray(final Object[] value, final Type position, final int depth)
    {
        final Class<?> component = value.getClass().getComponentType();
        Class<?> element = component;
        while (element.isArray())
        {
            element = element.getComponentType();
        }
        if (!element.isPrimitive() && !ValueTypes.isJdk(element.getName()))
        {
            checkAllowed(element, Types.element(position));
        }
        out.int8(ValueKind.ARRAY);
        out.text(component.getName());
        out.int32(value.length);
        final Type componentType = Types.component(position, component);
        for (int i = 0; i < value.length; i++)
        {
            try
            {
                write(value[i], componentType, depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at("[" + i + "]");
            }
        }
    }

    private void writeRecord(final Object value, final ValueKind kind, final Type position, final int depth)
    {
        final Class<?> type = value.getClass();
        checkAllowed(type, position);
        out.int8(ValueKind.RECORD);
        out.text(type.getName());
        out.int32(kind.accessors.length);
        for (int i = 0; i < kind.accessors.length; i++)
        {
            final Object component;
            try
            {
                component = kind.accessors[i].invoke(value);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new CodecException("cannot read component " + kind.accessors[i].getName() + " of " +
                    type.getName() + ": " + ex.getCause(), ex);
            }
            try
            {
                write(component, kind.componentTypes[i], depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at("." + kind.accessors[i].getName() + "()");
            }
        }
    }

    private void writeObject(final Object value, final ValueKind kind, final Type position, final int depth)
    {
        final Class<?> type = value.getClass();
        checkAllowed(type, position);
        out.int8(ValueKind.OBJECT);
        out.text(type.getName());
        out.int32(kind.fields.length);
        for (final Field field : kind.fields)
        {
            final Object fieldValue;
            try
            {
                fieldValue = field.get(value);
            }
            catch (final IllegalAccessException ex)
            {
                throw new CodecException("cannot read field " + field.getName() + " of " + type.getName(), ex);
            }
            out.text(field.getName());
            try
            {
                write(fieldValue, field.getGenericType(), depth + 1);
            }
            catch (final CodecException ex)
            {
                throw ex.at("." + field.getName());
            }
        }
    }

    /**
     * An application class named in a value must be one the reading JVMs accept: on their allow list, or a subtype of
     * the application type declared where it stands (a field, component or element of that type).
     */
    private void checkAllowed(final Class<?> type, final Type position)
    {
        if (allowList == null || ValueTypes.isJdk(type.getName()) || allowList.allows(type.getName()) ||
            Types.isApplicationSupertype(position, type))
        {
            return;
        }
        throw new CodecException(type.getName() + " is not a type that other JVMs accept here (declared as " +
            Types.describe(position) + "): declare it, or a supertype of it, as the type of the @Shared field " +
            "or of the field, component or element that holds it, or list it in dsm.values.allow on every JVM");
    }
}
