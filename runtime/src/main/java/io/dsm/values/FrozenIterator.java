package io.dsm.values;

import io.dsm.ImmutableValueException;

import java.util.Iterator;
import java.util.function.Consumer;

/** An iterator over a frozen collection: {@link #remove()} throws {@link ImmutableValueException}. */
final class FrozenIterator<E> implements Iterator<E>
{
    private final Iterator<E> delegate;
    private final String variable;
    private final String collection;

    FrozenIterator(final Iterator<E> delegate, final String variable, final String collection)
    {
        this.delegate = delegate;
        this.variable = variable;
        this.collection = collection;
    }

    @Override
    public boolean hasNext()
    {
        return delegate.hasNext();
    }

    @Override
    public E next()
    {
        return delegate.next();
    }

    @Override
    public void remove()
    {
        throw new ImmutableValueException(variable, collection + ".iterator().remove");
    }

    @Override
    public void forEachRemaining(final Consumer<? super E> action)
    {
        delegate.forEachRemaining(action);
    }
}
