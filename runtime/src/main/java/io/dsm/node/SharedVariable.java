package io.dsm.node;

import io.dsm.DsmException;

import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The local replica of one shared variable, and its fast paths.
 * <p>
 * A read of a valid replica is one volatile read ({@link #get()}); a write while this node holds write access is a
 * store under the variable's lock ({@link #set}). Everything else goes to the {@link Backend}. The lock orders local
 * writers against the node's thread, which takes it (never blocking, see {@link DsmNode}) to install values and
 * to halt the replica.
 */
public final class SharedVariable
{
    /** Marks a replica that is not valid. */
    static final Object INVALID = new Object()
    {
        @Override
        public String toString()
        {
            return "<invalid>";
        }
    };
    static final int NONE = 0;
    static final int READ = 1;
    static final int WRITE = 2;

    final String name;
    final Class<?> type;
    final String declaredBy;
    final Object defaultValue;
    final ReentrantLock lock = new ReentrantLock();

    /** The replica's value, or INVALID. Written under lock. */
    volatile Object value = INVALID;
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
        final Object v = value;
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
        final ReentrantLock lock = this.lock;
        lock.lock();
        try
        {
            // Inside withWriteAccess (the lock held twice) this thread already owns the variable.
            if (access == WRITE && value != INVALID && (haltsWaiting == 0 || lock.getHoldCount() > 1))
            {
                if (pushing)
                {
                    checkType(newValue);
                    ReplicaTable.backend().push(this, newValue);
                    return;
                }
                value = newValue;
                version++;
                return;
            }
        }
        finally
        {
            lock.unlock();
        }
        checkType(newValue);
        final Backend backend = ReplicaTable.backend();
        backend.acquireWrite(this);
        lock.lock();
        try
        {
            value = newValue;
            version++;
            reserved--;
        }
        finally
        {
            lock.unlock();
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
        final ReentrantLock lock = this.lock;
        lock.lock();
        try
        {
            if (lock.getHoldCount() == 1 && !mayWriteLocally())
            {
                lock.unlock();
                try
                {
                    ReplicaTable.backend().acquireWrite(this);
                }
                finally
                {
                    lock.lock();
                }
                reserved--;
            }
            return action.call();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Ends the reservation a {@link Backend#acquireWrite} made, when the caller will not write after all.
     */
    public void endReservation()
    {
        lock.lock();
        try
        {
            reserved--;
        }
        finally
        {
            lock.unlock();
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
        return "SharedVariable{" + name + ", access=" + access + ", value=" + value + "}";
    }
}
