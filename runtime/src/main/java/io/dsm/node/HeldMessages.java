package io.dsm.node;

import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages from nodes this one does not know yet, oldest first. The directory tells each member of a new one, and the
 * new one may reach a member (a read of a variable it owns) before that notice does: {@link NodeProtocol} holds such a
 * message here until the notice comes, then replays it. What it holds is bounded in count and bytes; a message that
 * does not fit is refused (and dropped as malformed by the caller).
 */
final class HeldMessages
{
    /** At most this many messages wait. */
    static final int MAX_MESSAGES = 256;
    /** ... and at most this many bytes of them. */
    static final int MAX_BYTES = 1 << 20;

    /** A held message. */
    record Held(int sender, byte[] message, long arrivedNs)
    {
    }

    /** Told of each message dropped because its sender did not become a member in time. */
    interface Expired
    {
        void expired(int sender, int length);
    }

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final IntArrayList joined = new IntArrayList();
    private int bytes;

    boolean isEmpty()
    {
        return held.isEmpty();
    }

    /**
     * @return whether it was held (false: the bounds are reached).
     */
    boolean hold(final int sender, final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        if (held.size() >= MAX_MESSAGES || bytes + length > MAX_BYTES)
        {
            return false;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        held.addLast(new Held(sender, copy, nowNs));
        bytes += length;
        return true;
    }

    /** {@code node} became a member: its messages are taken by the next {@link #takeJoined()}. */
    void joined(final int node)
    {
        if (!held.isEmpty())
        {
            joined.addInt(node);
        }
    }

    boolean hasJoined()
    {
        return !joined.isEmpty();
    }

    /**
     * Removes the messages of the nodes that joined since the last call, in the order they arrived; the others keep
     * their places. The caller replays them; a replay may hold or join again, which this call no longer sees.
     *
     * @return the messages to replay.
     */
    List<byte[]> takeJoined()
    {
        final List<byte[]> taken = new ArrayList<>();
        final int count = held.size();
        for (int i = 0; i < count; i++)
        {
            final Held message = held.pollFirst();
            if (joined.containsInt(message.sender))
            {
                bytes -= message.message.length;
                taken.add(message.message);
            }
            else
            {
                held.addLast(message);
            }
        }
        joined.clear();
        return taken;
    }

    /** Drops the messages of a node that left: they no longer matter. */
    void dropFrom(final int node)
    {
        held.removeIf(message ->
        {
            if (message.sender == node)
            {
                bytes -= message.message.length;
                return true;
            }
            return false;
        });
    }

    /** Drops the messages that waited longer than {@code timeoutNs}, telling {@code expired} of each. */
    void expire(final long nowNs, final long timeoutNs, final Expired expired)
    {
        while (!held.isEmpty() && nowNs - held.peekFirst().arrivedNs > timeoutNs)
        {
            final Held message = held.pollFirst();
            bytes -= message.message.length;
            expired.expired(message.sender, message.message.length);
        }
    }
}
