package io.dsm.protocol;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes one message at a time into a reusable, growable buffer: {@link #begin} the header, then the body fields in
 * the order docs/PROTOCOL.md gives, then send {@link #buffer()} from 0 to {@link #length()}. Not thread-safe: one
 * writer per sending thread.
 */
public final class MessageWriter
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private int position;

    /**
     * Starts a message.
     *
     * @param type          the message type.
     * @param senderId      the sending node's id, 0 for the coordinator or a node without one.
     * @param correlationId correlates a reply with its request.
     * @return this.
     */
    public MessageWriter begin(final MessageType type, final int senderId, final long correlationId)
    {
        buffer.putByte(Header.MAGIC_OFFSET, Header.MAGIC);
        buffer.putByte(Header.VERSION_OFFSET, Header.VERSION);
        buffer.putShort(Header.TYPE_OFFSET, (short)type.code(), ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(Header.SENDER_OFFSET, senderId, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(Header.CORRELATION_OFFSET, correlationId, ByteOrder.LITTLE_ENDIAN);
        position = Header.LENGTH;
        return this;
    }

    /**
     * @param value a byte.
     * @return this.
     */
    public MessageWriter putByte(final int value)
    {
        buffer.putByte(position, (byte)value);
        position += 1;
        return this;
    }

    /**
     * @param value a 32-bit integer.
     * @return this.
     */
    public MessageWriter putInt(final int value)
    {
        buffer.putInt(position, value, ByteOrder.LITTLE_ENDIAN);
        position += 4;
        return this;
    }

    /**
     * @param value a 64-bit integer.
     * @return this.
     */
    public MessageWriter putLong(final long value)
    {
        buffer.putLong(position, value, ByteOrder.LITTLE_ENDIAN);
        position += 8;
        return this;
    }

    /**
     * Writes a string as a 32-bit length and UTF-8 bytes.
     *
     * @param value the string, not null.
     * @return this.
     */
    public MessageWriter putString(final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Header.MAX_STRING_LENGTH)
        {
            throw new IllegalArgumentException("string longer than " + Header.MAX_STRING_LENGTH + " bytes: " +
                value.substring(0, 64) + "...");
        }
        return putBytes(bytes);
    }

    /**
     * Writes bytes as a 32-bit length and the bytes; null is written as length -1.
     *
     * @param value the bytes, or null for none.
     * @return this.
     */
    public MessageWriter putBytes(final byte[] value)
    {
        if (value == null)
        {
            return putInt(-1);
        }
        putInt(value.length);
        buffer.putBytes(position, value);
        position += value.length;
        return this;
    }

    /**
     * @return the buffer holding the message from offset 0.
     */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the message's length so far.
     */
    public int length()
    {
        return position;
    }
}
