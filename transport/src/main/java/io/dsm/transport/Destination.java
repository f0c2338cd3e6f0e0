package io.dsm.transport;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;

/**
 * Where one process sends to one other: an exclusive publication, opened on the first send, and a queue of the
 * messages it could not take yet (not connected, back-pressured). A send never blocks and never drops a message: what
 * the publication refuses waits, in order, and {@link #flush()} offers it again on the next duty cycle. Single
 * threaded: the thread that drives the transport sends.
 */
public final class Destination implements AutoCloseable
{
    private final AeronTransport transport;
    private final String channel;
    private final int streamId;
    private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
    private final UnsafeBuffer queuedView = new UnsafeBuffer(0, 0);
    private java.net.InetSocketAddress doorbell;
    private ExclusivePublication publication;
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
    }

    /** @return whether messages went to the receiver since its doorbell was last rung. */
    public boolean hasUnrung()
    {
        return toRing;
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
        if (toRing && doorbell != null)
        {
            toRing = false;
            bell.ring(doorbell);
            return true;
        }
        toRing = false;
        return false;
    }

    /**
     * Sends a message now, or queues a copy of it when the publication cannot take it yet.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @return true when sent now, false when queued.
     * @throws IllegalArgumentException when the message is longer than the publication's largest message.
     */
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return false;
        }
        if (queued.isEmpty() && offer(buffer, offset, length))
        {
            return true;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy, 0, length);
        queued.addLast(copy);
        // Ring even so: a publication that is not connected yet needs the receiver's driver to answer its setup, and
        // a receiver asleep on its doorbell would answer only when its sleep ends.
        toRing = true;
        return false;
    }

    /**
     * Offers queued messages again, in order, until the publication refuses one.
     *
     * @return how many were sent.
     */
    public int flush()
    {
        int count = 0;
        while (!queued.isEmpty())
        {
            final byte[] message = queued.peekFirst();
            queuedView.wrap(message);
            if (!offer(queuedView, 0, message.length))
            {
                break;
            }
            queued.pollFirst();
            count++;
        }
        return count;
    }

    private boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (publication == null)
        {
            publication = transport.addExclusivePublication(channel, streamId);
        }
        if (length > publication.maxMessageLength())
        {
            throw new IllegalArgumentException("a message of " + length + " bytes to " + channel + " exceeds the " +
                "largest one its publication takes (" + publication.maxMessageLength() + " bytes)");
        }
        final long result = publication.offer(buffer, offset, length);
        if (result > 0)
        {
            sent++;
            toRing = true;
            return true;
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            // Start again on a fresh publication: the receiver may have restarted.
            CloseHelper.quietClose(publication);
            publication = null;
        }
        return false;
    }

    /** @return messages waiting for the publication. */
    public int queued()
    {
        return queued.size();
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

    /** @return the largest message the publication takes, opening it if needed. */
    public int maxMessageLength()
    {
        if (publication == null)
        {
            publication = transport.addExclusivePublication(channel, streamId);
        }
        return publication.maxMessageLength();
    }

    @Override
    public void close()
    {
        closed = true;
        queued.clear();
        CloseHelper.quietClose(publication);
        publication = null;
    }
}
