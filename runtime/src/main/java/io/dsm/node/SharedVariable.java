package io.dsm.node;

import io.dsm.DsmException;

import java.util.ArrayDeque;

/**
 * The local replica of one shared variable, and its fast paths.
 * <p>
 * A read of a valid replica is one volatile read ({@link #get()}); a write while this node holds write access is a
 * store under the variable's lock ({@link #set}). Everything else goes to the {@link Backend}. The lock orders local
 * writers against the node's thread, which takes it (never blocking, see {@link DsmNode}) to install values and
 * to halt the replica.
 */
public final class SharedVariable extends VariableLock
{
    private static final long serialVersionUID = 1L;

    /** Marks a replica that is not valid. */
    static final Object INVALID = new Object()
    {
        @Override
        public String toString()
        {
            return "<invalid>";
        }
    };
    /** In {@link #value}: the replica is valid and its value is in {@link #bits} (a local primitive write). */
    static final Object IN_BITS = new Object()
    {
        @Override
        public String toString()
        {
            return "<in bits>";
        }
    };
    static final int NONE = 0;
    static final int READ = 1;
    static final int WRITE = 2;

    private static final int REFERENCE = 0;
    private static final int LONG = 1;
    private static final int INT = 2;
    private static final int SHORT = 3;
    private static final int BYTE = 4;
    private static final int CHAR = 5;
    private static final int BOOLEAN = 6;
    private static final int DOUBLE = 7;
    private static final int FLOAT = 8;

    final String name;
    final Class<?> type;
    final String declaredBy;
    final Object defaultValue;

    /**
     * The replica's value, INVALID, or IN_BITS after a local write of a primitive. Written under lock, through
     * {@link #install} when valid; read the value itself through {@link #current()}.
     */
    volatile Object value = INVALID;
    /**
     * For a primitive type, the bits of {@link #value}, written before it: a read of a primitive field loads
     * {@code value} (is the replica valid?) and then these bits, two independent loads, and does not unbox.
     */
    volatile long bits;
    /** REFERENCE, or which primitive {@link #bits} hold. */
    private final int kind;
    /** NONE, READ or WRITE. Written under lock. */
    volatile int access = NONE;
    /** Version of the value; guarded by lock. */
    long version;
    /**
     * This node holds write access and other nodes hold read replicas (update mode): each write is pushed to them
     * before it returns. Guarded by lock.
     */
    boolean pushing;
    /** Grants waiting for the thread that asked for them; guarded by lock. */
    int reserved;
    /** A write-access value kept while the lease is expired; guarded by lock. */
    Object suspended = INVALID;
    /**
     * Halts waiting in {@link #deferred}. While one waits, this JVM stops using its write access locally and asks
     * again through the coordinator, so that a thread writing in a tight loop cannot starve the other nodes.
     */
    volatile int haltsWaiting;
    /** Messages the node's thread could not apply yet, created on first need; node thread only. */
    ArrayDeque<Object> deferred;

    boolean hasDeferred()
    {
        return deferred != null && !deferred.isEmpty();
    }

    SharedVariable(final String name, final Class<?> type, final Object defaultValue, final String declaredBy)
    {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.declaredBy = declaredBy;
        this.kind = kindOf(type);
    }

    private static int kindOf(final Class<?> type)
    {
        if (type == Long.class)
        {
            return LONG;
        }
        if (type == Integer.class)
        {
            return INT;
        }
        if (type == Short.class)
        {
            return SHORT;
        }
        if (type == Byte.class)
        {
            return BYTE;
        }
        if (type == Character.class)
        {
            return CHAR;
        }
        if (type == Boolean.class)
        {
            return BOOLEAN;
        }
        if (type == Double.class)
        {
            return DOUBLE;
        }
        return type == Float.class ? FLOAT : REFERENCE;
    }

    /**
     * Makes {@code newValue} the replica's valid value; the caller holds the lock (or is the only thread that
     * touches the variable yet).
     *
     * @param newValue the value, never INVALID.
     */
    void install(final Object newValue)
    {
        if (kind != REFERENCE)
        {
            bits = bitsOf(newValue);
        }
        value = newValue;
    }

