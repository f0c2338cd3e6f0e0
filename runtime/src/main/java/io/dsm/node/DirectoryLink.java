package io.dsm.node;

import io.dsm.transport.Doorbell;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;

/**
 * How a node reaches the directory: the classic coordinator's UDP endpoint ({@link UdpDirectoryLink}), or a session
 * with the directory's Aeron Cluster ({@link ClusterDirectoryLink}). Used by the node's thread only. Sends never block
 * and never drop: what cannot go now waits, in order, for {@link #flush()}.
 */
interface DirectoryLink extends AutoCloseable
{
    /** Sends a message to the directory, or queues it. */
    void send(DirectBuffer buffer, int offset, int length);

    /** Sends a message before everything that waits (a hello that binds a new session). */
    default void sendFirst(final DirectBuffer buffer, final int offset, final int length)
    {
        send(buffer, offset, length);
    }

    /** Sends a small message that must not wait behind a large one (a heartbeat). */
    void sendUrgent(DirectBuffer buffer, int offset, int length);

    /**
     * Receives what the directory sent on the link itself (a cluster's egress) and keeps the link connected.
     *
     * @return work done.
     */
    int poll();

    /** @return work done offering queued messages. */
    int flush();

    /** @return messages waiting to be sent. */
    int queued();

    /** @return whether a large message is partly sent or partly received: the node should poll, not sleep. */
    boolean isTransferring();

    /** @return whether something was sent that the directory has not been woken for yet. */
    boolean hasUnrung();

    /** Wakes the directory if something was sent to it since the last ring. */
    void ringIfSent(Doorbell doorbell);

    /** @param address the directory's doorbell, or null. */
    void doorbell(InetSocketAddress address);

    /**
     * @return true, once, after the link connected again on a new session (a new leader, a restarted directory): the
     *         node must say hello again so that the directory knows the session is this node's.
     */
    boolean reconnected();

    /** @return when the current session with the directory opened ({@code System.nanoTime()}), or 0. */
    default long sessionOpenedNs()
    {
        return 0;
    }

    /**
     * The directory has not answered for a while: a link with sessions opens a new one beside the old (a directory
     * restarted on the same address may not know the old session; a new leader takes it over), and whichever serves
     * first is kept; others do nothing.
     */
    default void reconnect()
    {
    }

    /** @return why the directory refused this node (a wrong secret), or null. */
    default String refusal()
    {
        return null;
    }

    /** @return where the directory is, for messages. */
    String describe();

    @Override
    void close();
}
