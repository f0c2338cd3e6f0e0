package io.dsm.values;

import java.util.Map;
import java.util.Set;

/**
 * Which types a shared value, and a {@code @Shared} field, may have; by class name, so that the agent can apply the
 * same rules to class files it has not loaded. A value is made of: primitives and their boxes, {@code String}, enums,
 * records, {@code BigInteger}, {@code BigDecimal}, {@code UUID}, {@code URI}, {@code Locale}, the {@code java.time}
 * values, {@code Optional}, {@code Date}, {@code BitSet}, collections, arrays, and application classes whose fields
 * are such values. Collections travel as what they are by interface (a list, a set, a sorted set, a map, a sorted
 * map) and read back as immutable ones; so a field of a collection type is declared by its interface.
 */
public final class ValueTypes
{
    /** JDK classes that are values (besides primitives, boxes, enums and collections). */
    static final Set<String> JDK_VALUE_CLASSES = Set.of(
        "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
        "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
        "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID", "java.net.URI", "java.util.Locale",
        "java.util.Optional", "java.util.Date", "java.util.BitSet",
        "java.time.Instant", "java.time.LocalDate", "java.time.LocalTime", "java.time.LocalDateTime",
        "java.time.OffsetDateTime", "java.time.OffsetTime", "java.time.ZonedDateTime", "java.time.Duration",
        "java.time.Period", "java.time.Year", "java.time.YearMonth", "java.time.MonthDay", "java.time.ZoneOffset",
        "java.time.ZoneId");

    /** Collection interfaces a field may be declared as; its values read back as immutable collections. */
    static final Set<String> COLLECTION_INTERFACES = Set.of(
        "java.util.Collection", "java.util.List", "java.util.Set", "java.util.SortedSet", "java.util.NavigableSet",
        "java.util.Map", "java.util.SortedMap", "java.util.NavigableMap");

    /** Other JDK types a field may be declared as: supertypes of values. */
    static final Set<String> JDK_SUPERTYPES = Set.of(
        "java.lang.Object", "java.io.Serializable", "java.lang.Comparable", "java.lang.CharSequence",
        "java.lang.Number", "java.lang.Iterable", "java.lang.Record", "java.lang.Enum",
        "java.time.temporal.Temporal", "java.time.temporal.TemporalAccessor", "java.time.temporal.TemporalAmount");

    private static final String COLLECTIONS_ADVICE =
        ": a shared collection reads back as an immutable snapshot, so declare the field by its interface";

