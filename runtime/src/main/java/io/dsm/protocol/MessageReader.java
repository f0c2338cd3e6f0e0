package io.dsm.protocol;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Reads one message in place: {@link #wrap} checks the header, then the body fields are read in order. Every read
 * checks the message's bounds, so a truncated or forged message raises {@link MalformedMessageException} and nothing
 * else. Reuse one reader per receiving thread.
 */
public final class MessageReader
{
    private DirectBuffer buffer;
    private int offset;
    private int limit;
    private int position;
    private MessageType type;

    /**
     * Wraps a received message and checks its header.
     *
     * @param buffer the receive buffer.
     * @param offset where the message starts.
     * @param length its length.
     * @return this.
     * @throws MalformedMessageException when the header is short, the magic or version is wrong or the type unknown.
     */
    public MessageReader wrap(final DirectBuffer buffer, final int offset, final int length)
        throws MalformedMessageException
    {
        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + length;
        if (length < Header.LENGTH)
        {
            throw new MalformedMessageException("message of " + length + " bytes is shorter than the header");
        }
        if (buffer.getByte(offset + Header.MAGIC_OFFSET) != Header.MAGIC)
        {
            throw new MalformedMessageException("bad magic byte " + buffer.getByte(offset + Header.MAGIC_OFFSET));
        }
        final byte version = buffer.getByte(offset + Header.VERSION_OFFSET);
        if (version != Header.VERSION)
        {
            throw new MalformedMessageException("unsupported protocol version " + version);
        }
        final int code = buffer.getShort(offset + Header.TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN);
        type = MessageType.of(code);
        if (type == null)
        {
            throw new MalformedMessageException("unknown message type " + code);
        }
        position = offset + Header.LENGTH;
        return this;
    }

    /**
     * @return the message's type.
     */
    public MessageType type()
    {
        return type;
    }

    /**
     * @return the sender's node id.
     */
    public int senderId()
    {
        return buffer.getInt(offset + Header.SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return the correlation id.
     */
    public long correlationId()
    {
        return buffer.getLong(offset + Header.CORRELATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    private void need(final int bytes, final String field) throws MalformedMessageException
    {
        if (bytes < 0 || position + bytes > limit)
        {
            throw new MalformedMessageException(type + " message truncated at " + field);
        }
    }

    /**
     * @param field the field's name, for the error.
     * @return the next byte.
     * @throws MalformedMessageException when the message ends first.
     */
    public int getByte(final String field) throws MalformedMessageException
    {
        need(1, field);
        return buffer.getByte(position++);
    }

    /**
     * @param field the field's name, for the error.
     * @return the next 32-bit integer.
     * @throws MalformedMessageException when the message ends first.
     */
    public int getInt(final String field) throws MalformedMessageException
    {
        need(4, field);
        final int value = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN);
        position += 4;
        return value;
    }

    /**
     * @param field the field's name, for the error.
     * @return the next 64-bit integer.
     * @throws MalformedMessageException when the message ends first.
     */
    public long getLong(final String field) throws MalformedMessageException
    {
        need(8, field);
        final long value = buffer.getLong(position, ByteOrder.LITTLE_ENDIAN);
        position += 8;
        return value;
    }

    /**
     * @param field the field's name, for the error.
     * @return the next string.
     * @throws MalformedMessageException when the length is negative, too long, or runs past the message.
     */
    public String getString(final String field) throws MalformedMessageException
    {
        final int length = getInt(field);
        if (length < 0 || length > Header.MAX_STRING_LENGTH)
        {
            throw new MalformedMessageException(type + " message has a bad length " + length + " for " + field);
        }
        need(length, field);
        final String value = buffer.getStringWithoutLengthUtf8(position, length);
        position += length;
        return value;
    }

    /**
     * @param field the field's name, for the error.
     * @return the next byte array, or null when its length is -1.
     * @throws MalformedMessageException when the length is below -1 or runs past the message.
     */
    public byte[] getBytes(final String field) throws MalformedMessageException
    {
        final int length = getInt(field);
        if (length == -1)
        {
            return null;
        }
        if (length < -1)
        {
            throw new MalformedMessageException(type + " message has a bad length " + length + " for " + field);
        }
        need(length, field);
        final byte[] value = new byte[length];
        buffer.getBytes(position, value);
        position += length;
        return value;
    }

    /**
     * @param field the field's name, for the error.
     * @return a non-empty variable name.
     * @throws MalformedMessageException when missing or empty.
     */
    public String getName(final String field) throws MalformedMessageException
    {
        final String name = getString(field);
        if (name.isEmpty())
        {
            throw new MalformedMessageException(type + " message has an empty " + field);
        }
        return name;
    }
}
