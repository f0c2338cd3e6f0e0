package io.dsm.node;

import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.wire.DoneDecoder;
import io.dsm.wire.HelloDecoder;
import io.dsm.wire.HeartbeatAckEncoder;
import io.dsm.wire.AcquireDecoder;
import io.dsm.wire.HeartbeatDecoder;
import io.dsm.wire.Intent;
import io.dsm.wire.InvalidateEncoder;
import io.dsm.wire.MemberEncoder;
import io.dsm.wire.MemberEvent;
import io.dsm.wire.MessageHeaderDecoder;
import io.dsm.wire.MessageHeaderEncoder;
import io.dsm.wire.OwnedDecoder;
import io.dsm.wire.OwnershipEncoder;
import io.dsm.wire.ReadDecoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.RegisterDecoder;
import io.dsm.wire.RegisteredEncoder;
import io.dsm.wire.UpdateEncoder;
import io.dsm.wire.ValueDecoder;
import io.dsm.wire.ValueEncoder;
import io.dsm.wire.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's protocol on its own: messages and commands in, messages out, no threads or sockets. These cases are the
 * orderings two processes cannot agree on, which multi-JVM tests hit only by chance.
 */
class NodeProtocolTest
{
    private static final int ME = 2;
    private static final int OLD_OWNER = 7;
    private static final int VARIABLE_ID = 3;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    record Sent(int to, int template, byte[] bytes)
    {
        DirectBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<String> logged = new ArrayList<>();
    private final List<Long> leases = new ArrayList<>();
    /** The nodes this node can send to now (connected, not disconnected since). */
    private final java.util.Set<Integer> reachable = new java.util.TreeSet<>();
    private final ExpandableArrayBuffer in = new ExpandableArrayBuffer(256);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private NodeProtocol protocol;
    private NodeProtocol.Settings settings;
    private long now = 1_000_000_000L;

    @BeforeEach
    void joinAsNodeTwoBesideNodeSeven()
    {
        settings = new NodeProtocol.Settings();
        settings.inboxChannel = "aeron:udp?endpoint=127.0.0.1:1";
        settings.inboxStream = 11;
        settings.description = "test";
        settings.timeoutNs = TIMEOUT_NS;
        settings.evictionNs = TimeUnit.SECONDS.toNanos(6);
        protocol = new NodeProtocol(new NodeProtocol.Outbox()
        {
            @Override
            public void send(final int destination, final DirectBuffer buffer, final int length)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(0, bytes);
                sent.add(new Sent(destination,
                    new MessageHeaderDecoder().wrap(new UnsafeBuffer(bytes), 0).templateId(), bytes));
            }

            @Override
            public void connect(final int nodeId, final String channel, final int streamId, final String doorbell)
            {
                reachable.add(nodeId);
            }

            @Override
            public void disconnect(final int nodeId)
            {
                reachable.remove(nodeId);
            }

            @Override
            public void welcomed(final String coordinatorDoorbell)
            {
            }

            @Override
            public void log(final DsmLog.Level level, final String rateLimitKey, final String message)
            {
                logged.add(level + " " + message);
            }

            @Override
            public void lease(final long expiryNs)
            {
                leases.add(expiryNs);
            }
        }, settings, 42L, 1L << 40);
        protocol.start(now);
        final Sent hello = only(HelloDecoder.TEMPLATE_ID);
        final long helloCorrelation =
            new HelloDecoder().wrapAndApplyHeader(hello.buffer(), 0, new MessageHeaderDecoder()).correlationId();
        deliver(Wire.length(new WelcomeEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .correlationId(helloCorrelation).nodeId(ME).heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
            .leaseNs(TimeUnit.SECONDS.toNanos(3)).doorbell("").encodedLength()));
        deliver(Wire.length(new MemberEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .change(MemberEvent.JOINED).nodeId(OLD_OWNER).inboxStream(12).pid(700)
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:2").doorbell("").description("old owner").encodedLength()));
        sent.clear();
    }

    @Test
    void ownershipThatOvertakesTheDirectorysRegisteredIsAppliedAndTheWriteProceeds()
    {
        final SharedVariable variable = longVariable("Test.x");
        final Request acquire = new Request(Request.Kind.ACQUIRE, variable, "write access to 'Test.x'", now + TIMEOUT_NS);
        protocol.onCommand(acquire, now);
        final Sent register = only(RegisterDecoder.TEMPLATE_ID);
        final RegisterDecoder decoded =
            new RegisterDecoder().wrapAndApplyHeader(register.buffer(), 0, new MessageHeaderDecoder());
        assertEquals(Intent.WRITE, decoded.intent());
        final long correlation = decoded.correlationId();
        sent.clear();

        // The old owner's hand-over arrives first (another process), with the value.
        final byte[] value = ReplicaTable.codec().encode(41L, Long.class);
        final OwnershipEncoder ownership = new OwnershipEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(OLD_OWNER).correlationId(correlation).variableId(VARIABLE_ID).epoch(5).version(9)
            .hasValue((short)1);
        ownership.readersCount(0);
        ownership.putValue(value, 0, value.length);
        deliver(Wire.length(ownership.encodedLength()));

        assertTrue(acquire.isDone(), "the acquire completes on the hand-over, Registered or not; log: " + logged);
        assertEquals(VARIABLE_ID, variable.id);
        assertEquals(41L, variable.current());
        final Sent owned = only(OwnedDecoder.TEMPLATE_ID);
        assertEquals(NodeProtocol.COORDINATOR, owned.to());
        assertEquals(5, new OwnedDecoder().wrapAndApplyHeader(owned.buffer(), 0, new MessageHeaderDecoder()).epoch());

        // The directory's Registered, late, changes nothing.
        deliver(Wire.length(new RegisteredEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .correlationId(correlation).variableId(VARIABLE_ID).owner(OLD_OWNER).epoch(4).name("Test.x")
            .encodedLength()));
        assertEquals(VARIABLE_ID, variable.id);
        assertEquals(41L, variable.current());
    }

    @Test
    void aValueThatOvertakesRegisteredAnswersTheRead()
    {
        final SharedVariable variable = longVariable("Test.y");
        final Request read = new Request(Request.Kind.READ, variable, "read of 'Test.y'", now + TIMEOUT_NS);
        protocol.onCommand(read, now);
        final long correlation = new RegisterDecoder().wrapAndApplyHeader(only(RegisterDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder()).correlationId();

        final byte[] value = ReplicaTable.codec().encode(17L, Long.class);
        final ValueEncoder answer = new ValueEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER)
            .correlationId(correlation).variableId(VARIABLE_ID).epoch(5).version(3).owner(OLD_OWNER)
            .hasValue((short)1);
        answer.putValue(value, 0, value.length);
        deliver(Wire.length(answer.encodedLength()));

        assertTrue(read.isDone(), "log: " + logged);
        assertEquals(17L, read.result);
        assertEquals(VARIABLE_ID, variable.id);
    }

    @Test
    void aLateAnswerOrOneThatCrossedAnInvalidationIsNotInstalledAsAReplica()
    {
        // A read replica at version 3, from the owner.
        final SharedVariable variable = readReplicaOf17AtVersion3("Test.late");

        // Invalidated; a read goes to the owner; a newer owner's invalidation overtakes the answer, which then comes
        // with the value the invalidating write replaced: the read returns it, but nothing is installed.
        deliver(Wire.length(new InvalidateEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER)
            .variableId(VARIABLE_ID).epoch(5).writeId(1).encodedLength()));
        sent.clear();
        final Request second = new Request(Request.Kind.READ, variable, "read of 'Test.late'", now + TIMEOUT_NS);
        protocol.onCommand(second, now);
        final long asked = new ReadDecoder().wrapAndApplyHeader(only(ReadDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId();
        deliver(Wire.length(new InvalidateEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .variableId(VARIABLE_ID).epoch(6).writeId(2).encodedLength()));
        deliverValue(asked, 4, 18L);
        assertTrue(second.isDone());
        assertEquals(18L, second.result, "the read overlaps the write that invalidated it: it may return this");
        assertEquals(SharedVariable.INVALID, variable.value, "but a replica of it would serve stale reads");

        // An answer to no read of ours (a read that timed out, or that a node joining again sent as another node).
        deliverValue(asked + 1000, 5, 19L);
        assertEquals(SharedVariable.INVALID, variable.value, "a late answer is no replica");
    }

    @Test
    void aWritePushedUnderAnOlderEpochThanTheReplicasIsAFencedOwnersAndIsNeitherAppliedNorAnswered()
    {
        // A read replica at version 3, from an owner at epoch 5.
        final SharedVariable variable = readReplicaOf17AtVersion3("Test.fenced");
        sent.clear();

        // An owner fenced off since (epoch 4) pushes a newer version: dropped, unanswered, named.
        deliverUpdate(4, 9, 99L);
        assertEquals(17L, variable.current());
        assertTrue(sent.stream().noneMatch(s -> s.template() == DoneDecoder.TEMPLATE_ID), "no Done: " + sent);
        assertTrue(logged.stream().anyMatch(l -> l.contains("fenced owner")), "logged: " + logged);

        // The owner of the replica's epoch pushes: applied and answered.
        deliverUpdate(5, 4, 18L);
        assertEquals(18L, variable.current());
        assertEquals(1, sent.stream().filter(s -> s.template() == DoneDecoder.TEMPLATE_ID).count());
    }

    /** A new variable (id VARIABLE_ID) whose first read got 17 at version 3 from OLD_OWNER, epoch 5: a read replica. */
    private SharedVariable readReplicaOf17AtVersion3(final String name)
    {
        final SharedVariable variable = longVariable(name);
        final Request read = new Request(Request.Kind.READ, variable, "read of '" + name + "'", now + TIMEOUT_NS);
        protocol.onCommand(read, now);
        deliverValue(new RegisterDecoder().wrapAndApplyHeader(only(RegisterDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId(), 3, 17L);
        assertEquals(17L, read.result);
        assertEquals(17L, variable.current());
        return variable;
    }

    private void deliverUpdate(final long epoch, final long version, final long value)
    {
        final byte[] bytes = ReplicaTable.codec().encode(value, Long.class);
        final UpdateEncoder update = new UpdateEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER)
            .variableId(VARIABLE_ID).epoch(epoch).writeId(1).version(version);
        update.putValue(bytes, 0, bytes.length);
        deliver(Wire.length(update.encodedLength()));
    }

    private void deliverValue(final long correlation, final long version, final long value)
    {
        final byte[] bytes = ReplicaTable.codec().encode(value, Long.class);
        final ValueEncoder answer = new ValueEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER)
            .correlationId(correlation).variableId(VARIABLE_ID).epoch(5).version(version).owner(OLD_OWNER)
            .hasValue((short)1);
        answer.putValue(bytes, 0, bytes.length);
        deliver(Wire.length(answer.encodedLength()));
    }

    @Test
    void aValueForAnUnknownVariableAndNoRequestOfOursIsDroppedAndNamed()
    {
        final SharedVariable variable = longVariable("Test.z");
        final Request read = new Request(Request.Kind.READ, variable, "read of 'Test.z'", now + TIMEOUT_NS);
        protocol.onCommand(read, now);
        final long correlation = new RegisterDecoder().wrapAndApplyHeader(only(RegisterDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder()).correlationId();

        final ValueEncoder stray = new ValueEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER)
            .correlationId(correlation + 1000).variableId(99).epoch(1).version(1).owner(OLD_OWNER)
            .hasValue((short)0);
        stray.putValue(new byte[0], 0, 0);
        deliver(Wire.length(stray.encodedLength()));

        assertFalse(read.isDone(), "a stray answer must not complete or fail a live request");
        assertEquals(0, variable.id);
        assertTrue(logged.stream().anyMatch(line -> line.contains("variable 99")), "logged: " + logged);
    }

    @Test
    void aReadTheDirectoryMayHavePassedToANodeThatThenLeftIsAskedAgain()
    {
        // Found by PlatformIT: the directory passed this node's read to the owner it knew, which had just handed its
        // values back and left; the leaving node forwarded it back to a directory that no longer heard it, and the
        // read waited out its whole timeout.
        final SharedVariable variable = readReplicaOf17AtVersion3("Test.leaving");
        deliver(Wire.length(new InvalidateEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .variableId(VARIABLE_ID).epoch(6).writeId(2).encodedLength()));
        sent.clear();
        final Request read = new Request(Request.Kind.READ, variable, "read of 'Test.leaving'", now + TIMEOUT_NS);
        protocol.onCommand(read, now);
        final Sent first = only(ReadDecoder.TEMPLATE_ID);
        final long asked = new ReadDecoder().wrapAndApplyHeader(first.buffer(), 0, new MessageHeaderDecoder())
            .correlationId();
        sent.clear();

        deliver(Wire.length(new MemberEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .change(MemberEvent.LEFT).nodeId(OLD_OWNER).inboxStream(12).pid(700)
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:2").doorbell("").description("old owner").encodedLength()));

        final Sent again = only(ReadDecoder.TEMPLATE_ID);
        assertEquals(0, again.to(), "asked again of the directory, which holds what the node handed back");
        assertEquals(asked, new ReadDecoder().wrapAndApplyHeader(again.buffer(), 0, new MessageHeaderDecoder())
            .correlationId(), "the same read: the first answer completes it, a second is dropped");
        assertFalse(read.isDone(), "it waits for the directory's answer");
    }

    @Test
    void aReadFromANodeNotKnownYetWaitsForTheDirectorysNoticeOfItAndIsAnsweredThen()
    {
        ownAsMe(longVariable("Test.held"), 23L);
        final int newcomer = 9;
        deliver(Wire.length(new ReadEncoder().wrapAndApplyHeader(in, 0, header).sender(newcomer).correlationId(77)
            .variableId(VARIABLE_ID).mode(ReadMode.INVALIDATE).requester(newcomer).hops((short)0).encodedLength()));
        assertTrue(sent.isEmpty(), "nothing is answered to a node this one cannot reach yet: " + sent);
        assertTrue(logged.isEmpty(), "nor is it malformed: " + logged);

        deliver(Wire.length(new MemberEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .change(MemberEvent.JOINED).nodeId(newcomer).inboxStream(13).pid(900)
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:3").doorbell("").description("newcomer").encodedLength()));
        final Sent value = only(ValueDecoder.TEMPLATE_ID);
        assertEquals(newcomer, value.to());
        assertEquals(77, new ValueDecoder().wrapAndApplyHeader(value.buffer(), 0, new MessageHeaderDecoder())
            .correlationId());
        assertTrue(logged.isEmpty(), "logged: " + logged);
    }

    @Test
    void aWriteThatWaitsForAReaderNamesItBeforeItsDeadlineNotOnlyWhenItExpires()
    {
        final SharedVariable variable = longVariable("Test.awaited");
        ownAsMe(variable, 23L);
        deliver(Wire.length(new ReadEncoder().wrapAndApplyHeader(in, 0, header).sender(OLD_OWNER).correlationId(77)
            .variableId(VARIABLE_ID).mode(ReadMode.INVALIDATE).requester(OLD_OWNER).hops((short)0).encodedLength()));
        only(ValueDecoder.TEMPLATE_ID); // node 7 now holds a replica
        sent.clear();

        final Request write = new Request(Request.Kind.WRITE, variable, "write of 'Test.awaited'", now + TIMEOUT_NS);
        write.content = 24L;
        write.bytes = ReplicaTable.codec().encode(24L, Long.class);
        protocol.onCommand(write, now);
        // The writing thread's own wait may end before this thread expires the request: what it then reports is
        // what the request names now.
        assertTrue(write.waitingFor.startsWith("node " + OLD_OWNER + " ") &&
            write.waitingFor.contains("a reader of 'Test.awaited'"), write.waitingFor);
    }

    @Test
    void severalHeldMessagesOfOneNodeAreAllReplayedInTheOrderTheyCame()
    {
        ownAsMe(longVariable("Test.held2"), 5L);
        final int newcomer = 11;
        for (long correlation = 81; correlation <= 83; correlation++)
        {
            deliver(Wire.length(new ReadEncoder().wrapAndApplyHeader(in, 0, header).sender(newcomer)
                .correlationId(correlation).variableId(VARIABLE_ID).mode(ReadMode.INVALIDATE).requester(newcomer)
                .hops((short)0).encodedLength()));
        }
        assertTrue(sent.isEmpty(), "sent: " + sent);
        deliver(Wire.length(new MemberEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .change(MemberEvent.JOINED).nodeId(newcomer).inboxStream(14).pid(901)
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:4").doorbell("").description("newcomer").encodedLength()));
        final List<Long> answered = new ArrayList<>();
        for (final Sent message : sent)
        {
            assertEquals(newcomer, message.to());
            answered.add(new ValueDecoder().wrapAndApplyHeader(message.buffer(), 0, new MessageHeaderDecoder())
                .correlationId());
        }
        assertEquals(List.of(81L, 82L, 83L), answered);
        assertTrue(logged.isEmpty(), "logged: " + logged);
    }

    @Test
    void aMessageFromANodeThatNeverBecomesAMemberIsDroppedAsMalformedAfterTheTimeout()
    {
        deliver(Wire.length(new ReadEncoder().wrapAndApplyHeader(in, 0, header).sender(10).correlationId(78)
            .variableId(VARIABLE_ID).mode(ReadMode.INVALIDATE).requester(10).hops((short)0).encodedLength()));
        protocol.onTick(now + TIMEOUT_NS / 2);
        assertTrue(logged.isEmpty(), "still waiting for the directory: " + logged);
        protocol.onTick(now + TIMEOUT_NS + 1);
        assertTrue(logged.stream().anyMatch(line -> line.startsWith("WARN") &&
            line.contains("from node 10, which did not become a member within 5000 ms")), "logged: " + logged);
        assertTrue(sent.stream().noneMatch(message -> message.to() == 10), "sent: " + sent);
    }

    @Test
    void theLeaseIsPublishedWhenAHeartbeatIsAcknowledgedAndEndsAtTheHeartbeatsSendingPlusTheLease()
    {
        leases.clear();
        final long sentAt = now;
        protocol.onTick(now);
        final long sequence = new HeartbeatDecoder().wrapAndApplyHeader(only(HeartbeatDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).sequence();
        now += TimeUnit.MILLISECONDS.toNanos(700); // the answer comes late: the lease counts from the sending
        deliver(Wire.length(new HeartbeatAckEncoder().wrapAndApplyHeader(in, 0, header).sender(0).sequence(sequence)
            .encodedLength()));
        assertEquals(List.of(sentAt + TimeUnit.SECONDS.toNanos(3)), leases);
    }

    @Test
    void anEvictedNodeCarriesOnAsTheNewNodeTheDirectoryWelcomedAndSendsItsRequestsInFlightAgainUnderThatId()
    {
        final SharedVariable x = longVariable("Test.inFlight");
        final Request read = new Request(Request.Kind.READ, x, "read of 'Test.inFlight'", now + TIMEOUT_NS * 4);
        protocol.onCommand(read, now);
        only(RegisterDecoder.TEMPLATE_ID);
        sent.clear();
        final SharedVariable owned = longVariable("Test.owned");
        ownAsMe(owned, 12L);
        leases.clear();

        // Silent past the eviction time: it asks whether the directory still knows it, which evicted it meanwhile.
        now += TimeUnit.SECONDS.toNanos(7);
        protocol.onTick(now);
        final long asked = new HelloDecoder().wrapAndApplyHeader(only(HelloDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId();
        sent.clear();
        deliverWelcome(asked, ME + 10);

        assertTrue(logged.stream().anyMatch(l -> l.contains("no longer knows this node") &&
            l.contains("carries on as node " + (ME + 10))), "logged: " + logged);
        assertTrue(leases.contains(now), "the old identity's lease ends at once: " + leases);
        assertEquals(SharedVariable.INVALID, owned.value, "what it owned under its old id is dropped");
        assertFalse(read.isDone());
        final List<String> registered = sent.stream().filter(m -> m.template() == RegisterDecoder.TEMPLATE_ID)
            .map(m -> new RegisterDecoder().wrapAndApplyHeader(m.buffer(), 0, new MessageHeaderDecoder()))
            .map(r -> r.sender() + " " + r.intent() + " " + r.name()).toList();
        assertEquals(List.of((ME + 10) + " READ Test.inFlight"), registered,
            "the read in flight goes again, under the new id, and no hello (no second new member)");
        assertTrue(sent.stream().noneMatch(m -> m.template() == HelloDecoder.TEMPLATE_ID), "sent: " + sent);
    }

    @Test
    void aGrantWithoutTheValueAfterTheLeaseLapsedUsesTheReplicaItCountedOnNotTheDefault()
    {
        // A read replica at version 3.
        final SharedVariable variable = readReplicaOf17AtVersion3("Test.lapsed");
        // A lease, then an Acquire that names version 3.
        acknowledgeAHeartbeat();
        final Request acquire = new Request(Request.Kind.ACQUIRE, variable, "write access to 'Test.lapsed'",
            now + TimeUnit.SECONDS.toNanos(30));
        protocol.onCommand(acquire, now);
        final AcquireDecoder asked = new AcquireDecoder().wrapAndApplyHeader(only(AcquireDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder());
        assertEquals(3, asked.version());
        // The lease lapses (acknowledgements lost) before the grant: the replica is suspended.
        now += TimeUnit.SECONDS.toNanos(4);
        protocol.onTick(now);
        assertTrue(logged.stream().anyMatch(l -> l.contains("lease expired")), "logged: " + logged);
        // The grant counts on version 3 and carries no value.
        final OwnershipEncoder grant = new OwnershipEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(OLD_OWNER).correlationId(asked.correlationId()).variableId(VARIABLE_ID).epoch(6).version(3)
            .hasValue((short)0);
        grant.readersCount(0);
        grant.putValue(new byte[0], 0, 0);
        deliver(Wire.length(grant.encodedLength()));
        assertTrue(acquire.isDone(), "log: " + logged);
        assertEquals(17L, variable.current(), "the value at version 3, not the declared default; log: " + logged);
        assertTrue(logged.stream().noneMatch(l -> l.contains("using the declared default")), "logged: " + logged);
    }

    @Test
    void aGrantWithoutTheValueAfterTheReplicaWasInvalidatedUsesTheReplicaItCountedOnNotTheDefault()
    {
        // A read replica at version 3, and an Acquire that names it.
        final SharedVariable variable = readReplicaOf17AtVersion3("Test.invalidated");
        sent.clear();
        final Request acquire = new Request(Request.Kind.ACQUIRE, variable, "write access to 'Test.invalidated'",
            now + TIMEOUT_NS);
        protocol.onCommand(acquire, now);
        final AcquireDecoder asked = new AcquireDecoder().wrapAndApplyHeader(only(AcquireDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder());
        assertEquals(3, asked.version());
        // Another node's request, ahead of this one at the directory, invalidates this replica; that node takes
        // ownership at version 3 and writes nothing; the grant to this node, which named version 3, has no value.
        deliver(Wire.length(new InvalidateEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .variableId(VARIABLE_ID).epoch(5).writeId(1).encodedLength()));
        assertEquals(SharedVariable.INVALID, variable.value, "invalidated");
        final OwnershipEncoder grant = new OwnershipEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(OLD_OWNER).correlationId(asked.correlationId()).variableId(VARIABLE_ID).epoch(7).version(3)
            .hasValue((short)0);
        grant.readersCount(0);
        grant.putValue(new byte[0], 0, 0);
        deliver(Wire.length(grant.encodedLength()));
        assertTrue(acquire.isDone(), "log: " + logged);
        assertEquals(17L, variable.current(), "the value at version 3, not the declared default; log: " + logged);
        assertTrue(logged.stream().noneMatch(l -> l.contains("using the declared default")), "logged: " + logged);
    }

    @Test
    void aNodeSilentPastTheEvictionTimeAsksTheDirectoryAndKeepsItsOwnershipWhenTheDirectoryStillKnowsIt()
    {
        final SharedVariable variable = longVariable("Test.silent");
        ownAsMe(variable, 31L);
        acknowledgeAHeartbeat();

        // Silent past the eviction time (6 s), as through a directory's fail-over: the node does not join again on
        // that alone, but asks, with a hello under its incarnation.
        now += TimeUnit.SECONDS.toNanos(7);
        protocol.onTick(now);
        assertEquals(SharedVariable.INVALID, variable.value, "its lease lapsed: the value is suspended");
        final HelloDecoder asked = new HelloDecoder().wrapAndApplyHeader(only(HelloDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder());
        assertEquals(42L, asked.incarnation(), "the incarnation it joined under");
        sent.clear();
        protocol.onTick(now + 1);
        assertTrue(sent.stream().noneMatch(m -> m.template() == HelloDecoder.TEMPLATE_ID),
            "asked once, not on every tick: " + sent);

        // The directory (a new leader) still knows it: it carries on, and a renewed lease gives the value back.
        deliverWelcome(asked.correlationId(), ME);
        protocol.onTick(now);
        assertTrue(logged.stream().noneMatch(l -> l.contains("no longer knows")), "logged: " + logged);
        now += TimeUnit.SECONDS.toNanos(1); // its next heartbeat is due
        acknowledgeAHeartbeat();
        assertEquals(31L, variable.current(), "its ownership and value kept; log: " + logged);
    }

    @Test
    void aNodeSilentPastTheEvictionTimeBecomesTheNewNodeTheDirectoryWelcomesItAs()
    {
        now += TimeUnit.SECONDS.toNanos(7);
        protocol.onTick(now);
        final long asked = new HelloDecoder().wrapAndApplyHeader(only(HelloDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId();
        deliverWelcome(asked, ME + 5); // evicted: the directory took the hello for a new node's
        assertTrue(logged.stream().anyMatch(l -> l.contains("no longer knows this node")), "logged: " + logged);
        sent.clear();
        now += TimeUnit.SECONDS.toNanos(1);
        protocol.onTick(now);
        final Sent heartbeat = only(HeartbeatDecoder.TEMPLATE_ID);
        assertEquals(ME + 5, new HeartbeatDecoder().wrapAndApplyHeader(heartbeat.buffer(), 0,
            new MessageHeaderDecoder()).sender(), "it is node " + (ME + 5) + " now");
    }

    @Test
    void anOwnerEvictedInFastModeCountsAndNamesTheWritesItLost()
    {
        settings.checkpointLagNs = TimeUnit.SECONDS.toNanos(1); // dsm.durability=fast
        final SharedVariable variable = longVariable("Test.fast");
        ownAsMe(variable, 31L);
        variable.checkpointedVersion = 12; // the last version it sent the directory as a checkpoint
        variable.version = 15;             // three returned writes since
        acknowledgeAHeartbeat();

        now += TimeUnit.SECONDS.toNanos(7);
        protocol.onTick(now);
        final long asked = new HelloDecoder().wrapAndApplyHeader(only(HelloDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).correlationId();
        deliverWelcome(asked, ME + 5); // evicted
        assertEquals(3, protocol.writesLost(), "log: " + logged);
        assertTrue(logged.stream().anyMatch(l -> l.contains("Test.fast (3 writes after version 12, the last sent " +
            "as a checkpoint)") && l.contains("are lost (dsm.durability=fast: at most 1000 ms of them)")),
            "named and counted: " + logged);
    }

    @Test
    void anEvictedNodeThatAskedTwiceKnowsTheMembersTheDirectorySentWithItsNewId()
    {
        now += TimeUnit.SECONDS.toNanos(7);
        protocol.onTick(now); // asks: a hello under its incarnation
        protocol.helloAgain(now); // and again, on a new session
        final List<Long> asked = sent.stream().filter(m -> m.template() == HelloDecoder.TEMPLATE_ID)
            .map(m -> new HelloDecoder().wrapAndApplyHeader(m.buffer(), 0, new MessageHeaderDecoder()).correlationId())
            .toList();
        assertEquals(2, asked.size());
        assertEquals(asked.get(0), asked.get(1), "one question, one correlation id: " + asked);

        // The directory evicted it: the first hello makes a new node, welcomed with the member list; the second is
        // welcomed again, with no list.
        deliverWelcome(asked.get(0), ME + 7);
        deliver(Wire.length(new MemberEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .change(MemberEvent.JOINED).nodeId(OLD_OWNER).inboxStream(12).pid(700)
            .inboxChannel("aeron:udp?endpoint=127.0.0.1:2").doorbell("").description("old owner").encodedLength()));
        deliverWelcome(asked.get(1), ME + 7);

        assertTrue(reachable.contains(OLD_OWNER), "it knows the other member: " + reachable + "; log: " + logged);
        sent.clear();
        now += TimeUnit.SECONDS.toNanos(1);
        protocol.onTick(now);
        assertEquals(ME + 7, new HeartbeatDecoder().wrapAndApplyHeader(only(HeartbeatDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).sender());
    }

    private void acknowledgeAHeartbeat()
    {
        sent.clear();
        protocol.onTick(now);
        final long sequence = new HeartbeatDecoder().wrapAndApplyHeader(only(HeartbeatDecoder.TEMPLATE_ID).buffer(), 0,
            new MessageHeaderDecoder()).sequence();
        deliver(Wire.length(new HeartbeatAckEncoder().wrapAndApplyHeader(in, 0, header).sender(0).sequence(sequence)
            .encodedLength()));
        sent.clear();
    }

    private void deliverWelcome(final long correlation, final int nodeId)
    {
        deliver(Wire.length(new WelcomeEncoder().wrapAndApplyHeader(in, 0, header).sender(0)
            .correlationId(correlation).nodeId(nodeId).heartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(500))
            .leaseNs(TimeUnit.SECONDS.toNanos(3)).doorbell("").encodedLength()));
    }

    /** Makes this node the owner of {@code variable} (id VARIABLE_ID) with {@code value}, handed over by OLD_OWNER. */
    private void ownAsMe(final SharedVariable variable, final long value)
    {
        final Request acquire = new Request(Request.Kind.ACQUIRE, variable, "write access", now + TIMEOUT_NS);
        protocol.onCommand(acquire, now);
        final long correlation = new RegisterDecoder().wrapAndApplyHeader(only(RegisterDecoder.TEMPLATE_ID).buffer(),
            0, new MessageHeaderDecoder()).correlationId();
        final byte[] bytes = ReplicaTable.codec().encode(value, Long.class);
        final OwnershipEncoder ownership = new OwnershipEncoder().wrapAndApplyHeader(in, 0, header)
            .sender(OLD_OWNER).correlationId(correlation).variableId(VARIABLE_ID).epoch(5).version(9)
            .hasValue((short)1);
        ownership.readersCount(0);
        ownership.putValue(bytes, 0, bytes.length);
        deliver(Wire.length(ownership.encodedLength()));
        assertTrue(acquire.isDone(), "log: " + logged);
        variable.reserved--; // the thread that asked takes its grant (its write), as SharedVariable does
        sent.clear();
        logged.clear();
    }

    private SharedVariable longVariable(final String name)
    {
        return new SharedVariable(null, new Declaration(Long.class, Long.class, name, name, 0L));
    }

    private void deliver(final int length)
    {
        protocol.onMessage(in, 0, length, now);
    }

    private Sent only(final int template)
    {
        final List<Sent> matching = sent.stream().filter(s -> s.template() == template).toList();
        assertEquals(1, matching.size(), "messages of template " + template + " in " + sent);
        return matching.get(0);
    }

}