    /** @return the valid value as an object (boxing the bits if a primitive write left them there), or INVALID. */
    Object current()
    {
        final Object v = value;
        return v == IN_BITS ? boxBits(bits) : v;
    }

    private Object boxBits(final long raw)
    {
        switch (kind)
        {
            case LONG:
                return raw;
            case INT:
                return (int)raw;
            case SHORT:
                return (short)raw;
            case BYTE:
                return (byte)raw;
            case CHAR:
                return (char)raw;
            case BOOLEAN:
                return raw != 0L;
            case DOUBLE:
                return Double.longBitsToDouble(raw);
            case FLOAT:
                return Float.intBitsToFloat((int)raw);
            default:
                throw new IllegalStateException("'" + name + "' is not of a primitive type");
        }
    }

    /**
     * Writes a primitive without boxing when this node may write locally; otherwise as {@link #set}.
     */
    private void writeBits(final long raw)
    {
        lock();
        try
        {
            if (writesHere() && !pushing)
            {
                bits = raw;
                value = IN_BITS;
                version++;
                return;
            }
        }
        finally
        {
            unlock();
        }
        set(boxBits(raw));
    }

    /** @param v the new value of a {@code long} variable, written without boxing when local. */
    public void setLong(final long v)
    {
        writeBits(v);
    }

    /** @param v the new value of an {@code int} variable. */
    public void setInt(final int v)
    {
        writeBits(v);
    }

    /** @param v the new value of a {@code short} variable. */
    public void setShort(final short v)
    {
        writeBits(v);
    }

    /** @param v the new value of a {@code byte} variable. */
    public void setByte(final byte v)
    {
        writeBits(v);
    }

    /** @param v the new value of a {@code char} variable. */
    public void setChar(final char v)
    {
        writeBits(v);
    }

    /** @param v the new value of a {@code boolean} variable. */
    public void setBoolean(final boolean v)
    {
        writeBits(v ? 1L : 0L);
    }

    /** @param v the new value of a {@code double} variable. */
    public void setDouble(final double v)
    {
        writeBits(Double.doubleToRawLongBits(v));
    }

    /** @param v the new value of a {@code float} variable. */
    public void setFloat(final float v)
    {
        writeBits(Float.floatToRawIntBits(v));
    }

    private long bitsOf(final Object boxed)
    {
        if (boxed == null)
        {
            // A wrapper-typed declaration elsewhere may share null; a primitive field reads it as zero, as unboxing
            // through the call site always did.
            return 0L;
        }
        switch (kind)
        {
            case LONG:
                return (Long)boxed;
            case INT:
                return (Integer)boxed;
            case SHORT:
                return (Short)boxed;
            case BYTE:
                return (Byte)boxed;
            case CHAR:
                return (Character)boxed;
            case BOOLEAN:
                return (Boolean)boxed ? 1L : 0L;
            case DOUBLE:
                return Double.doubleToRawLongBits((Double)boxed);
            case FLOAT:
                return Float.floatToRawIntBits((Float)boxed);
            default:
                throw new IllegalStateException("'" + name + "' is not of a primitive type");
        }
    }

    /**
     * Reads a variable of a primitive type as raw bits: {@link #value} first (the replica is valid), then
     * {@link #bits}, which are at least as new.
     */
    private long readBits()
    {
        final Object v = value;
        final long b = bits;
        if (v != INVALID)
        {
            return b;
        }
        return bitsOf(ReplicaTable.backend().readMiss(this));
    }

    /** @return the value of a {@code long} variable, without unboxing. */
    public long getLong()
    {
        return readBits();
    }

    /** @return the value of an {@code int} variable, without unboxing. */
    public int getInt()
    {
        return (int)readBits();
    }

    /** @return the value of a {@code short} variable, without unboxing. */
    public short getShort()
    {
        return (short)readBits();
    }

    /** @return the value of a {@code byte} variable, without unboxing. */
    public byte getByte()
    {
        return (byte)readBits();
    }

    /** @return the value of a {@code char} variable, without unboxing. */
    public char getChar()
    {
        return (char)readBits();
    }

