package io.dsm.protocol;

import io.dsm.wire.ChunkDecoder;
import io.dsm.wire.ChunkEncoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A message longer than the directory cluster takes in one message (an eighth of its term length), sent as {@code
 * Chunk} messages and joined again by the receiver, per session, in order. The cluster's ingress and egress keep a
 * session's messages in order and lose none while the session lives, so a chunk out of order means a sender that
 * started again (its first chunk restarts the message) or a malformed one (dropped, naming why).
 */
public final class Chunks
{
    /** An announced length allocates at most this much before its bytes arrive. */
    private static final int INITIAL_CAPACITY = 64 * 1024;
    /** Bytes a chunk adds to the part of the message it carries. */
    public static final int OVERHEAD = Wire.HEADER_LENGTH + ChunkEncoder.BLOCK_LENGTH +
        ChunkEncoder.bytesHeaderLength();

    private Chunks()
    {
    }

    /** Takes each chunk of a message, in order. */
    @FunctionalInterface
    public interface Sink
    {
        void accept(DirectBuffer buffer, int offset, int length);
    }

    /**
     * @param sender    the sender's node id (0: the directory).
     * @param buffer    holds the message.
     * @param offset    where it starts.
     * @param length    its length.
     * @param maxLength the longest chunk, header included; more than {@link #OVERHEAD}.
     * @param sink      takes each chunk; the buffer it is given is reused for the next.
     */
    public static void split(final int sender, final DirectBuffer buffer, final int offset, final int length,
        final int maxLength, final Sink sink)
    {
        final int part = part(maxLength);
        final Wire wire = new Wire();
        final ChunkEncoder encoder = new ChunkEncoder();
        for (int at = 0; at < length; at += part)
        {
            sink.accept(wire.out(), 0, chunk(wire, encoder, sender, buffer, offset, length, at, maxLength));
        }
    }

    /**
     * @param maxLength the longest chunk, header included.
     * @return how much of a message one chunk of at most {@code maxLength} carries.
     * @throws IllegalArgumentException when such a chunk cannot carry any.
     */
    public static int part(final int maxLength)
    {
        final int part = maxLength - OVERHEAD;
        if (part <= 0)
        {
            throw new IllegalArgumentException("a chunk of at most " + maxLength + " bytes cannot carry any");
        }
        return part;
    }

    /**
     * Encodes one chunk into {@code wire.out()}: the one that starts at {@code at} (a multiple of {@link
     * #part(int)}), for a sender that sends a message a chunk at a time.
     *
     * @return the chunk's length, from offset 0 of {@code wire.out()}.
     */
    public static int chunk(final Wire wire, final ChunkEncoder encoder, final int sender, final DirectBuffer buffer,
        final int offset, final int length, final int at, final int maxLength)
    {
        final int size = Math.min(part(maxLength), length - at);
        encoder.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(sender)
            .total(length)
            .at(at)
            .putBytes(buffer, offset + at, size);
        return Wire.length(encoder.encodedLength());
    }

    /** Joins chunks per session. Not thread safe. */
    public static final class Assembler
    {
        private final int maxMessageLength;
        private final Long2ObjectHashMap<Partial> partials = new Long2ObjectHashMap<>();
        private final ChunkDecoder decoder = new ChunkDecoder();
        private final UnsafeBuffer whole = new UnsafeBuffer(0, 0);

        /**
         * @param maxMessageLength the longest whole message accepted.
         */
        public Assembler(final int maxMessageLength)
        {
            this.maxMessageLength = maxMessageLength;
        }

        /**
         * @param session the session it came on.
         * @param wire    holds the chunk, {@link Wire#open opened}.
         * @return the whole message when this chunk completes it (valid until the next call), else null.
         * @throws MalformedMessageException when the chunk does not fit the message it belongs to, or announces a
         *                                   message longer than accepted; what the session had sent of it is dropped.
         */
        public DirectBuffer onChunk(final long session, final Wire wire) throws MalformedMessageException
        {
            decoder.wrap(wire.view(), wire.bodyOffset(), wire.blockLength(), wire.version());
            final int total = decoder.total();
            final int at = decoder.at();
            final int size = (int)Math.min(decoder.bytesLength(), Integer.MAX_VALUE);
            if (total <= 0 || total > maxMessageLength)
            {
                partials.remove(session);
                throw new MalformedMessageException("a chunk of a message of " + total + " bytes; at most " +
                    maxMessageLength + " are accepted (dsm.max.value.bytes must be the same on every process)");
            }
            Partial partial = partials.get(session);
            if (at == 0)
            {
                partial = new Partial(total, new byte[Math.min(total, INITIAL_CAPACITY)], 0);
                partials.put(session, partial);
            }
            else if (partial == null || partial.total != total || partial.received != at)
            {
                partials.remove(session);
                throw new MalformedMessageException("a chunk at offset " + at + " of a message of " + total +
                    " bytes, expected " + (partial == null ? "its first chunk" :
                    "offset " + partial.received + " of " + partial.total));
            }
            if (size > total - at || wire.bodyOffset() + wire.blockLength() + ChunkDecoder.bytesHeaderLength() +
                (long)size > wire.openedLength())
            {
                partials.remove(session);
                throw new MalformedMessageException("a chunk of " + size + " bytes at offset " + at +
                    " runs past the message's " + total + " bytes or past its own end");
            }
            partial.ensure(at + size);
            decoder.getBytes(partial.bytes, at, size);
            partial.received += size;
            if (partial.received < total)
            {
                return null;
            }
            partials.remove(session);
            whole.wrap(partial.bytes, 0, total);
            return whole;
        }

        /**
         * @param session a session that closed: what it had sent of a message is dropped.
         */
        public void discard(final long session)
        {
            partials.remove(session);
        }

        /** @return sessions with a message partly in. */
        public int pending()
        {
            return partials.size();
        }

        /**
         * Visits every message partly in, for a snapshot.
         *
         * @param visitor takes the session, the whole message's length, and the bytes in so far (the array is filled
         *                up to {@code received}).
         */
        public void forEach(final PartialVisitor visitor)
        {
            partials.forEach((session, partial) -> visitor.accept(session, partial.total, partial.bytes,
                partial.received));
        }

        /**
         * Puts back a message partly in, from a snapshot.
         *
         * @param session  its session.
         * @param total    the whole message's length.
         * @param bytes    the bytes in so far, from 0.
         * @param received how many.
         */
        public void restore(final long session, final int total, final byte[] bytes, final int received)
        {
            partials.put(session, new Partial(total, bytes, received));
        }
    }

    /** See {@link Assembler#forEach}. */
    @FunctionalInterface
    public interface PartialVisitor
    {
        void accept(long session, int total, byte[] bytes, int received);
    }

    /** What a session sent of a message so far; its array grows with what arrives, not with what is announced. */
    private static final class Partial
    {
        final int total;
        byte[] bytes;
        int received;

        Partial(final int total, final byte[] bytes, final int received)
        {
            this.total = total;
            this.bytes = bytes;
            this.received = received;
        }

        void ensure(final int length)
        {
            if (length > bytes.length)
            {
                bytes = java.util.Arrays.copyOf(bytes, (int)Math.min(total, Math.max(length, 2L * bytes.length)));
            }
        }
    }
}
