package io.dsm.node;

import io.dsm.VariableInfo;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.wire.AckDecoder;
import io.dsm.wire.AcquireEncoder;
import io.dsm.wire.CommitDecoder;
import io.dsm.wire.CommitEncoder;
import io.dsm.wire.DeleteEncoder;
import io.dsm.wire.DoneDecoder;
import io.dsm.wire.DoneEncoder;
import io.dsm.wire.ErrorCode;
import io.dsm.wire.ErrorDecoder;
import io.dsm.wire.HeartbeatAckDecoder;
import io.dsm.wire.HeartbeatEncoder;
import io.dsm.wire.HelloEncoder;
import io.dsm.wire.Intent;
import io.dsm.wire.InvalidateDecoder;
import io.dsm.wire.InvalidateEncoder;
import io.dsm.wire.LeaveEncoder;
import io.dsm.wire.ListEncoder;
import io.dsm.wire.ListReplyDecoder;
import io.dsm.wire.MemberDecoder;
import io.dsm.wire.MemberEvent;
import io.dsm.wire.MetadataDecoder;
import io.dsm.wire.MetadataEvent;
import io.dsm.wire.OwnedEncoder;
import io.dsm.wire.OwnershipDecoder;
import io.dsm.wire.OwnershipEncoder;
import io.dsm.wire.PrepareDecoder;
import io.dsm.wire.PrepareEncoder;
import io.dsm.wire.ReadDecoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.RegisterEncoder;
import io.dsm.wire.RegisteredDecoder;
import io.dsm.wire.CheckpointEncoder;
import io.dsm.wire.ReleaseEncoder;
import io.dsm.wire.TransferDecoder;
import io.dsm.wire.UpdateDecoder;
import io.dsm.wire.UpdateEncoder;
import io.dsm.wire.ValueDecoder;
import io.dsm.wire.ValueEncoder;
import io.dsm.wire.WelcomeDecoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A node's half of the ownership protocol (docs/design/direct-data-path.md, docs/PROTOCOL.md): it serves the reads of
 * the variables this node owns and invalidates or updates their readers before a write counts; it fetches the values
 * this node reads from their owners, and takes ownership through the coordinator; it keeps membership, the lease and
 * the heartbeats.
 * <p>
 * Pure: messages, commands from application threads ({@link Request}s) and the current time go in; messages and log
 * lines go out through the {@link Outbox}; a request is completed in place. It reads no clock, starts no thread and
 * does no I/O, so it is tested on its own; the node's agent drives it on the dsm thread, its only thread.
 * <p>
 * A message that changes a replica is applied under the variable's lock, taken without blocking: when an
 * application thread holds it (or holds write access it was just granted and has not used), the message waits, in
 * order, in the variable's deferred queue and is tried again on the next tick.
 */
final class NodeProtocol
{
    /** The coordinator, as a destination. */
    static final int COORDINATOR = 0;

    /** Where the protocol's output goes. */
    interface Outbox
    {
        /** Sends a message to the coordinator (0) or a node; never blocks, never drops it. */
        void send(int destination, DirectBuffer buffer, int length);

        /**
         * Sends a small message that must not wait behind a large one (a heartbeat: late, it would cost the lease);
         * ordered only with other urgent messages.
         */
        default void sendUrgent(final int destination, final DirectBuffer buffer, final int length)
        {
            send(destination, buffer, length);
        }

        /** A member joined: where it receives and how to wake it. */
        void connect(int nodeId, String channel, int streamId, String doorbell);

        /** A member left. */
        void disconnect(int nodeId);

        /** The coordinator welcomed this node; its doorbell ({@code host:port}, or empty). */
        void welcomed(String coordinatorDoorbell);

        /** A line for the log (the protocol keeps no clock). */
        void log(DsmLog.Level level, String rateLimitKey, String message);

        /** Sends a message to the directory before everything waiting for it (a hello on a new session). */
        default void sendFirst(final int destination, final DirectBuffer buffer, final int length)
        {
            send(destination, buffer, length);
        }

        /**
         * The node's lease with the directory now ends at {@code expiryNs} (in the past: no lease). Local writes check
         * it in the writing thread.
         */
        default void lease(final long expiryNs)
        {
        }

        /**
         * Membership, this node's contact with the directory and ownership changed: for {@code ClusterListener}s.
         * Called on the node's thread; must not block.
         *
         * @param event what changed.
         */
        default void event(final ClusterEvent event)
        {
        }
    }

    /** What a node is configured with. */
    static final class Settings
    {
        String inboxChannel;
        int inboxStream;
        String doorbell = "";
        String description;
        long pid;
        boolean wantsMetadata;
        ReadMode mode = ReadMode.INVALIDATE;
        long timeoutNs;
        long evictionNs;
        /** How the directory is named in messages: "the coordinator at ..." or "the directory cluster at ...". */
        String directory;
        /**
         * {@code dsm.durability=fast}: the longest time from an owner's write to its checkpoint at the directory;
         * 0 when every write is checkpointed before it returns (durable).
         */
        long checkpointLagNs;
    }

    private static final long HELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** A silent node asks the directory whether it still knows it at most this often. */
    private static final long REHELLO_MIN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int HEARTBEAT_RING = 64;
    private static final int MAX_HOPS = 8;
    private static final long EXPIRY_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The longest time between two scans for variables to checkpoint ({@code fast} durability). */
    private static final long CHECKPOINT_SCAN_MAX_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final byte[] NO_BYTES = new byte[0];

    private final Outbox outbox;
    private final Settings settings;
    private final Wire wire = new Wire();
    private long nextCheckpointScanNs;
    /** A large message moved since requests were last checked. */
    private boolean transferring;
    private final Long2ObjectHashMap<Request> requests = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<SharedVariable> variables = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<Member> members = new Int2ObjectHashMap<>();
    /** Messages from nodes this one does not know yet, until the directory's notice of them comes. */
    private final HeldMessages held = new HeldMessages();
    /** Per variable this node owns with readers: who they are and how each is kept current. */
    private final Int2ObjectHashMap<Copyset> copysets = new Int2ObjectHashMap<>();
    /** Writes and hand-overs waiting for readers' answers, by write id. */
    private final Long2ObjectHashMap<PendingWrite> writes = new Long2ObjectHashMap<>();
    /** Two-phase updates prepared here and not committed yet, by variable id. */
    private final Int2ObjectHashMap<Prepared> prepared = new Int2ObjectHashMap<>();
    private final LinkedHashSet<SharedVariable> deferredVariables = new LinkedHashSet<>();
    private final ConcurrentHashMap<String, VariableInfo> directory = new ConcurrentHashMap<>();
    private final long[] heartbeatSentNs = new long[HEARTBEAT_RING];
    private final UnsafeBuffer deferredView = new UnsafeBuffer(0, 0);

    private volatile int nodeId;
    private long incarnation;
    private long nextCorrelationId;
    private long nextWriteId = 1;
    private long helloCorrelationId;
    private long firstHelloCorrelationId;
    private long nextExpiryCheckNs;
    private boolean welcomed;
    /** Commands that came while the node was joining again. */
    private final List<Request> beforeWelcome = new ArrayList<>();
    private long nextHelloNs;
    /** The correlation id of a hello sent again on a new directory session, 0 when none is pending. */
    private long rehelloCorrelationId;
    /** When this node last asked the directory whether it still knows it (a hello under its incarnation). */
    private long rehelloSentNs;
    /** The directory welcomed this node's hello-again under another id: it forgot this node, which must rejoin. */
    /** A Leave was sent: no more heartbeats. */
    private boolean leaving;
    private long heartbeatIntervalNs;
    private long leaseNs;
    private long leaseExpiryNs;
    /** Counts for the node's metrics (NodeMXBean), written by the node's thread only, read by JMX's. */
    private volatile long invalidationsSent;
    private volatile long invalidationsReceived;
    private volatile long updatesSent;
    private volatile long transfersOut;
    /** Whether the lease expired and has not been renewed since (listeners were told this node lost the cluster). */
    private boolean leaseLost;
    private boolean leaseValid;
    private long lastContactNs;
    private long nextHeartbeatNs;
    private long heartbeatSequence;
    private long malformedMessages;
    private long writesLost;
    private List<VariableInfo> listPage;

    private final io.dsm.wire.MessageHeaderDecoder headerIn = new io.dsm.wire.MessageHeaderDecoder();
    private final WelcomeDecoder welcomeIn = new WelcomeDecoder();
    private final MemberDecoder memberIn = new MemberDecoder();
    private final HeartbeatAckDecoder heartbeatAckIn = new HeartbeatAckDecoder();
    private final AckDecoder ackIn = new AckDecoder();
    private final ErrorDecoder errorIn = new ErrorDecoder();
    private final RegisteredDecoder registeredIn = new RegisteredDecoder();
    private final ValueDecoder valueIn = new ValueDecoder();
    private final ReadDecoder readIn = new ReadDecoder();
    private final InvalidateDecoder invalidateIn = new InvalidateDecoder();
    private final PrepareDecoder prepareIn = new PrepareDecoder();
    private final CommitDecoder commitIn = new CommitDecoder();
    private final UpdateDecoder updateIn = new UpdateDecoder();
    private final DoneDecoder doneIn = new DoneDecoder();
    private final TransferDecoder transferIn = new TransferDecoder();
    private final OwnershipDecoder ownershipIn = new OwnershipDecoder();
    private final MetadataDecoder metadataIn = new MetadataDecoder();
    private final ListReplyDecoder listReplyIn = new ListReplyDecoder();

