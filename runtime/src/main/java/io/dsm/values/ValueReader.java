package io.dsm.values;

import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.Wire;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Reads one value. Every count is checked against the bytes left, nesting is bounded, and a class named on the wire
 * is loaded (never initialised, unless it is an enum whose constant is read) only if the reading JVM accepts it here:
 * on its {@link AllowList}, or a subtype of the application type declared where it stands. Collections are built
 * immutable ({@link FrozenList} and its siblings, naming the variable) or, for a change in place through
 * {@code Dsm.mutate}, as ordinary mutable collections. One instance per value read.
 */
final class ValueReader
{
    private final Wire wire;
    private final ValueIn in;
    private final AllowList allowList;
    private final ClassLoader loader;
    private final String variable;
    private final boolean mutable;
    /** Whether a part read so far can change in place (an array, a Date, a class with non-final fields). */
    boolean sawMutable;

    ValueReader(final Wire wire, final AllowList allowList, final ClassLoader loader, final String variable,
        final boolean mutable)
    {
        this.wire = wire;
        this.in = wire.getValueIn();
        this.allowList = allowList;
        this.loader = loader;
        this.variable = variable;
        this.mutable = mutable;
    }

    Object read(final Type position, final int depth)
    {
        if (depth > ValueCodec.MAX_DEPTH)
        {
            throw new CodecException("the value is nested more than " + ValueCodec.MAX_DEPTH + " levels deep");
        }
        final byte tag = in.int8();
        switch (tag)
        {
            case ValueKind.NULL:
                return null;
            case ValueKind.TRUE:
                return Boolean.TRUE;
            case ValueKind.FALSE:
                return Boolean.FALSE;
            case ValueKind.BYTE:
                return in.int8();
            case ValueKind.SHORT:
                return in.int16();
            case ValueKind.CHAR:
                return (char)in.int32();
            case ValueKind.INT:
                return in.int32();
            case ValueKind.LONG:
                return in.int64();
            case ValueKind.FLOAT:
                return Float.intBitsToFloat(in.int32());
            case ValueKind.DOUBLE:
                return Double.longBitsToDouble(in.int64());
            case ValueKind.STRING:
                return text("a string");
            case ValueKind.ENUM:
                return readEnum(position);
            case ValueKind.BIG_INTEGER:
                return new BigInteger(nonEmpty(in.bytes(), "BigInteger"));
            case ValueKind.BIG_DECIMAL:
            {
                final BigInteger unscaled = new BigInteger(nonEmpty(in.bytes(), "BigDecimal"));
                return new BigDecimal(unscaled, in.int32());
            }
            case ValueKind.UUID_VALUE:
            {
                final long most = in.int64();
                return new UUID(most, in.int64());
            }
            case ValueKind.URI_VALUE:
                try
                {
                    return new URI(text("a URI"));
                }
                catch (final URISyntaxException ex)
                {
                    throw new CodecException("malformed URI: " + ex.getMessage());
                }
            case ValueKind.LOCALE:
                return Locale.forLanguageTag(text("a locale"));
            case ValueKind.TIME:
            {
                final int code = in.int8();
                return readTime(code, text("a time value"));
            }
            case ValueKind.OPTIONAL:
                return readOptional(position, depth);
            case ValueKind.DATE:
                sawMutable = true;
                return new Date(in.int64());
            case ValueKind.BITSET:
                sawMutable = true;
                return BitSet.valueOf(in.bytes());
            case ValueKind.LIST:
                return readList(position, depth);
            case ValueKind.SET:
            case ValueKind.SORTED_SET:
                return readSet(tag, position, depth);
            case ValueKind.MAP:
            case ValueKind.SORTED_MAP:
                return readMap(tag, position, depth);
            case ValueKind.ARRAY:
                return readArray(position, depth);
            case ValueKind.PRIMITIVE_ARRAY:
            {
                sawMutable = true;
                final int code = in.int8();
                return PrimitiveArrays.fromBytes(in.bytes(), code);
            }
            case ValueKind.RECORD:
                return readRecord(position, depth);
            case ValueKind.OBJECT:
                return readObject(position, depth);
            default:
                throw new CodecException("unknown value tag " + tag);
        }
    }

    private String text(final String what)
    {
        final String text = in.text();
        if (text == null)
        {
            throw new CodecException("missing text where " + what + " was expected");
        }
        return text;
    }

    private static byte[] nonEmpty(final byte[] bytes, final String what)
    {
        if (bytes == null || bytes.length == 0)
        {
            throw new CodecException("empty " + what);
        }
        return bytes;
    }

