package io.dsm.coordinator;

import io.dsm.VariableInfo;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.wire.AckEncoder;
import io.dsm.wire.AcquireDecoder;
import io.dsm.wire.DeleteDecoder;
import io.dsm.wire.DoneDecoder;
import io.dsm.wire.ErrorCode;
import io.dsm.wire.ErrorEncoder;
import io.dsm.wire.HeartbeatAckEncoder;
import io.dsm.wire.HeartbeatDecoder;
import io.dsm.wire.HelloDecoder;
import io.dsm.wire.Intent;
import io.dsm.wire.InvalidateEncoder;
import io.dsm.wire.LeaveDecoder;
import io.dsm.wire.ListDecoder;
import io.dsm.wire.ListReplyEncoder;
import io.dsm.wire.MemberEncoder;
import io.dsm.wire.MemberEvent;
import io.dsm.wire.MetadataEncoder;
import io.dsm.wire.MetadataEvent;
import io.dsm.wire.OwnedDecoder;
import io.dsm.wire.OwnershipDecoder;
import io.dsm.wire.OwnershipEncoder;
import io.dsm.wire.ReadDecoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.RegisterDecoder;
import io.dsm.wire.RegisteredEncoder;
import io.dsm.wire.CheckpointDecoder;
import io.dsm.wire.ReleaseDecoder;
import io.dsm.wire.TransferEncoder;
import io.dsm.wire.ValueEncoder;
import io.dsm.wire.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The directory: membership, the id of every variable, and the owner of each with its epoch. It hands ownership from
 * one node to the next, one hand-over at a time per variable, and while no node owns a variable it holds the value
 * and serves reads itself (as node 0). Values otherwise travel node to node: a read goes to the owner, a write's
 * invalidations from the owner to its readers; only a hand-over of ownership comes here.
 * <p>
 * Pure: messages and the current time go in through {@link #onMessage} and {@link #onTick}; messages, connections and
 * log lines go out through the {@link Outbox}. It reads no clock, starts no thread and does no I/O, so it is tested on
 * its own and runs unchanged replicated (an Aeron Cluster service): its whole state is in {@link #snapshot}, and
 * {@link #restore} makes a directory that goes on from it.
 * <p>
 * Invariants, per variable: one owner (a node, or 0: this directory) and an epoch that grows with every hand-over;
 * while this directory owns it, its copy is current and its copyset lists the nodes holding a valid replica; at most
 * one request (a hand-over, a deletion) is in flight, and the others wait in arrival order.
 */
public final class DirectoryStateMachine
{
    /** The node id of the directory itself, as an owner. */
    public static final int DIRECTORY = 0;

    /** Where the state machine's output goes. */
    public interface Outbox
    {
        /** Opens a way to send to a node that joined: its Aeron channel and stream, and its doorbell (or empty). */
        void connect(int nodeId, String channel, int streamId, String doorbell);

        /** Closes the way to a node that left or was evicted. */
        void disconnect(int nodeId);

        /** Sends one message to a node. Must not block and must not drop it: queue when back-pressured. */
        void send(int nodeId, DirectBuffer buffer, int length);

        /**
         * Sends a small message that must not wait behind a large one (a heartbeat's acknowledgement: late, it would
         * cost the node its lease); ordered only with other urgent messages.
         */
        default void sendUrgent(final int nodeId, final DirectBuffer buffer, final int length)
        {
            send(nodeId, buffer, length);
        }

        /** A line for the log: the state machine keeps no clock, so the caller stamps it. */
        void log(DsmLog.Level level, String rateLimitKey, String message);
    }

    /** Largest ListReply body, so that a page fits in a message of the smallest term. */
    static final int LIST_PAGE_BYTES = 7 * 1024;
    private static final int MAX_HOPS = 8;
    private static final byte[] NO_BYTES = new byte[0];
    private static final long MIN_REQUEST_TIMEOUT_NS = 1_000_000L;
    private static final long MAX_REQUEST_TIMEOUT_NS = 600_000_000_000L;

    private final Outbox outbox;
    private final long heartbeatIntervalNs;
    private final long leaseNs;
    private final long evictionNs;
    private final String doorbell;
    private final Wire wire = new Wire();
    // The state (DirectorySnapshot writes and reads all of it, and nothing else is state).
    final Int2ObjectHashMap<Member> members = new Int2ObjectHashMap<>();
    final Long2ObjectHashMap<Member> membersByIncarnation = new Long2ObjectHashMap<>();
    final Int2ObjectHashMap<Variable> variables = new Int2ObjectHashMap<>();
    final TreeMap<String, Variable> variablesByName = new TreeMap<>();
    final LinkedHashSet<Variable> busy = new LinkedHashSet<>();
    int nextNodeId = 1;
    int nextVariableId = 1;
    long nextWriteId = 1;
    long malformedMessages;
    long unknownSenderMessages;
    /** Requests dropped as copies sent again (not in the snapshot: a count for this process). */
    private long duplicateRequests;
    long lastMemberLeftNs;

    private final HelloDecoder helloIn = new HelloDecoder();
    private final HeartbeatDecoder heartbeatIn = new HeartbeatDecoder();
    private final LeaveDecoder leaveIn = new LeaveDecoder();
    private final RegisterDecoder registerIn = new RegisterDecoder();
    private final AcquireDecoder acquireIn = new AcquireDecoder();
    private final OwnedDecoder ownedIn = new OwnedDecoder();
    private final OwnershipDecoder ownershipIn = new OwnershipDecoder();
    private final ReleaseDecoder releaseIn = new ReleaseDecoder();
    private final CheckpointDecoder checkpointIn = new CheckpointDecoder();
    private long checkpoints;
    private static final long JOIN_WINDOW_NS = 1_000_000_000L;
    private int maxMembers = 256;
    private int maxJoinsPerSecond = 100;
    /** The join-rate window (log time), in the snapshot so that every member refuses the same hellos. */
    long joinWindowStartNs = Long.MIN_VALUE / 2;
    int joinsInWindow;
    private long refusedJoins;
    private final DeleteDecoder deleteIn = new DeleteDecoder();
    private final ListDecoder listIn = new ListDecoder();
    private final ReadDecoder readIn = new ReadDecoder();
    private final DoneDecoder doneIn = new DoneDecoder();

    private final WelcomeEncoder welcomeOut = new WelcomeEncoder();
    private final MemberEncoder memberOut = new MemberEncoder();
    private final HeartbeatAckEncoder heartbeatAckOut = new HeartbeatAckEncoder();
    private final AckEncoder ackOut = new AckEncoder();
    private final ErrorEncoder errorOut = new ErrorEncoder();
    private final RegisteredEncoder registeredOut = new RegisteredEncoder();
    private final TransferEncoder transferOut = new TransferEncoder();
    private final OwnershipEncoder ownershipOut = new OwnershipEncoder();
    private final ValueEncoder valueOut = new ValueEncoder();
    private final ReadEncoder readOut = new ReadEncoder();
    private final InvalidateEncoder invalidateOut = new InvalidateEncoder();
    private final ListReplyEncoder listReplyOut = new ListReplyEncoder();
    private final MetadataEncoder metadataOut = new MetadataEncoder();

    /**
     * @param outbox              where output goes.
     * @param heartbeatIntervalNs interval nodes are told to send heartbeats at.
     * @param leaseNs             how long a node may trust its replicas after an acknowledged heartbeat.
     * @param evictionNs          silence after which a node is evicted; must exceed the lease.
     * @param doorbell            {@code host:port} of this directory's doorbell, told to nodes; empty for none.
     * @param nowNs               the current time.
     */
    public DirectoryStateMachine(
        final Outbox outbox,
        final long heartbeatIntervalNs,
        final long leaseNs,
        final long evictionNs,
        final String doorbell,
        final long nowNs)
    {
        if (evictionNs <= leaseNs)
        {
            throw new IllegalArgumentException("dsm.eviction.ms (" + evictionNs / 1_000_000 +
                ") must exceed dsm.lease.ms (" + leaseNs / 1_000_000 + "): a node must stop trusting its replicas " +
                "before the coordinator gives its variables to others");
        }
        if (heartbeatIntervalNs >= leaseNs)
        {
            throw new IllegalArgumentException("dsm.heartbeat.interval.ms (" + heartbeatIntervalNs / 1_000_000 +
                ") must be below dsm.lease.ms (" + leaseNs / 1_000_000 + ")");
        }
        this.outbox = outbox;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        this.leaseNs = leaseNs;
        this.evictionNs = evictionNs;
        this.doorbell = doorbell;
        this.lastMemberLeftNs = nowNs;
    }

    /**
     * A directory restored from a snapshot another one wrote ({@link #snapshot}): it answers the next input exactly as
     * that one would have. It opens a way to send to each member ({@link Outbox#connect}).
     *
     * @param outbox              where output goes.
     * @param heartbeatIntervalNs interval nodes are told to send heartbeats at.
     * @param leaseNs             how long a node may trust its replicas after an acknowledged heartbeat.
     * @param evictionNs          silence after which a node is evicted; must exceed the lease.
     * @param doorbell            {@code host:port} of this directory's doorbell, told to nodes; empty for none.
     * @param snapshot            holds the snapshot.
     * @param offset              where it starts.
     * @param length              its length.
     * @return the restored directory.
     * @throws MalformedMessageException naming what is wrong, when the bytes are not a snapshot this version wrote.
     */
    public static DirectoryStateMachine restore(final Outbox outbox, final long heartbeatIntervalNs,
        final long leaseNs, final long evictionNs, final String doorbell, final DirectBuffer snapshot,
        final int offset, final int length) throws MalformedMessageException
    {
        final DirectoryStateMachine directory =
            new DirectoryStateMachine(outbox, heartbeatIntervalNs, leaseNs, evictionNs, doorbell, 0);
        DirectorySnapshot.read(directory, snapshot, offset, length);
        for (final int id : DirectorySnapshot.sortedIds(directory.members))
        {
            final Member member = directory.members.get(id);
            outbox.connect(member.id, member.channel, member.stream, member.doorbell);
        }
        return directory;
    }

    /**
     * Writes this directory's whole state: members, variables with their values, owners, epochs, copysets and the
     * requests waiting on them, and its counters. The times in it are those of the input it took.
     *
     * @param buffer where to write; grows as needed.
     * @param offset where to start.
     * @return the snapshot's length in bytes.
     */
    public int snapshot(final ExpandableArrayBuffer buffer, final int offset)
    {
        return DirectorySnapshot.write(this, buffer, offset);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Input
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Handles one received message. A malformed message, or one from a node that is not a member, is dropped and
     * counted; it never changes the state.
     *
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     * @param nowNs  the current time.
     */
    public void onMessage(final DirectBuffer buffer, final int offset, final int length, final long nowNs)
    {
        try
        {
            final int template = wire.open(buffer, offset, length);
            final DirectBuffer in = wire.view();
            final int at = wire.bodyOffset();
            final int block = wire.blockLength();
            final int version = wire.version();
            if (template == HelloDecoder.TEMPLATE_ID)
            {
                onHello(helloIn.wrap(in, at, block, version), nowNs);
                return;
            }
            final int sender = in.getInt(at, java.nio.ByteOrder.LITTLE_ENDIAN);
            final Member member = members.get(sender);
            if (member == null)
            {
                unknownSenderMessages++;
                outbox.log(DsmLog.Level.WARN, "coordinator-unknown-sender",
                    "coordinator dropped a message (template " + template + ") from node " + sender +
                    ", which is not a member");
                return;
            }
            member.lastHeardNs = nowNs;
            switch (template)
            {
                case HeartbeatDecoder.TEMPLATE_ID:
                    heartbeatIn.wrap(in, at, block, version);
                    heartbeatAckOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(DIRECTORY).sequence(heartbeatIn.sequence());
                    outbox.sendUrgent(member.id, wire.out(), Wire.length(heartbeatAckOut.encodedLength()));
                    break;
                case RegisterDecoder.TEMPLATE_ID:
                    onRegister(member, registerIn.wrap(in, at, block, version), nowNs);
                    break;
                case AcquireDecoder.TEMPLATE_ID:
                    onAcquire(member, acquireIn.wrap(in, at, block, version), nowNs);
                    break;
                case OwnedDecoder.TEMPLATE_ID:
                    onOwned(member, ownedIn.wrap(in, at, block, version), nowNs);
                    break;
                case OwnershipDecoder.TEMPLATE_ID:
                    onOwnership(member, ownershipIn.wrap(in, at, block, version), nowNs);
                    break;
                case ReleaseDecoder.TEMPLATE_ID:
                    onRelease(member, releaseIn.wrap(in, at, block, version), nowNs);
                    break;
                case CheckpointDecoder.TEMPLATE_ID:
                    onCheckpoint(member, checkpointIn.wrap(in, at, block, version));
                    break;
                case DeleteDecoder.TEMPLATE_ID:
                    onDelete(member, deleteIn.wrap(in, at, block, version), nowNs);
                    break;
                case ReadDecoder.TEMPLATE_ID:
                    onRead(member, readIn.wrap(in, at, block, version), nowNs);
                    break;
                case DoneDecoder.TEMPLATE_ID:
                    onDone(member, doneIn.wrap(in, at, block, version), nowNs);
                    break;
                case ListDecoder.TEMPLATE_ID:
                    onList(member, listIn.wrap(in, at, block, version));
                    break;
                case LeaveDecoder.TEMPLATE_ID:
                    leaveIn.wrap(in, at, block, version);
                    ack(member.id, leaveIn.correlationId(), 0);
                    removeMember(member, "left", nowNs);
                    break;
                default:
                    throw new MalformedMessageException("template " + template + " is not a message a node sends " +
                        "to the coordinator");
            }
        }
        catch (final MalformedMessageException | RuntimeException ex)
        {
            malformedMessages++;
            outbox.log(DsmLog.Level.WARN, "coordinator-malformed",
                "coordinator dropped a malformed message of " + length + " bytes: " + ex.getMessage());
        }
    }

    /**
     * The directory starts a new term (a restart from its log, a new leader): every member's silence counts from now,
     * so that nodes get a whole eviction time to reach it rather than being evicted for the time it was away.
     *
     * @param nowNs the current time.
     */
    public void onNewTerm(final long nowNs)
    {
        for (final Member member : members.values())
        {
            if (nowNs - member.lastHeardNs > 0)
            {
                member.lastHeardNs = nowNs;
            }
        }
        // What the previous leader sent for the requests in flight may have died with it.
        resendInFlight(-1);
    }

    /**
     * Sends again what the requests in flight wait for an answer to: the invalidations of readers that have not
     * answered, the hand-over order to the previous owner, the grant to a new owner. Each is idempotent at the node
     * (an invalidated replica is invalidated again and answered; a node that no longer owns a variable ignores the
     * order; an owner confirms a grant it has again).
     *
     * @param to the node to send to, or -1 for every node.
     */
    private void resendInFlight(final int to)
    {
        for (final int id : DirectorySnapshot.sortedIds(variables))
        {
            final Variable variable = variables.get(id);
            final Request request = variable.inFlight;
            if (request == null)
            {
                continue;
            }
            if (request.stage == Stage.INVALIDATING && request.awaiting != null)
            {
                for (final int reader : request.awaiting.toArray(new Integer[0]))
                {
                    if (to == -1 || reader == to)
                    {
                        invalidateOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                            .sender(DIRECTORY).variableId(variable.id).epoch(variable.epoch).writeId(request.writeId);
                        send(reader, invalidateOut.encodedLength());
                    }
                }
            }
            else if (request.stage == Stage.AWAIT_OWNED)
            {
                if (variable.previousOwner != DIRECTORY)
                {
                    final int newOwner = request.kind == Kind.DELETE ? DIRECTORY : request.requester;
                    if (to == -1 || variable.previousOwner == to)
                    {
                        transferOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                            .sender(DIRECTORY).variableId(variable.id).epoch(variable.epoch).newOwner(newOwner)
                            .correlationId(request.correlationId).requesterVersion(request.requesterVersion);
                        send(variable.previousOwner, transferOut.encodedLength());
                    }
                }
                else if (to == -1 || request.requester == to)
                {
                    sendOwnership(variable, request, true);
                }
            }
        }
    }

    /**
     * Evicts nodes that fell silent and fails requests that waited past their deadline.
     *
     * @param nowNs the current time.
     */
    public void onTick(final long nowNs)
    {
        wire.trim();
        if (!members.isEmpty())
        {
            final List<Member> silent = new ArrayList<>();
            for (final Member member : members.values())
            {
                if (nowNs - member.lastHeardNs > evictionNs)
                {
                    silent.add(member);
                }
            }
            for (final Member member : silent)
            {
                outbox.log(DsmLog.Level.WARN, null, "coordinator evicts " + member + ": no message for " +
                    (nowNs - member.lastHeardNs) / 1_000_000 + " ms");
                removeMember(member, "evicted", nowNs);
            }
        }
        if (!busy.isEmpty())
        {
            for (final Variable variable : new ArrayList<>(busy))
            {
                expire(variable, nowNs);
                drive(variable, nowNs);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Membership
    // ---------------------------------------------------------------------------------------------------------------

    private void onHello(final HelloDecoder hello, final long nowNs) throws MalformedMessageException
    {
        final long correlationId = hello.correlationId();
        final long incarnation = hello.incarnation();
        final int stream = hello.inboxStream();
        final boolean metadata = hello.wantsMetadata() != 0;
        final long pid = hello.pid();
        final String channel = hello.inboxChannel();
        final String doorbell = hello.doorbell();
        final String description = hello.description();
        if (!channel.startsWith("aeron:"))
        {
            throw new MalformedMessageException("Hello names channel '" + channel + "', not an Aeron channel");
        }
        if (!doorbell.isEmpty() && !doorbell.matches("[0-9A-Za-z.\\-]+:[0-9]{1,5}"))
        {
            throw new MalformedMessageException("Hello names doorbell '" + doorbell + "', not host:port");
        }
        Member member = membersByIncarnation.get(incarnation);
        final boolean joined = member == null;
        if (joined && !admits(nowNs, description, pid))
        {
            return;
        }
        if (joined)
        {
            member = new Member(nextNodeId++, incarnation, pid, channel, stream, doorbell, description, metadata);
            member.joinedNs = nowNs;
            members.put(member.id, member);
            membersByIncarnation.put(incarnation, member);
            outbox.connect(member.id, channel, stream, doorbell);
            outbox.log(DsmLog.Level.INFO, null, "coordinator: " + member + " joined");
        }
        member.lastHeardNs = nowNs;
        final boolean again = !joined;
        welcomeOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(correlationId).nodeId(member.id)
            .heartbeatIntervalNs(heartbeatIntervalNs).leaseNs(leaseNs).doorbell(this.doorbell);
        send(member.id, welcomeOut.encodedLength());
        if (joined)
        {
            for (final Member other : members.values())
            {
                if (other != member)
                {
                    sendMember(member.id, MemberEvent.JOINED, other);
                    sendMember(other.id, MemberEvent.JOINED, member);
                }
            }
        }
        else if (again)
        {
            // A member saying hello again is on a new session (a restarted directory, or it reconnected): what was
            // sent to it on the old one may be lost, the member list with it (a node that asked twice, on its old
            // session and a new one, got the list on the old one and took its new id from the welcome on the new
            // one: it knew no other member). The list first, then what its requests in flight wait on.
            for (final Member other : members.values())
            {
                if (other != member)
                {
                    sendMember(member.id, MemberEvent.JOINED, other);
                }
            }
            resendInFlight(member.id);
        }
    }

    /**
     * The limits on members: at most {@link #maxMembers} at a time, and at most {@link #maxJoinsPerSecond} new ones in
     * any second of log time (a flood of hellos would otherwise make members, and publications to the addresses they
     * name). A refused hello gets no answer (answering would mean a publication to the address it names); it is
     * counted and logged, naming the limit, and the node's join times out naming the directory.
     */
    private boolean admits(final long nowNs, final String description, final long pid)
    {
        if (nowNs - joinWindowStartNs >= JOIN_WINDOW_NS)
        {
            joinWindowStartNs = nowNs;
            joinsInWindow = 0;
        }
        final String why;
        if (members.size() >= maxMembers)
        {
            why = "the directory has " + members.size() + " members, the most dsm.max.members allows";
        }
        else if (joinsInWindow >= maxJoinsPerSecond)
        {
            why = joinsInWindow + " nodes joined in the last second, the most dsm.max.joins.per.second allows";
        }
        else
        {
            joinsInWindow++;
            return true;
        }
        refusedJoins++;
        outbox.log(DsmLog.Level.WARN, "coordinator-join-refused", "coordinator refused a join (" + description +
            ", pid " + pid + "): " + why + " (" + refusedJoins + " refused so far)");
        return false;
    }

    /**
     * @param maxMembers        at most this many members at a time ({@code dsm.max.members}).
     * @param maxJoinsPerSecond at most this many new members in a second ({@code dsm.max.joins.per.second}).
     * @return this.
     */
    public DirectoryStateMachine limits(final int maxMembers, final int maxJoinsPerSecond)
    {
        this.maxMembers = maxMembers;
        this.maxJoinsPerSecond = maxJoinsPerSecond;
        return this;
    }

    /** @return whether a request is in flight or queued: its deadline needs ticks. */
    public boolean isBusy()
    {
        return !busy.isEmpty();
    }

    /** @return joins refused by the limits. */
    public long refusedJoins()
    {
        return refusedJoins;
    }

    private void sendMember(final int to, final MemberEvent event, final Member about)
    {
        memberOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).change(event).nodeId(about.id).inboxStream(about.stream).pid(about.pid)
            .joinedNs(about.joinedNs).inboxChannel(about.channel).doorbell(about.doorbell).description(about.description);
        send(to, memberOut.encodedLength());
    }

    private void removeMember(final Member member, final String why, final long nowNs)
    {
        members.remove(member.id);
        membersByIncarnation.remove(member.incarnation);
        if (members.isEmpty())
        {
            lastMemberLeftNs = nowNs;
        }
        for (final Member other : members.values())
        {
            sendMember(other.id, MemberEvent.LEFT, member);
        }
        for (final Variable variable : variables.values())
        {
            variable.copyset.remove(member.id);
            variable.queue.removeIf(r -> r.requester == member.id);
            final Request current = variable.inFlight;
            if (current != null && current.requester == member.id && current.stage != Stage.AWAIT_OWNED)
            {
                variable.inFlight = null;
                busyIfQueued(variable);
            }
            if (current != null && current.stage == Stage.INVALIDATING)
            {
                current.awaiting.remove(member.id);
            }
            final boolean handOverBroken = current != null && current.stage == Stage.AWAIT_OWNED &&
                (current.requester == member.id || variable.previousOwner == member.id);
            if (variable.owner == member.id || handOverBroken)
            {
                // What the node wrote since it took ownership is lost: the variable is back at this copy.
                if (variable.owner == member.id && variable.version > 0 || handOverBroken)
                {
                    outbox.log(DsmLog.Level.WARN, null, "coordinator: " + member + " " + why + " while owning '" +
                        variable.name + "'; its writes after its last checkpoint are lost (dsm.durability): the " +
                        "variable is back at version " + variable.version);
                }
                variable.owner = DIRECTORY;
                variable.epoch++;
                // The owner's copyset is lost with it: any member may hold a replica it served, so the next write
                // invalidates every member first.
                variable.copyset.clear();
                for (final Member other : members.values())
                {
                    variable.copyset.put(other.id, ReadMode.INVALIDATE);
                }
                if (handOverBroken)
                {
                    final Request broken = variable.inFlight;
                    variable.inFlight = null;
                    if (broken.requester != member.id)
                    {
                        // Serve it again, from this copy, with the value: the requester may have taken the old
                        // owner's hand-over and written since, so the version it named says nothing any more.
                        broken.requesterVersion = -1;
                        broken.stage = Stage.QUEUED;
                        variable.queue.addFirst(broken);
                    }
                }
                broadcastMetadata(MetadataEvent.OWNER, variable);
                busyIfQueued(variable);
            }
        }
        outbox.disconnect(member.id);
        outbox.log(DsmLog.Level.INFO, null, "coordinator: " + member + " " + why);
        for (final Variable variable : new ArrayList<>(busy))
        {
            drive(variable, nowNs);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Variables
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @return whether a request is new from this member; a copy of one already taken is dropped and counted.
     */
    private boolean fresh(final Member member, final long correlationId)
    {
        if (correlationId <= member.lastRequestId)
        {
            duplicateRequests++;
            return false;
        }
        member.lastRequestId = correlationId;
        return true;
    }

    /** @return requests dropped as copies of ones already taken (sent again to a new leader). */
    public long duplicateRequests()
    {
        return duplicateRequests;
    }

    private void onRegister(final Member member, final RegisterDecoder register, final long nowNs)
        throws MalformedMessageException
    {
        final long correlationId = register.correlationId();
        final Intent intent = register.intent();
        final ReadMode mode = register.mode();
        final long timeoutNs = register.timeoutNs();
        final String name = register.name();
        final String type = register.valueType();
        final int valueLength = register.valueLength();
        final byte[] value = wire.bytes(valueLength);
        register.getValue(value, 0, valueLength);
        if (name.isEmpty() || intent == Intent.NULL_VAL || mode == ReadMode.NULL_VAL)
        {
            throw new MalformedMessageException("Register of '" + name + "' with intent " + intent + ", mode " + mode);
        }
        if (!fresh(member, correlationId))
        {
            return;
        }
        Variable variable = variablesByName.get(name);
        if (variable == null)
        {
            variable = new Variable(nextVariableId++, name, type.isEmpty() ? null : type);
            variables.put(variable.id, variable);
            variablesByName.put(name, variable);
            broadcastMetadata(MetadataEvent.CREATED, variable);
        }
        if (!type.isEmpty() && variable.type != null && !variable.type.equals(type))
        {
            error(member.id, correlationId, ErrorCode.TYPE_MISMATCH, "variable '" + name + "' is shared as " +
                variable.type + " but " + member + " declares it as " + type);
            return;
        }
        if (variable.type == null && !type.isEmpty())
        {
            variable.type = type;
        }
        registeredOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(correlationId).variableId(variable.id).owner(variable.owner)
            .epoch(variable.epoch).name(name);
        send(member.id, registeredOut.encodedLength());
        final long deadline = nowNs + clamp(timeoutNs);
        switch (intent)
        {
            case READ:
                enqueue(variable, new Request(Kind.READ, member.id, correlationId, mode, -1, null, 0, deadline), nowNs);
                break;
            case WRITE:
                enqueue(variable, new Request(Kind.ACQUIRE, member.id, correlationId, mode, -1, null, 0, deadline),
                    nowNs);
                break;
            case INIT:
                if (valueLength == 0)
                {
                    throw new MalformedMessageException("Register of '" + name + "' to initialise it carries no value");
                }
                enqueue(variable, new Request(Kind.INIT, member.id, correlationId, mode, -1, value, 0, deadline),
                    nowNs);
                break;
            default:
                break;
        }
    }

    private void onRead(final Member member, final ReadDecoder read, final long nowNs) throws MalformedMessageException
    {
        final Variable variable = variables.get(read.variableId());
        final int requester = read.requester() == 0 ? member.id : read.requester();
        if (variable == null)
        {
            error(requester, read.correlationId(), ErrorCode.DELETED, "variable " + read.variableId() +
                " does not exist (deleted)");
            return;
        }
        if (read.mode() == ReadMode.NULL_VAL || !members.containsKey(requester))
        {
            throw new MalformedMessageException("Read of '" + variable.name + "' for node " + requester);
        }
        enqueue(variable, new Request(Kind.READ, requester, read.correlationId(), read.mode(), -1, null,
            read.hops(), nowNs + clamp(MAX_REQUEST_TIMEOUT_NS)), nowNs);
    }

    private void onAcquire(final Member member, final AcquireDecoder acquire, final long nowNs)
    {
        if (!fresh(member, acquire.correlationId()))
        {
            return;
        }
        final Variable variable = variables.get(acquire.variableId());
        if (variable == null)
        {
            error(member.id, acquire.correlationId(), ErrorCode.DELETED, "variable " + acquire.variableId() +
                " does not exist (deleted)");
            return;
        }
        enqueue(variable, new Request(Kind.ACQUIRE, member.id, acquire.correlationId(), ReadMode.INVALIDATE,
            acquire.version(), null, 0, nowNs + clamp(acquire.timeoutNs())), nowNs);
    }

    private void onDelete(final Member member, final DeleteDecoder delete, final long nowNs)
    {
        final long correlationId = delete.correlationId();
        if (!fresh(member, correlationId))
        {
            return;
        }
        final long timeoutNs = delete.timeoutNs();
        final String name = delete.name();
        final Variable variable = variablesByName.get(name);
        if (variable == null)
        {
            ack(member.id, correlationId, 0);
            return;
        }
        enqueue(variable, new Request(Kind.DELETE, member.id, correlationId, ReadMode.INVALIDATE, -1, null, 0,
            nowNs + clamp(timeoutNs)), nowNs);
    }

    private void onOwned(final Member member, final OwnedDecoder owned, final long nowNs)
    {
        final Variable variable = variables.get(owned.variableId());
        if (variable == null)
        {
            return;
        }
        final Request current = variable.inFlight;
        if (current != null && current.stage == Stage.AWAIT_OWNED && variable.owner == member.id &&
            owned.epoch() == variable.epoch)
        {
            // The version stays that of the value held here: a grant without the value, or a checkpoint that says
            // it is held, compares with it, so it never runs ahead of the bytes (which would make a later checkpoint
            // of that version look held when it was not, and an eviction fall back to older bytes at a newer version).
            variable.inFlight = null;
            variable.previousOwner = DIRECTORY;
            broadcastMetadata(MetadataEvent.OWNER, variable);
            drive(variable, nowNs);
        }
        else if (variable.owner != member.id || owned.epoch() != variable.epoch)
        {
            outbox.log(DsmLog.Level.WARN, "coordinator-stale-owned", "coordinator: " + member + " took '" +
                variable.name + "' at epoch " + owned.epoch() + " but the owner is node " + variable.owner +
                " at epoch " + variable.epoch);
        }
    }

    /** The owner handed a variable to this directory (for a deletion). */
    private void onOwnership(final Member member, final OwnershipDecoder ownership, final long nowNs)
        throws MalformedMessageException
    {
        final Variable variable = variables.get(ownership.variableId());
        if (variable == null)
        {
            return;
        }
        final Request current = variable.inFlight;
        if (current == null || current.kind != Kind.DELETE || current.stage != Stage.AWAIT_OWNED ||
            ownership.epoch() != variable.epoch)
        {
            return;
        }
        for (final OwnershipDecoder.ReadersDecoder reader : ownership.readers())
        {
            variable.copyset.put(reader.node(), reader.mode());
        }
        variable.owner = DIRECTORY;
        variable.previousOwner = DIRECTORY;
        current.stage = Stage.QUEUED;
        drive(variable, nowNs);
    }

    private void onRelease(final Member member, final ReleaseDecoder release, final long nowNs)
        throws MalformedMessageException
    {
        final long correlationId = release.correlationId();
        final Variable variable = variables.get(release.variableId());
        if (variable != null && variable.owner == member.id && release.epoch() == variable.epoch &&
            variable.inFlight == null)
        {
            variable.owner = DIRECTORY;
            variable.copyset.clear();
            for (final ReleaseDecoder.ReadersDecoder reader : release.readers())
            {
                if (members.containsKey(reader.node()))
                {
                    variable.copyset.put(reader.node(), reader.mode());
                }
            }
            final long version = release.version();
            final boolean keep = release.keepReplica() != 0;
            if (release.hasValue() != 0)
            {
                final byte[] value = wire.bytes(release.valueLength());
                release.getValue(value, 0, value.length);
                variable.value = value;
                variable.version = version;
            }
            else
            {
                release.skipValue();
            }
            if (keep)
            {
                variable.copyset.put(member.id, ReadMode.INVALIDATE);
            }
            broadcastMetadata(MetadataEvent.OWNER, variable);
            ack(member.id, correlationId, 1);
        }
        else
        {
            // Not the owner any more, or a hand-over is under way: the node hands the value over when told to.
            ack(member.id, correlationId, 0);
        }
        if (variable != null)
        {
            drive(variable, nowNs);
        }
    }

    /**
     * The owner's value, kept so that its crash does not take the writes it returned with it
     * ({@code dsm.durability}). Taken only from the owner, under the epoch it owns by, and only when newer than what
     * is held; answered (when asked) with flags 1 if held, 0 if stale.
     */
    private void onCheckpoint(final Member member, final CheckpointDecoder checkpoint)
    {
        final long correlationId = checkpoint.correlationId();
        final Variable variable = variables.get(checkpoint.variableId());
        final boolean owner = variable != null && !variable.deleted && (variable.owner == member.id &&
            checkpoint.epoch() == variable.epoch || handingOver(variable, member.id, checkpoint.epoch()));
        if (owner && checkpoint.version() > variable.version)
        {
            final byte[] value = wire.bytes(checkpoint.valueLength());
            checkpoint.getValue(value, 0, value.length);
            variable.value = value;
            variable.version = checkpoint.version();
            checkpoints++;
        }
        else
        {
            checkpoint.skipValue();
        }
        if (correlationId != 0)
        {
            // A copy of one already held (sent again to a new leader) is answered as held.
            ack(member.id, correlationId, owner && checkpoint.version() <= variable.version ? 1 : 0);
        }
    }

    /**
     * @return whether {@code nodeId} is the owner a hand-over in flight takes the variable from, and {@code epoch}
     *         the one it owned by: its checkpoint was sent before it handed the value on (a durable write holds the
     *         variable until its checkpoint is answered), so the new owner continues from it.
     */
    private static boolean handingOver(final Variable variable, final int nodeId, final long epoch)
    {
        final Request current = variable.inFlight;
        return current != null && current.stage == Stage.AWAIT_OWNED && current.kind == Kind.ACQUIRE &&
            variable.previousOwner == nodeId && epoch == variable.epoch - 1;
    }

    /** @return owner checkpoints taken ({@code dsm.durability}). */
    public long checkpoints()
    {
        return checkpoints;
    }

    private void onDone(final Member member, final DoneDecoder done, final long nowNs)
    {
        final Variable variable = variables.get(done.variableId());
        if (variable == null)
        {
            return;
        }
        final Request current = variable.inFlight;
        if (current != null && current.stage == Stage.INVALIDATING && current.writeId == done.writeId())
        {
            current.awaiting.remove(member.id);
            variable.copyset.remove(member.id);
            drive(variable, nowNs);
        }
    }

    private void onList(final Member member, final ListDecoder list)
    {
        final long correlationId = list.correlationId();
        final String after = list.after();
        final Map<String, Variable> page = after.isEmpty() ? variablesByName : variablesByName.tailMap(after, false);
        listReplyOut.wrapAndApplyHeader(wire.out(), 0, wire.header()).sender(DIRECTORY).correlationId(correlationId);
        int count = 0;
        int bytes = 0;
        boolean more = false;
        for (final Variable v : page.values())
        {
            final int entryBytes = 48 + v.name.length() * 3 + (v.type == null ? 0 : v.type.length() * 3);
            if (count > 0 && bytes + entryBytes > LIST_PAGE_BYTES || count == 65_535)
            {
                more = true;
                break;
            }
            bytes += entryBytes;
            count++;
        }
        listReplyOut.more((short)(more ? 1 : 0));
        final ListReplyEncoder.VariablesEncoder entries = listReplyOut.variablesCount(count);
        int written = 0;
        for (final Variable v : page.values())
        {
            if (written++ == count)
            {
                break;
            }
            entries.next().variableId(v.id).owner(v.owner).epoch(v.epoch).version(v.version)
                .replicas(v.owner == DIRECTORY ? v.copyset.size() : -1)
                .valueBytes(v.value == null ? -1 : v.value.length)
                .name(v.name).valueType(v.type == null ? "" : v.type);
        }
        send(member.id, listReplyOut.encodedLength());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Requests, one at a time per variable
    // ---------------------------------------------------------------------------------------------------------------

    private void enqueue(final Variable variable, final Request request, final long nowNs)
    {
        variable.queue.addLast(request);
        drive(variable, nowNs);
    }

    private void busyIfQueued(final Variable variable)
    {
        if (variable.inFlight != null || !variable.queue.isEmpty())
        {
            busy.add(variable);
        }
        else
        {
            busy.remove(variable);
        }
    }

    /** Serves the variable's requests while it can; stops at one that waits for a node. */
    private void drive(final Variable variable, final long nowNs)
    {
        while (variable.inFlight != null || !variable.queue.isEmpty())
        {
            if (variable.inFlight == null)
            {
                variable.inFlight = variable.queue.pollFirst();
            }
            if (!advance(variable, variable.inFlight, nowNs))
            {
                break;
            }
            variable.inFlight = null;
            if (variable.deleted)
            {
                failQueued(variable, ErrorCode.DELETED, "variable '" + variable.name + "' was deleted");
                break;
            }
        }
        busyIfQueued(variable);
    }

    /** @return true when the request is done, false when it waits. */
    private boolean advance(final Variable variable, final Request request, final long nowNs)
    {
        switch (request.kind)
        {
            case READ:
                return serveRead(variable, request);
            case INIT:
                if (variable.owner == DIRECTORY && variable.version == 0)
                {
                    // Nodes that read the default must drop it first: the initial value is a write.
                    if (!invalidateCopyset(variable, request, request.requester))
                    {
                        return false;
                    }
                    variable.value = request.value;
                    variable.version = 1;
                    return serveRead(variable, request);
                }
                // Already written: the node reads the current value instead.
                return serveRead(variable, request);
            case ACQUIRE:
                return handOver(variable, request, request.requester);
            case DELETE:
                if (!handOver(variable, request, DIRECTORY))
                {
                    return false;
                }
                variable.deleted = true;
                variables.remove(variable.id);
                variablesByName.remove(variable.name);
                broadcastMetadata(MetadataEvent.DELETED, variable);
                ack(request.requester, request.correlationId, 0);
                return true;
            default:
                throw new IllegalStateException("unknown request " + request.kind);
        }
    }

    /** A read: from this copy while the directory owns the variable, else forwarded to the owner. */
    private boolean serveRead(final Variable variable, final Request request)
    {
        if (variable.owner == DIRECTORY)
        {
            variable.copyset.put(request.requester, request.mode);
            valueOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                .sender(DIRECTORY).correlationId(request.correlationId).variableId(variable.id)
                .epoch(variable.epoch).version(variable.version).owner(DIRECTORY)
                .hasValue((short)(variable.value == null ? 0 : 1));
            if (variable.value == null)
            {
                valueOut.putValue(NO_BYTES, 0, 0);
            }
            else
            {
                valueOut.putValue(variable.value, 0, variable.value.length);
            }
            send(request.requester, valueOut.encodedLength());
            return true;
        }
        if (request.hops >= MAX_HOPS)
        {
            error(request.requester, request.correlationId, ErrorCode.BAD_REQUEST, "read of '" + variable.name +
                "' went round " + request.hops + " nodes without reaching its owner");
            return true;
        }
        readOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(request.correlationId).variableId(variable.id).mode(request.mode)
            .requester(request.requester).hops((short)(request.hops + 1));
        send(variable.owner, readOut.encodedLength());
        return true;
    }

    /**
     * Hands ownership to {@code to} (a node, or this directory for a deletion): invalidates this directory's copyset
     * when it owns the variable, or tells the owner to hand it over.
     *
     * @return true when done (ownership is at {@code to}), false while it waits.
     */
    private boolean handOver(final Variable variable, final Request request, final int to)
    {
        switch (request.stage)
        {
            case QUEUED:
                if (variable.owner == to && to != DIRECTORY)
                {
                    // Already the owner (a request that crossed a hand-over): confirm.
                    sendOwnership(variable, request, false);
                    return true;
                }
                if (variable.owner != DIRECTORY)
                {
                    variable.previousOwner = variable.owner;
                    variable.epoch++;
                    variable.owner = to;
                    transferOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(DIRECTORY).variableId(variable.id).epoch(variable.epoch).newOwner(to)
                        .correlationId(request.correlationId).requesterVersion(request.requesterVersion);
                    send(variable.previousOwner, transferOut.encodedLength());
                    request.stage = Stage.AWAIT_OWNED;
                    if (to == DIRECTORY)
                    {
                        // Ownership comes back here: the owner is the directory only once it arrives.
                        variable.owner = variable.previousOwner;
                    }
                    return false;
                }
                // fall through: this directory owns it; its readers but the new owner drop their replicas first
            case INVALIDATING:
                if (!invalidateCopyset(variable, request, to))
                {
                    return false;
                }
                variable.copyset.clear();
                if (to == DIRECTORY)
                {
                    return true;
                }
                variable.epoch++;
                variable.previousOwner = DIRECTORY;
                variable.owner = to;
                sendOwnership(variable, request, true);
                request.stage = Stage.AWAIT_OWNED;
                return false;
            case AWAIT_OWNED:
                // A deletion whose ownership came back here is QUEUED again by onOwnership.
                return false;
            default:
                throw new IllegalStateException("unknown stage " + request.stage);
        }
    }

    /**
     * Invalidates this directory's copyset but {@code except} (a variable it owns), once per request.
     *
     * @return true when every reader answered.
     */
    private boolean invalidateCopyset(final Variable variable, final Request request, final int except)
    {
        if (request.stage == Stage.QUEUED)
        {
            request.awaiting = new IntHashSet();
            request.writeId = nextWriteId++;
            for (final Map.Entry<Integer, ReadMode> reader : variable.copyset.entrySet())
            {
                if (reader.getKey() != except)
                {
                    request.awaiting.add(reader.getKey());
                    invalidateOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                        .sender(DIRECTORY).variableId(variable.id).epoch(variable.epoch).writeId(request.writeId);
                    send(reader.getKey(), invalidateOut.encodedLength());
                }
            }
            request.stage = Stage.INVALIDATING;
        }
        if (!request.awaiting.isEmpty())
        {
            return false;
        }
        variable.copyset.keySet().removeIf(node -> node != except);
        return true;
    }

    private void sendOwnership(final Variable variable, final Request request, final boolean withValue)
    {
        final boolean hasValue = withValue && variable.value != null && request.requesterVersion != variable.version;
        ownershipOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(request.correlationId).variableId(variable.id).epoch(variable.epoch)
            .version(variable.version).hasValue((short)(hasValue ? 1 : 0));
        ownershipOut.readersCount(0);
        if (hasValue)
        {
            ownershipOut.putValue(variable.value, 0, variable.value.length);
        }
        else
        {
            ownershipOut.putValue(NO_BYTES, 0, 0);
        }
        send(request.requester, ownershipOut.encodedLength());
    }

    /** Fails the requests that waited past their deadline, naming the node they waited for. */
    private void expire(final Variable variable, final long nowNs)
    {
        for (final Iterator<Request> it = variable.queue.iterator(); it.hasNext(); )
        {
            final Request request = it.next();
            if (nowNs - request.deadlineNs > 0)
            {
                it.remove();
                timeOut(variable, request, "waiting behind other requests on it" +
                    (variable.inFlight == null ? "" : ", the first waiting for " + waitingFor(variable)));
            }
        }
        final Request current = variable.inFlight;
        if (current != null && nowNs - current.deadlineNs > 0 && !current.timedOut)
        {
            timeOut(variable, current, "waiting for " + waitingFor(variable));
            current.timedOut = true;
            if (current.stage == Stage.INVALIDATING)
            {
                // Give up this hand-over; the readers that answered dropped their replicas already.
                variable.inFlight = null;
            }
            // A hand-over in flight (AWAIT_OWNED) may have reached the new owner: it completes, or the node it
            // waits for is evicted; either way the next request is served after it.
        }
    }

    private String waitingFor(final Variable variable)
    {
        final Request current = variable.inFlight;
        if (current == null)
        {
            return "nothing";
        }
        if (current.stage == Stage.INVALIDATING)
        {
            final StringBuilder nodes = new StringBuilder();
            current.awaiting.forEach(id ->
                nodes.append(nodes.length() == 0 ? "" : ", ").append(describe(id)));
            return nodes + " to acknowledge invalidation";
        }
        final int from = variable.previousOwner;
        return current.kind == Kind.DELETE ? describe(variable.owner) + " to hand it back" :
            describe(from) + " to hand it over to " + describe(current.requester);
    }

    private void timeOut(final Variable variable, final Request request, final String why)
    {
        final String what = request.kind == Kind.ACQUIRE ? "write access to" : request.kind == Kind.DELETE ?
            "delete of" : request.kind == Kind.INIT ? "initial value of" : "read of";
        error(request.requester, request.correlationId, ErrorCode.TIMEOUT, what + " '" + variable.name +
            "' timed out at the coordinator " + why);
    }

    private void failQueued(final Variable variable, final ErrorCode code, final String why)
    {
        for (final Request request : variable.queue)
        {
            error(request.requester, request.correlationId, code, why);
        }
        variable.queue.clear();
    }

    private String describe(final int nodeId)
    {
        if (nodeId == DIRECTORY)
        {
            return "the coordinator";
        }
        final Member member = members.get(nodeId);
        return member == null ? "node " + nodeId + " (gone)" : member.toString();
    }

    private static long clamp(final long timeoutNs)
    {
        return Math.max(MIN_REQUEST_TIMEOUT_NS, Math.min(MAX_REQUEST_TIMEOUT_NS, timeoutNs));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Output
    // ---------------------------------------------------------------------------------------------------------------

    private void send(final int nodeId, final int bodyLength)
    {
        if (members.containsKey(nodeId))
        {
            outbox.send(nodeId, wire.out(), Wire.length(bodyLength));
        }
    }

    private void ack(final int nodeId, final long correlationId, final int flags)
    {
        ackOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(correlationId).flags(flags);
        send(nodeId, ackOut.encodedLength());
    }

    private void error(final int nodeId, final long correlationId, final ErrorCode code, final String text)
    {
        errorOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
            .sender(DIRECTORY).correlationId(correlationId).code(code).text(text);
        send(nodeId, errorOut.encodedLength());
    }

    private void broadcastMetadata(final MetadataEvent event, final Variable variable)
    {
        for (final Member member : members.values())
        {
            if (member.wantsMetadata)
            {
                metadataOut.wrapAndApplyHeader(wire.out(), 0, wire.header())
                    .sender(DIRECTORY).change(event).variableId(variable.id).owner(variable.owner)
                    .version(variable.version).name(variable.name).valueType(variable.type == null ? "" : variable.type);
                send(member.id, metadataOut.encodedLength());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Inspection
    // ---------------------------------------------------------------------------------------------------------------

    /** @return how many nodes are members. */
    public int memberCount()
    {
        return members.size();
    }

    /** @return the time the last member left, or the start time when none ever joined. */
    public long lastMemberLeftNs()
    {
        return lastMemberLeftNs;
    }

    /** @return messages dropped because they were malformed. */
    public long malformedMessages()
    {
        return malformedMessages;
    }

    /** @return messages dropped because their sender was not a member. */
    public long unknownSenderMessages()
    {
        return unknownSenderMessages;
    }

    /** @return the directory's view of every variable, by name. */
    public List<VariableInfo> variables()
    {
        final List<VariableInfo> result = new ArrayList<>(variablesByName.size());
        for (final Variable v : variablesByName.values())
        {
            result.add(new VariableInfo(v.name, v.type, v.owner, v.version,
                v.owner == DIRECTORY ? v.copyset.size() : -1, v.value == null ? -1 : v.value.length));
        }
        return result;
    }

    /** @return the owner and epoch of a variable, as "owner@epoch", for tests; null when unknown. */
    String ownership(final String name)
    {
        final Variable v = variablesByName.get(name);
        return v == null ? null : v.owner + "@" + v.epoch;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------------------------------

    enum Kind
    {
        READ, INIT, ACQUIRE, DELETE
    }

    enum Stage
    {
        QUEUED, INVALIDATING, AWAIT_OWNED
    }

    static final class Request
    {
        final Kind kind;
        final int requester;
        final long correlationId;
        final ReadMode mode;
        /** The version of the requester's replica it named (-1: none, or it may have moved on since). */
        long requesterVersion;
        final byte[] value;
        final int hops;
        final long deadlineNs;
        Stage stage = Stage.QUEUED;
        IntHashSet awaiting;
        long writeId;
        boolean timedOut;

        Request(final Kind kind, final int requester, final long correlationId, final ReadMode mode,
            final long requesterVersion, final byte[] value, final int hops, final long deadlineNs)
        {
            this.kind = kind;
            this.requester = requester;
            this.correlationId = correlationId;
            this.mode = mode;
            this.requesterVersion = requesterVersion;
            this.value = value;
            this.hops = hops;
            this.deadlineNs = deadlineNs;
        }
    }

    static final class Variable
    {
        final int id;
        final String name;
        String type;
        int owner = DIRECTORY;
        int previousOwner = DIRECTORY;
        long epoch;
        long version;
        byte[] value;
        boolean deleted;
        /** While this directory owns the variable: the nodes holding a valid replica, and how each is kept current. */
        final Int2ObjectHashMap<ReadMode> copyset = new Int2ObjectHashMap<>();
        final ArrayDeque<Request> queue = new ArrayDeque<>(2);
        Request inFlight;

        Variable(final int id, final String name, final String type)
        {
            this.id = id;
            this.name = name;
            this.type = type;
        }
    }

    static final class Member
    {
        final int id;
        final long incarnation;
        final long pid;
        final String channel;
        final int stream;
        final String doorbell;
        final String description;
        final boolean wantsMetadata;
        /** When it was admitted, on the directory's clock (the cluster's: epoch nanoseconds). */
        long joinedNs;
        long lastHeardNs;
        /**
         * The highest correlation id of a request (register, acquire, delete) taken from this member. A node's
         * correlation ids only grow, so one at or below it is a copy the node sent again (to a new leader, which may
         * already have it in its log): dropped, so that a hand-over is never started twice.
         */
        long lastRequestId;

        Member(final int id, final long incarnation, final long pid, final String channel, final int stream,
            final String doorbell, final String description, final boolean wantsMetadata)
        {
            this.id = id;
            this.incarnation = incarnation;
            this.pid = pid;
            this.channel = channel;
            this.stream = stream;
            this.doorbell = doorbell;
            this.description = description;
            this.wantsMetadata = wantsMetadata;
        }

        @Override
        public String toString()
        {
            return "node " + id + " (" + description + ")";
        }
    }
}