    private final HelloEncoder helloOut = new HelloEncoder();
    private final HeartbeatEncoder heartbeatOut = new HeartbeatEncoder();
    private final LeaveEncoder leaveOut = new LeaveEncoder();
    private final RegisterEncoder registerOut = new RegisterEncoder();
    private final AcquireEncoder acquireOut = new AcquireEncoder();
    private final OwnedEncoder ownedOut = new OwnedEncoder();
    private final OwnershipEncoder ownershipOut = new OwnershipEncoder();
    private final ReleaseEncoder releaseOut = new ReleaseEncoder();
    private final CheckpointEncoder checkpointOut = new CheckpointEncoder();
    private final DeleteEncoder deleteOut = new DeleteEncoder();
    private final ListEncoder listOut = new ListEncoder();
    private final ReadEncoder readOut = new ReadEncoder();
    private final ValueEncoder valueOut = new ValueEncoder();
    private final InvalidateEncoder invalidateOut = new InvalidateEncoder();
    private final PrepareEncoder prepareOut = new PrepareEncoder();
    private final CommitEncoder commitOut = new CommitEncoder();
    private final UpdateEncoder updateOut = new UpdateEncoder();
    private final DoneEncoder doneOut = new DoneEncoder();

    /**
     * @param outbox      where output goes.
     * @param settings    this node's configuration.
     * @param incarnation random per join.
     * @param correlationSeed where correlation ids start (random, so that a rejoined node's ids do not repeat).
     */
    NodeProtocol(final Outbox outbox, final Settings settings, final long incarnation, final long correlationSeed)
    {
        this.outbox = outbox;
        this.settings = settings;
        this.incarnation = incarnation;
        this.nextCorrelationId = correlationSeed;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Membership, heartbeats, the lease
    // ---------------------------------------------------------------------------------------------------------------

    /** @return when the directory last acknowledged this node (the sending of its last acknowledged heartbeat). */
    long lastContactNs()
    {
        return lastContactNs;
    }

    /** @return the lease the directory granted (0 before the welcome). */
    long leaseNs()
    {
        return leaseNs;
    }

    /** @return whether the coordinator welcomed this node. */
    boolean isWelcomed()
    {
        return welcomed;
    }

    /** @return this node's id (0 before it is welcomed). */
    int nodeId()
    {
        return nodeId;
    }

    /** @return whether messages wait for a variable's lock (the duty cycle must come back to them soon). */
    boolean hasDeferred()
    {
        return !deferredVariables.isEmpty();
    }

    /** @return the other members this node knows. */
    int memberCount()
    {
        return members.size();
    }

    /** @return messages dropped because they were malformed. */
    long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return returned writes this node lost when the directory evicted it while it owned variables, in {@code
     *         dsm.durability=fast}: those after the last checkpoint it sent (a checkpoint lost on the way makes the
     *         true count larger by the writes it carried).
     */
    long writesLost()
    {
        return writesLost;
    }

    /** @return the variables heard of through metadata (when {@code dsm.directory} is on). */
    List<VariableInfo> directory()
    {
        final List<VariableInfo> result = new ArrayList<>(directory.values());
        result.sort((a, b) -> a.name().compareTo(b.name()));
        return result;
    }

    /**
     * @param nodeId a member.
     * @return how it is described in messages ("node 3 (pid 1234@host)").
     */
    String describe(final int nodeId)
    {
        if (nodeId == COORDINATOR)
        {
            return settings.directory;
        }
        final Member member = members.get(nodeId);
        return member == null ? "node " + nodeId : member.toString();
    }

    private void sayHelloIfDue(final long nowNs)
    {
        if (nowNs - nextHelloNs >= 0)
        {
            nextHelloNs = nowNs + HELLO_INTERVAL_NS;
            helloCorrelationId = nextCorrelationId++;
            if (firstHelloCorrelationId == 0)
            {
                firstHelloCorrelationId = helloCorrelationId;
            }
            sendHello(helloCorrelationId);
        }
    }

    private void sendHello(final long correlationId)
    {
        sendHello(correlationId, false);
    }

    private void sendHello(final long correlationId, final boolean first)
    {
        helloOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(0).correlationId(correlationId).incarnation(incarnation)
            .inboxStream(settings.inboxStream).wantsMetadata((short)(settings.wantsMetadata ? 1 : 0))
            .pid(settings.pid).inboxChannel(settings.inboxChannel).doorbell(settings.doorbell)
            .description(settings.description);
        if (first)
        {
            outbox.sendFirst(COORDINATOR, wire.out(), Wire.length(helloOut.encodedLength()));
        }
        else
        {
            outbox.send(COORDINATOR, wire.out(), Wire.length(helloOut.encodedLength()));
        }
    }

    /**
     * The way to the directory opened again on a new session (a restarted directory, a new leader): says hello with
     * this node's incarnation, so that the directory binds the session to this node. If the directory no longer knows
     * the incarnation, its welcome names another id, and the node carries on as that new node ({@link #onWelcome}).
     *
     * @param nowNs the current time.
     */
    void helloAgain(final long nowNs)
    {
        if (!welcomed)
        {
            nextHelloNs = nowNs;
            sayHelloIfDue(nowNs);
            return;
        }
        if (rehelloCorrelationId == 0)
        {
            // One question, one id: a welcome to any of its hellos answers it. (With a new id per hello, the welcome
            // of the first, the one the directory sent with the member list, was ignored as stale, and the node
            // adopted its new id on the second's, after clearing that list: it knew no other member.)
            rehelloCorrelationId = nextCorrelationId++;
        }
        rehelloSentNs = nowNs;
        sendHello(rehelloCorrelationId, true);
    }

    private void onWelcome(final WelcomeDecoder welcome, final long nowNs) throws MalformedMessageException
    {
        final long correlationId = welcome.correlationId();
        if (welcomed && correlationId == rehelloCorrelationId && rehelloCorrelationId != 0)
        {
            rehelloCorrelationId = 0;
            lastContactNs = Math.max(lastContactNs, rehelloSentNs);
            if (welcome.nodeId() == nodeId)
            {
                return; // still known: it carries on, and its next acknowledged heartbeat renews the lease
            }
            // Evicted: the directory took the hello for a new node's and welcomed it under a new id. The node drops
            // what it held under the old one and is that new node from now on (joining again with a new incarnation
            // would leave this member behind, unused, until its own eviction).
            forgetIdentity(nowNs, "node " + nodeId + ": the directory no longer knows this node (evicted after " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastContactNs) + " ms without contact); it carries on as node " +
                welcome.nodeId());
            firstHelloCorrelationId = correlationId;
            helloCorrelationId = correlationId;
        }
        if (welcomed || correlationId < firstHelloCorrelationId || correlationId > helloCorrelationId)
        {
            // Not an answer to a hello of this join (hellos queued before the coordinator was reachable all count).
            return;
        }
        final int id = welcome.nodeId();
        final long heartbeatNs = welcome.heartbeatIntervalNs();
        final long lease = welcome.leaseNs();
        final String coordinatorDoorbell = welcome.doorbell();
        if (id <= 0 || heartbeatNs <= 0 || lease <= heartbeatNs)
        {
            throw new MalformedMessageException("Welcome has node id " + id + ", heartbeat " + heartbeatNs +
                " ns, lease " + lease + " ns");
        }
        outbox.welcomed(coordinatorDoorbell);
        nodeId = id;
        outbox.event(ClusterEvent.joined(id, ProcessHandle.current().pid(), settings.description, true, 0));
        heartbeatIntervalNs = heartbeatNs;
        leaseNs = lease;
        welcomed = true;
        lastContactNs = nowNs;
        nextHeartbeatNs = nowNs;
        leaseExpiryNs = nowNs;
        leaseValid = false;
        outbox.lease(nowNs);
        if (!beforeWelcome.isEmpty())
        {
            // Commands that came while the node was joining again: their turn now.
            final List<Request> waiting = new ArrayList<>(beforeWelcome);
            beforeWelcome.clear();
            for (final Request request : waiting)
            {
                onCommand(request, nowNs);
            }
        }
    }

    private void onHeartbeatAck(final long sequence, final long nowNs)
    {
        if (sequence <= 0 || sequence > heartbeatSequence || heartbeatSequence - sequence >= HEARTBEAT_RING)
        {
            return;
        }
        final long sentNs = heartbeatSentNs[(int)(sequence & (HEARTBEAT_RING - 1))];
        // The directory knew this node when it answered, which was after the heartbeat was sent: count from then, not
        // from when the answer is read (an answer read after a long pause proves nothing about now).
        lastContactNs = Math.max(lastContactNs, sentNs);
        if (sentNs + leaseNs - leaseExpiryNs > 0)
        {
            leaseExpiryNs = sentNs + leaseNs;
            outbox.lease(leaseExpiryNs);
        }
        if (!leaseValid && leaseExpiryNs - nowNs > 0)
        {
            leaseValid = true;
            if (leaseLost)
            {
                leaseLost = false;
                outbox.event(ClusterEvent.reachable(true));
            }
            for (final SharedVariable variable : variables.values())
            {
                if (variable.suspended != SharedVariable.INVALID)
                {
                    apply(variable, Deferred.RESUME, null, 0);
                }
            }
        }
    }

    private void onMember(final MemberDecoder member)
    {
        final MemberEvent change = member.change();
        final int id = member.nodeId();
        final int stream = member.inboxStream();
        final long pid = member.pid();
        final long joinedNs = member.joinedNs();
        final String channel = member.inboxChannel();
        final String doorbell = member.doorbell();
        final String description = member.description();
        if (change == MemberEvent.JOINED && id != nodeId)
        {
            if (members.put(id, new Member(id, pid, description)) == null)
            {
                outbox.connect(id, channel, stream, doorbell);
                held.joined(id);
                outbox.event(ClusterEvent.joined(id, pid, description, false, joinedNs));
            }
        }
        else if (change == MemberEvent.LEFT)
        {
            memberLeft(id);
        }
    }

