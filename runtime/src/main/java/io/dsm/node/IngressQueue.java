package io.dsm.node;

import io.aeron.Publication;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.Wire;
import io.dsm.wire.ChunkEncoder;
import io.dsm.wire.HelloDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * A node's messages to the directory cluster, whole and in order, each offered on the session the node has at the time
 * it goes; a message longer than a session takes in one goes a chunk at a time ({@link Chunks}), cut as it goes.
 * <ul>
 * <li>A message in chunks partly sent when the session changes (a new session, or a new leader that may not have the
 * chunks the old one took) starts again from its first chunk: the directory joins a session's chunks in order and a
 * chunk at offset 0 starts the message over.</li>
 * <li>What was sent in the last {@link #RESEND_WINDOW_NS} is kept, whole, and goes again first when a new leader or a
 * new session may not have it ({@link #resendRecent}). The directory drops a request it already has by its
 * correlation id.</li>
 * <li>A hello is never sent again from here: a new session gets the node's current hello first, and a stale one (an
 * incarnation the directory has evicted since) would make it welcome a node nobody is.</li>
 * </ul>
 * Before, a long message was queued and remembered as its chunks: a re-send after a fail-over could start in its
 * middle (the window had let its first chunks go), and the directory dropped it as out of order (a 64 MiB value, on
 * the cluster engine). Not thread safe: the node's thread only.
 */
final class IngressQueue
{
    /**
     * A message sent this recently may have died with a leader before it reached the log. It covers the leader
     * heartbeat timeout and an election, with room to spare.
     */
    static final long RESEND_WINDOW_NS = TimeUnit.SECONDS.toNanos(3);

    /** Where messages go: a session's ingress ({@code AeronCluster#offer}). */
    @FunctionalInterface
    interface Ingress
    {
        /** @return the new position (&gt; 0) or a {@link Publication} code. */
        long offer(DirectBuffer buffer, int offset, int length);
    }

    private static final class Pending
    {
        final byte[] bytes;
        /** Where the next chunk starts, for a message in chunks. */
        int at;
        /** The session and leadership its first chunk went on. */
        long sessionId = Long.MIN_VALUE;
        long leadership;
        /** When it was sent, all of it. */
        long sentNs;

        Pending(final byte[] bytes)
        {
            this.bytes = bytes;
        }
    }

    private final int maxMessageLength;
    private final NanoClock clock;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<Pending> recent = new ArrayDeque<>();
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final Wire chunkWire = new Wire();
    private final ChunkEncoder chunkEncoder = new ChunkEncoder();
    /** Counts the leaders a session moved to: a message in chunks started under an earlier one starts over. */
    private long leadership;
    private long lastChunkNs;
    private long lastResult;
    private Pending first;

    /**
     * @param maxMessageLength the longest message a session takes in one; a longer one goes in chunks.
     * @param clock            the process's clock.
     */
    IngressQueue(final int maxMessageLength, final NanoClock clock)
    {
        Chunks.part(maxMessageLength); // refuses a length that cannot carry a chunk
        this.maxMessageLength = maxMessageLength;
        this.clock = clock;
    }

    /** Queues a copy of a message behind what waits. */
    void add(final DirectBuffer buffer, final int offset, final int length)
    {
        queue.addLast(new Pending(copy(buffer, offset, length)));
    }

    /**
     * Queues a small message (a heartbeat) before what waits, but behind a hello that binds a new session. The
     * directory applies messages that come between a message's chunks, so it may go between them.
     */
    void addUrgent(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > maxMessageLength)
        {
            add(buffer, offset, length);
            return;
        }
        final Pending hello = first != null && queue.peekFirst() == first ? queue.pollFirst() : null;
        queue.addFirst(new Pending(copy(buffer, offset, length)));
        if (hello != null)
        {
            queue.addFirst(hello);
        }
    }

    /** Queues a message before everything that waits (a hello that binds a new session). */
    void addFirst(final DirectBuffer buffer, final int offset, final int length)
    {
        first = new Pending(copy(buffer, offset, length));
        queue.addFirst(first);
    }

    /** The session moved to a new leader, which may not have what the old one took. */
    void newLeader()
    {
        leadership++;
    }

    /**
     * Offers what waits, in order, until the session takes no more.
     *
     * @param ingress   the session's ingress.
     * @param sessionId the session's id.
     * @return messages (or chunks) offered.
     */
    int flush(final Ingress ingress, final long sessionId)
    {
        int work = 0;
        while (!queue.isEmpty())
        {
            final Pending next = queue.peekFirst();
            if (next.sessionId != sessionId || next.leadership != leadership)
            {
                next.at = 0;
                next.sessionId = sessionId;
                next.leadership = leadership;
            }
            view.wrap(next.bytes);
            final int length = next.bytes.length;
            final long result;
            final int carried;
            if (length <= maxMessageLength)
            {
                result = ingress.offer(view, 0, length);
                carried = length;
            }
            else
            {
                // Every message starts with its sender's node id.
                final int sender = view.getInt(Wire.HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN);
                final int chunkLength = Chunks.chunk(chunkWire, chunkEncoder, sender, view, 0, length, next.at,
                    maxMessageLength);
                result = ingress.offer(chunkWire.out(), 0, chunkLength);
                carried = Math.min(Chunks.part(maxMessageLength), length - next.at);
                if (result > 0)
                {
                    lastChunkNs = clock.nanoTime();
                }
            }
            lastResult = result;
            if (result <= 0)
            {
                break;
            }
            work++;
            next.at += carried;
            if (next.at >= length)
            {
                queue.pollFirst();
                if (next == first)
                {
                    first = null;
                }
                remember(next);
            }
        }
        return work;
    }

    /** A new leader or a new session: what was sent lately goes again, whole and in order, before what waits. */
    int resendRecent()
    {
        final long nowNs = clock.nanoTime();
        int resent = 0;
        for (final Iterator<Pending> it = recent.descendingIterator(); it.hasNext(); )
        {
            final Pending sent = it.next();
            if (nowNs - sent.sentNs <= RESEND_WINDOW_NS)
            {
                sent.at = 0;
                sent.sessionId = Long.MIN_VALUE;
                queue.addFirst(sent);
                resent++;
            }
        }
        recent.clear();
        return resent;
    }

    /** @return messages waiting, whole (a message partly sent counts as one). */
    int size()
    {
        return queue.size();
    }

    /** @return what the session answered the last offer (a {@link Publication} code when it took nothing). */
    long lastResult()
    {
        return lastResult;
    }

    /** @return when a chunk last went ({@code clock}), or 0. */
    long lastChunkNs()
    {
        return lastChunkNs;
    }

    private void remember(final Pending message)
    {
        final byte[] bytes = message.bytes;
        if (bytes.length >= Wire.HEADER_LENGTH &&
            ((bytes[2] & 0xFF) | (bytes[3] & 0xFF) << 8) == HelloDecoder.TEMPLATE_ID) // the header's template id
        {
            return;
        }
        final long nowNs = clock.nanoTime();
        message.sentNs = nowNs;
        recent.addLast(message);
        while (!recent.isEmpty() && nowNs - recent.peekFirst().sentNs > RESEND_WINDOW_NS)
        {
            recent.pollFirst();
        }
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return copy;
    }
}
