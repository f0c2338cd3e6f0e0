package io.dsm.node;

import io.dsm.VariableInfo;

import java.util.List;

/**
 * Serves what a replica cannot answer alone: misses, write access, initial values and the explicit operations of
 * {@link io.dsm.Dsm}. The fast paths (a read of a valid replica, a write with write access held) never reach it.
 */
public interface Backend
{
    /**
     * @param variable a variable whose local replica is not valid.
     * @return its current value; the replica is valid afterwards unless invalidated meanwhile.
     */
    Object readMiss(SharedVariable variable);

    /**
     * Takes write access to {@code variable} and reserves it for the calling thread: until that thread calls
     * {@link SharedVariable#endReservation()}, no halt of it is processed.
     *
     * @param variable the variable.
     */
    void acquireWrite(SharedVariable variable);

    /**
     * Writes as the owner of a variable that other nodes hold replicas of: invalidates or updates each of them (as
     * each asked), and returns once all answered, with the value installed here. The caller holds the variable's
     * lock.
     *
     * @param variable the variable.
     * @param content  what the replica is to hold: the value, already checked ({@link SharedVariable#prepare}).
     */
    void writeWithReaders(SharedVariable variable, Object content);

    /**
     * Sets the variable's value if it was never written in the cluster, and makes the local replica current.
     *
     * @param variable the variable.
     * @param content  what the replica is to hold for the initial value, already checked.
     */
    void init(SharedVariable variable, Object content);

    /**
     * Gives write access back, with the current value, keeping a read replica.
     *
     * @param variable the variable.
     */
    void releaseWrite(SharedVariable variable);

    /**
     * Deletes the variable in the whole cluster; every replica is invalidated first.
     *
     * @param name the variable.
     */
    void delete(String name);

    /**
     * @return every variable the cluster knows, with its metadata.
     */
    List<VariableInfo> variables();

    /**
     * @return this node's id.
     */
    int nodeId();

    /** @return whether a write returns only once the directory holds it ({@code dsm.durability=durable}). */
    default boolean durable()
    {
        return false;
    }

    /**
     * Durable mode: sends the owner's value to the directory and waits until it holds it. The caller holds the
     * variable's lock and write access.
     *
     * @param variable the variable just written.
     * @param bytes    its value, serialized.
     * @param version  its version.
     * @return null once the directory holds it; why not, when it refused it because it does not count this node as
     *         the owner under its epoch any more (the write is then not held, and must not be read).
     * @throws io.dsm.DsmTimeoutException when the directory did not answer in time: the write's outcome is unknown
     *                                    (it is in this replica, and may or may not survive this node's crash).
     */
    default String checkpoint(final SharedVariable variable, final byte[] bytes, final long version)
    {
        return null;
    }
}
