package io.dsm.agent.jdk;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * What the libraries in the agent jar call on {@code sun.misc.Unsafe}, done by {@code jdk.internal.misc.Unsafe}: the
 * shade plugin relocates {@code sun.misc.Unsafe} to this class in every class of the jar (Chronicle Core's {@code
 * UnsafeMemory} is the caller dsm runs, for values), so no memory-access method of {@code sun.misc.Unsafe} is called,
 * and a JDK that warns about them (24 and later, JEP 498) has nothing to warn about. Agrona 2 moved to the internal
 * class the same way. The agent exports {@code jdk.internal.misc} to dsm alone at start-up ({@code ModuleOpener}); the
 * agent module is compiled with that export (agent/pom.xml).
 * <p>
 * Each method has {@code sun.misc.Unsafe}'s signature and calls the internal method of the same meaning; where the
 * internal name differs, the method says which. Only the methods and constants that classes of the jar use are here:
 * {@code AgentJarIT} fails if a class of the jar uses one that is not.
 */
@SuppressWarnings("unused")
public final class Unsafe
{
    private static final jdk.internal.misc.Unsafe U = jdk.internal.misc.Unsafe.getUnsafe();

    /** Found by reflection under this name, as {@code sun.misc.Unsafe}'s own is. */
    private static final Unsafe theUnsafe = new Unsafe();

    /**
     * {@code arrayBaseOffset} returns an int up to JDK 22 and a long from JDK 23 (as do the internal class's {@code
     * ARRAY_*_BASE_OFFSET}): called by reflection, whichever it is. Only class initialisers call it.
     */
    private static final Method ARRAY_BASE_OFFSET;

