package io.dsm.coordinator;

import io.aeron.DirectBufferVector;
import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.aeron.logbuffer.BufferClaim;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.Wire;
import io.dsm.wire.ChunkDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory's egress never waits on a session that takes nothing: what it does not take waits, in order per node,
 * goes when the session takes it (or on the node's new session), and is dropped, and reported, after {@link
 * Egress#STALL_NS}. Sessions are scripted; the clock is the test's.
 */
class EgressTest
{
    private static final int MAX_MESSAGE = 256;

    private long nowNs = 1_000_000_000L;
    private final Int2ObjectHashMap<ScriptedSession> sessionOfNode = new Int2ObjectHashMap<>();
    private final List<String> dropped = new ArrayList<>();
    private final List<Integer> rung = new ArrayList<>();
    private final Egress egress = new Egress(MAX_MESSAGE, sessionOfNode::get, new Egress.Listener()
    {
        @Override
        public void ring(final int nodeId)
        {
            rung.add(nodeId);
        }

        @Override
        public void dropped(final int nodeId, final long sessionId, final int messages, final long bytes,
            final String why)
        {
            dropped.add("node " + nodeId + " session " + sessionId + ": " + messages + " messages, " + bytes +
                " bytes: " + why);
        }
    }, () -> nowNs += 1_000, 4096); // the clock moves a microsecond each time it is read

    @Test
    void aSessionThatIsNotConnectedHoldsUpNoOtherNodeAndLosesWhatWaitsAfterTheStall()
    {
        final ScriptedSession deaf = bind(1, new ScriptedSession(11, Publication.NOT_CONNECTED));
        final ScriptedSession live = bind(2, new ScriptedSession(12, 1));
        egress.flush();
        egress.send(1, message(1, 40), 0, 40);
        egress.send(2, message(2, 40), 0, 40);

        assertEquals(1, deaf.offers, "a session that is not connected is offered once, not waited on");
        assertEquals(1, live.received.size(), "the other node's message went at once");
        assertEquals(1, egress.waitingNodes());
        assertEquals(40, egress.waitingBytes());

        nowNs += Egress.STALL_NS / 2;
        egress.flush();
        assertEquals(2, deaf.offers, "what waits is offered again at the next log event");
        assertTrue(dropped.isEmpty(), dropped::toString);

        nowNs += Egress.STALL_NS;
        egress.flush();
        assertEquals(1, dropped.size(), dropped::toString);
        assertTrue(dropped.get(0).startsWith("node 1 session 11: 1 messages, 40 bytes: its session took nothing " +
            "(not connected) for " + TimeUnit.NANOSECONDS.toMillis(Egress.STALL_NS * 3 / 2)), dropped::toString);
        assertEquals(0, egress.waitingNodes());
        assertEquals(0, egress.waitingBytes());
    }

    @Test
    void whatWaitsGoesInOrderOnceTheSessionTakesIt()
    {
        final ScriptedSession session = bind(1, new ScriptedSession(11, Publication.BACK_PRESSURED));
        egress.flush();
        egress.send(1, message(1, 40), 0, 40);
        final long offersAfterFirst = session.offers;
        assertTrue(offersAfterFirst > 1, "back pressure is waited out, a little");
        egress.send(1, message(2, 40), 0, 40);
        egress.send(1, message(3, 40), 0, 40);
        assertEquals(1, egress.waitingNodes());
        assertEquals(120, egress.waitingBytes(), "all three wait, in order");
        assertTrue(rung.contains(1), "a back-pressured node is woken");

        session.result = 1;
        egress.flush();
        assertEquals(3, session.received.size());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(i + 1, session.received.get(i)[0], "in the order sent");
        }
        assertEquals(0, egress.waitingNodes());
        // Now nothing waits: the next goes at once.
        egress.send(1, message(4, 40), 0, 40);
        assertEquals(4, session.received.size());
    }

    @Test
    void aMessageInChunksPartlySentOnASessionThatWentStartsAgainOnTheNodesNewSession() throws Exception
    {
        final ScriptedSession first = bind(1, new ScriptedSession(11, 1));
        first.takeOnly = 2; // two chunks, then not connected
        final byte[] whole = bytes(7, 1_000);
        egress.flush();
        egress.send(1, new UnsafeBuffer(whole), 0, whole.length);
        assertEquals(2, first.received.size());
        assertEquals(1, egress.waitingNodes());

        final ScriptedSession second = bind(1, new ScriptedSession(12, 1)); // the node said hello on a new session
        egress.flush();
        assertEquals(0, egress.waitingNodes());
        assertArrayEquals(whole, joinChunks(second, second.received),
            "the new session got the whole message, from its first chunk");
    }

    @Test
    void aHeartbeatsAcknowledgementGoesAheadOfALongValueInChunksThatWaits() throws Exception
    {
        final ScriptedSession session = bind(1, new ScriptedSession(11, 1));
        session.takeOnly = 2;
        session.afterLimit = Publication.BACK_PRESSURED;
        final byte[] whole = bytes(7, 1_000);
        egress.flush();
        egress.send(1, new UnsafeBuffer(whole), 0, whole.length);
        assertEquals(2, session.received.size(), "two chunks, then the node's window is full");

        egress.sendFirst(1, message(100, 20), 0, 20); // an acknowledgement: it waits first in line
        egress.send(1, message(50, 30), 0, 30);       // anything else: behind the value
        session.takeOnly = -1;
        egress.flush();
        final List<Integer> lengths = session.received.stream().map(m -> m.length).toList();
        assertEquals(20, lengths.get(2), "the acknowledgement went before the rest of the value: " + lengths);
        assertEquals(30, lengths.get(lengths.size() - 1), "the other message after it: " + lengths);
        // The two plain messages (20 and 30 bytes) are not dsm's: the rest are the value's chunks.
        assertArrayEquals(whole, joinChunks(session, session.received.stream()
            .filter(m -> m.length != 20 && m.length != 30).toList()), "the value arrived whole around it");
    }

    /** @return the message the chunks join into, on the session they came on; fails if they do not complete one. */
    private static byte[] joinChunks(final ScriptedSession session, final List<byte[]> chunks) throws Exception
    {
        final Chunks.Assembler assembler = new Chunks.Assembler(10_000);
        final Wire wire = new Wire();
        DirectBuffer joined = null;
        for (final byte[] chunk : chunks)
        {
            assertEquals(ChunkDecoder.TEMPLATE_ID, wire.open(new UnsafeBuffer(chunk), 0, chunk.length));
            joined = assembler.onChunk(session.id, wire);
        }
        assertNotNull(joined, "the chunks complete a message");
        final byte[] got = new byte[joined.capacity()];
        joined.getBytes(0, got);
        return got;
    }

    @Test
    void aClosedSessionLosesItsMessageAtOnce()
    {
        bind(1, new ScriptedSession(11, Publication.CLOSED));
        egress.flush();
        egress.send(1, message(1, 40), 0, 40);
        assertEquals(List.of("node 1 session 11: 1 messages, 40 bytes: its session is closed"), dropped);
        assertEquals(0, egress.waitingNodes());
    }

    @Test
    void whatWaitsIsBoundedAndANodeThatLeftLosesWhatWaitsForIt()
    {
        bind(1, new ScriptedSession(11, Publication.NOT_CONNECTED));
        bind(2, new ScriptedSession(12, Publication.NOT_CONNECTED));
        egress.flush();
        for (int i = 0; i < 41; i++)
        {
            egress.send(1, message(i, 100), 0, 100);
        }
        assertEquals(1, dropped.size(), dropped::toString);
        assertTrue(dropped.get(0).startsWith("node 1 session 11: 41 messages, 4100 bytes: more than 4096 bytes"),
            dropped::toString);
        assertEquals(0, egress.waitingBytes(), "the node's messages went with the one that passed the bound");

        egress.send(2, message(1, 100), 0, 100);
        assertEquals(100, egress.waitingBytes());
        egress.forget(2);
        assertEquals(0, egress.waitingBytes());
        assertEquals(0, egress.waitingNodes());
    }

    private ScriptedSession bind(final int nodeId, final ScriptedSession session)
    {
        sessionOfNode.put(nodeId, session);
        return session;
    }

    private static byte[] bytes(final int first, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }
        return bytes;
    }

    private static UnsafeBuffer message(final int first, final int length)
    {
        return new UnsafeBuffer(bytes(first, length));
    }

    /** A session whose offers answer {@link #result}; a positive result takes the message. */
    private static final class ScriptedSession implements ClientSession
    {
        final long id;
        long result;
        long offers;
        /** Takes this many messages, then answers {@link #afterLimit}; negative: no limit. */
        int takeOnly = -1;
        long afterLimit = Publication.NOT_CONNECTED;
        final List<byte[]> received = new ArrayList<>();

        ScriptedSession(final long id, final long result)
        {
            this.id = id;
            this.result = result;
        }

        @Override
        public long id()
        {
            return id;
        }

        @Override
        public int responseStreamId()
        {
            return 102;
        }

        @Override
        public String responseChannel()
        {
            return "aeron:udp?endpoint=127.0.0.1:0";
        }

        @Override
        public byte[] encodedPrincipal()
        {
            return new byte[0];
        }

        @Override
        public void close()
        {
        }

        @Override
        public boolean isClosing()
        {
            return false;
        }

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            offers++;
            if (takeOnly == 0)
            {
                return afterLimit;
            }
            if (result > 0)
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                received.add(copy);
                if (takeOnly > 0)
                {
                    takeOnly--;
                }
            }
            return result;
        }

        @Override
        public long offer(final DirectBufferVector[] vectors)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long tryClaim(final int length, final BufferClaim bufferClaim)
        {
            throw new UnsupportedOperationException();
        }
    }
}
