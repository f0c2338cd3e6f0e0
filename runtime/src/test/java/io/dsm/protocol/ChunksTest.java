package io.dsm.protocol;

import io.dsm.wire.ChunkDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunksTest
{
    private static final int MAX_CHUNK = 200;

    @Test
    void aMessageSplitIsJoinedAgainByteForByte() throws Exception
    {
        final byte[] message = randomBytes(10_000);
        final List<byte[]> chunks = split(7, message);
        assertEquals((message.length + MAX_CHUNK - Chunks.OVERHEAD - 1) / (MAX_CHUNK - Chunks.OVERHEAD),
            chunks.size());
        final Chunks.Assembler assembler = new Chunks.Assembler(1 << 20);
        final Wire wire = new Wire();
        DirectBuffer whole = null;
        for (int i = 0; i < chunks.size(); i++)
        {
            assertTrue(chunks.get(i).length <= MAX_CHUNK);
            assertEquals(ChunkDecoder.TEMPLATE_ID, wire.open(new UnsafeBuffer(chunks.get(i)), 0, chunks.get(i).length));
            assertEquals(7, wire.view().getInt(wire.bodyOffset(), java.nio.ByteOrder.LITTLE_ENDIAN), "sender first");
            whole = assembler.onChunk(42, wire);
            if (i < chunks.size() - 1)
            {
                assertNull(whole, "whole only with its last chunk");
            }
        }
        assertEquals(message.length, whole.capacity());
        final byte[] joined = new byte[message.length];
        whole.getBytes(0, joined);
        assertArrayEquals(message, joined);
        assertEquals(0, assembler.pending());
    }

    @Test
    void sessionsAreJoinedApartAndAFirstChunkRestartsAMessage() throws Exception
    {
        final byte[] a = randomBytes(1_000);
        final byte[] b = randomBytes(700);
        final List<byte[]> ca = split(1, a);
        final List<byte[]> cb = split(2, b);
        final Chunks.Assembler assembler = new Chunks.Assembler(1 << 20);
        final Wire wire = new Wire();
        // Session 1 sends two chunks, then starts again (a sender that reconnected re-sends from the start).
        feed(assembler, wire, 1, ca.get(0));
        feed(assembler, wire, 1, ca.get(1));
        DirectBuffer wholeA = null;
        DirectBuffer wholeB = null;
        for (int i = 0; i < Math.max(ca.size(), cb.size()); i++)
        {
            if (i < ca.size())
            {
                wholeA = feed(assembler, wire, 1, ca.get(i));
                if (wholeA != null)
                {
                    assertArrayEquals(a, copy(wholeA));
                }
            }
            if (i < cb.size())
            {
                wholeB = feed(assembler, wire, 2, cb.get(i));
                if (wholeB != null)
                {
                    assertArrayEquals(b, copy(wholeB));
                }
            }
        }
        assertEquals(0, assembler.pending());
    }

    @Test
    void aChunkOutOfOrderOrTooLongIsRefusedNamingWhy() throws Exception
    {
        final byte[] message = randomBytes(1_000);
        final List<byte[]> chunks = split(3, message);
        final Chunks.Assembler assembler = new Chunks.Assembler(1 << 20);
        final Wire wire = new Wire();
        wire.open(new UnsafeBuffer(chunks.get(2)), 0, chunks.get(2).length);
        final MalformedMessageException noStart = assertThrows(MalformedMessageException.class,
            () -> assembler.onChunk(9, wire));
        assertTrue(noStart.getMessage().contains("expected its first chunk"), noStart.getMessage());

        feed(assembler, wire, 9, chunks.get(0));
        wire.open(new UnsafeBuffer(chunks.get(2)), 0, chunks.get(2).length);
        final MalformedMessageException skipped = assertThrows(MalformedMessageException.class,
            () -> assembler.onChunk(9, wire));
        assertTrue(skipped.getMessage().contains("expected offset " + (MAX_CHUNK - Chunks.OVERHEAD)),
            skipped.getMessage());
        assertEquals(0, assembler.pending(), "what the session sent of it is dropped");

        final Chunks.Assembler small = new Chunks.Assembler(999);
        wire.open(new UnsafeBuffer(chunks.get(0)), 0, chunks.get(0).length);
        final MalformedMessageException tooLong = assertThrows(MalformedMessageException.class,
            () -> small.onChunk(9, wire));
        assertTrue(tooLong.getMessage().contains("1000 bytes; at most 999"), tooLong.getMessage());
    }

    @Test
    void aChunkWhoseLengthRunsPastItsEndIsRefused() throws Exception
    {
        final List<byte[]> chunks = split(3, randomBytes(1_000));
        final byte[] cut = java.util.Arrays.copyOf(chunks.get(0), chunks.get(0).length - 10);
        final Wire wire = new Wire();
        wire.open(new UnsafeBuffer(cut), 0, cut.length);
        final Chunks.Assembler assembler = new Chunks.Assembler(1 << 20);
        final MalformedMessageException ex = assertThrows(MalformedMessageException.class,
            () -> assembler.onChunk(1, wire));
        assertTrue(ex.getMessage().contains("past its own end"), ex.getMessage());
    }

    @Test
    void aMessagePartlyInIsPutBackFromASnapshotAndCompleted() throws Exception
    {
        final byte[] message = randomBytes(3_000);
        final List<byte[]> chunks = split(5, message);
        final Chunks.Assembler before = new Chunks.Assembler(1 << 20);
        final Wire wire = new Wire();
        final int half = chunks.size() / 2;
        for (int i = 0; i < half; i++)
        {
            feed(before, wire, 77, chunks.get(i));
        }
        final Chunks.Assembler after = new Chunks.Assembler(1 << 20);
        before.forEach((session, total, bytes, received) ->
            after.restore(session, total, java.util.Arrays.copyOf(bytes, received), received));
        assertEquals(1, after.pending());
        DirectBuffer whole = null;
        for (int i = half; i < chunks.size(); i++)
        {
            whole = feed(after, wire, 77, chunks.get(i));
        }
        assertArrayEquals(message, copy(whole));
    }

    private static DirectBuffer feed(final Chunks.Assembler assembler, final Wire wire, final long session,
        final byte[] chunk) throws MalformedMessageException
    {
        assertEquals(ChunkDecoder.TEMPLATE_ID, wire.open(new UnsafeBuffer(chunk), 0, chunk.length));
        return assembler.onChunk(session, wire);
    }

    private static List<byte[]> split(final int sender, final byte[] message)
    {
        final List<byte[]> chunks = new ArrayList<>();
        Chunks.split(sender, new UnsafeBuffer(message), 0, message.length, MAX_CHUNK, (buffer, offset, length) ->
        {
            final byte[] chunk = new byte[length];
            buffer.getBytes(offset, chunk);
            chunks.add(chunk);
        });
        return chunks;
    }

    private static byte[] copy(final DirectBuffer buffer)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] randomBytes(final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }
}
