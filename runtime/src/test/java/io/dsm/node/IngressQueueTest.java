package io.dsm.node;

import io.aeron.Publication;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.Wire;
import io.dsm.wire.ChunkDecoder;
import io.dsm.wire.HelloDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A node's messages to the directory cluster go whole and in order; a long one goes a chunk at a time and starts
 * again from its first chunk on a new session or a new leader, and a re-send after a fail-over never starts in a
 * message's middle. The ingress is scripted; the clock is the test's.
 */
class IngressQueueTest
{
    private static final int MAX_MESSAGE = 256;
    private static final int OTHER_TEMPLATE = 999;

    private long nowNs = 1_000_000_000L;
    private final IngressQueue queue = new IngressQueue(MAX_MESSAGE, () -> nowNs);

    @Test
    void aLongMessageGoesAChunkAtATimeAndJoinsWhole() throws Exception
    {
        final ScriptedIngress ingress = new ScriptedIngress();
        final byte[] whole = message(OTHER_TEMPLATE, 7, 1_000).byteArray();
        queue.add(new UnsafeBuffer(whole), 0, whole.length);
        assertEquals(1, queue.size(), "waits whole, as one message");

        final int offered = queue.flush(ingress, 11);
        assertEquals(offered, ingress.received.size());
        final int part = Chunks.part(MAX_MESSAGE);
        assertEquals((whole.length + part - 1) / part, offered, "one offer per chunk");
        assertArrayEquals(whole, join(11, ingress.received));
        assertEquals(0, queue.size());
        assertEquals(7, ingress.received.stream()
            .mapToInt(chunk -> new UnsafeBuffer(chunk).getInt(Wire.HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN))
            .distinct().sum(), "every chunk names the message's sender");
    }

    @Test
    void aMessagePartlySentStartsAgainFromItsFirstChunkOnANewSessionOrANewLeader() throws Exception
    {
        final ScriptedIngress old = new ScriptedIngress();
        final byte[] whole = longMessageTwoChunksSent(old);
        assertEquals(2, old.received.size());
        assertEquals(Publication.BACK_PRESSURED, queue.lastResult());

        final ScriptedIngress movedToNewLeader = new ScriptedIngress();
        movedToNewLeader.takeOnly = 1;
        queue.newLeader();
        queue.flush(movedToNewLeader, 11);
        assertEquals(0, firstChunkAt(movedToNewLeader.received.get(0)), "a new leader: from the first chunk");

        final ScriptedIngress fresh = new ScriptedIngress();
        queue.flush(fresh, 12);
        assertArrayEquals(whole, join(12, fresh.received), "a new session gets the whole message, from its first chunk");
    }

    @Test
    void aResendAfterAFailOverSendsWholeMessagesInOrderAndNoHello() throws Exception
    {
        final ScriptedIngress before = new ScriptedIngress();
        queue.add(message(HelloDecoder.TEMPLATE_ID, 1, 40), 0, 40);
        queue.add(message(OTHER_TEMPLATE, 2, 40), 0, 40);
        queue.flush(before, 11);
        nowNs += IngressQueue.RESEND_WINDOW_NS / 2;

        final byte[] small = message(OTHER_TEMPLATE, 3, 30).byteArray();
        final byte[] large = message(OTHER_TEMPLATE, 4, 1_000).byteArray();
        queue.add(new UnsafeBuffer(small), 0, small.length);
        queue.add(new UnsafeBuffer(large), 0, large.length);
        queue.flush(before, 11);
        nowNs += IngressQueue.RESEND_WINDOW_NS * 3 / 4; // the first plain message is now outside the window

        assertEquals(2, queue.resendRecent(), "the two messages of the last window; a hello never goes again");
        final ScriptedIngress after = new ScriptedIngress();
        queue.newLeader();
        queue.flush(after, 11);
        assertArrayEquals(small, after.received.get(0));
        assertArrayEquals(large, join(11, after.received.subList(1, after.received.size())),
            "the long message went again from its first chunk, whole");
        assertEquals(2, queue.resendRecent(), "what went again is remembered again, for another fail-over");
    }

