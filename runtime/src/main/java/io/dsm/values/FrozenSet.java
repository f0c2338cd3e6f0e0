package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An immutable set read from a shared variable, iterating in the order the writer's set iterated. Every operation
 * that would change it throws {@link ImmutableValueException} naming the variable. Equal to any set with the same
 * elements.
 *
 * @param <E> element type.
 */
public final class FrozenSet<E> extends AbstractSet<E>
{
    private final Set<E> items;
    private final String variable;

    /**
     * @param items    a set no one else holds (a LinkedHashSet or an EnumSet), never changed afterwards.
     * @param variable the variable, for error messages.
     */
    FrozenSet(final Set<E> items, final String variable)
    {
        this.items = items;
        this.variable = variable;
    }

    @Override
    public Iterator<E> iterator()
    {
        return new FrozenIterator<>(items.iterator(), variable, "Set");
    }

    @Override
    public int size()
    {
        return items.size();
    }

    @Override
    public boolean contains(final Object o)
    {
        return items.contains(o);
    }

    @Override
    public boolean containsAll(final Collection<?> c)
    {
        return items.containsAll(c);
    }

    private ImmutableValueException refused(final String operation)
    {
        return new ImmutableValueException(variable, "Set." + operation);
    }

    @Override
    public boolean add(final E e)
    {
        throw refused("add");
    }

    @Override
    public boolean addAll(final Collection<? extends E> c)
    {
        throw refused("addAll");
    }

    @Override
    public boolean remove(final Object o)
    {
        throw refused("remove");
    }

    @Override
    public boolean removeAll(final Collection<?> c)
    {
        throw refused("removeAll");
    }

    @Override
    public boolean retainAll(final Collection<?> c)
    {
        throw refused("retainAll");
    }

    @Override
    public boolean removeIf(final Predicate<? super E> filter)
    {
        throw refused("removeIf");
    }

    @Override
    public void clear()
    {
        throw refused("clear");
    }
}