    /** What to declare instead of a JDK type that is not a value, by class name. */
    private static final Map<String, String> ADVICE = Map.ofEntries(
        Map.entry("java.util.ArrayList", "List" + COLLECTIONS_ADVICE),
        Map.entry("java.util.LinkedList", "List" + COLLECTIONS_ADVICE),
        Map.entry("java.util.Vector", "List" + COLLECTIONS_ADVICE),
        Map.entry("java.util.concurrent.CopyOnWriteArrayList", "List" + COLLECTIONS_ADVICE),
        Map.entry("java.util.HashSet", "Set" + COLLECTIONS_ADVICE),
        Map.entry("java.util.LinkedHashSet", "Set" + COLLECTIONS_ADVICE),
        Map.entry("java.util.EnumSet", "Set" + COLLECTIONS_ADVICE),
        Map.entry("java.util.TreeSet", "NavigableSet" + COLLECTIONS_ADVICE),
        Map.entry("java.util.HashMap", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.LinkedHashMap", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.EnumMap", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.Hashtable", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.Properties", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.concurrent.ConcurrentHashMap", "Map" + COLLECTIONS_ADVICE),
        Map.entry("java.util.TreeMap", "NavigableMap" + COLLECTIONS_ADVICE),
        Map.entry("java.util.concurrent.ConcurrentSkipListMap", "NavigableMap" + COLLECTIONS_ADVICE),
        Map.entry("java.util.concurrent.atomic.AtomicLong",
            "long: x++, x += k and the other compound assignments of a @Shared field are atomic across JVMs"),
        Map.entry("java.util.concurrent.atomic.AtomicInteger",
            "int: x++, x += k and the other compound assignments of a @Shared field are atomic across JVMs"),
        Map.entry("java.util.concurrent.atomic.AtomicBoolean", "boolean"),
        Map.entry("java.util.concurrent.atomic.LongAdder",
            "long: x += k on a @Shared field is atomic across JVMs"),
        Map.entry("java.util.concurrent.atomic.AtomicReference",
            "the referenced type, and change it with Dsm.update for an atomic read-modify-write"),
        Map.entry("java.lang.StringBuilder", "String: s += \"...\" on a @Shared field is atomic across JVMs"),
        Map.entry("java.lang.StringBuffer", "String: s += \"...\" on a @Shared field is atomic across JVMs"),
        Map.entry("java.io.File", "String holding its path"),
        Map.entry("java.nio.file.Path", "String holding its path"));

    private ValueTypes()
    {
    }

    /**
     * @param name a binary class name.
     * @return whether it names a class of the JDK.
     */
    public static boolean isJdk(final String name)
    {
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") ||
            name.startsWith("sun.") || name.startsWith("com.sun.");
    }

    /**
     * Whether a field may be declared with a JDK type. Enums of the JDK, and arrays, are judged by their element type
     * before this.
     *
     * @param name a JDK class name (binary).
     * @return null when a field may have this type, otherwise why not and what to declare instead.
     */
    public static String jdkDeclaredTypeProblem(final String name)
    {
        if (JDK_VALUE_CLASSES.contains(name) || COLLECTION_INTERFACES.contains(name) || JDK_SUPERTYPES.contains(name))
        {
            return null;
        }
        final String advice = ADVICE.get(name);
        if (name.startsWith("java.util.") && (name.endsWith("Queue") || name.endsWith("Deque")))
        {
            return "its type " + name + " is a queue, which changes in place by nature; declare a List (a shared " +
                "collection reads back as an immutable snapshot)";
        }
        return "its type " + name + " is not a value dsm can share" +
            (advice != null ? "; declare it as " + advice : "; " + SUPPORTED);
    }

    /** Final JDK classes whose instances never change (besides String, which is checked first). */
    private static final Set<Class<?>> IMMUTABLE_JDK = Set.of(
        java.math.BigInteger.class, java.math.BigDecimal.class, java.util.UUID.class, java.net.URI.class,
        java.util.Locale.class, java.time.Instant.class, java.time.LocalDate.class, java.time.LocalTime.class,
        java.time.LocalDateTime.class, java.time.OffsetDateTime.class, java.time.OffsetTime.class,
        java.time.ZonedDateTime.class, java.time.Duration.class, java.time.Period.class, java.time.Year.class,
        java.time.YearMonth.class, java.time.MonthDay.class, java.time.ZoneOffset.class);

    /**
     * Whether every value a field of this declared type can hold is immutable, so that a replica of it never holds a
     * copy-on-read {@link Snapshot}: {@code String}, enums, the immutable JDK values, and records (or classes whose
     * fields are all final) whose components are such types. Boxes are not (a primitive variable of the same name
     * keeps its value as bits).
     *
     * @param declared a field's declared type.
     * @return whether a read of it can return the replica's value as it is, without any check but validity.
     */
    public static boolean isAlwaysImmutable(final java.lang.reflect.Type declared)
    {
        return declared instanceof Class && ALWAYS_IMMUTABLE.get((Class<?>)declared);
    }

    private static final ClassValue<Boolean> ALWAYS_IMMUTABLE = new ClassValue<>()
    {
        @Override
        protected Boolean computeValue(final Class<?> type)
        {
            return !BOXES.contains(type) && isAlwaysImmutable(type, new java.util.HashSet<>());
        }
    };

    private static final Set<Class<?>> BOXES = Set.of(Boolean.class, Byte.class, Short.class, Character.class,
        Integer.class, Long.class, Float.class, Double.class);

    private static boolean isAlwaysImmutable(final java.lang.reflect.Type declared, final Set<Class<?>> visiting)
    {
        if (!(declared instanceof Class))
        {
            return false;
        }
        final Class<?> type = (Class<?>)declared;
        if (type.isPrimitive() || BOXES.contains(type) || type == String.class || type.isEnum() ||
            IMMUTABLE_JDK.contains(type))
        {
            return true;
        }
        if (isJdk(type.getName()) || type.isArray() || type.isInterface() ||
            !java.lang.reflect.Modifier.isFinal(type.getModifiers()))
        {
            return false;
        }
        if (!visiting.add(type))
        {
            // Already being checked, further up: its other parts decide.
            return true;
        }
        if (type.isRecord())
        {
            for (final java.lang.reflect.RecordComponent component : type.getRecordComponents())
            {
                if (!isAlwaysImmutable(component.getGenericType(), visiting))
                {
                    return false;
                }
            }
            return true;
        }
        for (Class<?> k = type; k != Object.class; k = k.getSuperclass())
        {
            if (isJdk(k.getName()))
            {
                return false;
            }
            for (final java.lang.reflect.Field field : k.getDeclaredFields())
            {
                final int modifiers = field.getModifiers();
                if (java.lang.reflect.Modifier.isStatic(modifiers) || java.lang.reflect.Modifier.isTransient(modifiers))
                {
                    continue;
                }
                if (!java.lang.reflect.Modifier.isFinal(modifiers) ||
                    !isAlwaysImmutable(field.getGenericType(), visiting))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** The short list of what a value may be, for error messages. */
    public static final String SUPPORTED = "a value is made of primitives, boxes, String, enums, records, " +
        "BigInteger, BigDecimal, UUID, URI, Locale, java.time values, Optional, Date, BitSet, arrays, collections " +
        "declared as List, Set, SortedSet, NavigableSet, Map, SortedMap, NavigableMap or Collection, and classes " +
        "whose fields are such values";
}