    static
    {
        try
        {
            ARRAY_BASE_OFFSET = jdk.internal.misc.Unsafe.class.getMethod("arrayBaseOffset", Class.class);
        }
        catch (final NoSuchMethodException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    public static final int ARRAY_BYTE_BASE_OFFSET = theUnsafe.arrayBaseOffset(byte[].class);
    public static final int ARRAY_CHAR_BASE_OFFSET = theUnsafe.arrayBaseOffset(char[].class);
    public static final int ARRAY_OBJECT_INDEX_SCALE = U.arrayIndexScale(Object[].class);

    private Unsafe()
    {
    }

    public Object allocateInstance(final Class<?> type0) throws InstantiationException
    {
        return U.allocateInstance(type0);
    }

    public long allocateMemory(final long l0)
    {
        return U.allocateMemory(l0);
    }

    public int arrayBaseOffset(final Class<?> type0)
    {
        try
        {
            return Math.toIntExact(((Number)ARRAY_BASE_OFFSET.invoke(U, type0)).longValue());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("jdk.internal.misc.Unsafe.arrayBaseOffset(" + type0 + ")", ex);
        }
    }

    /** {@code compareAndSetInt}. */
    public boolean compareAndSwapInt(final Object o0, final long l1, final int i2, final int i3)
    {
        return U.compareAndSetInt(o0, l1, i2, i3);
    }

    /** {@code compareAndSetLong}. */
    public boolean compareAndSwapLong(final Object o0, final long l1, final long l2, final long l3)
    {
        return U.compareAndSetLong(o0, l1, l2, l3);
    }

    public void copyMemory(final long l0, final long l1, final long l2)
    {
        U.copyMemory(l0, l1, l2);
    }

    public void copyMemory(final Object o0, final long l1, final Object o2, final long l3, final long l4)
    {
        U.copyMemory(o0, l1, o2, l3, l4);
    }

    public void freeMemory(final long l0)
    {
        U.freeMemory(l0);
    }

    public int getAndAddInt(final Object o0, final long l1, final int i2)
    {
        return U.getAndAddInt(o0, l1, i2);
    }

    public long getAndAddLong(final Object o0, final long l1, final long l2)
    {
        return U.getAndAddLong(o0, l1, l2);
    }

    public int getAndSetInt(final Object o0, final long l1, final int i2)
    {
        return U.getAndSetInt(o0, l1, i2);
    }

    /** {@code getReference}. */
    public Object getObject(final Object o0, final long l1)
    {
        return U.getReference(o0, l1);
    }

    /** {@code putReference}. */
    public void putObject(final Object o0, final long l1, final Object o2)
    {
        U.putReference(o0, l1, o2);
    }

    /** {@code putIntRelease}. */
    public void putOrderedInt(final Object o0, final long l1, final int i2)
    {
        U.putIntRelease(o0, l1, i2);
    }

    /** {@code putLongRelease}. */
    public void putOrderedLong(final Object o0, final long l1, final long l2)
    {
        U.putLongRelease(o0, l1, l2);
    }

    public void loadFence()
    {
        U.loadFence();
    }

    public void storeFence()
    {
        U.storeFence();
    }

    public void fullFence()
    {
        U.fullFence();
    }

    public long objectFieldOffset(final Field field0)
    {
        return U.objectFieldOffset(field0);
    }

    public int pageSize()
    {
        return U.pageSize();
    }

    public void setMemory(final long l0, final long l1, final byte b2)
    {
        U.setMemory(l0, l1, b2);
    }

    public void setMemory(final Object o0, final long l1, final long l2, final byte b3)
    {
        U.setMemory(o0, l1, l2, b3);
    }

    public void invokeCleaner(final ByteBuffer buffer0)
    {
        U.invokeCleaner(buffer0);
    }

    public boolean getBoolean(final Object o0, final long l1)
    {
        return U.getBoolean(o0, l1);
    }

    public void putBoolean(final Object o0, final long l1, final boolean z2)
    {
        U.putBoolean(o0, l1, z2);
    }

    public char getChar(final Object o0, final long l1)
    {
        return U.getChar(o0, l1);
    }

    public void putChar(final Object o0, final long l1, final char c2)
    {
        U.putChar(o0, l1, c2);
    }

    public byte getByte(final long l0)
    {
        return U.getByte(l0);
    }

    public byte getByte(final Object o0, final long l1)
    {
        return U.getByte(o0, l1);
    }

    public byte getByteVolatile(final Object o0, final long l1)
    {
        return U.getByteVolatile(o0, l1);
    }

    public void putByte(final long l0, final byte b1)
    {
        U.putByte(l0, b1);
    }

    public void putByte(final Object o0, final long l1, final byte b2)
    {
        U.putByte(o0, l1, b2);
    }

    public void putByteVolatile(final Object o0, final long l1, final byte b2)
    {
        U.putByteVolatile(o0, l1, b2);
    }

    public short getShort(final long l0)
    {
        return U.getShort(l0);
    }

    public short getShort(final Object o0, final long l1)
    {
        return U.getShort(o0, l1);
    }

    public short getShortVolatile(final Object o0, final long l1)
    {
        return U.getShortVolatile(o0, l1);
    }

    public void putShort(final long l0, final short s1)
    {
        U.putShort(l0, s1);
    }

    public void putShort(final Object o0, final long l1, final short s2)
    {
        U.putShort(o0, l1, s2);
    }

    public void putShortVolatile(final Object o0, final long l1, final short s2)
    {
        U.putShortVolatile(o0, l1, s2);
    }

    public int getInt(final long l0)
    {
        return U.getInt(l0);
    }

    public int getInt(final Object o0, final long l1)
    {
        return U.getInt(o0, l1);
    }

    public int getIntVolatile(final Object o0, final long l1)
    {
        return U.getIntVolatile(o0, l1);
    }

    public void putInt(final long l0, final int i1)
    {
        U.putInt(l0, i1);
    }

    public void putInt(final Object o0, final long l1, final int i2)
    {
        U.putInt(o0, l1, i2);
    }

    public void putIntVolatile(final Object o0, final long l1, final int i2)
    {
        U.putIntVolatile(o0, l1, i2);
    }

    public long getLong(final long l0)
    {
        return U.getLong(l0);
    }

    public long getLong(final Object o0, final long l1)
    {
        return U.getLong(o0, l1);
    }

    public long getLongVolatile(final Object o0, final long l1)
    {
        return U.getLongVolatile(o0, l1);
    }

    public void putLong(final long l0, final long l1)
    {
        U.putLong(l0, l1);
    }

    public void putLong(final Object o0, final long l1, final long l2)
    {
        U.putLong(o0, l1, l2);
    }

    public void putLongVolatile(final Object o0, final long l1, final long l2)
    {
        U.putLongVolatile(o0, l1, l2);
    }

    public float getFloat(final long l0)
    {
        return U.getFloat(l0);
    }

    public float getFloat(final Object o0, final long l1)
    {
        return U.getFloat(o0, l1);
    }

    public float getFloatVolatile(final Object o0, final long l1)
    {
        return U.getFloatVolatile(o0, l1);
    }

    public void putFloat(final long l0, final float f1)
    {
        U.putFloat(l0, f1);
    }

    public void putFloat(final Object o0, final long l1, final float f2)
    {
        U.putFloat(o0, l1, f2);
    }

    public void putFloatVolatile(final Object o0, final long l1, final float f2)
    {
        U.putFloatVolatile(o0, l1, f2);
    }

    public double getDouble(final long l0)
    {
        return U.getDouble(l0);
    }

    public double getDouble(final Object o0, final long l1)
    {
        return U.getDouble(o0, l1);
    }

    public double getDoubleVolatile(final Object o0, final long l1)
    {
        return U.getDoubleVolatile(o0, l1);
    }

    public void putDouble(final long l0, final double d1)
    {
        U.putDouble(l0, d1);
    }

    public void putDouble(final Object o0, final long l1, final double d2)
    {
        U.putDouble(o0, l1, d2);
    }

    public void putDoubleVolatile(final Object o0, final long l1, final double d2)
    {
        U.putDoubleVolatile(o0, l1, d2);
    }
}