    /** A member left or was evicted: nothing of it counts any more. */
    private void memberLeft(final int id)
    {
        if (members.remove(id) == null)
        {
            return;
        }
        outbox.event(ClusterEvent.left(id));
        held.dropFrom(id);
        outbox.disconnect(id);
        for (final SharedVariable variable : variables.values())
        {
            if (variable.owner == id)
            {
                // Its replicas came from that owner, which is gone: the coordinator's copy is the variable now.
                variable.owner = COORDINATOR;
                if (variable.access == SharedVariable.READ)
                {
                    apply(variable, Deferred.DROP_READ, null, 0);
                }
            }
        }
        for (final Copyset copyset : copysets.values())
        {
            copyset.remove(id);
        }
        for (final PendingWrite write : new ArrayList<>(writes.values()))
        {
            if (write.awaiting.remove(id))
            {
                advanceWrite(write);
            }
        }
        for (final Request request : requests.values())
        {
            if (request.kind == Request.Kind.READ && request.variable.id != 0 &&
                (request.waitingFor.startsWith("node " + id + " ") ||
                request.waitingFor.equals(describe(COORDINATOR))))
            {
                // Ask again, this time the coordinator, which now holds the variable. A read sent to the coordinator
                // is asked again too: the coordinator may have passed it to that node, which forwards what it no
                // longer owns back to a coordinator that no longer hears it. A read is idempotent: a second answer
                // finds no request and is dropped.
                sendRead(request.variable, request.correlationId, COORDINATOR);
                request.waitingFor = describe(COORDINATOR);
            }
        }
    }

    /**
     * Sends heartbeats and hellos when due, watches the lease, fails requests past their deadline, and retries
     * messages that waited for a variable's lock.
     *
     * @param nowNs the current time.
     */
    void onTick(final long nowNs)
    {
        wire.trim();
        if (!held.isEmpty())
        {
            held.expire(nowNs, settings.timeoutNs, (sender, length) ->
            {
                malformedMessages++;
                outbox.log(DsmLog.Level.WARN, "node-malformed", "node " + nodeId + " dropped a malformed message of " +
                    length + " bytes: from node " + sender + ", which did not become a member within " +
                    TimeUnit.NANOSECONDS.toMillis(settings.timeoutNs) + " ms");
            });
        }
        if (!deferredVariables.isEmpty())
        {
            retryDeferred();
        }
        if (!welcomed)
        {
            sayHelloIfDue(nowNs);
        }
        else if (!leaving && nowNs - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            final long sequence = ++heartbeatSequence;
            heartbeatSentNs[(int)(sequence & (HEARTBEAT_RING - 1))] = nowNs;
            heartbeatOut.wrapAndApplyHeader(wire.out(), 0, wire.header()).sender(nodeId).sequence(sequence);
            outbox.sendUrgent(COORDINATOR, wire.out(), Wire.length(heartbeatOut.encodedLength()));
        }
        if (welcomed && !leaving && nowNs - lastContactNs > settings.evictionNs &&
            (rehelloCorrelationId == 0 || nowNs - rehelloSentNs > rehelloIntervalNs()))
        {
            // Silent for longer than the eviction time: the directory may have evicted this node, or may still know
            // it (a new leader, or a restarted directory, gives every node a whole eviction time). Ask it, with a
            // hello under this incarnation: a welcome under another id means evicted, and the node carries on as that
            // new node (onWelcome); under this id, as it was, its replicas and ownership suspended until a heartbeat
            // renews the lease.
            // (Joining again on silence alone threw away, after every fail-over longer than the eviction time, the
            // ownership the directory still gave this node.)
            if (rehelloCorrelationId == 0)
            {
                rehelloCorrelationId = nextCorrelationId++;
            }
            rehelloSentNs = nowNs;
            sendHello(rehelloCorrelationId, true);
        }
        if (leaseValid && nowNs - leaseExpiryNs > 0)
        {
            leaseValid = false;
            leaseLost = true;
            outbox.event(ClusterEvent.reachable(false));
            outbox.log(DsmLog.Level.WARN, null, "node " + nodeId + ": lease expired (no heartbeat acknowledged for " +
                TimeUnit.NANOSECONDS.toMillis(nowNs - lastContactNs) + " ms); replicas suspended");
            for (final SharedVariable variable : variables.values())
            {
                apply(variable, Deferred.SUSPEND, null, 0);
            }
        }
        if (settings.checkpointLagNs > 0 && welcomed && leaseValid && nowNs - nextCheckpointScanNs >= 0)
        {
            nextCheckpointScanNs = nowNs + Math.min(settings.checkpointLagNs / 4, CHECKPOINT_SCAN_MAX_NS);
            checkpointWritten(nowNs);
        }
        if (!requests.isEmpty() && nowNs - nextExpiryCheckNs >= 0)
        {
            nextExpiryCheckNs = nowNs + EXPIRY_CHECK_INTERVAL_NS;
            expireRequests(nowNs);
        }
    }

    /** @return how often a silent node asks the directory whether it still knows it: half the eviction time. */
    private long rehelloIntervalNs()
    {
        return Math.max(REHELLO_MIN_INTERVAL_NS, settings.evictionNs / 2);
    }

    /**
     * {@code dsm.durability=fast}: sends the directory the value of every variable this node owns and wrote since its
     * last checkpoint, once that checkpoint is {@link Settings#checkpointLagNs} old; so an owner's crash loses at most
     * that much of its writes (and the time to get here). No answer is waited for: a lost checkpoint is followed by
     * the next. A variable whose lock a writer holds is taken at the next scan.
     */
    private void checkpointWritten(final long nowNs)
    {
        for (final SharedVariable variable : variables.values())
        {
            if (variable.access != SharedVariable.WRITE || variable.version <= variable.checkpointedVersion ||
                nowNs - variable.checkpointedNs < settings.checkpointLagNs || !variable.tryLockFree())
            {
                continue;
            }
            try
            {
                final Object content = variable.current();
                if (content != SharedVariable.INVALID && variable.access == SharedVariable.WRITE)
                {
                    sendCheckpoint(variable, 0, variable.version, variable.serialize(content), nowNs);
                }
            }
            finally
            {
                variable.unlock();
            }
        }
    }

    private void sendCheckpoint(final SharedVariable variable, final long correlationId, final long version,
        final byte[] bytes, final long nowNs)
    {
        variable.checkpointedVersion = Math.max(variable.checkpointedVersion, version);
        variable.checkpointedNs = nowNs;
        checkpointOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(correlationId).variableId(variable.id).epoch(variable.epoch)
            .version(version).putValue(bytes, 0, bytes.length);
        outbox.send(COORDINATOR, wire.out(), Wire.length(checkpointOut.encodedLength()));
    }

    /**
     * The directory no longer knows this node (it evicted it): drops every replica, ownership and member, fails the
     * requests whose outcome that makes unknown and keeps the others for the node's next welcome.
     */
    private void forgetIdentity(final long nowNs, final String why)
    {
        final List<String> lost = new ArrayList<>();
        for (final SharedVariable variable : variables.values())
        {
            if (variable.access == SharedVariable.WRITE)
            {
                // Its lease lapsed before the eviction, so no write runs now: the version is the last returned.
                final long unsent = Math.max(0, variable.version - variable.checkpointedVersion);
                if (settings.checkpointLagNs != 0)
                {
                    writesLost += unsent;
                }
                lost.add(variable.name() + (settings.checkpointLagNs == 0 ? "" : " (" + unsent + " writes after " +
                    "version " + variable.checkpointedVersion + ", the last sent as a checkpoint)"));
            }
            apply(variable, Deferred.DROP, null, 0);
            variable.id = 0;
            variable.owner = COORDINATOR;
        }
        outbox.log(DsmLog.Level.WARN, null, why +
            (lost.isEmpty() ? "" : settings.checkpointLagNs == 0 ?
            "; it owned " + lost + ", whose returned writes the directory holds (dsm.durability=durable)" :
            "; its writes to " + lost + " after their last checkpoint are lost (dsm.durability=fast: at most " +
            TimeUnit.NANOSECONDS.toMillis(settings.checkpointLagNs) + " ms of them)"));
        variables.clear();
        copysets.clear();
        writes.clear();
        prepared.clear();
        // The directory forgot this node and every request it had from it. One that changed nothing yet (a read, a
        // request for write access, an initial value, a page of the list) is sent again once the node is welcomed;
        // one whose outcome the rejoin makes unknown fails now rather than at its deadline.
        final List<Request> inFlight = new ArrayList<>(requests.values());
        requests.clear();
        for (final Request request : inFlight)
        {
            switch (request.kind)
            {
                case READ:
                case ACQUIRE:
                case INIT:
                case LIST:
                    beforeWelcome.add(request);
                    break;
                default:
                    request.completeExceptionally(ErrorCode.TIMEOUT.value(), request.what + " has an unknown " +
                        "outcome: node " + nodeId + " lost the directory and joins again");
            }
        }
        for (final Member member : members.values())
        {
            outbox.disconnect(member.id);
        }
        members.clear();
        welcomed = false;
        rehelloCorrelationId = 0;
        leaseValid = false;
        leaseExpiryNs = nowNs;
        outbox.lease(nowNs);
        lastContactNs = nowNs;
    }

