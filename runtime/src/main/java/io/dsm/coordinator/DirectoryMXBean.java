package io.dsm.coordinator;

/**
 * A directory member's metrics, as JMX sees them: {@code io.dsm:type=Directory,member=<id>} in the member's process.
 * Counts are since the member's state began (they are part of the replicated state, and survive restarts through
 * the log and snapshots), up to date within 50 ms.
 */
public interface DirectoryMXBean
{
    /** @return LEADER, FOLLOWER or CANDIDATE (Aeron Cluster's role of this member). */
    String getRole();

    /** @return nodes that are members of the cluster now. */
    long getMembers();

    /** @return messages dropped because they did not decode. */
    long getMalformedMessages();

    /** @return messages on a session that claimed another node than the one that joined on it. */
    long getForgedMessages();

    /** @return messages from nodes that are not members. */
    long getNonMemberMessages();

    /** @return hellos refused by {@code dsm.max.members} or {@code dsm.max.joins.per.second}. */
    long getRefusedJoins();
}
