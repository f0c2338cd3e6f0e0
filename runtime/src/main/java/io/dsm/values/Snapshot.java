package io.dsm.values;

import java.lang.reflect.Type;

/**
 * A value with parts that can change in place (an array, a Date, a class with non-final fields), held by a replica.
 * No one outside dsm ever holds {@link #prototype()}: each read gets its own copy, so a change made to what one
 * reader got reaches neither the other readers nor the other JVMs. The serialized form is kept, so that the value is
 * never serialized twice.
 */
public final class Snapshot extends Indirect
{
    private final ValueCodec codec;
    private final byte[] bytes;
    private final Object prototype;
    private final Type declared;
    private final String variable;

    Snapshot(final ValueCodec codec, final byte[] bytes, final Object prototype, final Type declared,
        final String variable)
    {
        this.codec = codec;
        this.bytes = bytes;
        this.prototype = prototype;
        this.declared = declared;
        this.variable = variable;
    }

    /** @return the serialized value; do not change it. */
    public byte[] bytes()
    {
        return bytes;
    }

    /** @return the value itself, for dsm's own reading only: never hand it out, never change it. */
    public Object prototype()
    {
        return prototype;
    }

    /** @return a copy of the value that the caller owns. */
    public Object copy()
    {
        if (prototype != null && prototype.getClass().isArray() && prototype.getClass().getComponentType().isPrimitive())
        {
            return PrimitiveArrays.copy(prototype);
        }
        return codec.read(bytes, declared, variable, false).value;
    }

    @Override
    public String toString()
    {
        return "Snapshot{" + variable + ", " + bytes.length + " bytes}";
    }
}
