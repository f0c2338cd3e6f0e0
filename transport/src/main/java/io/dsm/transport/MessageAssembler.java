package io.dsm.transport;

import io.aeron.FragmentAssembler;
import io.aeron.ReservedValueSupplier;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

/**
 * Reassembles what a {@link Destination} sent, for one subscription: Aeron's fragments into messages (Aeron's own
 * {@link FragmentAssembler}), and messages longer than Aeron's largest message from the chunks they were sent in.
 * <p>
 * A chunk is an Aeron message whose header's reserved value is {@link #CHUNK_MARK} (out of band: a message's own
 * bytes are never read to tell); it starts with the whole message's length and the chunk's offset in it (two
 * little-endian ints), then the chunk's bytes. A publication delivers in order, so the chunks of a message arrive one
 * after the other, per sender session; a message is handed on once its last chunk is in, exactly as if it had come
 * whole. A chunk out of order, a length over the limit or a short chunk is reported and the message dropped, never
 * allocated for.
 * <p>
 * Single threaded: the thread that polls the subscription.
 */
public final class MessageAssembler implements FragmentHandler
{
    /** The reserved value that marks a chunk ("dsm-chnk"). */
    public static final long CHUNK_MARK = 0x6473_6D2D_6368_6E6BL;
    /** Bytes before a chunk's bytes: the whole message's length and the chunk's offset. */
    public static final int CHUNK_HEADER_LENGTH = 2 * Integer.BYTES;
    /** Marks every frame of a chunk. */
    static final ReservedValueSupplier MARK = (termBuffer, termOffset, frameLength) -> CHUNK_MARK;

    private final FragmentHandler delegate;
    private final FragmentAssembler fragments;
    private final int maxMessageLength;
    private final Consumer<String> malformed;
    private final Int2ObjectHashMap<Partial> partials = new Int2ObjectHashMap<>();
    private final UnsafeBuffer whole = new UnsafeBuffer(0, 0);

    /**
     * @param delegate         what whole messages go to.
     * @param maxMessageLength the longest message accepted in chunks, in bytes.
     * @param malformed        told, in words that name the sender's session, about a chunk that is dropped.
     */
    public MessageAssembler(final FragmentHandler delegate, final int maxMessageLength,
        final Consumer<String> malformed)
    {
        this.delegate = delegate;
        this.maxMessageLength = maxMessageLength;
        this.malformed = malformed;
        this.fragments = new FragmentAssembler(this::onMessage);
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        fragments.onFragment(buffer, offset, length, header);
    }

    /**
     * Forgets what a sender had sent of a message so far (its image went away).
     *
     * @param sessionId the sender's session.
     */
    public void discard(final int sessionId)
    {
        partials.remove(sessionId);
        fragments.freeSessionBuffer(sessionId);
    }

    /**
     * @return whether a chunked message is partly in: its sender is held back by flow control until this process
     *         polls again, so the poller should not sleep.
     */
    public boolean isAssembling()
    {
        return !partials.isEmpty();
    }

    /** @return bytes held for messages not complete yet. */
    public long pendingBytes()
    {
        long bytes = 0;
        for (final Partial partial : partials.values())
        {
            bytes += partial.bytes.length;
        }
        return bytes;
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (header.reservedValue() != CHUNK_MARK)
        {
            delegate.onFragment(buffer, offset, length, header);
            return;
        }
        final int session = header.sessionId();
        if (length < CHUNK_HEADER_LENGTH)
        {
            drop(session, "a chunk of " + length + " bytes is shorter than its header");
            return;
        }
        final int total = buffer.getInt(offset, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int at = buffer.getInt(offset + Integer.BYTES, java.nio.ByteOrder.LITTLE_ENDIAN);
        final int size = length - CHUNK_HEADER_LENGTH;
        if (total <= 0 || total > maxMessageLength)
        {
            drop(session, "a message of " + total + " bytes in chunks; at most " + maxMessageLength +
                " are accepted (the same limit must be set on every process)");
            return;
        }
        Partial partial = partials.get(session);
        if (at == 0)
        {
            if (partial != null)
            {
                drop(session, "a message of " + partial.bytes.length + " bytes ended after " + partial.received +
                    " bytes");
            }
            partial = new Partial(total);
            partials.put(session, partial);
        }
        else if (partial == null || partial.bytes.length != total || partial.received != at)
        {
            drop(session, "a chunk at offset " + at + " of a message of " + total + " bytes, expected " +
                (partial == null ? "its first chunk" : "offset " + partial.received + " of " + partial.bytes.length));
            return;
        }
        if (size > total - at)
        {
            drop(session, "a chunk of " + size + " bytes at offset " + at + " runs past the message's " + total +
                " bytes");
            return;
        }
        buffer.getBytes(offset + CHUNK_HEADER_LENGTH, partial.bytes, at, size);
        partial.received += size;
        if (partial.received == total)
        {
            partials.remove(session);
            whole.wrap(partial.bytes);
            delegate.onFragment(whole, 0, total, header);
        }
    }

    private void drop(final int session, final String why)
    {
        partials.remove(session);
        malformed.accept("dropped a chunked message from session " + session + ": " + why);
    }

    private static final class Partial
    {
        final byte[] bytes;
        int received;

        Partial(final int total)
        {
            this.bytes = new byte[total];
        }
    }
}
