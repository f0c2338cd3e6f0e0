package io.dsm.values;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
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
import java.util.BitSet;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.UUID;

/**
 * How values of one class are written, read and frozen; computed once per class.
 */
final class ValueKind
{
    static final byte NULL = 0;
    static final byte TRUE = 1;
    static final byte FALSE = 2;
    static final byte BYTE = 3;
    static final byte SHORT = 4;
    static final byte CHAR = 5;
    static final byte INT = 6;
    static final byte LONG = 7;
    static final byte FLOAT = 8;
    static final byte DOUBLE = 9;
    static final byte STRING = 10;
    static final byte ENUM = 11;
    static final byte BIG_INTEGER = 12;
    static final byte BIG_DECIMAL = 13;
    static final byte UUID_VALUE = 14;
    static final byte URI_VALUE = 15;
    static final byte LOCALE = 16;
    static final byte TIME = 17;
    static final byte OPTIONAL = 18;
    static final byte DATE = 19;
    static final byte BITSET = 20;
    static final byte LIST = 21;
    static final byte SET = 22;
    static final byte SORTED_SET = 23;
    static final byte MAP = 24;
    static final byte SORTED_MAP = 25;
    static final byte ARRAY = 28;
    static final byte PRIMITIVE_ARRAY = 29;
    static final byte RECORD = 30;
    static final byte OBJECT = 31;
    /** Not a value: {@link #problem} says why. */
    static final byte UNSUPPORTED = -1;

    /** The java.time classes, by their code on the wire (index + 1). */
    static final List<Class<?>> TIME_CLASSES = List.of(
        Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class, OffsetDateTime.class, OffsetTime.class,
        ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class, MonthDay.class,
        ZoneOffset.class, ZoneId.class);

    private static final ClassValue<ValueKind> KINDS = new ClassValue<>()
    {
        @Override
        protected ValueKind computeValue(final Class<?> type)
        {
            return classify(type);
        }
    };

    final byte tag;
    final String problem;
    /** ENUM: the enum class; TIME: the code; PRIMITIVE_ARRAY: the component's code. */
    final Class<?> enumClass;
    final int code;
    /** OBJECT: instance fields, accessible; RECORD: null. */
    final Field[] fields;
    /** OBJECT: every instance field is final, so an instance whose field values are immutable is immutable. */
    final boolean allFinal;
    /** OBJECT: makes an instance without running the class's constructors (only Object's), as serialization does. */
    final Constructor<?> allocator;
    /** RECORD: accessors and canonical constructor, accessible. */
    final Method[] accessors;
    final Type[] componentTypes;
    final Constructor<?> canonical;

    private ValueKind(final byte tag, final String problem, final Class<?> enumClass, final int code,
        final Field[] fields, final boolean allFinal, final Method[] accessors, final Type[] componentTypes,
        final Constructor<?> canonical)
    {
        this(tag, problem, enumClass, code, fields, allFinal, accessors, componentTypes, canonical, null);
    }

    private ValueKind(final byte tag, final String problem, final Class<?> enumClass, final int code,
        final Field[] fields, final boolean allFinal, final Method[] accessors, final Type[] componentTypes,
        final Constructor<?> canonical, final Constructor<?> allocator)
    {
        this.allocator = allocator;
        this.tag = tag;
        this.problem = problem;
        this.enumClass = enumClass;
        this.code = code;
        this.fields = fields;
        this.allFinal = allFinal;
        this.accessors = accessors;
        this.componentTypes = componentTypes;
        this.canonical = canonical;
    }

    private static ValueKind simple(final byte tag)
    {
        return new ValueKind(tag, null, null, 0, null, false, null, null, null);
    }

    private static ValueKind unsupported(final String problem)
    {
        return new ValueKind(UNSUPPORTED, problem, null, 0, null, false, null, null, null);
    }

    static ValueKind of(final Class<?> type)
    {
        return KINDS.get(type);
    }

    /** @return whether values of this kind never change after they are built (given immutable parts). */
    boolean isAtom()
    {
        return tag >= TRUE && tag <= TIME;
    }

    private static ValueKind classify(final Class<?> type)
    {
        if (type == Boolean.class)
        {
            return simple(TRUE);
        }
        if (type == Byte.class)
        {
            return simple(BYTE);
        }
        if (type == Short.class)
        {
            return simple(SHORT);
        }
        if (type == Character.class)
        {
            return simple(CHAR);
        }
        if (type == Integer.class)
        {
            return simple(INT);
        }
        if (type == Long.class)
        {
            return simple(LONG);
        }
        if (type == Float.class)
        {
            return simple(FLOAT);
        }
        if (type == Double.class)
        {
            return simple(DOUBLE);
        }
        if (type == String.class)
        {
            return simple(STRING);
        }
        if (type.isEnum() || type.getSuperclass() != null && type.getSuperclass().isEnum())
        {
            final Class<?> enumClass = type.isEnum() ? type : type.getSuperclass();
            return new ValueKind(ENUM, null, enumClass, 0, null, false, null, null, null);
        }
        if (type.isArray())
        {
            final Class<?> component = type.getComponentType();
            if (component.isPrimitive())
            {
                return new ValueKind(PRIMITIVE_ARRAY, null, null, PrimitiveArrays.codeOf(component), null, false,
                    null, null, null);
            }
            // Elements are judged one by one as they are written.
            return simple(ARRAY);
        }
        if (type == BigInteger.class)
        {
            return simple(BIG_INTEGER);
        }
        if (type == BigDecimal.class)
        {
            return simple(BIG_DECIMAL);
        }
        if (type == UUID.class)
        {
            return simple(UUID_VALUE);
        }
        if (type == URI.class)
        {
            return simple(URI_VALUE);
        }
        if (type == Locale.class)
        {
            return simple(LOCALE);
        }
        for (int i = 0; i < TIME_CLASSES.size(); i++)
        {
            final Class<?> time = TIME_CLASSES.get(i);
            if (type == time || time == ZoneId.class && ZoneId.class.isAssignableFrom(type) && type != ZoneOffset.class)
            {
                return new ValueKind(TIME, null, null, i + 1, null, false, null, null, null);
            }
        }
        if (type == Optional.class)
        {
            return simple(OPTIONAL);
        }
        if (type == Date.class)
        {
            return simple(DATE);
        }
        if (type == BitSet.class)
        {
            return simple(BITSET);
        }
        final String name = type.getName();
        final boolean frozen = type == FrozenList.class || type == FrozenSet.class || type == FrozenMap.class ||
            type == FrozenNavigableSet.class || type == FrozenNavigableMap.class;
        if (ValueTypes.isJdk(name) || frozen)
        {
            return classifyJdk(type);
        }
        return classifyApplication(type);
    }

