package io.dsm.protocol;

import io.dsm.wire.MessageHeaderDecoder;
import io.dsm.wire.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One thread's way in and out of the wire protocol (the codecs generated into {@code io.dsm.wire} from
 * {@code dsm-protocol.xml}). In: {@link #open} checks a received message's header and wraps it in a view that ends
 * where the message ends, so that a length field that runs past it throws rather than reads the next message; a
 * decoder is then wrapped on {@link #view()} with {@link #bodyOffset()}, {@link #blockLength()} and
 * {@link #version()}. Out: encoders are wrapped on {@link #out()} after {@link #header()}, and the message is
 * {@link #length(int)} bytes. Not thread-safe: one per thread.
 */
public final class Wire
{
    /** Bytes of the message header. */
    public static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    /** The largest encoding buffer kept between messages; one grown for a large value is let go. */
    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
    private int length;

    /**
     * Checks a received message's header and wraps it.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @return its template id.
     * @throws MalformedMessageException when it is shorter than its header, of another schema or a later version, or
     *                                   its fixed block runs past its end.
     */
    public int open(final DirectBuffer buffer, final int offset, final int length) throws MalformedMessageException
    {
        if (length < HEADER_LENGTH)
        {
            throw new MalformedMessageException("message of " + length + " bytes is shorter than its header");
        }
        view.wrap(buffer, offset, length);
        this.length = length;
        headerDecoder.wrap(view, 0);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            throw new MalformedMessageException("message of schema " + headerDecoder.schemaId() + ", not dsm's " +
                MessageHeaderDecoder.SCHEMA_ID);
        }
        if (headerDecoder.version() != MessageHeaderDecoder.SCHEMA_VERSION)
        {
            throw new MalformedMessageException("message of protocol version " + headerDecoder.version() +
                "; this JVM speaks version " + MessageHeaderDecoder.SCHEMA_VERSION);
        }
        if (HEADER_LENGTH + headerDecoder.blockLength() > length)
        {
            throw new MalformedMessageException("message of " + length + " bytes with a block of " +
                headerDecoder.blockLength());
        }
        return headerDecoder.templateId();
    }

    /** @return the message opened last, from offset 0 to its end. */
    public DirectBuffer view()
    {
        return view;
    }

    /** @return where its body starts in {@link #view()}. */
    public int bodyOffset()
    {
        return HEADER_LENGTH;
    }

    /** @return its block length. */
    public int blockLength()
    {
        return headerDecoder.blockLength();
    }

    /** @return its schema version. */
    public int version()
    {
        return headerDecoder.version();
    }

    /** @return the length of the message opened last. */
    public int openedLength()
    {
        return length;
    }

    /**
     * @param length the length a variable-length field of the message opened last says it has.
     * @return a new array of that length, to read the field into.
     * @throws IllegalArgumentException when the message is not that long (a malformed length must not allocate).
     */
    public byte[] bytes(final int length)
    {
        if (length < 0 || length > this.length)
        {
            throw new IllegalArgumentException("a field of " + (length & 0xFFFFFFFFL) + " bytes in a message of " +
                this.length + " bytes");
        }
        return new byte[length];
    }

    /** @return the header encoder, to wrap an encoder on {@link #out()} at 0 with. */
    public MessageHeaderEncoder header()
    {
        return headerEncoder;
    }

    /** @return the buffer messages are encoded into, from offset 0. */
    public MutableDirectBuffer out()
    {
        return out;
    }

    /**
     * Lets go of an encoding buffer that grew for a large message. Call between messages, never while one is being
     * encoded.
     */
    public void trim()
    {
        if (out.capacity() > RETAINED_CAPACITY)
        {
            out = new ExpandableArrayBuffer(1024);
        }
    }

    /**
     * @param bodyLength the encoder's {@code encodedLength()}.
     * @return the whole message's length.
     */
    public static int length(final int bodyLength)
    {
        return HEADER_LENGTH + bodyLength;
    }
}
