package io.dsm.node;

import io.dsm.DsmException;
import io.dsm.DsmTimeoutException;
import io.dsm.runtime.Configuration;
import io.dsm.values.CodecException;
import io.dsm.values.Indirect;
import io.dsm.values.Snapshot;
import io.dsm.values.ValueCodec;

import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The local replica of one shared variable, and its fast paths.
 * <p>
 * A read of a valid replica is one volatile read ({@link #get()}); a write while this node holds write access is a
 * store under the variable's lock ({@link #set}). Everything else goes to the {@link Backend}. The lock orders local
 * writers against the node's thread, which takes it (never blocking, see {@link DsmNode}) to install values and
 * to halt the replica.
 * <p>
 * What the replica holds is a value no one can change in place (see {@link ValueCodec}): the value itself when it is
 * immutable, a frozen copy of a collection, or a {@link Snapshot} of which each read gets its own copy. A written
 * value is checked (and, unless it is a string or a box, serialized) in the writing thread before anything else
 * happens, so a value that cannot be shared is refused there and then.
 */
public final class SharedVariable extends VariableLock
{
    private static final long serialVersionUID = 1L;

    /** Marks a replica that is not valid. */
    static final Object INVALID = new Indirect()
    {
        @Override
        public String toString()
        {
            return "<invalid>";
        }
    };
    /** In {@link #value}: the replica is valid and its value is in {@link #bits} (a local primitive write). */
    static final Object IN_BITS = new Indirect()
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

    private static final int REFERENCE = Declaration.REFERENCE;
    private static final int LONG = Declaration.LONG;
    private static final int INT = Declaration.INT;
    private static final int SHORT = Declaration.SHORT;
    private static final int BYTE = Declaration.BYTE;
    private static final int CHAR = Declaration.CHAR;
    private static final int BOOLEAN = Declaration.BOOLEAN;
    private static final int DOUBLE = Declaration.DOUBLE;
    private static final int FLOAT = Declaration.FLOAT;

    /**
     * The object id of an instance field's variable, null for a static field's: the name is made from it and the
     * declaration's base name when asked for (messages, registration), so that a replica holds no string of its own.
     */
    private final Object key;
    /** The field's declaration, shared by every variable of the field. */
    final Declaration declaration;

    /**
     * The replica's value, INVALID, IN_BITS after a local write of a primitive, or a {@link Snapshot}. Written under
     * lock, through {@link #install} when valid; read it through {@link #current()} (dsm) or {@link #get()} (the
     * application).
     */
    volatile Object value = INVALID;
    /**
     * For a primitive type, the bits of {@link #value}, written before it: a read of a primitive field loads
     * {@code value} (is the replica valid?) and then these bits, two independent loads, and does not unbox.
     */
    volatile long bits;
    /** NONE, READ or WRITE. Written under lock. */
    volatile int access = NONE;
    /** Version of the value; guarded by lock. */
    long version;
    /**
     * This node owns the variable and other nodes hold read replicas of it: each write invalidates or updates them
     * before it counts ({@link Backend#writeWithReaders}). Guarded by lock.
     */
    boolean hasReaders;
    /** The variable's id in the cluster, 0 until registered; dsm thread only. */
    int id;
    /** The node this node believes owns the variable (0: the coordinator); dsm thread only. */
    int owner;
    /** The epoch of the ownership this replica came from; dsm thread only. */
    long epoch;
    /** A value given back to the coordinator that it may still ask this node to hand over; dsm thread only. */
    Object released = INVALID;
    /** Grants waiting for the thread that asked for them; guarded by lock. */
    int reserved;
    /** The value of a replica with write access kept while the lease is expired, to resume with; guarded by lock. */
    Object suspended = INVALID;
    /** The version of {@link #suspended}. */
    long suspendedVersion = -1;
    /**
     * The version of the read replica that an {@code Acquire} in flight named (-1: none): the grant may come without
     * the value, counting on it; dsm thread only.
     */
    long acquiringVersion = -1;
    /**
     * A read replica dropped (invalidated, its lease lapsed) while an {@code Acquire} that named its version was in
     * flight: kept, at {@link #keptVersion} only, for a grant that comes without the value; guarded by lock.
     */
    Object kept = INVALID;
    /** The version of {@link #kept}. */
    long keptVersion = -1;
    /**
     * {@code dsm.read.fence=lease}: a read hit checks the node's lease in the reading thread; set once when the node
     * starts (a plain static: read on every hit, it costs a load when off).
     */
    static boolean leaseFencedReads;
    /**
     * Invalidations of this variable that reached this node (and other drops of its read replica by another node's
     * order); a read's answer is installed as a replica only if none came since the read was sent; dsm thread only.
     */
    long invalidations;
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

    SharedVariable(final Object key, final Declaration declaration)
    {
        this.key = key;
        this.declaration = declaration;
    }

    /**
     * Makes {@code newValue} the replica's valid value; the caller holds the lock (or is the only thread that
     * touches the variable yet).
     *
     * @param newValue the value, never INVALID.
     */
    void install(final Object newValue)
    {
        if (declaration.kind != REFERENCE)
        {
            bits = bitsOf(newValue);
        }
        value = newValue;
    }

    /**
     * @return the valid replica as an object (boxing the bits if a primitive write left them there; a
     *         {@link Snapshot} as it is), or INVALID. For dsm only: the application gets {@link #forApplication}.
     */
    Object current()
    {
        final Object v = value;
        return v == IN_BITS ? boxBits(bits) : v;
    }

    /** Dsm thread only: the version last sent to the directory as a checkpoint, and when. */
    long checkpointedVersion;
    long checkpointedNs;

    /** @return what a replica's content reads as for the application: a copy of a {@link Snapshot}. */
    static Object forApplication(final Object content)
    {
        return content instanceof Snapshot ? ((Snapshot)content).copy() : content;
    }

    private Object boxBits(final long raw)
    {
        switch (declaration.kind)
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
                throw new IllegalStateException("'" + name() + "' is not of a primitive type");
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
            if (writesHere() && !hasReaders)
            {
                bits = raw;
                value = IN_BITS;
                version++;
                ifDurable();
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
        switch (declaration.kind)
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
                throw new IllegalStateException("'" + name() + "' is not of a primitive type");
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
        if (v != INVALID && (!leaseFencedReads || ReplicaTable.leaseHeld()))
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
        return key == null ? declaration.baseName : declaration.baseName + "[" + key + "]";
    }

    /**
     * @return the declared (boxed) type.
     */
    public Class<?> type()
    {
        return declaration.type;
    }

    /**
     * @return the field or call that declared the variable first in this JVM.
     */
    public String declaredBy()
    {
        return declaration.declaredBy;
    }

    /**
     * Reads the variable: the replica if valid, else the cluster's current value. A value with parts that can change
     * in place (an array, a class with non-final fields) is read as a copy that the caller owns.
     *
     * @return the value.
     */
    public Object get()
    {
        final Object v = value;
        if (leaseFencedReads && !ReplicaTable.leaseHeld())
        {
            return forApplication(ReplicaTable.backend().readMiss(this));
        }
        if (!(v instanceof Indirect))
        {
            return v;
        }
        return getIndirect(v);
    }

    /**
     * Reads a variable whose declared type holds only immutable values ({@link
     * io.dsm.values.ValueTypes#isAlwaysImmutable}): the replica never holds a copy-on-read snapshot nor bits, so a
     * valid replica is returned after one comparison.
     *
     * @return the value.
     */
    public Object getImmutable()
    {
        final Object v = value;
        if (v != INVALID && (!leaseFencedReads || ReplicaTable.leaseHeld()))
        {
            return v;
        }
        return forApplication(ReplicaTable.backend().readMiss(this));
    }

    private Object getIndirect(final Object v)
    {
        if (v == IN_BITS)
        {
            return boxBits(bits);
        }
        if (v instanceof Snapshot)
        {
            return ((Snapshot)v).copy();
        }
        return forApplication(ReplicaTable.backend().readMiss(this));
    }

    /**
     * Writes the variable, taking write access first if this node does not hold it. The value is checked first, in
     * this thread: one that cannot be shared, or is too large, is refused with a {@link DsmException} before any other
     * JVM sees anything.
     *
     * @param newValue the new value.
     */
    public void set(final Object newValue)
    {
        checkType(newValue);
        final Object content = prepare(newValue);
        lock();
        try
        {
            if (writesHere())
            {
                if (hasReaders)
                {
                    ReplicaTable.backend().writeWithReaders(this, content);
                    ifDurable();
                    return;
                }
                install(content);
                version++;
                ifDurable();
                return;
            }
        }
        finally
        {
            unlock();
        }
        acquireUnderLease();
        try
        {
            if (hasReaders)
            {
                ReplicaTable.backend().writeWithReaders(this, content);
                ifDurable();
                return;
            }
            install(content);
            version++;
            ifDurable();
        }
        finally
        {
            unlock();
        }
    }

    /**
     * Takes write access through the node, again if the lease ended between the grant and this thread taking the
     * lock; returns holding the lock, with the grant's reservation used. The caller does not hold the lock.
     */
    private void acquireUnderLease()
    {
        if (getHoldCount() > 0)
        {
            // Inside withWriteAccess, which checked the lease when it began: the lease ended during the action.
            throw new DsmTimeoutException("write to shared variable '" + name() + "' inside withWriteAccess refused: " +
                "this node's lease with the directory ended during the action (the JVM was paused, or its dsm thread " +
                "stalled), so another node may own the variable now; the action's earlier writes may be lost");
        }
        final Backend backend = ReplicaTable.backend();
        while (true)
        {
            backend.acquireWrite(this);
            lock();
            reserved--;
            if (ReplicaTable.leaseHeld())
            {
                return;
            }
            unlock();
        }
    }

    /**
     * @param newValue a value about to be written.
     * @return what the replica holds for it.
     * @throws DsmException naming the variable, the field and what is wrong, when it cannot be shared.
     */
    Object prepare(final Object newValue)
    {
        final int maxBytes = ReplicaTable.maxValueBytes();
        if (ValueCodec.isPlain(newValue, maxBytes))
        {
            return newValue; // without making the name of an instance field's variable
        }
        try
        {
            return ReplicaTable.codec().prepare(newValue, declaration.declaredType, name(), maxBytes);
        }
        catch (final ValueCodec.TooLargeException ex)
        {
            throw new DsmException("cannot write shared variable '" + name() + "' (" + declaration.declaredBy +
                "): the value (" +
                describe(newValue) + ") is " + ex.size + " bytes serialized, over the limit of " +
                Configuration.MAX_VALUE_BYTES + "=" + ex.max + ": raise " + Configuration.MAX_VALUE_BYTES +
                " on every JVM and the coordinator, or share smaller values");
        }
        catch (final CodecException ex)
        {
            throw new DsmException("cannot write a " + newValue.getClass().getName() + " to shared variable '" + name() +
                "' (" + declaration.declaredBy + "): " + ex.getMessage(), ex);
        }
    }

    private static String describe(final Object value)
    {
        if (value.getClass().isArray())
        {
            return "a " + value.getClass().getComponentType().getName() + "[" +
                java.lang.reflect.Array.getLength(value) + "]";
        }
        if (value instanceof java.util.Collection)
        {
            return "a " + value.getClass().getName() + " of " + ((java.util.Collection<?>)value).size() + " elements";
        }
        if (value instanceof String)
        {
            return "a String of " + ((String)value).length() + " characters";
        }
        return "a " + value.getClass().getName();
    }

    /**
     * @param content what the replica holds (never INVALID).
     * @return its serialized form.
     * @throws DsmException naming the variable when it cannot be serialized (it was checked when written).
     */
    byte[] serialize(final Object content)
    {
        if (content instanceof Snapshot)
        {
            return ((Snapshot)content).bytes();
        }
        try
        {
            return ReplicaTable.codec().encode(content, declaration.declaredType);
        }
        catch (final CodecException ex)
        {
            throw new DsmException("cannot serialize the value of shared variable '" + name() + "' (" +
                declaration.declaredBy +
                "): " + ex.getMessage(), ex);
        }
    }

    /**
     * @param bytes a serialized value received from the cluster; null for a variable never written.
     * @return what the replica holds for it.
     * @throws CodecException when the bytes cannot be read as a value of this variable.
     */
    Object deserialize(final byte[] bytes)
    {
        return ReplicaTable.codec().toReplica(bytes, declaration.declaredType, declaration.type,
            declaration.defaultValue, name());
    }

    /**
     * A compound assignment to a primitive variable ({@code x++}, {@code x += k}), as one read-modify-write atomic
     * across the cluster: with write access held, nothing else can read or write the variable in between. Without
     * write access it takes it first, as a write does. No boxing when write access is held.
     *
     * @param operation what to compute from the old value and the operand.
     * @param operand   the right-hand operand's bits.
     * @param returnNew whether to return the new value's bits ({@code ++x}) or the old one's ({@code x++}).
     * @return the old or the new value's bits.
     */
    public long updateBits(final CompoundOperation operation, final long operand, final boolean returnNew)
    {
        lock();
        try
        {
            if (writesHere() && !hasReaders)
            {
                final long old = validBits();
                final long updated = operation.apply(old, operand);
                bits = updated;
                value = IN_BITS;
                version++;
                ifDurable();
                return returnNew ? updated : old;
            }
            if (writesHere())
            {
                // Readers hold replicas: they are invalidated or updated before the write counts.
                final long old = validBits();
                final long updated = operation.apply(old, operand);
                ReplicaTable.backend().writeWithReaders(this, boxBits(updated));
                ifDurable();
                return returnNew ? updated : old;
            }
        }
        finally
        {
            unlock();
        }
        acquireUnderLease();
        try
        {
            final long old = validBits();
            final long updated = operation.apply(old, operand);
            if (hasReaders)
            {
                ReplicaTable.backend().writeWithReaders(this, boxBits(updated));
                ifDurable();
                return returnNew ? updated : old;
            }
            bits = updated;
            value = IN_BITS;
            version++;
            ifDurable();
            return returnNew ? updated : old;
        }
        finally
        {
            unlock();
        }
    }

    /**
     * {@code dsm.durability=durable}: the write this thread just made (it holds the lock, so the value cannot move on
     * and no other node's read of it is served meanwhile) returns only once the directory holds it.
     */
    private void ifDurable()
    {
        if (ReplicaTable.durable())
        {
            final String refused = ReplicaTable.backend().checkpoint(this, serialize(current()), version);
            if (refused != null)
            {
                // Not held, and this node does not own the variable under that epoch any more: no one may read the
                // write (a read here would see it, and then lose it when the directory grants again from its copy).
                dropRefusedWrite();
                throw new DsmTimeoutException(refused);
            }
        }
    }

    /** @return the bits of a valid replica of a primitive variable; the caller holds the lock and write access. */
    private long validBits()
    {
        final Object v = value;
        if (v == INVALID)
        {
            throw new IllegalStateException("'" + name() + "' has no valid replica under write access");
        }
        return v == IN_BITS ? bits : bitsOf(v);
    }

    /**
     * @return the replica's content for dsm's own reading through it (a {@link Snapshot}'s prototype, never handed
     *         out), fetching it on a miss.
     */
    public Object contentForReading()
    {
        Object v = value;
        if (v == INVALID || leaseFencedReads && !ReplicaTable.leaseHeld())
        {
            v = ReplicaTable.backend().readMiss(this);
        }
        else if (v == IN_BITS)
        {
            v = boxBits(bits);
        }
        return v instanceof Snapshot ? ((Snapshot)v).prototype() : v;
    }

    /**
     * Replaces the value with {@code change(current value)}, atomically across the cluster: no other JVM reads or
     * writes the variable in between.
     *
     * @param change computes the new value from the current one (which it must not change).
     * @return the new value, as a read would return it.
     */
    public Object update(final UnaryOperator<Object> change)
    {
        try
        {
            return withWriteAccess(() ->
            {
                set(change.apply(forApplication(validContent())));
                return get();
            });
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new DsmException("update of shared variable '" + name() + "' failed", ex);
        }
    }

    /**
     * Changes the value in place, atomically across the cluster: {@code change} gets a mutable copy of the current
     * value (collections as ordinary mutable ones), and what it leaves there becomes the new value.
     *
     * @param change changes the copy.
     * @return the new value, as a read would return it.
     */
    public Object mutate(final Consumer<Object> change)
    {
        try
        {
            return withWriteAccess(() ->
            {
                final Object content = validContent();
                final Object copy = content == null ? null :
                    ReplicaTable.codec().mutableCopy(serialize(content), declaration.declaredType, declaration.type,
                        declaration.defaultValue, name());
                if (copy == null)
                {
                    throw new DsmException("cannot change shared variable '" + name() + "' in place: it is null; " +
                        "assign a value first");
                }
                change.accept(copy);
                set(copy);
                return get();
            });
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new DsmException("change of shared variable '" + name() + "' failed", ex);
        }
    }

    /** @return the replica's content while this thread holds write access (so the replica is valid). */
    private Object validContent()
    {
        final Object content = current();
        if (content == INVALID)
        {
            throw new IllegalStateException("'" + name() + "' has no valid replica under write access");
        }
        return content;
    }

    /**
     * Sets the initial value: only if the variable was never written in the cluster.
     *
     * @param initialValue the value a static initialiser or constructor assigns.
     */
    public void init(final Object initialValue)
    {
        checkType(initialValue);
        ReplicaTable.backend().init(this, prepare(initialValue));
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
     * inside withWriteAccess (the lock held twice), where this thread already owns the variable; and the node's lease
     * holds now, checked here in the writing thread (docs/CONSISTENCY.md, "Leases"). Caller holds the lock.
     */
    private boolean writesHere()
    {
        return access == WRITE && value != INVALID && (haltsWaiting == 0 || getHoldCount() > 1) &&
            ReplicaTable.leaseHeld();
    }

    private boolean mayWriteLocally()
    {
        return access == WRITE && value != INVALID && haltsWaiting == 0 && ReplicaTable.leaseHeld();
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
                boolean locked = false;
                try
                {
                    acquireUnderLease();
                    locked = true;
                }
                finally
                {
                    if (!locked)
                    {
                        lock();
                    }
                }
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
    /**
     * A durable write the directory refused to hold (this node is not the owner under its epoch any more): the
     * replica is dropped so that nothing reads the write; the next access asks the directory. The caller holds the
     * lock.
     */
    void dropRefusedWrite()
    {
        value = INVALID;
        access = NONE;
        suspended = INVALID;
        hasReaders = false;
    }

    void invalidateLocally()
    {
        value = INVALID;
        access = NONE;
        suspended = INVALID;
        kept = INVALID;
        acquiringVersion = -1;
        version = 0;
        hasReaders = false;
        released = INVALID;
    }

    void checkType(final Object candidate)
    {
        if (candidate != null && !declaration.type.isInstance(candidate))
        {
            throw new DsmException("cannot write a " + candidate.getClass().getName() + " to shared variable '" +
                name() + "' declared as " + declaration.type.getName() + " by " + declaration.declaredBy);
        }
    }

    @Override
    public String toString()
    {
        return "SharedVariable{" + name() + ", access=" + access + ", value=" + current() + "}";
    }

    /** @return the declared type of the field, generic arguments included. */
    public Type declaredType()
    {
        return declaration.declaredType;
    }
}
