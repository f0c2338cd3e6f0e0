package io.dsm;

/**
 * What happens to the cluster, as this JVM sees it (the model is Terracotta's cluster events). Register one with
 * {@link Dsm#addListener(ClusterListener)}. Every method has an empty default: implement those you need.
 * <p>
 * Events are delivered in the order this JVM saw them, one at a time, on a thread of dsm's own ({@code dsm-events}),
 * never on the thread that handles messages: a listener may block or call {@link Dsm} (a slow listener delays only the
 * events after it). An exception thrown by a listener is logged and does not stop the others.
 */
public interface ClusterListener
{
    /**
     * A member joined, or was a member when this JVM joined (this JVM itself included, with {@link Member#self()}).
     *
     * @param member the member.
     */
    default void memberJoined(final Member member)
    {
    }

    /**
     * A member left: it exited, or the directory evicted it after it fell silent for {@code dsm.eviction.ms}.
     * Variables it owned are the directory's again, at the last value it returned.
     *
     * @param member the member.
     */
    default void memberLeft(final Member member)
    {
    }

    /**
     * This JVM lost the cluster: no heartbeat was acknowledged within its lease ({@code dsm.lease.ms}). Its replicas
     * are suspended: reads and writes wait (at most {@code dsm.timeout.ms}) until the directory answers again.
     */
    default void clusterLost()
    {
    }

    /** This JVM has the cluster again after {@link #clusterLost()}: its lease is renewed. */
    default void clusterRegained()
    {
    }

    /**
     * Write access to a variable moved to or from this JVM: it took it ({@code newOwner} is this JVM's node id), or
     * handed it to another JVM that asked for it.
     *
     * @param variable the variable's name.
     * @param newOwner the node id that holds write access now.
     */
    default void ownershipMoved(final String variable, final int newOwner)
    {
    }
}
