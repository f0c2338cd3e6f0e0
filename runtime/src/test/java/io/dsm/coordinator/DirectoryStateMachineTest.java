package io.dsm.coordinator;

import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.wire.AckDecoder;
import io.dsm.wire.AcquireEncoder;
import io.dsm.wire.DeleteEncoder;
import io.dsm.wire.DoneEncoder;
import io.dsm.wire.ErrorCode;
import io.dsm.wire.ErrorDecoder;
import io.dsm.wire.HeartbeatEncoder;
import io.dsm.wire.CheckpointEncoder;
import io.dsm.wire.HelloEncoder;
import io.dsm.wire.Intent;
import io.dsm.wire.InvalidateDecoder;
import io.dsm.wire.LeaveEncoder;
import io.dsm.wire.ListEncoder;
import io.dsm.wire.ListReplyDecoder;
import io.dsm.wire.MemberDecoder;
import io.dsm.wire.MemberEvent;
import io.dsm.wire.MessageHeaderDecoder;
import io.dsm.wire.MetadataDecoder;
import io.dsm.wire.MetadataEvent;
import io.dsm.wire.OwnedEncoder;
import io.dsm.wire.OwnershipDecoder;
import io.dsm.wire.OwnershipEncoder;
import io.dsm.wire.ReadDecoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.RegisterEncoder;
import io.dsm.wire.RegisteredDecoder;
import io.dsm.wire.ReleaseEncoder;
import io.dsm.wire.TransferDecoder;
import io.dsm.wire.ValueDecoder;
import io.dsm.wire.WelcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory alone: messages in, messages out, time as a number.
 */
class DirectoryStateMachineTest
{
    private static final long HEARTBEAT = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long LEASE = TimeUnit.MILLISECONDS.toNanos(3000);
    private static final long EVICTION = TimeUnit.MILLISECONDS.toNanos(6000);
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(2000);

    /** One message the directory sent. */
    record Sent(int to, int template, byte[] bytes)
    {
        DirectBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<String> logged = new ArrayList<>();
    private final List<Integer> connected = new ArrayList<>();
    private final List<Integer> disconnected = new ArrayList<>();
    private final ExpandableArrayBuffer in = new ExpandableArrayBuffer(256);
    private final io.dsm.wire.MessageHeaderEncoder header = new io.dsm.wire.MessageHeaderEncoder();
    private DirectoryStateMachine directory;
    /** A second directory that takes the same input (a restored one), or null. */
    private DirectoryStateMachine alsoTo;
    private long now = 1_000_000_000L;
    private long nextCorrelation = 100;

    @BeforeEach
    void setUp()
    {
        directory = new DirectoryStateMachine(new RecordingOutbox(sent, logged, connected, disconnected),
            HEARTBEAT, LEASE, EVICTION, "", now);
    }

    // ---- input helpers ----

    private void deliver(final int length)
    {
        directory.onMessage(in, 0, length, now);
        if (alsoTo != null)
        {
            alsoTo.onMessage(in, 0, length, now);
        }
    }

    private int join(final String description)
    {
        final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(0).correlationId(nextCorrelation++).incarnation(description.hashCode()).inboxStream(7)
            .wantsMetadata((short)(description.startsWith("meta") ? 1 : 0)).pid(1000 + description.length())
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:1").doorbell("127.0.0.1:2").description(description);
        sent.clear();
        deliver(Wire.length(hello.encodedLength()));
        final Sent welcome = only(WelcomeDecoder.TEMPLATE_ID);
        return new WelcomeDecoder().wrapAndApplyHeader(welcome.buffer(), 0, new MessageHeaderDecoder()).nodeId();
    }

    private long register(final int node, final String name, final Intent intent, final byte[] value)
    {
        final long correlation = nextCorrelation++;
        final RegisterEncoder register = new RegisterEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).correlationId(correlation).intent(intent).mode(ReadMode.INVALIDATE).timeoutNs(TIMEOUT)
            .name(name).valueType("java.lang.Long");
        register.putValue(value, 0, value.length);
        deliver(Wire.length(register.encodedLength()));
        return correlation;
    }

    private int idOf(final long correlation)
    {
        for (final Sent s : sent)
        {
            if (s.template == RegisteredDecoder.TEMPLATE_ID)
            {
                final RegisteredDecoder r = registered(s);
                if (r.correlationId() == correlation)
                {
                    return r.variableId();
                }
            }
        }
        throw new AssertionError("no Registered for " + correlation + " in " + describe());
    }

