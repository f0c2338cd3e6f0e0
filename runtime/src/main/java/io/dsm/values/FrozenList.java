package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.AbstractList;
import java.util.Collection;
import java.util.Comparator;
import java.util.RandomAccess;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An immutable list read from a shared variable. Every operation that would change it, on the list or through its
 * iterators and sub-lists, throws {@link ImmutableValueException} naming the variable. Equal to any list with the
 * same elements in the same order.
 *
 * @param <E> element type.
 */
public final class FrozenList<E> extends AbstractList<E> implements RandomAccess
{
    private final Object[] items;
    private final String variable;

    FrozenList(final Object[] items, final String variable)
    {
        this.items = items;
        this.variable = variable;
    }

    String variable()
    {
        return variable;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(final int index)
    {
        return (E)items[index];
    }

    @Override
    public int size()
    {
        return items.length;
    }

    private ImmutableValueException refused(final String operation)
    {
        return new ImmutableValueException(variable, "List." + operation);
    }

    @Override
    public boolean add(final E e)
    {
        throw refused("add");
    }

    @Override
    public void add(final int index, final E element)
    {
        throw refused("add");
    }

    @Override
    public boolean addAll(final Collection<? extends E> c)
    {
        throw refused("addAll");
    }

    @Override
    public boolean addAll(final int index, final Collection<? extends E> c)
    {
        throw refused("addAll");
    }

    @Override
    public E set(final int index, final E element)
    {
        throw refused("set");
    }

    @Override
    public E remove(final int index)
    {
        throw refused("remove");
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
    public void replaceAll(final UnaryOperator<E> operator)
    {
        throw refused("replaceAll");
    }

    @Override
    public void sort(final Comparator<? super E> c)
    {
        throw refused("sort");
    }

    @Override
    public void clear()
    {
        throw refused("clear");
    }

    @Override
    protected void removeRange(final int fromIndex, final int toIndex)
    {
        throw refused("clear");
    }
}
