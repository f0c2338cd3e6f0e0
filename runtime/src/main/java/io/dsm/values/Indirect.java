package io.dsm.values;

/**
 * What a replica holds when it does not hold the value itself: a marker (no valid value, or a primitive kept as bits)
 * or a {@link Snapshot} whose readers each get a copy. One abstract type, so that a read of a replica tells the common
 * case (the value itself) from all the others with a single type test.
 */
public abstract class Indirect
{
    /** For subclasses. */
    protected Indirect()
    {
    }
}
