package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * An immutable sorted set (natural order) read from a shared variable; its views are immutable too. Every operation
 * that would change it throws {@link ImmutableValueException} naming the variable.
 *
 * @param <E> element type.
 */
public final class FrozenNavigableSet<E> extends AbstractSet<E> implements NavigableSet<E>
{
    private final NavigableSet<E> items;
    private final String variable;

    /**
     * @param items    a sorted set no one else holds (or a view of one), never changed afterwards.
     * @param variable the variable, for error messages.
     */
    FrozenNavigableSet(final NavigableSet<E> items, final String variable)
    {
        this.items = items;
        this.variable = variable;
    }

    private NavigableSet<E> view(final NavigableSet<E> set)
    {
        return new FrozenNavigableSet<>(set, variable);
    }

    private ImmutableValueException refused(final String operation)
    {
        return new ImmutableValueException(variable, "NavigableSet." + operation);
    }

    @Override
    public Iterator<E> iterator()
    {
        return new FrozenIterator<>(items.iterator(), variable, "NavigableSet");
    }

    @Override
    public Iterator<E> descendingIterator()
    {
        return new FrozenIterator<>(items.descendingIterator(), variable, "NavigableSet");
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
    public E lower(final E e)
    {
        return items.lower(e);
    }

    @Override
    public E floor(final E e)
    {
        return items.floor(e);
    }

    @Override
    public E ceiling(final E e)
    {
        return items.ceiling(e);
    }

    @Override
    public E higher(final E e)
    {
        return items.higher(e);
    }

    @Override
    public E first()
    {
        return items.first();
    }

    @Override
    public E last()
    {
        return items.last();
    }

    @Override
    public Comparator<? super E> comparator()
    {
        return items.comparator();
    }

    @Override
    public NavigableSet<E> descendingSet()
    {
        return view(items.descendingSet());
    }

    @Override
    public NavigableSet<E> subSet(final E from, final boolean fromInclusive, final E to, final boolean toInclusive)
    {
        return view(items.subSet(from, fromInclusive, to, toInclusive));
    }

    @Override
    public NavigableSet<E> headSet(final E to, final boolean inclusive)
    {
        return view(items.headSet(to, inclusive));
    }

    @Override
    public NavigableSet<E> tailSet(final E from, final boolean inclusive)
    {
        return view(items.tailSet(from, inclusive));
    }

    @Override
    public SortedSet<E> subSet(final E from, final E to)
    {
        return subSet(from, true, to, false);
    }

    @Override
    public SortedSet<E> headSet(final E to)
    {
        return headSet(to, false);
    }

    @Override
    public SortedSet<E> tailSet(final E from)
    {
        return tailSet(from, true);
    }

    @Override
    public E pollFirst()
    {
        throw refused("pollFirst");
    }

    @Override
    public E pollLast()
    {
        throw refused("pollLast");
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
