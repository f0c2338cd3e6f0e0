package io.dsm.values;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Arrays of primitives as little-endian bytes: one code per component type. */
final class PrimitiveArrays
{
    static final int BOOLEAN = 1;
    static final int BYTE = 2;
    static final int SHORT = 3;
    static final int CHAR = 4;
    static final int INT = 5;
    static final int LONG = 6;
    static final int FLOAT = 7;
    static final int DOUBLE = 8;

    private PrimitiveArrays()
    {
    }

    static int codeOf(final Class<?> component)
    {
        if (component == boolean.class)
        {
            return BOOLEAN;
        }
        if (component == byte.class)
        {
            return BYTE;
        }
        if (component == short.class)
        {
            return SHORT;
        }
        if (component == char.class)
        {
            return CHAR;
        }
        if (component == int.class)
        {
            return INT;
        }
        if (component == long.class)
        {
            return LONG;
        }
        if (component == float.class)
        {
            return FLOAT;
        }
        return DOUBLE;
    }

    static byte[] toBytes(final Object array, final int code)
    {
        switch (code)
        {
            case BOOLEAN:
            {
                final boolean[] a = (boolean[])array;
                final byte[] out = new byte[a.length];
                for (int i = 0; i < a.length; i++)
                {
                    out[i] = (byte)(a[i] ? 1 : 0);
                }
                return out;
            }
            case BYTE:
                return (byte[])array;
            case SHORT:
            {
                final short[] a = (short[])array;
                final ByteBuffer b = buffer(a.length * 2);
                b.asShortBuffer().put(a);
                return b.array();
            }
            case CHAR:
            {
                final char[] a = (char[])array;
                final ByteBuffer b = buffer(a.length * 2);
                b.asCharBuffer().put(a);
                return b.array();
            }
            case INT:
            {
                final int[] a = (int[])array;
                final ByteBuffer b = buffer(a.length * 4);
                b.asIntBuffer().put(a);
                return b.array();
            }
            case LONG:
            {
                final long[] a = (long[])array;
                final ByteBuffer b = buffer(a.length * 8);
                b.asLongBuffer().put(a);
                return b.array();
            }
            case FLOAT:
            {
                final float[] a = (float[])array;
                final ByteBuffer b = buffer(a.length * 4);
                b.asFloatBuffer().put(a);
                return b.array();
            }
            default:
            {
                final double[] a = (double[])array;
                final ByteBuffer b = buffer(a.length * 8);
                b.asDoubleBuffer().put(a);
                return b.array();
            }
        }
    }

    /**
     * @throws IllegalArgumentException when the length does not fit the component type or the code is unknown.
     */
    static Object fromBytes(final byte[] bytes, final int code)
    {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        switch (code)
        {
            case BOOLEAN:
            {
                final boolean[] a = new boolean[bytes.length];
                for (int i = 0; i < a.length; i++)
                {
                    a[i] = bytes[i] != 0;
                }
                return a;
            }
            case BYTE:
                return bytes;
            case SHORT:
            {
                final short[] a = new short[exact(bytes, 2)];
                b.asShortBuffer().get(a);
                return a;
            }
            case CHAR:
            {
                final char[] a = new char[exact(bytes, 2)];
                b.asCharBuffer().get(a);
                return a;
            }
            case INT:
            {
                final int[] a = new int[exact(bytes, 4)];
                b.asIntBuffer().get(a);
                return a;
            }
            case LONG:
            {
                final long[] a = new long[exact(bytes, 8)];
                b.asLongBuffer().get(a);
                return a;
            }
            case FLOAT:
            {
                final float[] a = new float[exact(bytes, 4)];
                b.asFloatBuffer().get(a);
                return a;
            }
            case DOUBLE:
            {
                final double[] a = new double[exact(bytes, 8)];
                b.asDoubleBuffer().get(a);
                return a;
            }
            default:
                throw new IllegalArgumentException("unknown primitive array code " + code);
        }
    }

    /** @return a copy of an array of primitives. */
    static Object copy(final Object array)
    {
        if (array instanceof byte[])
        {
            return ((byte[])array).clone();
        }
        if (array instanceof int[])
        {
            return ((int[])array).clone();
        }
        if (array instanceof long[])
        {
            return ((long[])array).clone();
        }
        if (array instanceof double[])
        {
            return ((double[])array).clone();
        }
        if (array instanceof float[])
        {
            return ((float[])array).clone();
        }
        if (array instanceof short[])
        {
            return ((short[])array).clone();
        }
        if (array instanceof char[])
        {
            return ((char[])array).clone();
        }
        return ((boolean[])array).clone();
    }

    private static ByteBuffer buffer(final int length)
    {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int exact(final byte[] bytes, final int size)
    {
        if (bytes.length % size != 0)
        {
            throw new IllegalArgumentException(bytes.length + " bytes are not a whole number of " + size +
                "-byte elements");
        }
        return bytes.length / size;
    }
}