    private int count(final int bytesEach)
    {
        final int n = in.int32();
        if (n < 0 || (long)n * bytesEach > wire.bytes().readRemaining())
        {
            throw new CodecException("a count of " + n + " runs past the end of the value");
        }
        return n;
    }

    private Object readEnum(final Type position)
    {
        final String className = text("an enum class");
        final String constant = text("an enum constant");
        final Class<?> type = resolve(className, position);
        if (!type.isEnum())
        {
            throw new CodecException(className + " is not an enum");
        }
        try
        {
            return enumConstant(type, constant);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CodecException("enum " + className + " has no constant " + constant + " in this JVM");
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(final Class<?> type, final String name)
    {
        return Enum.valueOf((Class)type, name);
    }

    private static Object readTime(final int code, final String text)
    {
        try
        {
            switch (code)
            {
                case 1:
                    return Instant.parse(text);
                case 2:
                    return LocalDate.parse(text);
                case 3:
                    return LocalTime.parse(text);
                case 4:
                    return LocalDateTime.parse(text);
                case 5:
                    return OffsetDateTime.parse(text);
                case 6:
                    return OffsetTime.parse(text);
                case 7:
                    return ZonedDateTime.parse(text);
                case 8:
                    return Duration.parse(text);
                case 9:
                    return Period.parse(text);
                case 10:
                    return Year.parse(text);
                case 11:
                    return YearMonth.parse(text);
                case 12:
                    return MonthDay.parse(text);
                case 13:
                    return ZoneOffset.of(text);
                case 14:
                    return ZoneId.of(text);
                default:
                    throw new CodecException("unknown time type " + code);
            }
        }
        catch (final java.time.DateTimeException ex)
        {
            throw new CodecException("malformed time value '" + text + "': " + ex.getMessage());
        }
    }

    private Object readOptional(final Type position, final int depth)
    {
        if (in.int8() == 0)
        {
            return Optional.empty();
        }
        final Object value = read(Types.argument(position, 0), depth + 1);
        if (value == null)
        {
            throw new CodecException("a present Optional holds null");
        }
        return Optional.of(value);
    }

    private Object readList(final Type position, final int depth)
    {
        final int n = count(1);
        final Object[] items = new Object[n];
        final Type element = Types.argument(position, 0);
        for (int i = 0; i < n; i++)
        {
            items[i] = read(element, depth + 1);
        }
        return mutable ? new ArrayList<>(Arrays.asList(items)) : new FrozenList<>(items, variable);
    }

    private Object readSet(final byte tag, final Type position, final int depth)
    {
        final int n = count(1);
        final Set<Object> items = tag == ValueKind.SORTED_SET ? new TreeSet<>() : new LinkedHashSet<>(n * 2);
        final Type element = Types.argument(position, 0);
        try
        {
            for (int i = 0; i < n; i++)
            {
                items.add(read(element, depth + 1));
            }
        }
        catch (final ClassCastException | NullPointerException ex)
        {
            throw new CodecException("a sorted set holds an element without a natural order: " + ex.getMessage());
        }
        if (mutable)
        {
            return items;
        }
        return tag == ValueKind.SORTED_SET ? new FrozenNavigableSet<>((TreeSet<Object>)items, variable) :
            new FrozenSet<>(items, variable);
    }

    private Object readMap(final byte tag, final Type position, final int depth)
    {
        final int n = count(2);
        final Map<Object, Object> entries = tag == ValueKind.SORTED_MAP ? new TreeMap<>() : new LinkedHashMap<>(n * 2);
        final Type keyType = Types.argument(position, 0);
        final Type valueType = Types.argument(position, 1);
        try
        {
            for (int i = 0; i < n; i++)
            {
                final Object key = read(keyType, depth + 1);
                entries.put(key, read(valueType, depth + 1));
            }
        }
        catch (final ClassCastException | NullPointerException ex)
        {
            throw new CodecException("a sorted map holds a key without a natural order: " + ex.getMessage());
        }
        if (mutable)
        {
            return entries;
        }
        return tag == ValueKind.SORTED_MAP ? new FrozenNavigableMap<>((TreeMap<Object, Object>)entries, variable) :
            new FrozenMap<>(entries, variable);
    }

    private Object readArray(final Type position, final int depth)
    {
        sawMutable = true;
        final String componentName = text("an array component type");
        final Class<?> component = resolve(componentName, Types.element(position));
        final int n = count(1);
        final Object array = Array.newInstance(component, n);
        final Type componentType = Types.component(position, component);
        for (int i = 0; i < n; i++)
        {
            final Object item = read(componentType, depth + 1);
            try
            {
                Array.set(array, i, item);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CodecException("an array of " + componentName + " cannot hold a " +
                    (item == null ? "null" : item.getClass().getName()));
            }
        }
        return array;
    }

    private Object readRecord(final Type position, final int depth)
    {
        final String className = text("a record class");
        final Class<?> type = resolve(className, position);
        final ValueKind kind = ValueKind.of(type);
        if (kind.tag != ValueKind.RECORD)
        {
            throw new CodecException(className + " is not a record" +
                (kind.problem == null ? "" : " dsm can share: " + kind.problem));
        }
        final int n = in.int32();
        if (n != kind.accessors.length)
        {
            throw new CodecException("record " + className + " has " + kind.accessors.length +
                " components in this JVM but " + n + " on the wire");
        }
        final Object[] args = new Object[n];
        for (int i = 0; i < n; i++)
        {
            args[i] = read(kind.componentTypes[i], depth + 1);
        }
        try
        {
            return kind.canonical.newInstance(args);
        }
        catch (final ReflectiveOperationException | IllegalArgumentException ex)
        {
            final Throwable cause = ex instanceof java.lang.reflect.InvocationTargetException ? ex.getCause() : ex;
            throw new CodecException("cannot rebuild record " + className + ": " + cause, cause);
        }
    }

    private Object readObject(final Type position, final int depth)
    {
        final String className = text("a class");
        final Class<?> type = resolve(className, position);
        final ValueKind kind = ValueKind.of(type);
        if (kind.tag != ValueKind.OBJECT)
        {
            throw new CodecException(className + " is not a class dsm can rebuild" +
                (kind.problem == null ? "" : ": " + kind.problem));
        }
        if (!kind.allFinal)
        {
            sawMutable = true;
        }
        final Object instance;
        try
        {
            instance = kind.allocator.newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new CodecException("cannot create an instance of " + className + ": " + ex, ex);
        }
        final int n = count(2);
        for (int i = 0; i < n; i++)
        {
            final String name = text("a field name");
            final Field field = field(kind, name);
            final Object value = read(field == null ? Object.class : field.getGenericType(), depth + 1);
            if (field == null)
            {
                continue; // a field this JVM's version of the class does not have
            }
            try
            {
                field.set(instance, value);
            }
            catch (final IllegalAccessException | IllegalArgumentException ex)
            {
                throw new CodecException("field " + name + " of " + className + " (" + field.getType().getName() +
                    ") cannot hold " + (value == null ? "null" : "a " + value.getClass().getName()));
            }
        }
        return instance;
    }

    private static Field field(final ValueKind kind, final String name)
    {
        for (final Field field : kind.fields)
        {
            if (field.getName().equals(name))
            {
                return field;
            }
        }
        return null;
    }

    /**
     * Loads a class a value names, only if this JVM accepts it where it stands.
     */
    private Class<?> resolve(final String name, final Type position)
    {
        String element = name;
        while (element.startsWith("["))
        {
            element = element.substring(1);
        }
        if (element.startsWith("L") && element.endsWith(";"))
        {
            element = element.substring(1, element.length() - 1);
        }
        final boolean primitive = element.length() == 1 && name.startsWith("[");
        final Class<?> declared = Types.erasure(position);
        final boolean application = declared != Object.class && !ValueTypes.isJdk(declared.getName());
        final boolean trusted = allowList == null;
        if (!trusted && !primitive && !ValueTypes.isJdk(element) && !allowList.allows(element) && !application)
        {
            throw new CodecException("class " + element + " is not accepted here: no @Shared field of this JVM " +
                "declares it (or a type that holds it), and dsm.values.allow does not list it");
        }
        final Class<?> type;
        try
        {
            type = Class.forName(name, false, declared.getClassLoader() != null ? declared.getClassLoader() : loader);
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new CodecException("class " + name + " is not on this JVM's class path");
        }
        if (!trusted && !primitive && !ValueTypes.isJdk(element) && !allowList.allows(element))
        {
            Class<?> elementType = type;
            while (elementType.isArray())
            {
                elementType = elementType.getComponentType();
            }
            if (!Types.isApplicationSupertype(position, elementType))
            {
                throw new CodecException("class " + element + " is not a " + declared.getName() +
                    ", the type declared here, and dsm.values.allow does not list it");
            }
        }
        return type;
    }
}
