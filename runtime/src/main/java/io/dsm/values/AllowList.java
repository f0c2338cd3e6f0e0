package io.dsm.values;

import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The classes a value received from the network may name. A class name read from the wire is resolved only if it is
 * on this list, so a forged message can never make the JVM load (and initialise) a class the application did not
 * declare as a shared value type.
 * <p>
 * On the list: primitives and their boxes, {@code String}, the usual {@code java.util} collections, {@code java.time}
 * values, {@code BigInteger}, {@code BigDecimal}, {@code UUID}; every declared type of a {@link io.dsm.Shared} field
 * that this JVM has linked, with the types of its fields or record components (and their generic arguments), down
 * to JDK types; and the names or package prefixes in {@code dsm.values.allow}.
 */
public final class AllowList
{
    private static final Set<String> JDK_VALUE_TYPES = Set.of(
        "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
        "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Object",
        "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID",
        "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.HashMap",
        "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet",
        "java.util.TreeSet", "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentSkipListMap",
        "java.util.concurrent.CopyOnWriteArrayList", "java.util.List", "java.util.Map", "java.util.Set",
        "java.util.Collection", "java.util.Optional", "java.util.Date", "java.util.SortedMap",
        "java.util.NavigableMap", "java.util.SortedSet", "java.util.NavigableSet", "java.util.Queue", "java.util.Deque");
    private static final Set<String> PRIMITIVES = Set.of(
        "boolean", "byte", "short", "char", "int", "long", "float", "double");

    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final List<String> prefixes = new CopyOnWriteArrayList<>();

    /**
     * @param configured the value of {@code dsm.values.allow}: class names, or package prefixes ending in '.',
     *                   separated by commas.
     */
    public AllowList(final String configured)
    {
        for (final String entry : configured.split(","))
        {
            final String trimmed = entry.trim();
            if (trimmed.isEmpty())
            {
                continue;
            }
            if (trimmed.endsWith(".") || trimmed.endsWith("*"))
            {
                prefixes.add(trimmed.endsWith("*") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
            }
            else
            {
                names.add(trimmed);
            }
        }
    }

    /**
     * Allows a declared value type and, recursively, the types of its fields, record components and generic
     * arguments.
     *
     * @param type the declared type of a shared field.
     */
    public void register(final Type type)
    {
        final List<Type> pending = new ArrayList<>();
        pending.add(type);
        while (!pending.isEmpty())
        {
            final Type next = pending.remove(pending.size() - 1);
            if (next instanceof ParameterizedType)
            {
                final ParameterizedType parameterized = (ParameterizedType)next;
                pending.add(parameterized.getRawType());
                pending.addAll(List.of(parameterized.getActualTypeArguments()));
            }
            else if (next instanceof GenericArrayType)
            {
                pending.add(((GenericArrayType)next).getGenericComponentType());
            }
            else if (next instanceof Class)
            {
                Class<?> c = (Class<?>)next;
                while (c.isArray())
                {
                    c = c.getComponentType();
                }
                if (c.isPrimitive() || c.getName().startsWith("java.") || !names.add(c.getName()))
                {
                    continue;
                }
                if (c.isRecord())
                {
                    for (final RecordComponent component : c.getRecordComponents())
                    {
                        pending.add(component.getGenericType());
                    }
                }
                else if (!c.isEnum() && !c.isInterface())
                {
                    for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass())
                    {
                        names.add(k.getName());
                        for (final Field field : k.getDeclaredFields())
                        {
                            if (!Modifier.isStatic(field.getModifiers()) && !Modifier.isTransient(field.getModifiers()))
                            {
                                pending.add(field.getGenericType());
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * @param name a class name as read from the wire (binary name, or an array form such as {@code int[]}).
     * @return whether a value may name it.
     */
    public boolean allows(final String name)
    {
        String element = name;
        while (element.endsWith("[]"))
        {
            element = element.substring(0, element.length() - 2);
        }
        if (element.startsWith("["))
        {
            element = element.replaceFirst("^\\[+", "");
            if (element.length() == 1)
            {
                return true;
            }
            if (element.startsWith("L") && element.endsWith(";"))
            {
                element = element.substring(1, element.length() - 1);
            }
        }
        if (PRIMITIVES.contains(element) || JDK_VALUE_TYPES.contains(element) || names.contains(element) ||
            element.startsWith("java.time."))
        {
            return true;
        }
        for (final String prefix : prefixes)
        {
            if (element.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
