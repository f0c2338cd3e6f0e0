package io.dsm.transport;

import io.aeron.Aeron;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * dsm's counters, each an Aeron counter in the counters file of the process's media driver ({@code cnc.dat} in its
 * Aeron directory), where any tool that reads Aeron counters sees it beside Aeron's own (Aeron's {@code AeronStat},
 * dsm's tests) without joining the cluster. Type ids are dsm's, from {@value #TYPE_ID_BASE}; labels start with
 * {@code dsm} and the process's role.
 * <p>
 * What each counts is kept by the component that counts it (the node's protocol, the directory's state machine); the
 * counter mirrors it, updated from the component's own thread.
 */
public enum DsmCounter
{
    /** Node: messages dropped because they did not decode or did not fit what the node knew (never applied). */
    NODE_MALFORMED(1, "malformed messages dropped"),
    /** Node: messages dropped because their MAC did not verify (with {@code dsm.secret}), or replayed. */
    NODE_UNAUTHENTICATED(2, "unauthenticated messages dropped"),
    /** Node: messages in chunks dropped whole because a chunk did not fit. */
    NODE_CHUNKS_DROPPED(3, "chunked messages dropped"),
    /**
     * Node: returned writes lost when the directory evicted this node while it owned variables, in {@code
     * dsm.durability=fast} (those after the last checkpoint it sent).
     */
    NODE_WRITES_LOST(4, "returned writes lost at eviction"),
    /** Directory: messages dropped because they did not decode. */
    DIRECTORY_MALFORMED(101, "malformed messages dropped"),
    /** Directory: messages on a session that claim another node than the one that joined on it. */
    DIRECTORY_FORGED(102, "forged messages dropped"),
    /** Directory: messages from a node that is not a member. */
    DIRECTORY_UNKNOWN_SENDER(103, "messages from non-members dropped"),
    /** Directory: hellos refused by the member or join-rate limits. */
    DIRECTORY_REFUSED_JOINS(104, "joins refused"),
    /** Directory: its members now. */
    DIRECTORY_MEMBERS(105, "members");

    /** dsm's counter type ids start here (Aeron's own, and Aeron Cluster's, are below 1000). */
    public static final int TYPE_ID_BASE = 18_000;

    private final int typeId;
    private final String description;

    DsmCounter(final int offset, final String description)
    {
        this.typeId = TYPE_ID_BASE + offset;
        this.description = description;
    }

    /** @return the counter's Aeron type id. */
    public int typeId()
    {
        return typeId;
    }

    /** @return what it counts. */
    public String description()
    {
        return description;
    }

    /**
     * @param aeron the process's Aeron client.
     * @param owner names the process, e.g. {@code node pid 1234}.
     * @return the counter, allocated in the client's media driver; closed with the client.
     */
    public AtomicCounter allocate(final Aeron aeron, final String owner)
    {
        return aeron.addCounter(typeId, "dsm " + owner + ": " + description);
    }
}