    /** @return the value of a {@code boolean} variable, without unboxing. */
    public boolean getBoolean()
    {
        return readBits() != 0L;
    }

    /** @return the value of a {@code double} variable, without unboxing. */
    public double getDouble()
    {
        return Double.longBitsToDouble(readBits());
    }

    /** @return the value of a {@code float} variable, without unboxing. */
    public float getFloat()
    {
        return Float.intBitsToFloat((int)readBits());
    }

    /**
     * @return the variable's name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the declared (boxed) type.
     */
    public Class<?> type()
    {
        return type;
    }

    /**
     * @return the field or call that declared the variable first in this JVM.
     */
    public String declaredBy()
    {
        return declaredBy;
    }

    /**
     * Reads the variable: the replica if valid, else the cluster's current value.
     *
     * @return the value.
     */
    public Object get()
    {
        final Object v = current();
        if (v != INVALID)
        {
            return v;
        }
        return ReplicaTable.backend().readMiss(this);
    }

    /**
     * Writes the variable, taking write access first if this node does not hold it.
     *
     * @param newValue the new value.
     */
    public void set(final Object newValue)
    {
        lock();
        try
        {
            if (writesHere())
            {
                if (pushing)
                {
                    checkType(newValue);
                    ReplicaTable.backend().push(this, newValue);
                    return;
                }
                install(newValue);
                version++;
                return;
            }
        }
        finally
        {
            unlock();
        }
        checkType(newValue);
        final Backend backend = ReplicaTable.backend();
        backend.acquireWrite(this);
        lock();
        try
        {
            install(newValue);
            version++;
            reserved--;
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Sets the initial value: only if the variable was never written in the cluster.
     *
     * @param initialValue the value a static initialiser or constructor assigns.
     */
    public void init(final Object initialValue)
    {
        checkType(initialValue);
        ReplicaTable.backend().init(this, initialValue);
    }

    /**
     * @return whether this node holds write access now.
     */
    public boolean hasWriteAccess()
    {
        return access == WRITE && value != INVALID;
    }

    /**
     * Whether a write needs no request to the coordinator: write access held and valid, and no halt waiting, or
     * inside withWriteAccess (the lock held twice), where this thread already owns the variable. Caller holds the
     * lock.
     */
    private boolean writesHere()
    {
        return access == WRITE && value != INVALID && (haltsWaiting == 0 || getHoldCount() > 1);
    }

    private boolean mayWriteLocally()
    {
        return access == WRITE && value != INVALID && haltsWaiting == 0;
    }

    /**
     * Runs {@code action} holding write access: no other node reads or writes the variable meanwhile, so a
     * read-modify-write inside it is atomic across the cluster.
     *
     * @param action what to run.
     * @param <T>    its result type.
     * @return its result.
     * @throws Exception what the action throws.
     */
    public <T> T withWriteAccess(final java.util.concurrent.Callable<T> action) throws Exception
    {
        lock();
        try
        {
            if (getHoldCount() == 1 && !mayWriteLocally())
            {
                unlock();
                try
                {
                    ReplicaTable.backend().acquireWrite(this);
                }
                finally
                {
                    lock();
                }
                reserved--;
            }
            return action.call();
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Ends the reservation a {@link Backend#acquireWrite} made, when the caller will not write after all.
     */
    public void endReservation()
    {
        lock();
        try
        {
            reserved--;
        }
        finally
        {
            unlock();
        }
    }

    /** Forgets the replica and any write access; the caller holds the lock. */
    void invalidateLocally()
    {
        value = INVALID;
        access = NONE;
        suspended = INVALID;
        version = 0;
        pushing = false;
    }

    void checkType(final Object candidate)
    {
        if (candidate != null && !type.isInstance(candidate))
        {
            throw new DsmException("cannot write a " + candidate.getClass().getName() + " to shared variable '" +
                name + "' declared as " + type.getName() + " by " + declaredBy);
        }
    }

    @Override
    public String toString()
    {
        return "SharedVariable{" + name + ", access=" + access + ", value=" + current() + "}";
    }
}