    /**
     * Sends the first hello.
     *
     * @param nowNs the current time.
     */
    void start(final long nowNs)
    {
        lastContactNs = nowNs;
        nextHelloNs = nowNs;
        sayHelloIfDue(nowNs);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Commands from application threads
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Starts what an application thread asked for.
     *
     * @param request the request; completed now or when its answer comes.
     * @param nowNs   the current time.
     */
    void onCommand(final Request request, final long nowNs)
    {
        if (request.isAbandoned())
        {
            return;
        }
        if (!welcomed)
        {
            // Joining again (after the directory evicted this node): anything sent now would carry an id the
            // directory no longer knows and go unanswered. It waits for the welcome, or for its own deadline.
            beforeWelcome.add(request);
            return;
        }
        final SharedVariable variable = request.variable;
        final long correlationId = nextCorrelationId++;
        request.correlationId = correlationId;
        switch (request.kind)
        {
            case READ:
                requests.put(correlationId, request);
                request.invalidationsAtSend = variable.invalidations;
                if (prepared.containsKey(variable.id) && variable.id != 0)
                {
                    // A two-phase update is pending here: the read waits for its commit.
                    prepared.get(variable.id).readers.add(request);
                    request.waitingFor = describe(variable.owner);
                }
                else if (variable.id == 0)
                {
                    register(variable, correlationId, Intent.READ, null);
                }
                else
                {
                    final int to = variable.owner == nodeId ? COORDINATOR : variable.owner;
                    sendRead(variable, correlationId, to);
                    request.waitingFor = describe(to);
                }
                break;
            case ACQUIRE:
                requests.put(correlationId, request);
                if (variable.id == 0)
                {
                    register(variable, correlationId, Intent.WRITE, null);
                }
                else
                {
                    variable.acquiringVersion = variable.value != SharedVariable.INVALID ? variable.version : -1;
                    acquireOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(nodeId).correlationId(correlationId).variableId(variable.id)
                        .version(variable.acquiringVersion).timeoutNs(coordinatorTimeoutNs());
                    outbox.send(COORDINATOR, wire.out(), Wire.length(acquireOut.encodedLength()));
                }
                break;
            case INIT:
                if (variable.access == SharedVariable.WRITE && variable.value != SharedVariable.INVALID)
                {
                    // This node owns it: it was written (or taken to be written) already; the init does not apply.
                    request.result = variable.current();
                    request.complete();
                    break;
                }
                requests.put(correlationId, request);
                register(variable, correlationId, Intent.INIT, request.bytes);
                break;
            case WRITE:
                requests.put(correlationId, request);
                startWrite(request, nowNs);
                break;
            case RELEASE:
                requests.put(correlationId, request);
                release(variable, correlationId, request.keep);
                break;
            case CHECKPOINT:
                requests.put(correlationId, request);
                sendCheckpoint(variable, correlationId, request.version, request.bytes, nowNs);
                break;
            case DELETE:
                requests.put(correlationId, request);
                deleteOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(nodeId).correlationId(correlationId).timeoutNs(coordinatorTimeoutNs()).name(request.name);
                outbox.send(COORDINATOR, wire.out(), Wire.length(deleteOut.encodedLength()));
                break;
            case LIST:
                requests.put(correlationId, request);
                listOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(nodeId).correlationId(correlationId).after(request.name);
                outbox.send(COORDINATOR, wire.out(), Wire.length(listOut.encodedLength()));
                break;
            case LEAVE:
                // No heartbeat after this: on its own publication it could reach the directory after the Leave, from
                // a node that is no longer a member.
                leaving = true;
                requests.put(correlationId, request);
                leaveOut.wrapAndApplyHeader(wire.out(), 0, wire.header()).sender(nodeId).correlationId(correlationId);
                outbox.send(COORDINATOR, wire.out(), Wire.length(leaveOut.encodedLength()));
                break;
            default:
                throw new IllegalStateException("unknown request " + request.kind);
        }
    }

    /** Leaves: the coordinator's share of a request's timeout, so that its error (naming a node) arrives first. */
    private long coordinatorTimeoutNs()
    {
        return settings.timeoutNs - settings.timeoutNs / 10;
    }

    private void register(final SharedVariable variable, final long correlationId, final Intent intent,
        final byte[] value)
    {
        registerOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(correlationId).intent(intent).mode(settings.mode)
            .timeoutNs(coordinatorTimeoutNs()).name(variable.name()).valueType(variable.declaration.type.getName());
        final byte[] bytes = value == null ? NO_BYTES : value;
        registerOut.putValue(bytes, 0, bytes.length);
        outbox.send(COORDINATOR, wire.out(), Wire.length(registerOut.encodedLength()));
    }

    private void sendRead(final SharedVariable variable, final long correlationId, final int to)
    {
        readOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(correlationId).variableId(variable.id).mode(settings.mode)
            .requester(nodeId).hops((short)0);
        outbox.send(to, wire.out(), Wire.length(readOut.encodedLength()));
    }

    /**
     * A write by this node, the owner, while others hold replicas: each reader is invalidated, sent the value in two
     * phases, or sent it to apply at once, as it asked; the write counts once every reader answered. The writing
     * thread holds the variable's lock throughout, so no read of this node is served meanwhile.
     */
    private void startWrite(final Request request, final long nowNs)
    {
        final SharedVariable variable = request.variable;
        final Copyset copyset = copysets.get(variable.id);
        final long version = variable.version + 1;
        final PendingWrite write = new PendingWrite(nextWriteId++, variable, request, version);
        write.content = request.content;
        write.bytes = request.bytes;
        if (copyset != null)
        {
            for (int i = 0; i < copyset.size; i++)
            {
                final int reader = copyset.nodes[i];
                final ReadMode mode = copyset.modes[i];
                write.awaiting.add(reader);
                sendWriteTo(reader, mode, variable, write);
            }
        }
        writes.put(write.writeId, write);
        request.pending = write;
        if (!write.awaiting.isEmpty())
        {
            // Named now, once, not only when this thread expires the request: the writing thread's own deadline may
            // pass first (a loaded machine), and its error must name the readers, not the default (the coordinator).
            // FailureIT saw that once in CI. The expiry names those still awaited.
            request.waitingFor = awaitedReaders(write);
        }
        advanceWrite(write);
    }

    private void sendWriteTo(final int reader, final ReadMode mode, final SharedVariable variable,
        final PendingWrite write)
    {
        switch (mode)
        {
            case UPDATE:
                prepareOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(nodeId).variableId(variable.id).epoch(variable.epoch).writeId(write.writeId)
                    .version(write.version).putValue(write.bytes, 0, write.bytes.length);
                outbox.send(reader, wire.out(), Wire.length(prepareOut.encodedLength()));
                updatesSent = updatesSent + 1;
                break;
            case PUSH:
                updateOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(nodeId).variableId(variable.id).epoch(variable.epoch).writeId(write.writeId)
                    .version(write.version).putValue(write.bytes, 0, write.bytes.length);
                outbox.send(reader, wire.out(), Wire.length(updateOut.encodedLength()));
                updatesSent = updatesSent + 1;
                break;
            default:
                invalidateOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(nodeId).variableId(variable.id).epoch(variable.epoch).writeId(write.writeId);
                outbox.send(reader, wire.out(), Wire.length(invalidateOut.encodedLength()));
                invalidationsSent = invalidationsSent + 1;
        }
    }

    /** @return the readers a write still waits for, and why, for its error. */
    private String awaitedReaders(final PendingWrite write)
    {
        final StringBuilder nodes = new StringBuilder();
        write.awaiting.forEach(id -> nodes.append(nodes.length() == 0 ? "" : ", ").append(describe(id)));
        return nodes + " (a reader of '" + write.variable.name() + "', which must drop or update its replica before " +
            "the write counts)";
    }

    /** A write or hand-over whose readers all answered goes ahead. */
    private void advanceWrite(final PendingWrite write)
    {
        if (!write.awaiting.isEmpty())
        {
            return;
        }
        writes.remove(write.writeId);
        final SharedVariable variable = write.variable;
        if (write.handOver != null)
        {
            completeHandOver(write);
            return;
        }
        // The writer holds the lock and waits for exactly this: install here, then let the readers see it.
        variable.install(write.content);
        variable.version = write.version;
        final Copyset copyset = copysets.get(variable.id);
        if (copyset != null)
        {
            copyset.removeInvalidated();
            for (int i = 0; i < copyset.size; i++)
            {
                if (copyset.modes[i] == ReadMode.UPDATE)
                {
                    commitOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(nodeId).variableId(variable.id).epoch(variable.epoch).writeId(write.writeId)
                        .version(write.version);
                    outbox.send(copyset.nodes[i], wire.out(), Wire.length(commitOut.encodedLength()));
                }
            }
            if (copyset.size == 0)
            {
                copysets.remove(variable.id);
                variable.hasReaders = false;
            }
        }
        else
        {
            variable.hasReaders = false;
        }
        final Request request = write.request;
        if (request != null)
        {
            requests.remove(request.correlationId);
            request.complete();
        }
    }

    private void release(final SharedVariable variable, final long correlationId, final boolean keep)
    {
        // Called for a RELEASE request: the caller holds the variable's lock (Backend.releaseWrite).
        final Copyset copyset = copysets.remove(variable.id);
        final Object content = variable.value != SharedVariable.INVALID ? variable.current() : variable.suspended;
        final byte[] bytes = content == SharedVariable.INVALID ? null : variable.serialize(content);
        releaseOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(correlationId).variableId(variable.id).epoch(variable.epoch)
            .version(variable.version).keepReplica((short)(keep ? 1 : 0)).hasValue((short)(bytes == null ? 0 : 1))
            ;
        final ReleaseEncoder.ReadersEncoder readers = releaseOut.readersCount(copyset == null ? 0 : copyset.size);
        if (copyset != null)
        {
            for (int i = 0; i < copyset.size; i++)
            {
                readers.next().node(copyset.nodes[i]).mode(copyset.modes[i]);
            }
        }
        final byte[] value = bytes == null ? NO_BYTES : bytes;
        releaseOut.putValue(value, 0, value.length);
        outbox.send(COORDINATOR, wire.out(), Wire.length(releaseOut.encodedLength()));
        variable.hasReaders = false;
        variable.access = keep && variable.value != SharedVariable.INVALID ? SharedVariable.READ : SharedVariable.NONE;
        if (!keep)
        {
            variable.value = SharedVariable.INVALID;
        }
        variable.suspended = SharedVariable.INVALID;
        variable.owner = COORDINATOR;
        // Until the coordinator confirms it took the value, a hand-over it ordered earlier may still come here.
        variable.released = content;
    }

    /**
     * Says that a large message is moving to or from this process (a chunk went or came in this duty cycle): until
     * it is done, the timeouts of waiting requests count from now, since an answer may be queued behind it.
     */
    void onTransferProgress()
    {
        transferring = true;
    }

    private void expireRequests(final long nowNs)
    {
        if (transferring)
        {
            transferring = false;
            for (final Request request : requests.values())
            {
                if (request.deadlineNs - (nowNs + settings.timeoutNs) < 0)
                {
                    request.deadlineNs = nowNs + settings.timeoutNs;
                }
            }
        }
        List<Request> expired = null;
        for (final Request request : requests.values())
        {
            if (request.isAbandoned() || nowNs - request.deadlineNs > 0)
            {
                if (expired == null)
                {
                    expired = new ArrayList<>();
                }
                expired.add(request);
            }
        }
        if (expired == null)
        {
            return;
        }
        for (final Request request : expired)
        {
            requests.remove(request.correlationId);
            for (final Prepared pending : prepared.values())
            {
                pending.readers.remove(request);
            }
            String waitingFor = request.waitingFor;
            if (request.pending instanceof PendingWrite)
            {
                final PendingWrite write = (PendingWrite)request.pending;
                writes.remove(write.writeId);
                waitingFor = awaitedReaders(write);
            }
            request.completeExceptionally(ErrorCode.TIMEOUT.value(), request.what + " timed out after " +
                TimeUnit.NANOSECONDS.toMillis(settings.timeoutNs) + " ms: no answer from " + waitingFor +
                " (node " + nodeId + ")");
        }
        for (final PendingWrite write : new ArrayList<>(writes.values()))
        {
            if (write.request != null && write.request.isDone())
            {
                // The writer gave up: its readers that answered dropped or hold a pending value. Forget the write;
                // a reader that still answers is ignored.
                writes.remove(write.writeId);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Messages
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Handles one received message. A malformed one is dropped and counted; it never changes anything.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @param nowNs  the current time.
     */
    void onMessage(final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        try
        {
            final int template = wire.open(buffer, offset, length);
            final DirectBuffer in = wire.view();
            final int at = wire.bodyOffset();
            final int block = wire.blockLength();
            final int version = wire.version();
            final int sender = in.getInt(at, java.nio.ByteOrder.LITTLE_ENDIAN);
            if (sender != COORDINATOR && !members.containsKey(sender))
            {
                if (sender > 0 && sender != nodeId && welcomed && held.hold(sender, buffer, offset, length, nowNs))
                {
                    return;
                }
                throw new MalformedMessageException("from node " + sender + ", which is not a member");
            }
            switch (template)
            {
                case WelcomeDecoder.TEMPLATE_ID:
                    onWelcome(welcomeIn.wrap(in, at, block, version), nowNs);
                    break;
                case MemberDecoder.TEMPLATE_ID:
                    onMember(memberIn.wrap(in, at, block, version));
                    break;
                case HeartbeatAckDecoder.TEMPLATE_ID:
                    onHeartbeatAck(heartbeatAckIn.wrap(in, at, block, version).sequence(), nowNs);
                    break;
                case RegisteredDecoder.TEMPLATE_ID:
                    onRegistered(registeredIn.wrap(in, at, block, version));
                    break;
                case AckDecoder.TEMPLATE_ID:
                    onAck(ackIn.wrap(in, at, block, version));
                    break;
                case ErrorDecoder.TEMPLATE_ID:
                    onError(errorIn.wrap(in, at, block, version));
                    break;
                case ListReplyDecoder.TEMPLATE_ID:
                    onListReply(listReplyIn.wrap(in, at, block, version));
                    break;
                case MetadataDecoder.TEMPLATE_ID:
                    onMetadata(metadataIn.wrap(in, at, block, version));
                    break;
                case DoneDecoder.TEMPLATE_ID:
                {
                    doneIn.wrap(in, at, block, version);
                    final PendingWrite write = writes.get(doneIn.writeId());
                    if (write != null && write.awaiting.remove(sender))
                    {
                        if (write.handOver == null)
                        {
                            final Copyset copyset = copysets.get(write.variable.id);
                            if (copyset != null)
                            {
                                copyset.answered(sender);
                            }
                        }
                        advanceWrite(write);
                    }
                    break;
                }
                default:
                    onVariableMessage(template, sender, in, at, block, version);
            }
        }
        catch (final MalformedMessageException | RuntimeException ex)
        {
            malformedMessages++;
            outbox.log(DsmLog.Level.WARN, "node-malformed", "node " + nodeId + " dropped a malformed message of " +
                length + " bytes: " + ex.getMessage());
        }
        if (held.hasJoined())
        {
            // Replayed after this message, which made their senders members; a replay never recurses into these.
            for (final byte[] message : held.takeJoined())
            {
                onMessage(new UnsafeBuffer(message), 0, message.length, nowNs);
            }
        }
    }

    /** A message about one variable's replica: applied under its lock, or deferred. */
    private void onVariableMessage(final int template, final int sender, final DirectBuffer in, final int at,
        final int block, final int version) throws MalformedMessageException
    {
        final int variableId = in.getInt(variableIdOffset(template), java.nio.ByteOrder.LITTLE_ENDIAN);
        final SharedVariable variable = variables.get(variableId);
        if (variable == null)
        {
            unknownVariable(template, sender, in, at, block, version, variableId);
            return;
        }
        apply(variable, Deferred.MESSAGE, in, wire.openedLength());
    }

    /** @return where the variable id lies in a message of this template, from the start of the message. */
    private static int variableIdOffset(final int template) throws MalformedMessageException
    {
        final int at = Wire.HEADER_LENGTH;
        switch (template)
        {
            case ValueDecoder.TEMPLATE_ID:
                return at + ValueDecoder.variableIdEncodingOffset();
            case ReadDecoder.TEMPLATE_ID:
                return at + ReadDecoder.variableIdEncodingOffset();
            case InvalidateDecoder.TEMPLATE_ID:
                return at + InvalidateDecoder.variableIdEncodingOffset();
            case PrepareDecoder.TEMPLATE_ID:
                return at + PrepareDecoder.variableIdEncodingOffset();
            case CommitDecoder.TEMPLATE_ID:
                return at + CommitDecoder.variableIdEncodingOffset();
            case UpdateDecoder.TEMPLATE_ID:
                return at + UpdateDecoder.variableIdEncodingOffset();
            case TransferDecoder.TEMPLATE_ID:
                return at + TransferDecoder.variableIdEncodingOffset();
            case OwnershipDecoder.TEMPLATE_ID:
                return at + OwnershipDecoder.variableIdEncodingOffset();
            default:
                throw new MalformedMessageException("template " + template + " is not a message a node receives");
        }
    }

    /** A message about a variable this node does not know (forgotten after a rejoin, or never used here). */
    private void unknownVariable(final int template, final int sender, final DirectBuffer in, final int at,
        final int block, final int version, final int variableId) throws MalformedMessageException
    {
        switch (template)
        {
            case InvalidateDecoder.TEMPLATE_ID:
                invalidateIn.wrap(in, at, block, version);
                done(sender, variableId, invalidateIn.epoch(), invalidateIn.writeId());
                break;
            case PrepareDecoder.TEMPLATE_ID:
                prepareIn.wrap(in, at, block, version);
                done(sender, variableId, prepareIn.epoch(), prepareIn.writeId());
                break;
            case UpdateDecoder.TEMPLATE_ID:
                updateIn.wrap(in, at, block, version);
                done(sender, variableId, updateIn.epoch(), updateIn.writeId());
                break;
            case ReadDecoder.TEMPLATE_ID:
                // Not ours: let the coordinator find the owner.
                readIn.wrap(in, at, block, version);
                forwardRead(readIn, COORDINATOR);
                break;
            case ValueDecoder.TEMPLATE_ID:
                valueIn.wrap(in, at, block, version);
                adoptOrRefuse(valueIn.correlationId(), variableId, in);
                break;
            case OwnershipDecoder.TEMPLATE_ID:
                ownershipIn.wrap(in, at, block, version);
                adoptOrRefuse(ownershipIn.correlationId(), variableId, in);
                break;
            default:
                outbox.log(DsmLog.Level.WARN, "node-unknown-variable", "node " + nodeId + " got a message (template " +
                    template + ") about variable " + variableId + ", which it does not know");
        }
    }

    /**
     * A value or ownership for a variable this node has not had the id of yet: the owner's answer overtook the
     * directory's {@code Registered} (they come from two processes, so nothing orders them). The correlation id ties
     * it to the request that registered the name, so the node learns the id from it and applies the message.
     */
    private void adoptOrRefuse(final long correlationId, final int variableId, final DirectBuffer in)
    {
        final Request request = requests.get(correlationId);
        if (request != null && request.variable != null && request.variable.id == 0 && variableId > 0)
        {
            final SharedVariable variable = request.variable;
            variable.id = variableId;
            variables.put(variableId, variable);
            apply(variable, Deferred.MESSAGE, in, wire.openedLength());
            return;
        }
        // Stale (from before a rejoin, say) or not for a request of this node: drop it. A request it might have
        // answered still ends by its deadline, with an error naming who did not answer.
        outbox.log(DsmLog.Level.WARN, "node-unknown-variable", "node " + nodeId + " dropped a value or ownership of " +
            "variable " + variableId + ", which it does not know (request " + correlationId + ")");
    }

    private void done(final int to, final int variableId, final long epoch, final long writeId)
    {
        doneOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).variableId(variableId).epoch(epoch).writeId(writeId);
        outbox.send(to, wire.out(), Wire.length(doneOut.encodedLength()));
    }

    private void forwardRead(final ReadDecoder read, final int to)
    {
        final long correlationId = read.correlationId();
        final int variableId = read.variableId();
        final ReadMode mode = read.mode();
        final int requester = read.requester();
        final int hops = read.hops();
        readOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(correlationId).variableId(variableId).mode(mode).requester(requester)
            .hops((short)(hops + 1));
        outbox.send(hops >= MAX_HOPS ? COORDINATOR : to, wire.out(), Wire.length(readOut.encodedLength()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Applying to a replica, under its lock
    // ---------------------------------------------------------------------------------------------------------------

    /** What a deferred entry is: a received message (its bytes), or a change the node makes itself. */
    enum Deferred
    {
        MESSAGE, SUSPEND, RESUME, DROP, DROP_READ
    }

    /** A message or change that waits for a variable's lock, in order. */
    private static final class DeferredEntry
    {
        final Deferred kind;
        final byte[] message;

        DeferredEntry(final Deferred kind, final byte[] message)
        {
            this.kind = kind;
            this.message = message;
        }
    }

    /** Applies now if the variable's lock is free and nothing waits before it, else defers it. */
    private void apply(final SharedVariable variable, final Deferred kind, final DirectBuffer message, final int length)
    {
        if (!variable.hasDeferred() && variable.tryLockFree())
        {
            try
            {
                if (process(variable, kind, message))
                {
                    return;
                }
            }
            finally
            {
                variable.unlock();
            }
        }
        byte[] copy = null;
        if (message != null)
        {
            copy = new byte[length];
            message.getBytes(0, copy, 0, length);
        }
        if (variable.deferred == null)
        {
            variable.deferred = new ArrayDeque<>(4);
        }
        variable.deferred.addLast(new DeferredEntry(kind, copy));
        deferredVariables.add(variable);
        if (kind == Deferred.MESSAGE && isTransfer(copy))
        {
            variable.haltsWaiting++;
        }
    }

    /**
     * @return whether a deferred message is one a local writer must let through (a hand-over, a reader's request):
     *         while one waits, the variable's writers wait for the dsm thread instead of writing on.
     */
    private static boolean isTransfer(final byte[] message)
    {
        if (message == null || message.length < Wire.HEADER_LENGTH)
        {
            return false;
        }
        final int template = (message[2] & 0xff) | (message[3] & 0xff) << 8;
        return template == TransferDecoder.TEMPLATE_ID || template == ReadDecoder.TEMPLATE_ID;
    }

    private void retryDeferred()
    {
        for (final Iterator<SharedVariable> it = deferredVariables.iterator(); it.hasNext(); )
        {
            final SharedVariable variable = it.next();
            if (!variable.tryLockFree())
            {
                continue;
            }
            try
            {
                while (!variable.deferred.isEmpty())
                {
                    final DeferredEntry entry = (DeferredEntry)variable.deferred.peekFirst();
                    DirectBuffer message = null;
                    if (entry.message != null)
                    {
                        deferredView.wrap(entry.message);
                        try
                        {
                            wire.open(deferredView, 0, entry.message.length);
                        }
                        catch (final MalformedMessageException ex)
                        {
                            throw new IllegalStateException("a deferred message was checked when it came", ex);
                        }
                        message = wire.view();
                    }
                    try
                    {
                        if (!process(variable, entry.kind, message))
                        {
                            break;
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        malformedMessages++;
                        outbox.log(DsmLog.Level.WARN, "node-malformed", "node " + nodeId + " dropped a malformed " +
                            "message about '" + variable.name() + "': " + ex.getMessage());
                    }
                    variable.deferred.pollFirst();
                    if (isTransfer(entry.message))
                    {
                        variable.haltsWaiting--;
                    }
                }
            }
            finally
            {
                variable.unlock();
            }
            if (!variable.hasDeferred())
            {
                it.remove();
            }
        }
    }

    /**
     * Applies one message or change, the variable's lock held; {@code message} is opened in {@link #wire}.
     *
     * @return false when it must wait longer (a hand-over while a grant is reserved for a thread).
     */
    private boolean process(final SharedVariable variable, final Deferred kind, final DirectBuffer message)
    {
        switch (kind)
        {
            case SUSPEND:
                if (variable.access == SharedVariable.READ)
                {
                    dropReadReplica(variable);
                }
                else if (variable.access == SharedVariable.WRITE && variable.value != SharedVariable.INVALID)
                {
                    variable.suspended = variable.current();
                    variable.suspendedVersion = variable.version;
                    variable.value = SharedVariable.INVALID;
                }
                return true;
            case RESUME:
                if (variable.access == SharedVariable.WRITE && variable.suspended != SharedVariable.INVALID)
                {
                    variable.install(variable.suspended);
                }
                variable.suspended = SharedVariable.INVALID;
                return true;
            case DROP:
                variable.invalidateLocally();
                variable.hasReaders = false;
                return true;
            case DROP_READ:
                variable.invalidations++;
                if (variable.access == SharedVariable.READ)
                {
                    dropReadReplica(variable);
                }
                return true;
            default:
                return processMessage(variable, message);
        }
    }

    /**
     * Drops a read replica, the variable's lock held. One that an {@code Acquire} in flight named is kept aside, at its
     * version only: the grant counts on it and may come without the value (a node whose replica was invalidated, or
     * whose lease lapsed, after it asked and before the grant once took the declared default instead).
     */
    private static void dropReadReplica(final SharedVariable variable)
    {
        if (variable.acquiringVersion >= 0 && variable.acquiringVersion == variable.version &&
            variable.value != SharedVariable.INVALID)
        {
            variable.kept = variable.current();
            variable.keptVersion = variable.version;
        }
        variable.value = SharedVariable.INVALID;
        variable.access = SharedVariable.NONE;
    }

    private boolean processMessage(final SharedVariable variable, final DirectBuffer in)
    {
        final int at = wire.bodyOffset();
        final int block = wire.blockLength();
        final int version = wire.version();
        final int template = headerIn.wrap(in, 0).templateId();
        switch (template)
        {
            case ValueDecoder.TEMPLATE_ID:
                onValue(variable, valueIn.wrap(in, at, block, version));
                return true;
            case ReadDecoder.TEMPLATE_ID:
                if (variable.reserved > 0)
                {
                    // Write access was just granted to a thread that has not written yet: serve after its write.
                    return false;
                }
                onRead(variable, readIn.wrap(in, at, block, version));
                return true;
            case InvalidateDecoder.TEMPLATE_ID:
            {
                invalidateIn.wrap(in, at, block, version);
                final int sender = invalidateIn.sender();
                variable.invalidations++;
                invalidationsReceived = invalidationsReceived + 1;
                if (variable.access == SharedVariable.READ)
                {
                    dropReadReplica(variable);
                }
                done(sender, variable.id, invalidateIn.epoch(), invalidateIn.writeId());
                abandonPrepared(variable);
                return true;
            }
            case PrepareDecoder.TEMPLATE_ID:
                onPrepare(variable, prepareIn.wrap(in, at, block, version));
                return true;
            case CommitDecoder.TEMPLATE_ID:
                onCommit(variable, commitIn.wrap(in, at, block, version));
                return true;
            case UpdateDecoder.TEMPLATE_ID:
                onUpdate(variable, updateIn.wrap(in, at, block, version));
                return true;
            case TransferDecoder.TEMPLATE_ID:
                if (variable.reserved > 0)
                {
                    return false;
                }
                onTransfer(variable, transferIn.wrap(in, at, block, version));
                return true;
            case OwnershipDecoder.TEMPLATE_ID:
                onOwnership(variable, ownershipIn.wrap(in, at, block, version));
                return true;
            default:
                throw new IllegalStateException("template " + template + " is not a variable message");
        }
    }

    private void onValue(final SharedVariable variable, final ValueDecoder value)
    {
        final long correlationId = value.correlationId();
        final long epoch = value.epoch();
        final long version = value.version();
        final int owner = value.owner();
        final boolean hasValue = value.hasValue() != 0;
        final byte[] bytes = hasValue ? wire.bytes(value.valueLength()) : null;
        if (bytes != null)
        {
            value.getValue(bytes, 0, bytes.length);
        }
        else
        {
            value.skipValue();
        }
        final Request request = requests.remove(correlationId);
        final Object content;
        try
        {
            content = variable.deserialize(bytes);
        }
        catch (final IllegalArgumentException ex)
        {
            failDecode(variable, request, ex);
            return;
        }
        // Installed as a replica only as the answer to a read of ours with no invalidation since it was sent. A late
        // answer (to a read that timed out, or was sent again by a node that joined again) would be a replica no owner
        // knows of, and one that crossed an invalidation (its owner handed over, and the new owner's first write
        // invalidated this node before the answer came) a replica of a value already overwritten: each served stale
        // reads until the next write reached this node. The read itself may still return it: it overlaps that write.
        if (variable.access != SharedVariable.WRITE && request != null &&
            request.invalidationsAtSend == variable.invalidations)
        {
            variable.version = version;
            variable.epoch = epoch;
            variable.owner = owner;
            variable.install(content);
            variable.access = SharedVariable.READ;
        }
        if (request != null)
        {
            request.result = content;
            request.complete();
        }
    }

    /** A reader asks for a value: served if this node owns the variable, else passed on towards its owner. */
    private void onRead(final SharedVariable variable, final ReadDecoder read)
    {
        final long correlationId = read.correlationId();
        final ReadMode mode = read.mode();
        final int requester = read.requester();
        if (requester == nodeId)
        {
            // This node's own read, sent before it took ownership and routed back to it.
            final Request request = requests.get(correlationId);
            if (variable.access == SharedVariable.WRITE && variable.value != SharedVariable.INVALID)
            {
                if (request != null)
                {
                    requests.remove(correlationId);
                    request.result = variable.current();
                    request.complete();
                }
                return;
            }
        }
        if (variable.access == SharedVariable.WRITE && variable.value != SharedVariable.INVALID &&
            members.containsKey(requester))
        {
            Copyset copyset = copysets.get(variable.id);
            if (copyset == null)
            {
                copyset = new Copyset();
                copysets.put(variable.id, copyset);
            }
            copyset.add(requester, mode);
            variable.hasReaders = true;
            final byte[] bytes = copyset.bytesOf(variable);
            valueOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                .sender(nodeId).correlationId(correlationId).variableId(variable.id).epoch(variable.epoch)
                .version(variable.version).owner(nodeId).hasValue((short)1)
                .putValue(bytes, 0, bytes.length);
            outbox.send(requester, wire.out(), Wire.length(valueOut.encodedLength()));
            return;
        }
        // Not the owner: a first-hand read goes to the owner this node knows of; one already forwarded goes to the
        // coordinator, which orders it behind any hand-over in flight, so a read never circles.
        final int to = read.hops() == 0 && variable.owner != nodeId && variable.owner != requester &&
            variable.owner != COORDINATOR ? variable.owner : COORDINATOR;
        forwardRead(read, to);
    }

    private void onPrepare(final SharedVariable variable, final PrepareDecoder prepare)
    {
        final int sender = prepare.sender();
        final long epoch = prepare.epoch();
        final long writeId = prepare.writeId();
        final long version = prepare.version();
        final byte[] bytes = wire.bytes(prepare.valueLength());
        prepare.getValue(bytes, 0, bytes.length);
        if (fenced(variable, sender, epoch, "Prepare"))
        {
            return;
        }
        Object content = null;
        try
        {
            content = variable.deserialize(bytes);
        }
        catch (final IllegalArgumentException ex)
        {
            failDecode(variable, null, ex);
        }
        if (variable.access == SharedVariable.WRITE)
        {
            // From an earlier owner, crossed by the hand-over to this node: nothing to hold.
            done(sender, variable.id, epoch, writeId);
            return;
        }
        // Reads wait for the commit from now on: no one may see the old value once any reader sees the new one.
        variable.invalidations++;
        if (variable.access == SharedVariable.READ)
        {
            dropReadReplica(variable);
        }
        final Prepared pending = new Prepared(writeId, version, content);
        final Prepared previous = prepared.put(variable.id, pending);
        if (previous != null)
        {
            pending.readers.addAll(previous.readers);
        }
        done(sender, variable.id, epoch, writeId);
    }

    /**
     * A write pushed under an epoch older than the one this node's replica came from is a fenced owner's: ownership
     * moved on since (an owner's write holds the variable until its readers answer, so its hand-over comes after
     * them). It is neither applied nor answered, so that the fenced owner cannot count it as returned.
     *
     * @return whether the message is dropped.
     */
    private boolean fenced(final SharedVariable variable, final int sender, final long epoch, final String what)
    {
        if (epoch >= variable.epoch)
        {
            return false;
        }
        outbox.log(DsmLog.Level.WARN, "node-fenced", "node " + nodeId + " dropped a " + what + " of '" +
            variable.name() + "' from node " + sender + " under epoch " + epoch + ", older than epoch " +
            variable.epoch + " its replica came from: a fenced owner's write");
        return true;
    }

    /** A two-phase update that will not be committed here (invalidated, or ownership moved): reads ask again. */
    private void abandonPrepared(final SharedVariable variable)
    {
        final Prepared pending = prepared.remove(variable.id);
        if (pending != null)
        {
            for (final Request reader : pending.readers)
            {
                reader.invalidationsAtSend = variable.invalidations;
                sendRead(variable, reader.correlationId, variable.owner == nodeId ? COORDINATOR : variable.owner);
            }
        }
    }

    private void onCommit(final SharedVariable variable, final CommitDecoder commit)
    {
        final Prepared pending = prepared.get(variable.id);
        if (pending == null || pending.writeId != commit.writeId())
        {
            return;
        }
        prepared.remove(variable.id);
        if (pending.content != null && variable.access != SharedVariable.WRITE)
        {
            variable.version = pending.version;
            variable.epoch = commit.epoch();
            variable.install(pending.content);
            variable.access = SharedVariable.READ;
        }
        for (final Request reader : pending.readers)
        {
            requests.remove(reader.correlationId);
            if (pending.content == null)
            {
                reader.completeExceptionally(ErrorCode.BAD_REQUEST.value(), "the update of '" + variable.name() +
                    "' could not be read here");
            }
            else
            {
                reader.result = pending.content;
                reader.complete();
            }
        }
    }

    private void onUpdate(final SharedVariable variable, final UpdateDecoder update)
    {
        final int sender = update.sender();
        final long epoch = update.epoch();
        final long writeId = update.writeId();
        final long version = update.version();
        final byte[] bytes = wire.bytes(update.valueLength());
        update.getValue(bytes, 0, bytes.length);
        if (fenced(variable, sender, epoch, "Update"))
        {
            return;
        }
        if (variable.access == SharedVariable.READ && variable.value != SharedVariable.INVALID &&
            version > variable.version)
        {
            try
            {
                variable.install(variable.deserialize(bytes));
                variable.version = version;
            }
            catch (final IllegalArgumentException ex)
            {
                // Serving the old value would diverge: drop the replica, the next read asks again.
                failDecode(variable, null, ex);
                variable.value = SharedVariable.INVALID;
                variable.access = SharedVariable.NONE;
            }
        }
        done(sender, variable.id, epoch, writeId);
    }

    /**
     * The coordinator tells this node, the owner, to hand the variable to another node (or back to the coordinator):
     * stop writing, invalidate the readers but the new owner, then send it ownership and, unless its replica is
     * current, the value.
     */
    private void onTransfer(final SharedVariable variable, final TransferDecoder transfer)
    {
        final long epoch = transfer.epoch();
        final int newOwner = transfer.newOwner();
        final long correlationId = transfer.correlationId();
        final long requesterVersion = transfer.requesterVersion();
        final Object content = variable.value != SharedVariable.INVALID ? variable.current() :
            variable.suspended != SharedVariable.INVALID ? variable.suspended : variable.released;
        if (variable.access != SharedVariable.WRITE && variable.released == SharedVariable.INVALID)
        {
            outbox.log(DsmLog.Level.WARN, "node-stale-transfer", "node " + nodeId + " was told to hand '" +
                variable.name() + "' to " + describe(newOwner) + " but does not own it");
            return;
        }
        final PendingWrite handOver = new PendingWrite(nextWriteId++, variable, null, variable.version);
        handOver.handOver = new HandOver(newOwner, correlationId, epoch, requesterVersion,
            content == SharedVariable.INVALID ? null : content);
        final Copyset copyset = copysets.remove(variable.id);
        if (copyset != null)
        {
            for (int i = 0; i < copyset.size; i++)
            {
                final int reader = copyset.nodes[i];
                if (reader != newOwner)
                {
                    handOver.awaiting.add(reader);
                    invalidateOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(nodeId).variableId(variable.id).epoch(variable.epoch).writeId(handOver.writeId);
                    outbox.send(reader, wire.out(), Wire.length(invalidateOut.encodedLength()));
                    invalidationsSent = invalidationsSent + 1;
                }
            }
        }
        // From now on this node neither reads nor writes it: the new owner does.
        variable.value = SharedVariable.INVALID;
        variable.access = SharedVariable.NONE;
        outbox.event(ClusterEvent.ownership(variable.name(), newOwner));
        transfersOut = transfersOut + 1;
        variable.suspended = SharedVariable.INVALID;
        variable.released = SharedVariable.INVALID;
        variable.hasReaders = false;
        variable.owner = newOwner;
        variable.epoch = epoch;
        writes.put(handOver.writeId, handOver);
        advanceWrite(handOver);
    }

    private void completeHandOver(final PendingWrite write)
    {
        final HandOver handOver = write.handOver;
        final SharedVariable variable = write.variable;
        final boolean withValue = handOver.content != null && handOver.requesterVersion != write.version;
        final byte[] bytes = withValue ? variable.serialize(handOver.content) : NO_BYTES;
        ownershipOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).correlationId(handOver.correlationId).variableId(variable.id).epoch(handOver.epoch)
            .version(write.version).hasValue((short)(withValue ? 1 : 0));
        ownershipOut.readersCount(0);
        ownershipOut.putValue(bytes, 0, bytes.length);
        outbox.send(handOver.newOwner, wire.out(), Wire.length(ownershipOut.encodedLength()));
    }

    /** This node is the owner now (from the previous owner, or the coordinator). */
    private void onOwnership(final SharedVariable variable, final OwnershipDecoder ownership)
    {
        final long correlationId = ownership.correlationId();
        final long epoch = ownership.epoch();
        final long version = ownership.version();
        final boolean hasValue = ownership.hasValue() != 0;
        final Copyset readers = new Copyset();
        for (final OwnershipDecoder.ReadersDecoder reader : ownership.readers())
        {
            if (members.containsKey(reader.node()))
            {
                readers.add(reader.node(), reader.mode());
            }
        }
        final byte[] bytes = hasValue ? wire.bytes(ownership.valueLength()) : null;
        if (bytes != null)
        {
            ownership.getValue(bytes, 0, bytes.length);
        }
        else
        {
            ownership.skipValue();
        }
        final Request request = requests.remove(correlationId);
        if (variable.access == SharedVariable.WRITE && variable.owner == nodeId && variable.epoch == epoch)
        {
            // Already the owner (an Acquire that crossed its own hand-over, or a grant the directory sent again to a
            // new session): confirm again, in case the first Owned died with a directory leader.
            ownedOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                .sender(nodeId).variableId(variable.id).epoch(epoch).version(variable.version);
            outbox.send(COORDINATOR, wire.out(), Wire.length(ownedOut.encodedLength()));
            if (request != null)
            {
                variable.reserved++;
                if (!request.complete())
                {
                    variable.reserved--;
                }
            }
            return;
        }
        Object content = variable.value != SharedVariable.INVALID && variable.version == version ?
            variable.current() : variable.kept != SharedVariable.INVALID && variable.keptVersion == version ?
            variable.kept : variable.suspended != SharedVariable.INVALID && variable.suspendedVersion == version ?
            variable.suspended : SharedVariable.INVALID;
        variable.kept = SharedVariable.INVALID;
        variable.acquiringVersion = -1;
        if (bytes != null)
        {
            try
            {
                content = variable.deserialize(bytes);
            }
            catch (final IllegalArgumentException ex)
            {
                failDecode(variable, request, ex);
                content = variable.declaration.defaultValue;
            }
        }
        else if (content == SharedVariable.INVALID)
        {
            if (version != 0)
            {
                outbox.log(DsmLog.Level.WARN, null, "node " + nodeId + ": took ownership of '" + variable.name() +
                    "' at version " + version + " without the value; using the declared default");
            }
            content = variable.declaration.defaultValue;
        }
        variable.install(content);
        variable.version = version;
        variable.epoch = epoch;
        variable.owner = nodeId;
        variable.access = SharedVariable.WRITE;
        outbox.event(ClusterEvent.ownership(variable.name(), nodeId));
        variable.suspended = SharedVariable.INVALID;
        variable.released = SharedVariable.INVALID;
        abandonPrepared(variable);
        if (readers.size > 0)
        {
            copysets.put(variable.id, readers);
            variable.hasReaders = true;
        }
        else
        {
            copysets.remove(variable.id);
            variable.hasReaders = false;
        }
        ownedOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(nodeId).variableId(variable.id).epoch(epoch).version(version);
        outbox.send(COORDINATOR, wire.out(), Wire.length(ownedOut.encodedLength()));
        if (request != null)
        {
            variable.reserved++;
            if (!request.complete())
            {
                variable.reserved--;
            }
        }
    }

    private void failDecode(final SharedVariable variable, final Request request, final Exception ex)
    {
        final String message = "cannot decode the value of '" + variable.name() + "' (declared as " +
            variable.declaration.type.getName() + " by " + variable.declaration.declaredBy + "): " + ex.getMessage();
        outbox.log(DsmLog.Level.ERROR, "decode-" + variable.name(), "node " + nodeId + ": " + message);
        if (request != null)
        {
            request.completeExceptionally(ErrorCode.BAD_REQUEST.value(), message);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Answers from the coordinator
    // ---------------------------------------------------------------------------------------------------------------

    private void onRegistered(final RegisteredDecoder registered)
    {
        final Request request = requests.get(registered.correlationId());
        final int variableId = registered.variableId();
        final int owner = registered.owner();
        final long epoch = registered.epoch();
        registered.skipName();
        if (request == null || request.variable == null)
        {
            return;
        }
        final SharedVariable variable = request.variable;
        if (variable.id != 0 && variable.id != variableId && variables.get(variable.id) == variable)
        {
            // Learnt from an answer that overtook this message (adoptOrRefuse) and wrong: the directory's id wins.
            variables.remove(variable.id);
        }
        variable.id = variableId;
        if (variable.access != SharedVariable.WRITE)
        {
            variable.owner = owner;
            variable.epoch = epoch;
        }
        variables.put(variableId, variable);
        request.waitingFor = owner == COORDINATOR || request.kind != Request.Kind.READ ? describe(COORDINATOR) :
            describe(owner);
    }

    private void onAck(final AckDecoder ack)
    {
        final Request request = requests.remove(ack.correlationId());
        if (request == null)
        {
            return;
        }
        if (request.kind == Request.Kind.RELEASE && ack.flags() == 1)
        {
            // The coordinator holds the value now: no hand-over can come here for it any more.
            request.variable.released = SharedVariable.INVALID;
        }
        if (request.kind == Request.Kind.CHECKPOINT && ack.flags() != 1)
        {
            // The directory no longer counts this node as the owner: it was evicted while the write waited, or a
            // hand-over it took part in was broken by an eviction and the directory grants again from its copy.
            request.refused = true;
            request.result = request.what + " failed: " + describe(COORDINATOR) + " no longer counts node " + nodeId +
                " as its owner (epoch " + request.variable.epoch + ") and did not take the value, so the write did not " +
                "take effect and this node dropped it (an eviction, or a hand-over broken by one)";
            request.complete();
            return;
        }
        request.complete();
    }

    private void onError(final ErrorDecoder error)
    {
        final long correlationId = error.correlationId();
        final ErrorCode code = error.code();
        final String text = error.text();
        final Request request = requests.remove(correlationId);
        if (request == null)
        {
            outbox.log(DsmLog.Level.WARN, "node-coordinator-error", "node " + nodeId + ": the coordinator reported: " +
                text);
            return;
        }
        if (code == ErrorCode.DELETED && request.variable != null)
        {
            // The variable was deleted: forget its id; a read or write registers it again, as a new variable.
            variables.remove(request.variable.id);
            request.variable.id = 0;
            request.variable.owner = COORDINATOR;
            if ((request.kind == Request.Kind.READ || request.kind == Request.Kind.ACQUIRE) && !request.retried)
            {
                request.retried = true;
                onCommand(request, 0);
                return;
            }
        }
        request.completeExceptionally(code == null || code == ErrorCode.NULL_VAL ? 0 : code.value(), text);
    }

    private void onListReply(final ListReplyDecoder reply)
    {
        final Request request = requests.remove(reply.correlationId());
        final boolean more = reply.more() != 0;
        final List<VariableInfo> page = new ArrayList<>();
        for (final ListReplyDecoder.VariablesDecoder v : reply.variables())
        {
            final int owner = v.owner();
            final long version = v.version();
            final int replicas = v.replicas();
            final int valueBytes = v.valueBytes();
            page.add(new VariableInfo(v.name(), v.valueType(), owner, version, replicas, valueBytes));
        }
        if (request != null)
        {
            request.result = new Object[] {page, more};
            request.complete();
        }
    }

    private void onMetadata(final MetadataDecoder metadata) throws MalformedMessageException
    {
        final MetadataEvent change = metadata.change();
        final int owner = metadata.owner();
        final long version = metadata.version();
        final String name = metadata.name();
        final String type = metadata.valueType();
        if (change == MetadataEvent.DELETED)
        {
            directory.remove(name);
        }
        else if (change == MetadataEvent.CREATED || change == MetadataEvent.OWNER)
        {
            directory.put(name, new VariableInfo(name, type, owner, version, -1, -1));
        }
        else
        {
            throw new MalformedMessageException("Metadata of '" + name + "' has unknown change " + change);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------------------------------

    /** @return invalidations this node sent to readers (its writes, and its hand-overs). */
    long invalidationsSent()
    {
        return invalidationsSent;
    }

    /** @return invalidations of this node's replicas it received. */
    long invalidationsReceived()
    {
        return invalidationsReceived;
    }

    /** @return writes this node sent to readers in update or push mode (prepares and updates). */
    long updatesSent()
    {
        return updatesSent;
    }

    /** @return times this node handed write access over to another node. */
    long transfersOut()
    {
        return transfersOut;
    }

    /** A member, for messages that name it. */
    private static final class Member
    {
        final int id;
        final long pid;
        final String description;

        Member(final int id, final long pid, final String description)
        {
            this.id = id;
            this.pid = pid;
            this.description = description;
        }

        @Override
        public String toString()
        {
            return "node " + id + " (" + description + ")";
        }
    }

    /** The readers of a variable this node owns, and the bytes of its current version, kept while readers read. */
    static final class Copyset
    {
        int[] nodes = new int[4];
        ReadMode[] modes = new ReadMode[4];
        int size;
        private byte[] bytes;
        private long bytesVersion = -1;
        private Object bytesContent;

        void add(final int node, final ReadMode mode)
        {
            for (int i = 0; i < size; i++)
            {
                if (nodes[i] == node)
                {
                    modes[i] = mode;
                    return;
                }
            }
            if (size == nodes.length)
            {
                nodes = java.util.Arrays.copyOf(nodes, size * 2);
                modes = java.util.Arrays.copyOf(modes, size * 2);
            }
            nodes[size] = node;
            modes[size] = mode;
            size++;
        }

        void remove(final int node)
        {
            for (int i = 0; i < size; i++)
            {
                if (nodes[i] == node)
                {
                    size--;
                    nodes[i] = nodes[size];
                    modes[i] = modes[size];
                    return;
                }
            }
        }

        /** A reader answered a write: an invalidated one is no reader any more (marked, removed when it ends). */
        void answered(final int node)
        {
            for (int i = 0; i < size; i++)
            {
                if (nodes[i] == node && modes[i] == ReadMode.INVALIDATE)
                {
                    modes[i] = null;
                }
            }
        }

        void removeInvalidated()
        {
            for (int i = size - 1; i >= 0; i--)
            {
                if (modes[i] == null)
                {
                    size--;
                    nodes[i] = nodes[size];
                    modes[i] = modes[size];
                }
            }
        }

        /** @return the serialized current value, kept between reads of the same version. */
        byte[] bytesOf(final SharedVariable variable)
        {
            final Object content = variable.current();
            if (bytes == null || bytesVersion != variable.version || bytesContent != content)
            {
                bytes = variable.serialize(content);
                bytesVersion = variable.version;
                bytesContent = content;
            }
            return bytes;
        }
    }

    /** A write of this node (or a hand-over) waiting for its readers' answers. */
    static final class PendingWrite
    {
        final long writeId;
        final SharedVariable variable;
        final Request request;
        final long version;
        final IntHashSet awaiting = new IntHashSet();
        Object content;
        byte[] bytes;
        HandOver handOver;

        PendingWrite(final long writeId, final SharedVariable variable, final Request request, final long version)
        {
            this.writeId = writeId;
            this.variable = variable;
            this.request = request;
            this.version = version;
        }
    }

    /** Where ownership goes once the readers are invalidated. */
    static final class HandOver
    {
        final int newOwner;
        final long correlationId;
        final long epoch;
        final long requesterVersion;
        final Object content;

        HandOver(final int newOwner, final long correlationId, final long epoch, final long requesterVersion,
            final Object content)
        {
            this.newOwner = newOwner;
            this.correlationId = correlationId;
            this.epoch = epoch;
            this.requesterVersion = requesterVersion;
            this.content = content;
        }
    }

    /** A two-phase update received and not committed yet, and the reads waiting for it. */
    static final class Prepared
    {
        final long writeId;
        final long version;
        final Object content;
        final List<Request> readers = new ArrayList<>(1);

        Prepared(final long writeId, final long version, final Object content)
        {
            this.writeId = writeId;
            this.version = version;
            this.content = content;
        }
    }
}
