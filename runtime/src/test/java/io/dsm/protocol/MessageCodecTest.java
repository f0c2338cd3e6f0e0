package io.dsm.protocol;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageCodecTest
{
    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();

    @Test
    void roundTripsEveryFieldKind() throws Exception
    {
        writer.begin(MessageType.INIT, 7, 123456789L).putString("Scoreboard.highScore").putString("java.lang.Long")
            .putLong(5_000_000L).putBytes(new byte[] {1, 2, 3}).putBytes(null).putByte(1).putInt(-4);
        reader.wrap(writer.buffer(), 0, writer.length());
        assertEquals(MessageType.INIT, reader.type());
        assertEquals(7, reader.senderId());
        assertEquals(123456789L, reader.correlationId());
        assertEquals("Scoreboard.highScore", reader.getName("name"));
        assertEquals("java.lang.Long", reader.getString("type"));
        assertEquals(5_000_000L, reader.getLong("timeout"));
        assertArrayEquals(new byte[] {1, 2, 3}, reader.getBytes("value"));
        assertNull(reader.getBytes("none"));
        assertEquals(1, reader.getByte("flag"));
        assertEquals(-4, reader.getInt("int"));
    }

    @Test
    void rejectsEveryTruncationOfAValidMessage()
    {
        writer.begin(MessageType.VALUE, 0, 1).putString("x").putLong(3).putBytes(new byte[] {9, 9});
        final byte[] whole = new byte[writer.length()];
        writer.buffer().getBytes(0, whole);
        for (int length = 0; length < whole.length; length++)
        {
            final int cut = length;
            final MalformedMessageException ex = assertThrows(MalformedMessageException.class, () ->
            {
                reader.wrap(new UnsafeBuffer(whole), 0, cut);
                reader.getName("name");
                reader.getLong("version");
                reader.getBytes("value");
            }, "a message cut to " + cut + " bytes must be rejected");
            assertTrue(ex.getMessage().length() > 0);
        }
    }

    @Test
    void rejectsBadHeaderAndLengths()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThrows(MalformedMessageException.class, () -> reader.wrap(buffer, 0, 64), "zero magic");
        writer.begin(MessageType.READ, 1, 1);
        writer.buffer().putShort(Header.TYPE_OFFSET, (short)999);
        assertThrows(MalformedMessageException.class, () -> reader.wrap(writer.buffer(), 0, writer.length()));
        writer.begin(MessageType.READ, 1, 1).putInt(Integer.MAX_VALUE);
        assertThrows(MalformedMessageException.class, () ->
            reader.wrap(writer.buffer(), 0, writer.length()).getString("name"));
        writer.begin(MessageType.READ, 1, 1).putInt(-7);
        assertThrows(MalformedMessageException.class, () ->
            reader.wrap(writer.buffer(), 0, writer.length()).getBytes("value"));
        writer.begin(MessageType.READ, 1, 1).putString("");
        assertThrows(MalformedMessageException.class, () ->
            reader.wrap(writer.buffer(), 0, writer.length()).getName("name"));
        writer.begin(MessageType.READ, 1, 1);
        writer.buffer().putByte(Header.VERSION_OFFSET, (byte)9);
        final MalformedMessageException version = assertThrows(MalformedMessageException.class, () ->
            reader.wrap(writer.buffer(), 0, writer.length()));
        assertTrue(version.getMessage().contains("version 9"), version.getMessage());
    }

    @Test
    void everyTypeHasAUniqueCode()
    {
        for (final MessageType type : MessageType.values())
        {
            assertEquals(type, MessageType.of(type.code()));
        }
        assertNull(MessageType.of(0));
        assertNull(MessageType.of(-1));
        assertNull(MessageType.of(10_000));
    }
}
