package io.dsm.values;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a value just written in this JVM into what other JVMs will read back, without going through bytes: immutable
 * parts are kept as they are, collections become frozen copies. A value with a part that can change in place (an
 * array, a Date, a BitSet, a class with a non-final field) cannot be frozen: {@link #MUTABLE} says so, and readers
 * then get copies. Call only with a value the {@link ValueWriter} accepted.
 */
final class ValueFreezer
{
    /** Returned when the value has a part that can change in place. */
    static final Object MUTABLE = new Object();

    private final String variable;

    ValueFreezer(final String variable)
    {
        this.variable = variable;
    }

    Object freeze(final Object value)
    {
        if (value == null)
        {
            return null;
        }
        final ValueKind kind = ValueKind.of(value.getClass());
        if (kind.isAtom() || kind.tag == ValueKind.ENUM)
        {
            return value;
        }
        switch (kind.tag)
        {
            case ValueKind.OPTIONAL:
            {
                final Optional<?> optional = (Optional<?>)value;
                if (optional.isEmpty())
                {
                    return value;
                }
                final Object inner = freeze(optional.get());
                return inner == MUTABLE ? MUTABLE : inner == optional.get() ? value : Optional.of(inner);
            }
            case ValueKind.LIST:
            {
                if (value instanceof FrozenList && isOurs(value))
                {
                    return value;
                }
                final Object[] items = ((Collection<?>)value).toArray();
                for (int i = 0; i < items.length; i++)
                {
                    if ((items[i] = freeze(items[i])) == MUTABLE)
                    {
                        return MUTABLE;
                    }
                }
                return new FrozenList<>(items, variable);
            }
            case ValueKind.SET:
            case ValueKind.SORTED_SET:
            {
                final boolean sorted = kind.tag == ValueKind.SORTED_SET;
                final Collection<Object> items = sorted ? new TreeSet<>() : new LinkedHashSet<>();
                for (final Object item : ((Collection<?>)value).toArray())
                {
                    final Object frozen = freeze(item);
                    if (frozen == MUTABLE)
                    {
                        return MUTABLE;
                    }
                    items.add(frozen);
                }
                return sorted ? new FrozenNavigableSet<>((TreeSet<Object>)items, variable) :
                    new FrozenSet<>((LinkedHashSet<Object>)items, variable);
            }
            case ValueKind.MAP:
            case ValueKind.SORTED_MAP:
            {
                final boolean sorted = kind.tag == ValueKind.SORTED_MAP;
                final Map<Object, Object> entries = sorted ? new TreeMap<>() : new LinkedHashMap<>();
                for (final Object item : ((Map<?, ?>)value).entrySet().toArray())
                {
                    final Map.Entry<?, ?> entry = (Map.Entry<?, ?>)item;
                    final Object key = freeze(entry.getKey());
                    final Object frozen = freeze(entry.getValue());
                    if (key == MUTABLE || frozen == MUTABLE)
                    {
                        return MUTABLE;
                    }
                    entries.put(key, frozen);
                }
                return sorted ? new FrozenNavigableMap<>((TreeMap<Object, Object>)entries, variable) :
                    new FrozenMap<>(entries, variable);
            }
            case ValueKind.RECORD:
                return freezeRecord(value, kind);
            case ValueKind.OBJECT:
                return freezeObject(value, kind);
            default:
                // arrays, Date, BitSet
                return MUTABLE;
        }
    }

    private boolean isOurs(final Object frozenList)
    {
        // A frozen list of another variable names that variable in its errors: copy it under this one's name.
        return variable.equals(((FrozenList<?>)frozenList).variable());
    }

    private Object freezeRecord(final Object value, final ValueKind kind)
    {
        final Object[] components = new Object[kind.accessors.length];
        boolean changed = false;
        for (int i = 0; i < components.length; i++)
        {
            final Object component;
            try
            {
                component = kind.accessors[i].invoke(value);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new CodecException("cannot read component " + kind.accessors[i].getName() + " of " +
                    value.getClass().getName() + ": " + ex.getCause(), ex);
            }
            final Object frozen = freeze(component);
            if (frozen == MUTABLE)
            {
                return MUTABLE;
            }
            changed |= frozen != component;
            components[i] = frozen;
        }
        if (!changed)
        {
            return value;
        }
        try
        {
            return kind.canonical.newInstance(components);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new CodecException("cannot rebuild record " + value.getClass().getName() + ": " + ex.getCause(), ex);
        }
    }

    private Object freezeObject(final Object value, final ValueKind kind)
    {
        if (!kind.allFinal)
        {
            return MUTABLE;
        }
        for (final Field field : kind.fields)
        {
            final Object fieldValue;
            try
            {
                fieldValue = field.get(value);
            }
            catch (final IllegalAccessException ex)
            {
                return MUTABLE;
            }
            if (freeze(fieldValue) != fieldValue)
            {
                // Not immutable as it is: readers get copies built from the bytes.
                return MUTABLE;
            }
        }
        return value;
    }
}
