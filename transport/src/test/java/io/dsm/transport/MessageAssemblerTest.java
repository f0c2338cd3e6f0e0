package io.dsm.transport;

import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.aeron.protocol.DataHeaderFlyweight;
import io.aeron.protocol.HeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunks made by hand, as a receiver would see them in its term buffer: a message is handed on once whole, and a
 * chunk that does not follow, a short one or a length over the limit is reported and dropped, never allocated for.
 */
class MessageAssemblerTest
{
    private final List<byte[]> received = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();
    private final MessageAssembler assembler = new MessageAssembler(
        (buffer, offset, length, header) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            received.add(bytes);
        }, 1000, malformed::add);
    private final UnsafeBuffer term = new UnsafeBuffer(new byte[64 * 1024]);
    private final Header header = new Header(0, 16);

    @Test
    void aMessageInChunksIsHandedOnWholeAndPlainMessagesPassThrough()
    {
        final byte[] message = bytes(250);
        plain(7, new byte[] {1, 2, 3});
        chunk(7, 250, 0, message, 0, 100);
        chunk(7, 250, 100, message, 100, 100);
        assertEquals(1, received.size(), "only the plain message so far");
        assertEquals(250, assembler.pendingBytes());
        chunk(7, 250, 200, message, 200, 50);
        assertEquals(2, received.size());
        assertArrayEquals(new byte[] {1, 2, 3}, received.get(0));
        assertArrayEquals(message, received.get(1));
        assertEquals(0, assembler.pendingBytes());
        assertEquals(List.of(), malformed);
    }

    @Test
    void twoSendersAreReassembledApart()
    {
        final byte[] a = bytes(20);
        final byte[] b = bytes(30);
        chunk(1, 20, 0, a, 0, 10);
        chunk(2, 30, 0, b, 0, 15);
        chunk(2, 30, 15, b, 15, 15);
        chunk(1, 20, 10, a, 10, 10);
        assertEquals(2, received.size());
        assertArrayEquals(b, received.get(0));
        assertArrayEquals(a, received.get(1));
    }

    @Test
    void aChunkOutOfOrderDropsTheMessageAndSaysWhoSentIt()
    {
        final byte[] message = bytes(30);
        chunk(9, 30, 0, message, 0, 10);
        chunk(9, 30, 20, message, 20, 10);
        assertEquals(List.of(), received);
        assertEquals(1, malformed.size());
        assertTrue(malformed.get(0).contains("session 9") && malformed.get(0).contains("offset 20"), malformed.get(0));
        assertEquals(0, assembler.pendingBytes(), "nothing kept of the dropped message");
        chunk(9, 30, 0, message, 0, 30);
        assertArrayEquals(message, received.get(0), "the next message from the same sender is taken");
    }

    @Test
    void aLengthOverTheLimitIsRefusedWithoutAllocating()
    {
        chunk(3, Integer.MAX_VALUE, 0, bytes(10), 0, 10);
        chunk(3, -5, 0, bytes(10), 0, 10);
        assertEquals(0, assembler.pendingBytes());
        assertEquals(2, malformed.size());
        assertTrue(malformed.get(0).contains("at most 1000"), malformed.get(0));
    }

    @Test
    void aChunkRunningPastItsMessageOrShorterThanItsHeaderIsDropped()
    {
        chunk(4, 10, 0, bytes(20), 0, 20);
        plainMarked(4, new byte[] {1, 2, 3});
        assertEquals(List.of(), received);
        assertEquals(2, malformed.size());
        assertTrue(malformed.get(0).contains("runs past"), malformed.get(0));
        assertTrue(malformed.get(1).contains("shorter than its header"), malformed.get(1));
    }

    @Test
    void aSenderThatGoesAwayLeavesNothingBehind()
    {
        chunk(5, 100, 0, bytes(100), 0, 50);
        assertEquals(100, assembler.pendingBytes());
        assembler.discard(5);
        assertEquals(0, assembler.pendingBytes());
    }

    private static byte[] bytes(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + 7);
        }
        return bytes;
    }

    private void chunk(final int session, final int total, final int at, final byte[] from, final int offset,
        final int size)
    {
        final byte[] payload = new byte[MessageAssembler.CHUNK_HEADER_LENGTH + size];
        final UnsafeBuffer view = new UnsafeBuffer(payload);
        view.putInt(0, total, ByteOrder.LITTLE_ENDIAN);
        view.putInt(Integer.BYTES, at, ByteOrder.LITTLE_ENDIAN);
        view.putBytes(MessageAssembler.CHUNK_HEADER_LENGTH, from, offset, size);
        frame(session, MessageAssembler.CHUNK_MARK, payload);
    }

    private void plain(final int session, final byte[] payload)
    {
        frame(session, 0, payload);
    }

    private void plainMarked(final int session, final byte[] payload)
    {
        frame(session, MessageAssembler.CHUNK_MARK, payload);
    }

    /** Writes one unfragmented data frame at the start of the term and hands it to the assembler. */
    private void frame(final int session, final long reservedValue, final byte[] payload)
    {
        final DataHeaderFlyweight frame = new DataHeaderFlyweight();
        frame.wrap(term, 0, DataHeaderFlyweight.HEADER_LENGTH);
        frame.frameLength(DataHeaderFlyweight.HEADER_LENGTH + payload.length)
            .version(HeaderFlyweight.CURRENT_VERSION)
            .flags((short)FrameDescriptor.UNFRAGMENTED)
            .headerType(HeaderFlyweight.HDR_TYPE_DATA);
        frame.sessionId(session).streamId(1).termId(0).termOffset(0).reservedValue(reservedValue);
        term.putBytes(DataHeaderFlyweight.HEADER_LENGTH, payload);
        header.buffer(term);
        header.offset(0);
        assembler.onFragment(term, DataHeaderFlyweight.HEADER_LENGTH, payload.length, header);
    }
}
