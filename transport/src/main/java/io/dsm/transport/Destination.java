package io.dsm.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * Where one process sends to one other: an exclusive publication, opened on the first send, and a queue of the
 * messages it could not take yet (not connected, back-pressured). A send never blocks and never drops a message: what
 * the publication refuses waits, in order, and {@link #flush()} offers it again on the next duty cycle. Single
 * threaded: the thread that drives the transport sends.
 * <p>
 * A message longer than the publication's largest message (an eighth of the term length) goes in chunks, one Aeron
 * message each, marked for the receiver's {@link MessageAssembler}: as many as the publication takes now, the rest on
 * later duty cycles, so flow control paces a large message and the sending thread never waits for it. Messages stay
 * in order: one queued behind a large message waits for its last chunk.
 */
public final class Destination implements AutoCloseable
{
    private final AeronTransport transport;
    private final String channel;
    private final int streamId;
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    private final UnsafeBuffer queuedView = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer chunkHeader = new UnsafeBuffer(new byte[MessageAssembler.CHUNK_HEADER_LENGTH]);
    private java.net.InetSocketAddress doorbell;
    private ExclusivePublication publication;
    /** A second publication to the same receiver, for messages that must not wait behind a large one. */
    private Destination urgent;
    private long sent;
    private boolean toRing;
    private boolean closed;

    /**
     * @param transport the transport to open the publication on.
     * @param channel   the receiver's Aeron channel.
     * @param streamId  the receiver's stream.
     */
    public Destination(final AeronTransport transport, final String channel, final int streamId)
    {
        this(transport, channel, streamId, null);
    }

    /**
     * @param transport the transport to open the publication on.
     * @param channel   the receiver's Aeron channel.
     * @param streamId  the receiver's stream.
     * @param doorbell  the receiver's {@link Doorbell}, rung after messages are sent to it; null for none.
     */
    public Destination(final AeronTransport transport, final String channel, final int streamId,
        final java.net.InetSocketAddress doorbell)
    {
        this.transport = transport;
        this.channel = channel;
        this.streamId = streamId;
        this.doorbell = doorbell;
    }

    /**
     * @param doorbell the receiver's doorbell, learnt after the destination was opened; null for none.
     */
    public void doorbell(final java.net.InetSocketAddress doorbell)
    {
        this.doorbell = doorbell;
        if (urgent != null)
        {
            urgent.doorbell(doorbell);
        }
    }

    /** @return whether messages went to the receiver since its doorbell was last rung. */
    public boolean hasUnrung()
    {
        return toRing || urgent != null && urgent.toRing;
    }

    /**
     * Rings the receiver's doorbell if messages went to it since the last ring. Call after the transport's duty cycle
     * has put them on the wire, so that the woken receiver finds them.
     *
     * @param bell this process's doorbell, to ring from.
     * @return whether it rang.
     */
    public boolean ringIfSent(final Doorbell bell)
    {
        final boolean sent = hasUnrung();
        toRing = false;
        if (urgent != null)
        {
            urgent.toRing = false;
        }
        if (sent && doorbell != null)
        {
            bell.ring(doorbell);
            return true;
        }
        return false;
    }

    /**
     * Sends a message now, or queues a copy of it when the publication cannot take it yet.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @return true when sent now (the last chunk of a large one included), false when some of it is queued.
     * @throws IllegalArgumentException when the message is longer than the transport's largest message.
     */
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return false;
        }
        if (length > transport.maxMessageLength())
        {
            throw new IllegalArgumentException("a message of " + length + " bytes to " + channel + " exceeds the " +
                "largest one this process sends (" + transport.maxMessageLength() + " bytes)");
        }
        final boolean chunked = length > publication().maxMessageLength();
        if (queued.isEmpty() && !chunked && offer(buffer, offset, length))
        {
            return true;
        }
        final Pending pending = new Pending(new byte[length], chunked);
        buffer.getBytes(offset, pending.bytes, 0, length);
        queued.addLast(pending);
        // Ring even so: a publication that is not connected yet needs the receiver's driver to answer its setup, and
        // a receiver asleep on its doorbell would answer only when its sleep ends.
        toRing = true;
        return chunked && queued.size() == 1 && flush() == 1;
    }

    /**
     * Sends a small message on a publication of its own to the same receiver, so that it never waits behind a large
     * message's chunks (a heartbeat, whose lateness would cost a lease). Ordered with the other urgent messages only.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @return true when sent now, false when queued.
     */
    public boolean sendUrgent(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return false;
        }
        if (urgent == null)
        {
            urgent = new Destination(transport, channel, streamId, doorbell);
        }
        return urgent.send(buffer, offset, length);
    }

    /**
     * Offers queued messages again, in order, until the publication refuses one.
     *
     * @return how many were sent.
     */
    public int flush()
    {
        int count = urgent == null ? 0 : urgent.flush();
        while (!queued.isEmpty())
        {
            final Pending message = queued.peekFirst();
            queuedView.wrap(message.bytes);
            if (!(message.chunked ? offerChunks(message) : offer(queuedView, 0, message.bytes.length)))
            {
                break;
            }
            queued.pollFirst();
            count++;
        }
        return count;
    }

    /** Offers the chunks of a large message from where it stopped, while the publication takes them. */
    private boolean offerChunks(final Pending message)
    {
        final int total = message.bytes.length;
        while (message.sent < total)
        {
            final int size = Math.min(total - message.sent,
                publication().maxMessageLength() - MessageAssembler.CHUNK_HEADER_LENGTH);
            chunkHeader.putInt(0, total, ByteOrder.LITTLE_ENDIAN);
            chunkHeader.putInt(Integer.BYTES, message.sent, ByteOrder.LITTLE_ENDIAN);
            if (!checked(publication.offer(chunkHeader, 0, MessageAssembler.CHUNK_HEADER_LENGTH,
                queuedView, message.sent, size, MessageAssembler.MARK)))
            {
                return false;
            }
            message.sent += size;
        }
        return true;
    }

    private ExclusivePublication publication()
    {
        if (publication == null)
        {
            publication = transport.addExclusivePublication(channel, streamId);
        }
        return publication;
    }

    private boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return checked(publication().offer(buffer, offset, length));
    }

    private boolean checked(final long result)
    {
        if (result > 0)
        {
            sent++;
            toRing = true;
            return true;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            // A large message is sent again whole on the new one: its receiver drops the part it had.
            for (final Pending message : queued)
            {
                message.sent = 0;
            }
            // Start again on a fresh publication: the receiver may have restarted.
            CloseHelper.quietClose(publication);
            publication = null;
        }
        return false;
    }

    /**
     * @return whether a message in chunks is on its way to a connected receiver (one that went away is not waited
     *         for).
     */
    public boolean isSendingChunks()
    {
        final Pending head = queued.peekFirst();
        return head != null && head.chunked && publication != null && publication.isConnected();
    }

    /** @return messages waiting for the publication (or the urgent one). */
    public int queued()
    {
        return queued.size() + (urgent == null ? 0 : urgent.queued.size());
    }

    /** @return messages sent so far. */
    public long sent()
    {
        return sent;
    }

    /** @return whether the publication is open and connected to its receiver. */
    public boolean isConnected()
    {
        return publication != null && publication.isConnected();
    }

    /** @return the receiver's channel. */
    public String channel()
    {
        return channel;
    }


    @Override
    public void close()
    {
        CloseHelper.quietClose(urgent);
        closed = true;
        queued.clear();
        CloseHelper.quietClose(publication);
        publication = null;
    }

    /** A message the publication has not taken yet, or (chunked) not all of. */
    private static final class Pending
    {
        final byte[] bytes;
        final boolean chunked;
        int sent;

        Pending(final byte[] bytes, final boolean chunked)
        {
            this.bytes = bytes;
            this.chunked = chunked;
        }
    }
}