    private static ValueKind classifyJdk(final Class<?> type)
    {
        if (type.isRecord())
        {
            return record(type);
        }
        if (SortedSet.class.isAssignableFrom(type))
        {
            return simple(SORTED_SET);
        }
        if (Set.class.isAssignableFrom(type))
        {
            return simple(SET);
        }
        if (Collection.class.isAssignableFrom(type))
        {
            return simple(LIST);
        }
        if (SortedMap.class.isAssignableFrom(type))
        {
            return simple(SORTED_MAP);
        }
        if (Map.class.isAssignableFrom(type))
        {
            return simple(MAP);
        }
        final String problem = ValueTypes.jdkDeclaredTypeProblem(type.getName());
        return unsupported(problem == null ? "an instance of " + type.getName() + " holds no value to share" :
            problem.replace("its type ", "").replace("declare it as", "declare the field as"));
    }

    private static ValueKind classifyApplication(final Class<?> type)
    {
        final String name = type.getName();
        if (type.isSynthetic() || type.isHidden() || name.contains("$$Lambda"))
        {
            return unsupported(name + " is a lambda or a generated class, which another JVM cannot rebuild");
        }
        if (type.isAnonymousClass() || type.isLocalClass())
        {
            return unsupported(name + " is an anonymous or local class, which another JVM cannot name; " +
                "make it a top-level or static nested class (or a record)");
        }
        if (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))
        {
            return unsupported(name + " is an inner class, whose objects hold their enclosing object; " +
                "make it static (or a record)");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers()))
        {
            return unsupported(name + " is abstract");
        }
        if (type.isRecord())
        {
            return record(type);
        }
        final List<Field> fields = new ArrayList<>();
        boolean allFinal = true;
        for (Class<?> k = type; k != Object.class; k = k.getSuperclass())
        {
            if (ValueTypes.isJdk(k.getName()))
            {
                return unsupported(name + " extends " + k.getName() + ", whose state dsm cannot share; " +
                    "share a value of the JDK type itself, or a class of your own that holds one");
            }
            for (final Field field : k.getDeclaredFields())
            {
                final int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers))
                {
                    continue;
                }
                if (field.isSynthetic())
                {
                    return unsupported(name + " holds a reference (" + field.getName() + ") that the compiler " +
                        "generated to an enclosing object; make it a static class");
                }
                try
                {
                    field.setAccessible(true);
                }
                catch (final RuntimeException ex)
                {
                    return unsupported("dsm cannot access field " + field.getName() + " of " + name + " (" +
                        ex.getMessage() + "); open its package to dsm");
                }
                allFinal &= Modifier.isFinal(modifiers);
                fields.add(field);
            }
        }
        final java.util.Set<String> names = new java.util.HashSet<>();
        for (final Field field : fields)
        {
            if (!names.add(field.getName()))
            {
                return unsupported(name + " has two fields named " + field.getName() + " in its class hierarchy; " +
                    "rename one");
            }
        }
        final Constructor<?> allocator;
        try
        {
            allocator = sun.reflect.ReflectionFactory.getReflectionFactory()
                .newConstructorForSerialization(type, Object.class.getDeclaredConstructor());
            allocator.setAccessible(true);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return unsupported("dsm cannot create instances of " + name + " (" + ex + ")");
        }
        return new ValueKind(OBJECT, null, null, 0, fields.toArray(new Field[0]), allFinal, null, null, null,
            allocator);
    }

    private static ValueKind record(final Class<?> type)
    {
        final RecordComponent[] components = type.getRecordComponents();
        final Method[] accessors = new Method[components.length];
        final Type[] types = new Type[components.length];
        final Class<?>[] raw = new Class<?>[components.length];
        try
        {
            for (int i = 0; i < components.length; i++)
            {
                accessors[i] = components[i].getAccessor();
                accessors[i].setAccessible(true);
                types[i] = components[i].getGenericType();
                raw[i] = components[i].getType();
            }
            final Constructor<?> canonical = type.getDeclaredConstructor(raw);
            canonical.setAccessible(true);
            return new ValueKind(RECORD, null, null, 0, null, true, accessors, types, canonical);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return unsupported("dsm cannot access record " + type.getName() + " (" + ex + "); open its package to dsm");
        }
    }
}