    private long acquire(final int node, final int variable, final long version)
    {
        final long correlation = nextCorrelation++;
        final AcquireEncoder acquire = new AcquireEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).correlationId(correlation).variableId(variable).version(version).timeoutNs(TIMEOUT);
        deliver(Wire.length(acquire.encodedLength()));
        return correlation;
    }

    private void done(final int node, final int variable, final long writeId)
    {
        final DoneEncoder done = new DoneEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).variableId(variable).epoch(0).writeId(writeId);
        deliver(Wire.length(done.encodedLength()));
    }

    private void owned(final int node, final int variable, final long epoch, final long version)
    {
        final OwnedEncoder owned = new OwnedEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).variableId(variable).epoch(epoch).version(version);
        deliver(Wire.length(owned.encodedLength()));
    }

    private void read(final int node, final int variable)
    {
        final ReadEncoder read = new ReadEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).correlationId(nextCorrelation++).variableId(variable).mode(ReadMode.INVALIDATE)
            .requester(0).hops((short)0);
        deliver(Wire.length(read.encodedLength()));
    }

    private long release(final int node, final int variable, final long epoch, final long version, final byte[] value,
        final int... readers)
    {
        final long correlation = nextCorrelation++;
        final ReleaseEncoder release = new ReleaseEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).correlationId(correlation).variableId(variable).epoch(epoch).version(version)
            .keepReplica((short)1).hasValue((short)1);
        final ReleaseEncoder.ReadersEncoder group = release.readersCount(readers.length);
        for (final int reader : readers)
        {
            group.next().node(reader).mode(ReadMode.INVALIDATE);
        }
        release.putValue(value, 0, value.length);
        deliver(Wire.length(release.encodedLength()));
        return correlation;
    }

    private void heartbeat(final int node)
    {
        final HeartbeatEncoder heartbeat = new HeartbeatEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).sequence(1);
        deliver(Wire.length(heartbeat.encodedLength()));
    }

    // ---- output helpers ----

    private Sent only(final int template)
    {
        final List<Sent> matching = new ArrayList<>();
        for (final Sent s : sent)
        {
            if (s.template == template)
            {
                matching.add(s);
            }
        }
        assertEquals(1, matching.size(), "one message of template " + template + " in " + describe());
        return matching.get(0);
    }

    private List<Sent> all(final int template)
    {
        final List<Sent> matching = new ArrayList<>();
        for (final Sent s : sent)
        {
            if (s.template == template)
            {
                matching.add(s);
            }
        }
        return matching;
    }

    private String describe()
    {
        final StringBuilder text = new StringBuilder();
        for (final Sent s : sent)
        {
            text.append("\n  to ").append(s.to).append(": template ").append(s.template);
        }
        return text.toString();
    }

    private static RegisteredDecoder registered(final Sent s)
    {
        return new RegisteredDecoder().wrapAndApplyHeader(s.buffer(), 0, new MessageHeaderDecoder());
    }

    private static ValueDecoder value(final Sent s)
    {
        return new ValueDecoder().wrapAndApplyHeader(s.buffer(), 0, new MessageHeaderDecoder());
    }

    private static String valueText(final ValueDecoder value)
    {
        final byte[] bytes = new byte[value.valueLength()];
        value.getValue(bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static OwnershipDecoder ownership(final Sent s)
    {
        return new OwnershipDecoder().wrapAndApplyHeader(s.buffer(), 0, new MessageHeaderDecoder());
    }

    private static ErrorDecoder error(final Sent s)
    {
        return new ErrorDecoder().wrapAndApplyHeader(s.buffer(), 0, new MessageHeaderDecoder());
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- tests ----

    @Test
    void nodesJoinLearnOfEachOtherAndAreAnsweredHeartbeats()
    {
        final int a = join("a");
        final int b = join("b");
        assertEquals(List.of(a, b), connected);
        final List<Sent> members = all(MemberDecoder.TEMPLATE_ID);
        assertEquals(2, members.size(), describe());
        for (final Sent s : members)
        {
            final MemberDecoder m = new MemberDecoder().wrapAndApplyHeader(s.buffer(), 0, new MessageHeaderDecoder());
            assertEquals(MemberEvent.JOINED, m.change());
            assertEquals(s.to == a ? b : a, m.nodeId(), "each learns of the other");
        }
        sent.clear();
        heartbeat(a);
        assertEquals(a, only(io.dsm.wire.HeartbeatAckDecoder.TEMPLATE_ID).to);
        assertEquals(2, directory.memberCount());

        // a says hello again (a new session): same id, and the member list again, to a only (what went on its old
        // session may be lost).
        assertEquals(a, join("a"));
        final List<Sent> again = all(MemberDecoder.TEMPLATE_ID);
        assertEquals(1, again.size(), describe());
        assertEquals(a, again.get(0).to);
        assertEquals(b, new MemberDecoder().wrapAndApplyHeader(again.get(0).buffer(), 0, new MessageHeaderDecoder())
            .nodeId());
        assertEquals(2, directory.memberCount());
    }

    @Test
    void aVariableNeverWrittenIsReadFromTheDirectoryAndAnInitialValueAppliesOnce()
    {
        final int a = join("a");
        final int b = join("b");
        sent.clear();
        final long init = register(a, "x", Intent.INIT, bytes("first"));
        final int x = idOf(init);
        final ValueDecoder applied = value(only(ValueDecoder.TEMPLATE_ID));
        assertEquals(init, applied.correlationId());
        assertEquals(1, applied.version(), "the initial value applied: it is version 1");
        assertEquals("first", valueText(applied));
        sent.clear();
        final long second = register(b, "x", Intent.INIT, bytes("second"));
        assertEquals(x, idOf(second), "one id per name");
        final ValueDecoder value = value(only(ValueDecoder.TEMPLATE_ID));
        assertEquals(b, only(ValueDecoder.TEMPLATE_ID).to);
        assertEquals(second, value.correlationId());
        assertEquals(1, value.version());
        assertEquals("first", valueText(value), "a second initial value does not apply: b reads the first");
        assertEquals("0@0", directory.ownership("x"));
        assertEquals(2, directory.variables().get(0).replicas());
    }

    @Test
    void anInitialValueInvalidatesTheNodesThatReadTheDefaultBeforeItApplies()
    {
        final int a = join("a");
        final int b = join("b");
        final long read = register(b, "x", Intent.READ, new byte[0]);
        final int x = idOf(read);
        assertEquals(0, value(only(ValueDecoder.TEMPLATE_ID)).hasValue(), "b read the declared default");
        sent.clear();

        final long init = register(a, "x", Intent.INIT, bytes("first"));
        final InvalidateDecoder invalidate = new InvalidateDecoder().wrapAndApplyHeader(
            only(InvalidateDecoder.TEMPLATE_ID).buffer(), 0, new MessageHeaderDecoder());
        assertEquals(b, only(InvalidateDecoder.TEMPLATE_ID).to);
        assertTrue(all(ValueDecoder.TEMPLATE_ID).isEmpty(), "the value waits until b dropped the default");
        done(b, x, invalidate.writeId());
        final ValueDecoder applied = value(only(ValueDecoder.TEMPLATE_ID));
        assertEquals(init, applied.correlationId());
        assertEquals(1, applied.version());
        assertEquals(1, directory.variables().get(0).replicas(), "only a holds a replica now");
    }

    @Test
    void ownershipMovesThroughTheDirectoryWhichInvalidatesItsReadersAndTellsTheOwnerToHandOver()
    {
        final int a = join("a");
        final int b = join("b");
        final int c = join("c");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        register(c, "x", Intent.READ, new byte[0]);
        sent.clear();

        // a acquires: c, a reader of the directory's copy, is invalidated first.
        final long acquireA = acquire(a, x, 1);
        final Sent invalidate = only(InvalidateDecoder.TEMPLATE_ID);
        assertEquals(c, invalidate.to);
        final long writeId = new InvalidateDecoder().wrapAndApplyHeader(invalidate.buffer(), 0,
            new MessageHeaderDecoder()).writeId();
        assertEquals(0, all(OwnershipDecoder.TEMPLATE_ID).size(), "not before c answered");
        sent.clear();
        done(c, x, writeId);
        final Sent toA = only(OwnershipDecoder.TEMPLATE_ID);
        assertEquals(a, toA.to);
        final OwnershipDecoder grant = ownership(toA);
        assertEquals(acquireA, grant.correlationId());
        assertEquals(1, grant.epoch());
        assertEquals(0, grant.hasValue(), "a's replica is current (version 1): no value travels");
        assertEquals("1@1", directory.ownership("x"));

        // b acquires while a has not confirmed: it waits.
        sent.clear();
        final long acquireB = acquire(b, x, -1);
        assertEquals(0, all(TransferDecoder.TEMPLATE_ID).size(), describe());
        owned(a, x, 1, 1);
        final TransferDecoder transfer = new TransferDecoder().wrapAndApplyHeader(
            only(TransferDecoder.TEMPLATE_ID).buffer(), 0, new MessageHeaderDecoder());
        assertEquals(a, only(TransferDecoder.TEMPLATE_ID).to, "the owner hands it over itself");
        assertEquals(b, transfer.newOwner());
        assertEquals(2, transfer.epoch());
        assertEquals(acquireB, transfer.correlationId());
        assertEquals(-1, transfer.requesterVersion());
        assertEquals("2@2", directory.ownership("x"));

        // Reads go to the owner, on behalf of the reader.
        owned(b, x, 2, 5);
        sent.clear();
        read(c, x);
        final Sent forwarded = only(ReadDecoder.TEMPLATE_ID);
        assertEquals(b, forwarded.to);
        assertEquals(c, new ReadDecoder().wrapAndApplyHeader(forwarded.buffer(), 0, new MessageHeaderDecoder())
            .requester());
        assertEquals(1, directory.variables().get(0).version(),
            "the version of the value the directory holds, not the owner's (its checkpoints move it on)");
    }

    @Test
    void aRequestSentAgainToANewLeaderIsDroppedSoThatAHandOverNeverStartsTwice()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        sent.clear();
        final long acquireB = acquire(b, x, -1);
        if (!all(InvalidateDecoder.TEMPLATE_ID).isEmpty())
        {
            done(a, x, new InvalidateDecoder().wrapAndApplyHeader(only(InvalidateDecoder.TEMPLATE_ID).buffer(), 0,
                new MessageHeaderDecoder()).writeId());
        }
        owned(b, x, ownership(only(OwnershipDecoder.TEMPLATE_ID)).epoch(), 1);
        sent.clear();
        acquire(a, x, 1);
        final TransferDecoder transfer = new TransferDecoder().wrapAndApplyHeader(
            only(TransferDecoder.TEMPLATE_ID).buffer(), 0, new MessageHeaderDecoder());
        owned(a, x, transfer.epoch(), 2);
        final String before = directory.ownership("x");
        assertEquals(a + "@" + transfer.epoch(), before);
        sent.clear();

        // b's acquire again, as a node sends it to a new leader that already has it in its log.
        final AcquireEncoder again = new AcquireEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(b).correlationId(acquireB).variableId(x).version(-1).timeoutNs(TIMEOUT);
        deliver(Wire.length(again.encodedLength()));
        assertEquals(List.of(), sent, "no transfer from a back to b for a request already served: " + describe());
        assertEquals(before, directory.ownership("x"));
        assertEquals(1, directory.duplicateRequests());
    }

    @Test
    void aSnapshotTakenMidHandOverRestoresADirectoryThatAnswersTheNextInputAlike() throws Exception
    {
        final int a = join("a");
        final int b = join("b");
        final int c = join("c");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        register(c, "x", Intent.READ, new byte[0]);
        register(b, "y", Intent.WRITE, new byte[0]);
        sent.clear();
        acquire(a, x, 1); // waits for c to drop its replica
        final long writeId = new InvalidateDecoder().wrapAndApplyHeader(only(InvalidateDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder()).writeId();
        acquire(b, x, -1); // queued behind a's
        sent.clear();

        final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer(64);
        final int length = directory.snapshot(snapshot, 8);
        final List<Sent> restoredSent = new ArrayList<>();
        final List<Integer> restoredConnected = new ArrayList<>();
        final DirectoryStateMachine restored = DirectoryStateMachine.restore(
            new RecordingOutbox(restoredSent, new ArrayList<>(), restoredConnected, new ArrayList<>()),
            HEARTBEAT, LEASE, EVICTION, "", snapshot, 8, length);
        assertEquals(List.of(a, b, c), restoredConnected, "a way to send to each member");
        final ExpandableArrayBuffer again = new ExpandableArrayBuffer(64);
        assertEquals(length, restored.snapshot(again, 0));
        final byte[] written = new byte[length];
        snapshot.getBytes(8, written);
        final byte[] rewritten = new byte[length];
        again.getBytes(0, rewritten);
        assertArrayEquals(written, rewritten, "the restored state writes the same bytes");

        // The same input to both: c answers, a confirms, b's hand-over starts; then the nodes fall silent.
        alsoTo = restored;
        final Runnable[] steps = {() -> done(c, x, writeId), () -> owned(a, x, 1, 1), () -> heartbeat(b)};
        for (final Runnable step : steps)
        {
            sent.clear();
            restoredSent.clear();
            step.run();
            assertFalse(sent.isEmpty(), "each step answers something");
            assertSameOutput(sent, restoredSent);
        }
        now += EVICTION + 1;
        sent.clear();
        restoredSent.clear();
        directory.onTick(now);
        restored.onTick(now);
        assertFalse(sent.isEmpty(), "the eviction of silent nodes says something");
        assertSameOutput(sent, restoredSent);
    }

    @Test
    void aSnapshotThatIsCutShortOrNotOneIsRefusedNamingWhy()
    {
        join("a");
        final ExpandableArrayBuffer snapshot = new ExpandableArrayBuffer(64);
        final int length = directory.snapshot(snapshot, 0);
        final MalformedMessageException cut = assertThrows(MalformedMessageException.class, () ->
            DirectoryStateMachine.restore(discarding(), HEARTBEAT, LEASE, EVICTION, "", snapshot, 0, length - 3));
        assertTrue(cut.getMessage().contains("directory snapshot ends"), cut.getMessage());
        snapshot.putInt(0, 42);
        final MalformedMessageException foreign = assertThrows(MalformedMessageException.class, () ->
            DirectoryStateMachine.restore(discarding(), HEARTBEAT, LEASE, EVICTION, "", snapshot, 0, length));
        assertTrue(foreign.getMessage().contains("not a snapshot of dsm's directory"), foreign.getMessage());
    }

    /** Records what a directory sends, logs and connects, in the lists it is given. */
    private record RecordingOutbox(List<Sent> sent, List<String> logged, List<Integer> connected,
        List<Integer> disconnected) implements DirectoryStateMachine.Outbox
    {
        @Override
        public void connect(final int nodeId, final String channel, final int streamId, final String doorbell)
        {
            connected.add(nodeId);
        }

        @Override
        public void disconnect(final int nodeId)
        {
            disconnected.add(nodeId);
        }

        @Override
        public void send(final int nodeId, final DirectBuffer buffer, final int length)
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(0, bytes);
            sent.add(new Sent(nodeId, new MessageHeaderDecoder().wrap(new UnsafeBuffer(bytes), 0).templateId(), bytes));
        }

        @Override
        public void log(final DsmLog.Level level, final String rateLimitKey, final String message)
        {
            logged.add(level + " " + message);
        }
    }

    private static RecordingOutbox discarding()
    {
        return new RecordingOutbox(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    private static void assertSameOutput(final List<Sent> expected, final List<Sent> actual)
    {
        assertEquals(expected.size(), actual.size(), "as many messages");
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).to, actual.get(i).to, "message " + i + " to the same node");
            assertArrayEquals(expected.get(i).bytes, actual.get(i).bytes, "message " + i + " byte for byte");
        }
    }

    @Test
    void aHandOverThatTimesOutNamesTheNodeItWaitsFor()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.WRITE, new byte[0]));
        owned(a, x, 1, 0);
        sent.clear();
        final long acquireB = acquire(b, x, -1);
        assertEquals(a, only(TransferDecoder.TEMPLATE_ID).to);
        sent.clear();
        now += TIMEOUT + 1;
        heartbeat(b);
        directory.onTick(now);
        final Sent failed = only(ErrorDecoder.TEMPLATE_ID);
        assertEquals(b, failed.to);
        final ErrorDecoder error = error(failed);
        assertEquals(acquireB, error.correlationId());
        assertEquals(ErrorCode.TIMEOUT, error.code());
        final String text = error.text();
        assertTrue(text.contains("'x'") && text.contains("node " + a + " (a)") && text.contains("hand it over"),
            text);
    }

    @Test
    void anEvictedOwnerLeavesTheVariableAtTheDirectorysCopyAndTheWaitingRequestIsServedFromIt()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        acquire(a, x, 1);
        owned(a, x, 1, 1);
        sent.clear();
        final long acquireB = acquire(b, x, -1);
        assertEquals(a, only(TransferDecoder.TEMPLATE_ID).to);
        // a falls silent; b keeps sending heartbeats.
        evictAllBut(b);
        assertEquals(List.of(a), disconnected);
        final MemberDecoder left = new MemberDecoder().wrapAndApplyHeader(only(MemberDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder());
        assertEquals(MemberEvent.LEFT, left.change());
        assertEquals(a, left.nodeId());
        final OwnershipDecoder grant = ownership(only(OwnershipDecoder.TEMPLATE_ID));
        assertEquals(acquireB, grant.correlationId());
        assertEquals(1, grant.hasValue(), "b gets the directory's copy");
        assertEquals(1, grant.version());
        assertTrue(grant.epoch() > 2, "a new epoch: anything a sends under the old one is stale");
        assertTrue(logged.stream().anyMatch(l -> l.contains("evicts node " + a)), logged.toString());
    }

    @Test
    void aHandOverBrokenByTheOldOwnersEvictionIsGrantedAgainWithTheValueWhateverVersionTheRequesterNamed()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        acquire(a, x, 1);
        owned(a, x, 1, 1);
        sent.clear();
        // b names version 1, the version the directory holds; a may have handed x over (and b written) before its
        // eviction breaks the hand-over, so the version b named says nothing any more.
        final long acquireB = acquire(b, x, 1);
        assertEquals(a, only(TransferDecoder.TEMPLATE_ID).to);
        evictAllBut(b);
        final OwnershipDecoder grant = ownership(only(OwnershipDecoder.TEMPLATE_ID));
        assertEquals(acquireB, grant.correlationId());
        assertEquals(1, grant.hasValue(), "the value travels: b's replica may not be at version 1 any more");
        assertEquals(1, grant.version());
    }

    /** Lets the eviction time pass with only {@code survivor} sending heartbeats, then ticks; clears what was sent. */
    private void evictAllBut(final int survivor)
    {
        now += EVICTION / 2;
        heartbeat(survivor);
        now += EVICTION / 2 + 1;
        heartbeat(survivor);
        sent.clear();
        directory.onTick(now);
    }

    private long checkpoint(final int node, final int variable, final long epoch, final long version,
        final byte[] value, final boolean answer)
    {
        final long correlation = answer ? nextCorrelation++ : 0;
        final CheckpointEncoder checkpoint = new CheckpointEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(node).correlationId(correlation).variableId(variable).epoch(epoch).version(version);
        checkpoint.putValue(value, 0, value.length);
        deliver(Wire.length(checkpoint.encodedLength()));
        return correlation;
    }

    @Test
    void anOwnersCheckpointIsWhatItsEvictionLeavesAndOnlyTheOwnerUnderItsEpochMayCheckpointNewerVersions()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        acquire(a, x, 1);
        owned(a, x, 1, 1);
        sent.clear();
        final long asked = checkpoint(a, x, 1, 5, bytes("v5"), true);
        final AckDecoder held = new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder());
        assertEquals(asked, held.correlationId());
        assertEquals(1, held.flags(), "held");
        checkpoint(a, x, 1, 3, bytes("v3"), false); // older: ignored
        checkpoint(b, x, 1, 9, bytes("v9"), false); // not the owner: ignored
        sent.clear();
        checkpoint(a, x, 0, 9, bytes("v9"), true); // a stale epoch: refused, and says so
        assertEquals(0, new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).flags());
        assertEquals(1, directory.checkpoints());
        // a dies; b asks for write access and gets the checkpointed value, version 5.
        final long acquireB = acquire(b, x, -1);
        evictAllBut(b);
        final OwnershipDecoder grant = ownership(only(OwnershipDecoder.TEMPLATE_ID));
        assertEquals(acquireB, grant.correlationId());
        assertEquals(5, grant.version(), "the eviction leaves the owner's last checkpoint");
        grant.readers().forEach(reader -> { }); // the group comes before the value
        final byte[] value = new byte[grant.valueLength()];
        grant.getValue(value, 0, value.length);
        assertArrayEquals(bytes("v5"), value);
    }

    @Test
    void aConfirmationAheadOfTheValueHeldNeverMakesACheckpointLookHeldAndTheOldOwnersLastCheckpointCounts()
    {
        final int a = join("a");
        final int b = join("b");
        final int c = join("c");
        final int x = idOf(register(a, "x", Intent.INIT, bytes("v1")));
        acquire(a, x, 1);
        // a's first Owned was lost with a directory leader; it wrote versions 2 and 3 and confirms the grant sent again
        // with its version now, before its checkpoint of 3 (sent again too) arrives.
        owned(a, x, 1, 3);
        sent.clear();
        final long asked = checkpoint(a, x, 1, 3, bytes("v3"), true);
        assertEquals(1, new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).flags());
        assertEquals(1, directory.checkpoints(), "taken: the confirmation did not make version 3 look held");
        assertEquals(3, directory.variables().get(0).version());

        // b asks for write access while a's durable write of version 4 waits for its checkpoint's answer (a hands x
        // over only after it): the checkpoint of the owner being handed over from, at its epoch, is taken.
        acquire(b, x, -1);
        assertEquals(a, only(TransferDecoder.TEMPLATE_ID).to);
        sent.clear();
        checkpoint(a, x, 1, 4, bytes("v4"), true);
        assertEquals(1, new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).flags(), "held: the write returns");
        assertEquals(2, directory.checkpoints());
        checkpoint(a, x, 0, 5, bytes("v5"), false); // an older epoch still counts for nothing
        assertEquals(2, directory.checkpoints());

        // a and b die mid hand-over: x is back at what the directory holds, version 4, and c reads it.
        evictAllBut(c);
        read(c, x);
        final ValueDecoder value = value(only(ValueDecoder.TEMPLATE_ID));
        assertEquals(4, value.version());
        assertEquals("v4", valueText(value));
    }

    @Test
    void joinsBeyondTheMemberLimitOrTheJoinRateAreRefusedNamingTheLimit()
    {
        directory.limits(3, 2);
        join("a");
        join("b");
        final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(0).correlationId(nextCorrelation++).incarnation(77).inboxStream(7).wantsMetadata((short)0)
            .pid(1).inboxChannel("aeron:udp?endpoint=127.0.0.1:1").doorbell("").description("c");
        sent.clear();
        deliver(Wire.length(hello.encodedLength()));
        assertTrue(sent.isEmpty(), "a third join in the same second is not answered: " + sent);
        assertTrue(logged.stream().anyMatch(l -> l.contains("dsm.max.joins.per.second")), logged.toString());
        now += 1_000_000_001L;
        join("c");
        final HelloEncoder fourth = new HelloEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(0).correlationId(nextCorrelation++).incarnation(78).inboxStream(7).wantsMetadata((short)0)
            .pid(1).inboxChannel("aeron:udp?endpoint=127.0.0.1:1").doorbell("").description("d");
        sent.clear();
        deliver(Wire.length(fourth.encodedLength()));
        assertTrue(sent.isEmpty(), "a fourth member is not admitted: " + sent);
        assertTrue(logged.stream().anyMatch(l -> l.contains("dsm.max.members")), logged.toString());
        assertEquals(3, directory.memberCount());
        assertEquals(2, directory.refusedJoins());
    }

    @Test
    void aReleaseGivesTheValueAndTheReadersBackToTheDirectory()
    {
        final int a = join("a");
        final int b = join("b");
        final int x = idOf(register(a, "x", Intent.WRITE, new byte[0]));
        owned(a, x, 1, 0);
        sent.clear();
        final long correlation = release(a, x, 1, 7, bytes("v7"), b);
        assertEquals(correlation, new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId());
        assertEquals("0@1", directory.ownership("x"));
        assertEquals(2, directory.variables().get(0).replicas(), "a keeps its replica, b is still a reader");
        sent.clear();
        read(b, x);
        final ValueDecoder value = value(only(ValueDecoder.TEMPLATE_ID));
        assertEquals(7, value.version());
        assertEquals("v7", valueText(value));
    }

    @Test
    void aDeletionTakesTheVariableBackInvalidatesAndForgetsIt()
    {
        final int a = join("a");
        final int b = join("meta-b");
        final int x = idOf(register(a, "x", Intent.WRITE, new byte[0]));
        owned(a, x, 1, 0);
        sent.clear();
        final long correlation = nextCorrelation++;
        final DeleteEncoder delete = new DeleteEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(b).correlationId(correlation).timeoutNs(TIMEOUT).name("x");
        deliver(Wire.length(delete.encodedLength()));
        final TransferDecoder transfer = new TransferDecoder().wrapAndApplyHeader(
            only(TransferDecoder.TEMPLATE_ID).buffer(), 0, new MessageHeaderDecoder());
        assertEquals(DirectoryStateMachine.DIRECTORY, transfer.newOwner(), "back to the directory");
        sent.clear();
        final OwnershipEncoder back = new OwnershipEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(a).correlationId(correlation).variableId(x).epoch(transfer.epoch()).version(3)
            .hasValue((short)0);
        back.readersCount(0);
        back.putValue(new byte[0], 0, 0);
        deliver(Wire.length(back.encodedLength()));
        assertEquals(correlation, new AckDecoder().wrapAndApplyHeader(only(AckDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId());
        final MetadataDecoder deleted = new MetadataDecoder().wrapAndApplyHeader(
            all(MetadataDecoder.TEMPLATE_ID).get(all(MetadataDecoder.TEMPLATE_ID).size() - 1).buffer(), 0,
            new MessageHeaderDecoder());
        assertEquals(MetadataEvent.DELETED, deleted.change());
        assertEquals(0, directory.variables().size());
        sent.clear();
        read(a, x);
        assertEquals(ErrorCode.DELETED, error(only(ErrorDecoder.TEMPLATE_ID)).code());
    }

    @Test
    void aTypeMismatchIsRefusedNamingBothTypes()
    {
        final int a = join("a");
        final int b = join("b");
        register(a, "x", Intent.NONE, new byte[0]);
        sent.clear();
        final long correlation = nextCorrelation++;
        final RegisterEncoder register = new RegisterEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(b).correlationId(correlation).intent(Intent.READ).mode(ReadMode.INVALIDATE).timeoutNs(TIMEOUT)
            .name("x").valueType("java.lang.String");
        register.putValue(new byte[0], 0, 0);
        deliver(Wire.length(register.encodedLength()));
        final ErrorDecoder error = error(only(ErrorDecoder.TEMPLATE_ID));
        assertEquals(ErrorCode.TYPE_MISMATCH, error.code());
        final String text = error.text();
        assertTrue(text.contains("java.lang.Long") && text.contains("java.lang.String"), text);
    }

    @Test
    void listingPagesThroughEveryVariableByName()
    {
        final int a = join("a");
        for (int i = 0; i < 500; i++)
        {
            register(a, String.format("v%04d-%s", i, "x".repeat(40)), Intent.NONE, new byte[0]);
        }
        final List<String> names = new ArrayList<>();
        String after = "";
        while (true)
        {
            sent.clear();
            final ListEncoder list = new ListEncoder().wrapAndApplyHeader(in, 0, header)
                .sender(a).correlationId(nextCorrelation++).after(after);
            deliver(Wire.length(list.encodedLength()));
            final Sent reply = only(ListReplyDecoder.TEMPLATE_ID);
            assertTrue(reply.bytes.length <= DirectoryStateMachine.LIST_PAGE_BYTES + 512, "page fits a small term");
            final ListReplyDecoder decoder = new ListReplyDecoder().wrapAndApplyHeader(reply.buffer(), 0,
                new MessageHeaderDecoder());
            final boolean more = decoder.more() != 0;
            for (final ListReplyDecoder.VariablesDecoder v : decoder.variables())
            {
                names.add(v.name());
                v.valueType();
            }
            if (!more)
            {
                break;
            }
            after = names.get(names.size() - 1);
        }
        assertEquals(500, names.size());
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void malformedOrForeignMessagesAreDroppedAndCountedWithoutChangingAnything()
    {
        final int a = join("a");
        register(a, "x", Intent.NONE, new byte[0]);
        sent.clear();
        final byte[][] garbage = {{}, {1, 2, 3}, new byte[64], "not a message at all, really".getBytes()};
        for (final byte[] g : garbage)
        {
            directory.onMessage(new UnsafeBuffer(g), 0, g.length, now);
        }
        // A valid header with a var-length field claiming more than the message holds.
        final RegisterEncoder register = new RegisterEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(a).correlationId(1).intent(Intent.READ).mode(ReadMode.INVALIDATE).timeoutNs(TIMEOUT)
            .name("y").valueType("t");
        register.putValue(new byte[0], 0, 0);
        final int length = Wire.length(register.encodedLength());
        in.putInt(Wire.HEADER_LENGTH + RegisterEncoder.BLOCK_LENGTH, 1_000_000, java.nio.ByteOrder.LITTLE_ENDIAN);
        deliver(length);
        // A member's message with another sender id.
        final LeaveEncoder leave = new LeaveEncoder().wrapAndApplyHeader(in, 0, header).sender(99).correlationId(1);
        deliver(Wire.length(leave.encodedLength()));
        assertEquals(5, directory.malformedMessages());
        assertEquals(1, directory.unknownSenderMessages());
        assertTrue(sent.isEmpty(), describe());
        assertEquals(1, directory.variables().size());
        assertEquals(1, directory.memberCount());
    }
}
