package io.dsm.coordinator;

import io.dsm.VariableInfo;
import io.dsm.protocol.ErrorCode;
import io.dsm.protocol.HaltMode;
import io.dsm.protocol.MessageReader;
import io.dsm.protocol.MessageType;
import io.dsm.protocol.MessageWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator as a pure state machine: messages and time in, messages out.
 */
class CoordinatorStateMachineTest
{
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT = 1_000 * MS;

    private final Map<Integer, ArrayDeque<byte[]>> outboxes = new HashMap<>();
    private final List<Integer> disconnected = new ArrayList<>();
    private final MessageWriter writer = new MessageWriter();
    private final MessageReader reader = new MessageReader();
    private CoordinatorStateMachine coordinator;
    private long now = 1_000 * MS;

    @BeforeEach
    void setUp()
    {
        coordinator = new CoordinatorStateMachine(new CoordinatorStateMachine.Outbox()
        {
            @Override
            public void connect(final int nodeId, final String channel, final int streamId)
            {
                outboxes.put(nodeId, new ArrayDeque<>());
            }

            @Override
            public void disconnect(final int nodeId)
            {
                disconnected.add(nodeId);
            }

            @Override
            public void send(final int nodeId, final DirectBuffer buffer, final int length)
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(0, copy);
                outboxes.get(nodeId).addLast(copy);
            }
        }, 100 * MS, 1_000 * MS, 2_000 * MS, now);
    }

    private void deliver(final MessageWriter message)
    {
        coordinator.onMessage(message.buffer(), 0, message.length(), now);
    }

    private int join(final long incarnation)
    {
        deliver(writer.begin(MessageType.HELLO, 0, 1).putLong(incarnation).putInt(5000)
            .putString("aeron:udp?endpoint=127.0.0.1:1").putString("test " + incarnation).putByte(1));
        final int id = outboxes.size();
        final MessageReader welcome = next(id, MessageType.WELCOME);
        assertEquals(id, readInt(welcome));
        return id;
    }

    private static int readInt(final MessageReader r)
    {
        try
        {
            return r.getInt("int");
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private MessageReader next(final int node, final MessageType expected)
    {
        final byte[] message = outboxes.get(node).pollFirst();
        if (message == null)
        {
            throw new AssertionError("node " + node + " received nothing, expected " + expected);
        }
        try
        {
            reader.wrap(new UnsafeBuffer(message), 0, message.length);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
        assertEquals(expected, reader.type(), "message to node " + node);
        return reader;
    }

    private void skipMetadata(final int node)
    {
        outboxes.get(node).removeIf(m -> m[2] == MessageType.METADATA.code());
    }

    private void request(final MessageType type, final int node, final long correlation, final String name)
    {
        writer.begin(type, node, correlation).putString(name).putString("java.lang.Long").putLong(TIMEOUT);
        if (type == MessageType.READ)
        {
            writer.putByte(0);
        }
        deliver(writer);
    }

    private void readWithUpdates(final int node, final long correlation, final String name)
    {
        deliver(writer.begin(MessageType.READ, node, correlation).putString(name).putString("java.lang.Long")
            .putLong(TIMEOUT).putByte(1));
    }

    private void push(final int node, final long correlation, final String name, final long version, final byte[] value)
    {
        push(node, correlation, name, version, value, TIMEOUT);
    }

    private void push(
        final int node, final long correlation, final String name, final long version, final byte[] value,
        final long timeout)
    {
        deliver(writer.begin(MessageType.PUSH, node, correlation).putString(name).putLong(version).putLong(timeout)
            .putBytes(value));
    }

    private void updateAck(final int node, final long updateId, final String name)
    {
        deliver(writer.begin(MessageType.UPDATE_ACK, node, updateId).putString(name));
    }

    /** a writes x and b reads it asking for updates: a keeps write access and pushes from then on. */
    private void writerWithUpdatedReader(final int a, final int b) throws Exception
    {
        request(MessageType.WRITE, a, 1, "x");
        skipMetadata(a);
        next(a, MessageType.GRANT);
        readWithUpdates(b, 2, "x");
        skipMetadata(b);
        final MessageReader halt = next(a, MessageType.HALT);
        halt.getName("name");
        assertEquals(HaltMode.SHARE, halt.getByte("mode"));
        assertTrue(outboxes.get(b).isEmpty(), "no value before the writer hands it over");
        haltAck(a, "x", HaltMode.SHARE, 4, new byte[] {4});
        final MessageReader value = next(b, MessageType.VALUE);
        value.getName("name");
        assertEquals(4, value.getLong("version"));
        assertArrayEquals(new byte[] {4}, value.getBytes("value"));
    }

    private void haltAck(final int node, final String name, final int mode, final long version, final byte[] value)
    {
        deliver(writer.begin(MessageType.HALT_ACK, node, 0).putString(name).putByte(mode).putLong(version)
            .putBytes(value));
    }

    @Test
    void joinAssignsDistinctIdsAndAHelloRetryKeepsTheId()
    {
        final int a = join(11);
        final int b = join(22);
        assertEquals(1, a);
        assertEquals(2, b);
        deliver(writer.begin(MessageType.HELLO, 0, 9).putLong(11).putInt(5000)
            .putString("aeron:udp?endpoint=127.0.0.1:1").putString("again").putByte(1));
        assertEquals(1, readInt(next(a, MessageType.WELCOME)));
        assertEquals(2, coordinator.nodeCount());
    }

    @Test
    void readOfANewVariableRegistersAReplicaWithNoValue() throws Exception
    {
        final int a = join(1);
        request(MessageType.READ, a, 5, "x");
        skipMetadata(a);
        final MessageReader value = next(a, MessageType.VALUE);
        assertEquals(5, value.correlationId());
        assertEquals("x", value.getName("name"));
        assertEquals(0, value.getLong("version"));
        assertNull(value.getBytes("value"));
        final VariableInfo info = coordinator.variables().get(0);
        assertEquals(1, info.replicas());
        assertEquals(0, info.owner());
    }

    @Test
    void writeHaltsOtherReplicasAndIsGrantedOnlyAfterTheyAcknowledge() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.READ, a, 1, "x");
        request(MessageType.READ, b, 1, "x");
        skipMetadata(a);
        skipMetadata(b);
        next(a, MessageType.VALUE);
        next(b, MessageType.VALUE);

        request(MessageType.WRITE, a, 2, "x");
        final MessageReader halt = next(b, MessageType.HALT);
        assertEquals("x", halt.getName("name"));
        assertEquals(HaltMode.INVALIDATE, halt.getByte("mode"));
        assertTrue(outboxes.get(a).isEmpty(), "no grant before b acknowledged");

        haltAck(b, "x", HaltMode.INVALIDATE, 0, null);
        skipMetadata(a);
        final MessageReader grant = next(a, MessageType.GRANT);
        assertEquals(2, grant.correlationId());
        grant.getName("name");
        grant.getLong("version");
        assertEquals(0, grant.getByte("hasValue"), "a's replica was current");
        assertEquals(a, coordinator.variables().get(0).owner());
        assertEquals(1, coordinator.variables().get(0).replicas());
    }

    @Test
    void readFromAnotherNodeDowngradesTheWriterAndCarriesItsValue() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.WRITE, a, 1, "x");
        skipMetadata(a);
        next(a, MessageType.GRANT);

        request(MessageType.READ, b, 7, "x");
        skipMetadata(b);
        assertEquals(HaltMode.DOWNGRADE, next(a, MessageType.HALT).getName("name").length() > 0 ?
            reader.getByte("mode") : -1);
        assertTrue(outboxes.get(b).isEmpty(), "no value before the writer hands it over");
        haltAck(a, "x", HaltMode.DOWNGRADE, 3, new byte[] {42});
        skipMetadata(b);
        final MessageReader value = next(b, MessageType.VALUE);
        assertEquals(7, value.correlationId());
        value.getName("name");
        assertEquals(3, value.getLong("version"));
        assertArrayEquals(new byte[] {42}, value.getBytes("value"));
        final VariableInfo info = coordinator.variables().get(0);
        assertEquals(0, info.owner());
        assertEquals(2, info.replicas(), "the old writer keeps a read replica");
    }

    @Test
    void metadataGoesOnlyToNodesThatKeepADirectory() throws Exception
    {
        final int a = join(1);
        deliver(writer.begin(MessageType.HELLO, 0, 1).putLong(2).putInt(5000)
            .putString("aeron:udp?endpoint=127.0.0.1:1").putString("no directory").putByte(0));
        final int b = outboxes.size();
        next(b, MessageType.WELCOME);
        request(MessageType.WRITE, b, 1, "x");
        next(b, MessageType.GRANT);
        assertTrue(outboxes.get(b).isEmpty(), "b asked for no metadata");
        final MessageReader created = next(a, MessageType.METADATA);
        assertEquals(1, created.getByte("event"));
        assertEquals("x", created.getName("name"));
    }

    @Test
    void aReadAskingForUpdatesLetsTheWriterKeepWriteAccessAndForwardsItsPushes() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        final int c = join(3);
        writerWithUpdatedReader(a, b);
        assertEquals(a, coordinator.variables().get(0).owner(), "the writer keeps write access");
        assertEquals(2, coordinator.variables().get(0).replicas());

        push(a, 10, "x", 5, new byte[] {5});
        final MessageReader update = next(b, MessageType.UPDATE);
        final long updateId = update.correlationId();
        assertEquals("x", update.getName("name"));
        assertEquals(5, update.getLong("version"));
        assertArrayEquals(new byte[] {5}, update.getBytes("value"));
        assertTrue(outboxes.get(a).isEmpty(), "the write returns only once every reader applied it");

        // A third node reads meanwhile: the coordinator's copy is current, no halt is needed.
        skipMetadata(c);
        readWithUpdates(c, 3, "x");
        final MessageReader value = next(c, MessageType.VALUE);
        value.getName("name");
        assertEquals(5, value.getLong("version"));
        assertTrue(outboxes.get(a).isEmpty(), "no halt to a writer that pushes");

        updateAck(b, updateId + 1000, "x");
        assertTrue(outboxes.get(a).isEmpty(), "an acknowledgement of another update does not count");
        updateAck(b, updateId, "x");
        final MessageReader pushed = next(a, MessageType.PUSHED);
        assertEquals(10, pushed.correlationId());
        assertEquals(2, pushed.getInt("readers"));

        // The next push goes to both readers.
        push(a, 11, "x", 6, new byte[] {6});
        final long second = next(b, MessageType.UPDATE).correlationId();
        assertEquals(second, next(c, MessageType.UPDATE).correlationId());
        updateAck(c, second, "x");
        assertTrue(outboxes.get(a).isEmpty());
        updateAck(b, second, "x");
        assertEquals(11, next(a, MessageType.PUSHED).correlationId());
        assertEquals(6, coordinator.variables().get(0).version());
    }

    @Test
    void aWriteByAReaderHaltsThePushingWriterAndEndsUpdateMode() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        writerWithUpdatedReader(a, b);

        request(MessageType.WRITE, b, 5, "x");
        final MessageReader halt = next(a, MessageType.HALT);
        halt.getName("name");
        assertEquals(HaltMode.INVALIDATE, halt.getByte("mode"));
        haltAck(a, "x", HaltMode.INVALIDATE, 4, new byte[] {4});
        skipMetadata(b);
        final MessageReader grant = next(b, MessageType.GRANT);
        assertEquals(5, grant.correlationId());
        skipMetadata(a);

        // a is no writer now: its push is refused, naming it.
        push(a, 12, "x", 5, new byte[] {5});
        final MessageReader error = next(a, MessageType.ERROR);
        assertEquals(12, error.correlationId());
        assertEquals(ErrorCode.BAD_REQUEST, error.getInt("code"));
        final String text = error.getString("text");
        assertTrue(text.contains("'x'") && text.contains("node " + a), text);

        // b writes locally: a plain read by a downgrades b as before.
        request(MessageType.READ, a, 6, "x");
        final MessageReader downgrade = next(b, MessageType.HALT);
        downgrade.getName("name");
        assertEquals(HaltMode.DOWNGRADE, downgrade.getByte("mode"));
    }

    @Test
    void aPushWithNoReadersLeftTellsTheWriterToWriteLocally() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        writerWithUpdatedReader(a, b);
        deliver(writer.begin(MessageType.LEAVE, b, 9));
        skipMetadata(a);

        push(a, 13, "x", 5, new byte[] {5});
        final MessageReader pushed = next(a, MessageType.PUSHED);
        assertEquals(0, pushed.getInt("readers"));
        // Update mode ended: a later read halts the writer again.
        final int c = join(3);
        skipMetadata(c);
        readWithUpdates(c, 1, "x");
        skipMetadata(a);
        final MessageReader halt = next(a, MessageType.HALT);
        halt.getName("name");
        assertEquals(HaltMode.SHARE, halt.getByte("mode"));
    }

    @Test
    void aPushThatAReaderDoesNotApplyTimesOutNamingTheReaderAndAnEvictedReaderCompletesIt() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        writerWithUpdatedReader(a, b);

        push(a, 14, "x", 5, new byte[] {5});
        next(b, MessageType.UPDATE);
        now += TIMEOUT + MS;
        deliver(writer.begin(MessageType.HEARTBEAT, a, 1));
        deliver(writer.begin(MessageType.HEARTBEAT, b, 1));
        coordinator.onTick(now);
        next(a, MessageType.HEARTBEAT_ACK);
        final MessageReader error = next(a, MessageType.ERROR);
        assertEquals(14, error.correlationId());
        assertEquals(ErrorCode.TIMEOUT, error.getInt("code"));
        final String text = error.getString("text");
        assertTrue(text.contains("'x'") && text.contains("node " + b), text);
        assertEquals(5, coordinator.variables().get(0).version(), "the coordinator keeps the pushed value");

        // The next push waits for b, until b is evicted (a keeps sending heartbeats).
        outboxes.get(b).clear();
        push(a, 15, "x", 6, new byte[] {6}, 10 * TIMEOUT);
        next(b, MessageType.UPDATE);
        now += 1_500 * MS;
        deliver(writer.begin(MessageType.HEARTBEAT, a, 2));
        coordinator.onTick(now);
        assertTrue(outboxes.get(a).stream().noneMatch(m -> m[2] == MessageType.PUSHED.code()));
        now += 1_000 * MS;
        deliver(writer.begin(MessageType.HEARTBEAT, a, 3));
        coordinator.onTick(now);
        skipMetadata(a);
        outboxes.get(a).removeIf(m -> m[2] == MessageType.HEARTBEAT_ACK.code());
        final MessageReader pushed = next(a, MessageType.PUSHED);
        assertEquals(15, pushed.correlationId());
        assertEquals(0, pushed.getInt("readers"));
    }

    @Test
    void grantCarriesTheValueToANodeWithoutACurrentReplica() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.WRITE, a, 1, "x");
        request(MessageType.WRITE, b, 2, "x");
        skipMetadata(a);
        next(a, MessageType.GRANT);
        next(a, MessageType.HALT);
        haltAck(a, "x", HaltMode.INVALIDATE, 9, new byte[] {1, 2});
        skipMetadata(b);
        final MessageReader grant = next(b, MessageType.GRANT);
        grant.getName("name");
        assertEquals(9, grant.getLong("version"));
        assertEquals(1, grant.getByte("hasValue"));
        assertArrayEquals(new byte[] {1, 2}, grant.getBytes("value"));
    }

    @Test
    void initSetsOnlyANeverWrittenVariable() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        deliver(writer.begin(MessageType.INIT, a, 1).putString("x").putString("java.lang.Long").putLong(TIMEOUT)
            .putBytes(new byte[] {5}));
        skipMetadata(a);
        final MessageReader first = next(a, MessageType.VALUE);
        first.getName("name");
        assertEquals(1, first.getLong("version"));
        assertArrayEquals(new byte[] {5}, first.getBytes("value"));

        deliver(writer.begin(MessageType.INIT, b, 1).putString("x").putString("java.lang.Long").putLong(TIMEOUT)
            .putBytes(new byte[] {6}));
        skipMetadata(b);
        final MessageReader second = next(b, MessageType.VALUE);
        second.getName("name");
        second.getLong("version");
        assertArrayEquals(new byte[] {5}, second.getBytes("value"), "a later JVM does not reset the value");
    }

    @Test
    void aRequestBlockedOnASilentNodeTimesOutNamingItThenTheNodeIsEvicted() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.WRITE, a, 1, "x");
        skipMetadata(a);
        next(a, MessageType.GRANT);
        request(MessageType.WRITE, b, 2, "x");
        skipMetadata(b);
        next(a, MessageType.HALT);

        now += TIMEOUT + MS;
        deliver(writer.begin(MessageType.HEARTBEAT, b, 1));
        coordinator.onTick(now);
        next(b, MessageType.HEARTBEAT_ACK);
        skipMetadata(b);
        final MessageReader error = next(b, MessageType.ERROR);
        assertEquals(2, error.correlationId());
        assertEquals(ErrorCode.TIMEOUT, error.getInt("code"));
        final String text = error.getString("text");
        assertTrue(text.contains("'x'") && text.contains("node 1 (test 1)"), text);

        now += 2_000 * MS;
        deliver(writer.begin(MessageType.HEARTBEAT, b, 2));
        coordinator.onTick(now);
        assertEquals(List.of(a), disconnected, "a fell silent and was evicted");
        assertEquals(0, coordinator.variables().get(0).owner(), "its write access went back to the coordinator");
    }

    @Test
    void evictionCompletesARequestThatWaitedForTheEvictedNode() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.READ, a, 1, "x");
        skipMetadata(a);
        next(a, MessageType.VALUE);
        deliver(writer.begin(MessageType.WRITE, b, 2).putString("x").putString("java.lang.Long")
            .putLong(10_000 * MS));
        next(a, MessageType.HALT);
        now += 1_500 * MS;
        deliver(writer.begin(MessageType.HEARTBEAT, b, 1));
        now += 1_000 * MS;
        coordinator.onTick(now);
        skipMetadata(b);
        next(b, MessageType.HEARTBEAT_ACK);
        final MessageReader grant = next(b, MessageType.GRANT);
        assertEquals(2, grant.correlationId());
    }

    @Test
    void typeMismatchIsAnErrorNamingBothTypes() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.READ, a, 1, "x");
        deliver(writer.begin(MessageType.READ, b, 3).putString("x").putString("java.lang.String").putLong(TIMEOUT)
            .putByte(0));
        skipMetadata(b);
        final MessageReader error = next(b, MessageType.ERROR);
        assertEquals(ErrorCode.TYPE_MISMATCH, error.getInt("code"));
        final String text = error.getString("text");
        assertTrue(text.contains("java.lang.Long") && text.contains("java.lang.String"), text);
    }

    @Test
    void deleteInvalidatesEveryReplicaAndForgetsTheVariable() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.READ, a, 1, "x");
        request(MessageType.READ, b, 1, "x");
        skipMetadata(a);
        skipMetadata(b);
        next(a, MessageType.VALUE);
        next(b, MessageType.VALUE);
        deliver(writer.begin(MessageType.DELETE, a, 4).putString("x").putLong(TIMEOUT));
        next(b, MessageType.HALT);
        haltAck(b, "x", HaltMode.INVALIDATE, 0, null);
        skipMetadata(a);
        assertEquals(4, next(a, MessageType.ACK).correlationId());
        assertTrue(coordinator.variables().isEmpty());
    }

    @Test
    void listIsPagedAndSorted() throws Exception
    {
        final int a = join(1);
        final int count = 500;
        for (int i = 0; i < count; i++)
        {
            request(MessageType.READ, a, i, String.format("var-%04d", i));
        }
        outboxes.get(a).clear();
        final List<String> names = new ArrayList<>();
        String after = "";
        int pages = 0;
        while (true)
        {
            deliver(writer.begin(MessageType.LIST, a, 1).putString(after));
            final MessageReader page = next(a, MessageType.LIST_REPLY);
            final boolean more = page.getByte("more") != 0;
            final int n = page.getInt("count");
            for (int i = 0; i < n; i++)
            {
                names.add(page.getName("name"));
                page.getString("type");
                page.getInt("owner");
                page.getLong("version");
                page.getInt("replicas");
                page.getInt("valueBytes");
            }
            pages++;
            if (!more)
            {
                break;
            }
            after = names.get(names.size() - 1);
        }
        assertEquals(count, names.size());
        assertTrue(pages > 1, "500 entries need more than one page");
        final List<String> sorted = new ArrayList<>(names);
        sorted.sort(String::compareTo);
        assertEquals(sorted, names);
    }

    @Test
    void malformedMessagesAndStrangersAreDroppedAndCounted()
    {
        final int a = join(1);
        final byte[][] garbage = {
            {}, {0x44}, {0x44, 1, 3, 0}, new byte[16], {0x44, 1, 99, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}};
        for (final byte[] g : garbage)
        {
            coordinator.onMessage(new UnsafeBuffer(g), 0, g.length, now);
        }
        deliver(writer.begin(MessageType.READ, a, 1).putInt(1 << 30));
        deliver(writer.begin(MessageType.HELLO, 0, 1).putLong(5).putInt(1).putString("tcp://evil").putString("x").putByte(0));
        deliver(writer.begin(MessageType.VALUE, a, 1).putString("x"));
        assertEquals(garbage.length + 3, coordinator.malformedMessages());
        deliver(writer.begin(MessageType.READ, 77, 1).putString("x").putString("t").putLong(1));
        assertEquals(1, coordinator.unknownSenderMessages());
        assertEquals(1, coordinator.nodeCount());
        assertFalse(outboxes.containsKey(2), "the bad HELLO opened no connection");
        request(MessageType.READ, a, 3, "y");
        skipMetadata(a);
        assertEquals(3, next(a, MessageType.VALUE).correlationId(), "still serving after the garbage");
    }

    @Test
    void leaveHandsBackWriteAccessWithTheLatestValue() throws Exception
    {
        final int a = join(1);
        final int b = join(2);
        request(MessageType.WRITE, a, 1, "x");
        skipMetadata(a);
        next(a, MessageType.GRANT);
        deliver(writer.begin(MessageType.RELEASE, a, 2).putString("x").putLong(8).putBytes(new byte[] {8})
            .putByte(0));
        deliver(writer.begin(MessageType.LEAVE, a, 3));
        skipMetadata(a);
        assertEquals(2, next(a, MessageType.ACK).correlationId());
        assertEquals(3, next(a, MessageType.ACK).correlationId());
        request(MessageType.READ, b, 4, "x");
        skipMetadata(b);
        final MessageReader value = next(b, MessageType.VALUE);
        value.getName("name");
        assertEquals(8, value.getLong("version"));
        assertArrayEquals(new byte[] {8}, value.getBytes("value"));
    }
}