    @Test
    void aHeartbeatGoesBetweenTheChunksOfALongMessageButBehindAHelloThatBindsASession() throws Exception
    {
        final ScriptedIngress ingress = new ScriptedIngress();
        final byte[] whole = longMessageTwoChunksSent(ingress);

        queue.addFirst(message(HelloDecoder.TEMPLATE_ID, 9, 24), 0, 24);
        queue.addUrgent(message(OTHER_TEMPLATE, 5, 20), 0, 20);
        ingress.takeOnly = -1;
        queue.flush(ingress, 11);
        final List<Integer> lengths = ingress.received.stream().map(m -> m.length).toList();
        assertEquals(24, lengths.get(2), "the hello first: " + lengths);
        assertEquals(20, lengths.get(3), "the heartbeat next, between the chunks: " + lengths);
        assertArrayEquals(whole, join(11, ingress.received.stream()
            .filter(m -> m.length != 20 && m.length != 24).toList()), "the value arrived whole around them");
    }

    @Test
    void aSessionThatTakesNothingKeepsEverythingWaitingAndSaysWhy()
    {
        final ScriptedIngress deaf = new ScriptedIngress();
        deaf.takeOnly = 0;
        deaf.afterLimit = Publication.NOT_CONNECTED;
        queue.add(message(OTHER_TEMPLATE, 1, 40), 0, 40);
        queue.add(message(OTHER_TEMPLATE, 2, 40), 0, 40);
        assertEquals(0, queue.flush(deaf, 11));
        assertEquals(Publication.NOT_CONNECTED, queue.lastResult());
        assertEquals(2, queue.size());
        assertEquals(0, queue.resendRecent(), "nothing went, so nothing goes again");
    }

    @Test
    void aDirectoryThatMissedAChunkDropsTheMessageAndTheQueueNeverSendsOneFromItsMiddle()
    {
        // What the old link did after a fail-over: its window held a long message's last chunks, not its first.
        final byte[] whole = message(OTHER_TEMPLATE, 7, 1_000).byteArray();
        final List<byte[]> chunks = new ArrayList<>();
        Chunks.split(7, new UnsafeBuffer(whole), 0, whole.length, MAX_MESSAGE, (b, o, l) ->
        {
            final byte[] c = new byte[l];
            b.getBytes(o, c);
            chunks.add(c);
        });
        assertThrows(MalformedMessageException.class, () -> join(11, chunks.subList(1, chunks.size())),
            "the directory refuses a message that starts in its middle");
    }

    /** Queues a message of several chunks and lets the session (11) take two. @return the message. */
    private byte[] longMessageTwoChunksSent(final ScriptedIngress ingress)
    {
        final byte[] whole = message(OTHER_TEMPLATE, 7, 1_000).byteArray();
        queue.add(new UnsafeBuffer(whole), 0, whole.length);
        ingress.takeOnly = 2;
        queue.flush(ingress, 11);
        return whole;
    }

    private static int firstChunkAt(final byte[] chunk) throws Exception
    {
        final Wire wire = new Wire();
        assertEquals(ChunkDecoder.TEMPLATE_ID, wire.open(new UnsafeBuffer(chunk), 0, chunk.length));
        final ChunkDecoder decoder = new ChunkDecoder();
        decoder.wrap(wire.view(), wire.bodyOffset(), wire.blockLength(), wire.version());
        return decoder.at();
    }

    /** @return the message the chunks join into; fails if they do not complete one. */
    private static byte[] join(final long session, final List<byte[]> chunks) throws Exception
    {
        final Chunks.Assembler assembler = new Chunks.Assembler(10_000);
        final Wire wire = new Wire();
        DirectBuffer joined = null;
        for (final byte[] chunk : chunks)
        {
            assertNull(joined, "no chunk after the message completed");
            assertEquals(ChunkDecoder.TEMPLATE_ID, wire.open(new UnsafeBuffer(chunk), 0, chunk.length));
            joined = assembler.onChunk(session, wire);
        }
        assertNotNull(joined, "the chunks complete a message");
        final byte[] got = new byte[joined.capacity()];
        joined.getBytes(0, got);
        return got;
    }

    /** A message with a dsm header naming {@code template}, then its sender's id, then counting bytes. */
    private static UnsafeBuffer message(final int template, final int sender, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(i, (byte)(sender + i));
        }
        buffer.putShort(2, (short)template, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(Wire.HEADER_LENGTH, sender, ByteOrder.LITTLE_ENDIAN);
        return buffer;
    }

    /** Takes {@link #takeOnly} offers (all when negative), then answers {@link #afterLimit}. */
    private static final class ScriptedIngress implements IngressQueue.Ingress
    {
        final List<byte[]> received = new ArrayList<>();
        int takeOnly = -1;
        long afterLimit = Publication.BACK_PRESSURED;

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (takeOnly == 0)
            {
                return afterLimit;
            }
            if (takeOnly > 0)
            {
                takeOnly--;
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
            return received.size() * 64L;
        }
    }
}
