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
 * The application classes a value may name by themselves, wherever they stand. A class name read from the wire is
 * resolved only if the reading JVM accepts it, so a forged message cannot make a JVM create objects of a class the
 * application did not declare as a value type.
 * <p>
 * On the list: every application type declared by a {@link io.dsm.Shared} field this JVM has linked, with the types
 * of its fields or record components and their generic arguments, and the permitted subclasses of sealed ones,
 * transitively; and the names or package prefixes in {@code dsm.values.allow}. Besides the list, a value may hold a
 * subclass of the application type declared where it stands (checked after loading it, before creating anything).
 * JDK types are never named on the wire except enums and array components, and only value types are built from them.
 */
public final class AllowList
{
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
     * Allows a declared value type and, transitively, the types of its fields, record components, generic arguments
     * and permitted subclasses.
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
                if (c.isPrimitive() || ValueTypes.isJdk(c.getName()) || !names.add(c.getName()))
                {
                    continue;
                }
                if (c.isSealed())
                {
                    pending.addAll(List.of(c.getPermittedSubclasses()));
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
     * @param name the binary name of an application class.
     * @return whether a value may name it wherever it stands.
     */
    public boolean allows(final String name)
    {
        if (names.contains(name))
        {
            return true;
        }
        for (final String prefix : prefixes)
        {
            if (name.startsWith(prefix))
            {
                return true;
            }
        }
        return false;
    }
}
