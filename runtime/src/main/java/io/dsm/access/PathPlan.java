package io.dsm.access;

import io.dsm.node.CompoundOperation;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Field;

/**
 * An {@link AccessSpec} with its fields resolved, for one call site: how to walk from a shared field's value to the
 * location an access reads, writes or updates.
 */
final class PathPlan
{
    final AccessSpec spec;
    /** The fields of the 'F' steps (null for the others), accessible. */
    final Field[] fields;
    final char locationType;
    /** For an arithmetic update. */
    final CompoundOperation operation;
    /** For a string concatenation update: {@code (String old, operands...) String}. */
    final MethodHandle concat;
    /** How many arguments of the call are array indices (one per 'E' step). */
    final int indexCount;

    PathPlan(final AccessSpec spec, final ClassLoader loader, final MethodHandle concat)
        throws ReflectiveOperationException
    {
        this.spec = spec;
        this.fields = new Field[spec.steps.size()];
        int indices = 0;
        for (int i = 0; i < fields.length; i++)
        {
            final AccessSpec.Step step = spec.steps.get(i);
            if (step.kind == 'F')
            {
                final Class<?> owner = Class.forName(step.owner.replace('/', '.'), false, loader);
                fields[i] = findField(owner, step.name);
                fields[i].setAccessible(true);
            }
            else if (step.kind == 'E')
            {
                indices++;
            }
        }
        this.indexCount = indices;
        this.locationType = spec.location.charAt(0);
        this.operation = spec.kind == AccessSpec.UPDATE && spec.op != AccessSpec.CONCAT ?
            new CompoundOperation(spec.location, spec.pre, spec.op, spec.post) : null;
        this.concat = concat;
    }

    static Field findField(final Class<?> owner, final String name) throws NoSuchFieldException
    {
        for (Class<?> c = owner; c != null; c = c.getSuperclass())
        {
            try
            {
                return c.getDeclaredField(name);
            }
            catch (final NoSuchFieldException ignore)
            {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(owner.getName() + "." + name);
    }

    /**
     * Follows the first {@code count} steps from {@code root}.
     *
     * @return the value reached.
     */
    Object follow(final Object root, final Object[] args, final int count)
    {
        Object current = root;
        int index = 0;
        for (int i = 0; i < count; i++)
        {
            if (current == null)
            {
                throw new NullPointerException(describe(i) + " of null");
            }
            switch (spec.steps.get(i).kind)
            {
                case 'E':
                    current = Array.get(current, (Integer)args[index++]);
                    break;
                case 'L':
                    current = Array.getLength(current);
                    break;
                default:
                    try
                    {
                        current = fields[i].get(current);
                    }
                    catch (final IllegalAccessException ex)
                    {
                        throw new IllegalStateException(ex);
                    }
            }
        }
        return current;
    }

    /** @return the value at the location the last step names, in {@code container}. */
    Object read(final Object container, final Object[] args)
    {
        final int last = fields.length - 1;
        if (container == null)
        {
            throw new NullPointerException(describe(last) + " of null");
        }
        if (spec.steps.get(last).kind == 'E')
        {
            return Array.get(container, (Integer)args[indexCount - 1]);
        }
        try
        {
            return fields[last].get(container);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Stores {@code value} (boxed, as the instruction had it on the stack) at the location the last step names. */
    void write(final Object container, final Object[] args, final Object value)
    {
        final int last = fields.length - 1;
        if (container == null)
        {
            throw new NullPointerException(describe(last) + " of null");
        }
        final Object converted = convert(value);
        if (spec.steps.get(last).kind == 'E')
        {
            Array.set(container, (Integer)args[indexCount - 1], converted);
            return;
        }
        try
        {
            fields[last].set(container, converted);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** An int on the stack stored into a byte, char, short or boolean location is truncated, as the JVM does. */
    private Object convert(final Object value)
    {
        if (!(value instanceof Integer))
        {
            return value;
        }
        final int v = (Integer)value;
        switch (locationType)
        {
            case 'B':
                return (byte)v;
            case 'C':
                return (char)v;
            case 'S':
                return (short)v;
            case 'Z':
                return (v & 1) != 0;
            default:
                return value;
        }
    }

    private String describe(final int step)
    {
        final AccessSpec.Step s = spec.steps.get(step);
        return s.kind == 'E' ? "array element" : s.kind == 'L' ? "array length" : "field " + s.name;
    }
}
