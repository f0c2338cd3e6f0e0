package io.dsm.node;

/**
 * One change a {@link io.dsm.ClusterListener} hears of, as {@link NodeProtocol} reports it to its outbox.
 *
 * @param kind        what changed.
 * @param nodeId      the member, or the new owner.
 * @param pid         the member's process id (joins).
 * @param description the member's description (joins).
 * @param self        whether the member is this node (joins).
 * @param variable    the variable (ownership).
 * @param joinedNs    when the directory admitted the member (joins; epoch nanoseconds, 0 unknown).
 */
record ClusterEvent(Kind kind, int nodeId, long pid, String description, boolean self, String variable, long joinedNs)
{
    enum Kind
    {
        JOINED, LEFT, LOST, REGAINED, OWNERSHIP
    }

    static ClusterEvent joined(final int nodeId, final long pid, final String description, final boolean self,
        final long joinedNs)
    {
        return new ClusterEvent(Kind.JOINED, nodeId, pid, description, self, null, joinedNs);
    }

    static ClusterEvent left(final int nodeId)
    {
        return new ClusterEvent(Kind.LEFT, nodeId, 0, null, false, null, 0);
    }

    static ClusterEvent reachable(final boolean reachable)
    {
        return new ClusterEvent(reachable ? Kind.REGAINED : Kind.LOST, 0, 0, null, false, null, 0);
    }

    static ClusterEvent ownership(final String variable, final int newOwner)
    {
        return new ClusterEvent(Kind.OWNERSHIP, newOwner, 0, null, false, variable, 0);
    }
}
