package io.dsm.coordinator;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.Doorbell;
import io.dsm.transport.DsmCounter;
import io.dsm.wire.ChunkDecoder;
import io.dsm.wire.HeartbeatAckDecoder;
import io.dsm.wire.HelloDecoder;
import io.dsm.wire.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The directory as an Aeron Cluster service: the {@link DirectoryStateMachine}, unchanged, driven by the cluster's log.
 * Every member of the cluster applies the same messages at the same log timestamps, so every member computes the same
 * state; the leader's replies reach the nodes (a follower's {@link ClientSession#offer} sends nothing).
 * <ul>
 * <li><b>Input.</b> A node's message arrives as a session message; the log's timestamp (nanoseconds: the cluster runs
 * a {@code NanosecondClusterClock}) is the state machine's time. A cluster timer feeds {@link
 * DirectoryStateMachine#onTick} every {@link #TICK_INTERVAL_NS}.</li>
 * <li><b>Identity from the session.</b> The node id a message claims (its {@code sender} field) must be the id bound
 * to the session it came on; the binding is made when the directory welcomes a {@code Hello} on that session. Any
 * other message is dropped and counted, never applied: a client cannot speak for another node by writing its id.</li>
 * <li><b>Output.</b> A reply to node N is offered on N's session, through the {@link Egress}: in order per node, one
 * longer than the session takes in one as {@link Chunks}; what a session does not take waits, copied, and goes at the
 * next log event; the service never waits on one session for more than {@link Egress#SPIN_BUDGET_NS}, so a node
 * that went away does not hold up the others. A session that takes nothing for {@link Egress#STALL_NS} loses what
 * waits (logged); the node's requests time out.</li>
 * <li><b>Snapshot.</b> The service's own bindings followed by {@link DirectoryStateMachine#snapshot}, in fragments
 * of at most the snapshot publication's payload; {@link #onStart} reads them back and {@link
 * DirectoryStateMachine#restore}s.</li>
 * </ul>
 */
public final class DirectoryService implements ClusteredService, DirectoryMXBean
{
    /** How often the state machine's timers run (evictions, request deadlines), in cluster time. */
    static final long TICK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How soon the next tick comes while messages wait for a node's session (the leader only). */
    static final long EGRESS_TICK_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How often the state machine's timers run when no request is in flight (evictions only), at most. */
    static final long IDLE_TICK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long TICK_TIMER_ID = 1;
    /** How long a directory just started waits for its first node before it counts as idle. */
    static final long FIRST_JOIN_GRACE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int SNAPSHOT_MAGIC = 0x53_64_73_63; // "csds": this service's part of a snapshot
    private static final int SNAPSHOT_VERSION = 3;

    private final long heartbeatIntervalNs;
    private final long leaseNs;
    private final long evictionNs;
    private final String doorbell;
    private final Wire wire = new Wire();
    private final SessionOutbox outbox = new SessionOutbox();
    private final Egress egress;
    private final Chunks.Assembler chunks;
    private int maxMembers = 256;
    private int maxJoinsPerSecond = 100;
    private final Int2ObjectHashMap<InetSocketAddress> doorbells = new Int2ObjectHashMap<>();
    /** Node id -> cluster session id. */
    private final Long2LongHashMap sessionOfNode = new Long2LongHashMap(-1);
    /** Cluster session id -> node id. */
    private final Long2LongHashMap nodeOfSession = new Long2LongHashMap(-1);
    private int configuredMemberId = -1;
    /** The node a session was bound to when that node left or was evicted, until the session closes. */
    private final Long2LongHashMap leftNodeOfSession = new Long2LongHashMap(-1);
    private final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(4096);
    private Cluster cluster;
    /** dsm's counters in this member's media driver, set by {@link #doBackgroundWork}; null until started. */
    private volatile EnumMap<DsmCounter, AtomicCounter> counters;
    private long nextCountersNs;
    private static final long COUNTERS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private IdleStrategy idle;
    private DirectoryStateMachine stateMachine;
    private Doorbell ringer;
    /** The session of the {@code Hello} being applied, or null. */
    private ClientSession helloSession;
    private boolean tickScheduled;
    /** When (log time) the scheduled tick is due. */
    private long tickDeadline = Long.MAX_VALUE;
    /** Members now, mirrored for the process that decides to exit when idle. */
    private volatile int memberCount;
    private volatile Cluster.Role role;
    /**
     * When ({@code System.nanoTime()} of this process) the directory last became empty of members, or a session
     * opened while it was empty; at start, a grace period ahead, so that the nodes that started it have time to join.
     */
    private volatile long emptySinceNs = System.nanoTime() + FIRST_JOIN_GRACE_NS;
    /** Bytes of the snapshot this service started from; 0 when it started from the log alone. */
    private volatile int restoredSnapshotBytes;
    /** Written by the service's thread only; volatile for readers elsewhere (status, tests). */
    private volatile long forgedMessages;
    private volatile long droppedReplies;

    /**
     * @param heartbeatIntervalNs interval nodes are told to send heartbeats at.
     * @param leaseNs             how long a node may trust its replicas after an acknowledged heartbeat.
     * @param evictionNs          silence after which a node is evicted; must exceed the lease.
     * @param doorbell            {@code host:port} nodes ring after they send to this member, or empty.
     * @param maxMessageLength    the longest message, in chunks, taken from a node.
     * @param maxEgressMessage    the longest message a node's session takes in one; a longer reply goes in chunks.
     */
    public DirectoryService(final long heartbeatIntervalNs, final long leaseNs, final long evictionNs,
        final String doorbell, final int maxMessageLength, final int maxEgressMessage)
    {
        this.chunks = new Chunks.Assembler(maxMessageLength);
        this.egress = new Egress(maxEgressMessage, this::sessionOf, new Egress.Listener()
        {
            @Override
            public void ring(final int nodeId)
            {
                ringNode(nodeId);
            }

            @Override
            public void dropped(final int nodeId, final long sessionId, final int messages, final long bytes,
                final String why)
            {
                dropReplies(nodeId, sessionId, messages, bytes, why);
            }
        }, System::nanoTime, Egress.MAX_WAITING_BYTES);
        this.doorbell = doorbell;
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        this.leaseNs = leaseNs;
        this.evictionNs = evictionNs;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        this.role = cluster.role();
        // The service's cluster may not know its member id yet at start: the one it was configured with names it.
        final String owner = "directory member " + (configuredMemberId >= 0 ? configuredMemberId : cluster.memberId()) +
            " pid " + ProcessHandle.current().pid();
        if (cluster.aeron() != null)
        {
            final EnumMap<DsmCounter, AtomicCounter> allocated = new EnumMap<>(DsmCounter.class);
            for (final DsmCounter counter : List.of(DsmCounter.DIRECTORY_MALFORMED, DsmCounter.DIRECTORY_FORGED,
                DsmCounter.DIRECTORY_UNKNOWN_SENDER, DsmCounter.DIRECTORY_REFUSED_JOINS, DsmCounter.DIRECTORY_MEMBERS))
            {
                allocated.put(counter, counter.allocate(cluster.aeron(), owner));
            }
            counters = allocated;
        }
        if (snapshotImage == null)
        {
            stateMachine = new DirectoryStateMachine(outbox, heartbeatIntervalNs, leaseNs, evictionNs,
                doorbell, cluster.time()).limits(maxMembers, maxJoinsPerSecond);
        }
        else
        {
            loadSnapshot(snapshotImage);
        }
    }

    /**
     * @param memberId the member id this service's cluster member was configured with, for its counters' labels.
     */
    void memberId(final int memberId)
    {
        configuredMemberId = memberId;
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        egress.flush();
        scheduleTick(timestamp);
        if (memberCount == 0)
        {
            // A node is connecting: not idle.
            emptySinceNs = Math.max(emptySinceNs, System.nanoTime());
        }
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        egress.flush();
        // The node itself stays a member until it leaves or falls silent for the eviction time: a session also closes
        // when a node reconnects to a new leader.
        chunks.discard(session.id());
        leftNodeOfSession.remove(session.id());
        final long node = nodeOfSession.remove(session.id());
        if (node != -1 && sessionOfNode.get(node) == session.id())
        {
            sessionOfNode.remove(node);
        }
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        egress.flush();
        scheduleTick(timestamp);
        final int template;
        final int sender;
        try
        {
            template = wire.open(buffer, offset, length);
            sender = template == HelloDecoder.TEMPLATE_ID ? 0 : wire.view().getInt(wire.bodyOffset(), ByteOrder.LITTLE_ENDIAN);
        }
        catch (final MalformedMessageException ex)
        {
            // The state machine counts and names it.
            stateMachine.onMessage(buffer, offset, length, timestamp);
            return;
        }
        if (template == HelloDecoder.TEMPLATE_ID)
        {
            helloSession = session;
            try
            {
                stateMachine.onMessage(buffer, offset, length, timestamp);
            }
            finally
            {
                helloSession = null;
            }
            mirrorMembers();
            scheduleTick(timestamp);
            return;
        }
        final long bound = nodeOfSession.get(session.id());
        if (bound == -1 && leftNodeOfSession.get(session.id()) == sender)
        {
            // Sent by a node as it left (a read it passed on, having handed its values back): not a forgery. The
            // nodes that wait on such a read ask again when they hear that the node left.
            log(DsmLog.Level.INFO, "directory-left", "directory dropped a message (template " + template +
                ") from node " + sender + ", which left");
            return;
        }
        if (bound != sender)
        {
            forgedMessages = forgedMessages + 1;
            log(DsmLog.Level.WARN, "directory-forged", "directory dropped a message (template " + template +
                ") that claims to be from node " + sender + " on cluster session " + session.id() + ", which " +
                (bound == -1 ? "no node joined on" : "belongs to node " + bound) + " (" + forgedMessages + " so far)");
            return;
        }
        if (template == ChunkDecoder.TEMPLATE_ID)
        {
            onChunk(session, timestamp, header);
            return;
        }
        stateMachine.onMessage(buffer, offset, length, timestamp);
        mirrorMembers();
        scheduleTick(timestamp); // sooner, if the message left a request in flight
    }

    private void onChunk(final ClientSession session, final long timestamp, final Header header)
    {
        final DirectBuffer whole;
        try
        {
            whole = chunks.onChunk(session.id(), wire);
            if (whole != null && wire.open(whole, 0, whole.capacity()) == ChunkDecoder.TEMPLATE_ID)
            {
                throw new MalformedMessageException("a chunked message that is itself a chunk");
            }
        }
        catch (final MalformedMessageException ex)
        {
            log(DsmLog.Level.WARN, "directory-chunk", "directory dropped a message in chunks from node " +
                nodeOfSession.get(session.id()) + " on cluster session " + session.id() + ": " + ex.getMessage());
            return;
        }
        if (whole != null)
        {
            onSessionMessage(session, timestamp, whole, 0, whole.capacity(), header);
        }
    }

    private void mirrorMembers()
    {
        final int members = stateMachine.memberCount();
        if (members == 0 && memberCount != 0)
        {
            emptySinceNs = System.nanoTime();
        }
        memberCount = members;
    }

    /** @return members of the directory now. */
    public int memberCount()
    {
        return memberCount;
    }

    /** @return when (this process's {@code System.nanoTime()}) the directory last became empty. */
    public long emptySinceNs()
    {
        return emptySinceNs;
    }

    /** Brings dsm's counters (DsmCounter) up to date, at most every {@link #COUNTERS_INTERVAL_NS}. */
    @Override
    public int doBackgroundWork(final long nowNs)
    {
        if (counters == null || stateMachine == null || nowNs - nextCountersNs < 0)
        {
            return 0;
        }
        nextCountersNs = nowNs + COUNTERS_INTERVAL_NS;
        final EnumMap<DsmCounter, AtomicCounter> current = counters;
        current.get(DsmCounter.DIRECTORY_MALFORMED).setOrdered(stateMachine.malformedMessages());
        current.get(DsmCounter.DIRECTORY_FORGED).setOrdered(forgedMessages);
        current.get(DsmCounter.DIRECTORY_UNKNOWN_SENDER).setOrdered(stateMachine.unknownSenderMessages());
        current.get(DsmCounter.DIRECTORY_REFUSED_JOINS).setOrdered(stateMachine.refusedJoins());
        current.get(DsmCounter.DIRECTORY_MEMBERS).setOrdered(stateMachine.memberCount());
        return 0;
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        egress.flush();
        if (correlationId != TICK_TIMER_ID)
        {
            return;
        }
        tickScheduled = false;
        tickDeadline = Long.MAX_VALUE;
        stateMachine.onTick(timestamp);
        mirrorMembers();
        scheduleTick(timestamp);
    }

    /**
     * Schedules the state machine's next tick: {@link #TICK_INTERVAL_NS} away while a request is in flight (its
     * deadline is enforced to that resolution), else {@link #idleTickNs()} (evictions only). Each tick is a timer
     * event in the log, which wakes the consensus module, the archive and this service: ten a second cost an idle
     * directory more than anything else. Rescheduled sooner (same timer id) when a request makes it busy.
     */
    private void scheduleTick(final long timestamp)
    {
        long due = timestamp + (stateMachine != null && stateMachine.isBusy() ? TICK_INTERVAL_NS : idleTickNs());
        if (egress.waitingNodes() > 0 && cluster.role() == Cluster.Role.LEADER)
        {
            // Messages wait for a node's session, and the service may offer only while it applies the log: the next
            // tick comes soon, so that they go on. Only the leader has them (a follower's sessions send nothing), so
            // only the leader moves its tick forward: a follower's pending tick keeps its later deadline and is
            // cancelled when it applies the leader's (timers are cancelled by id), and the state machine sees only
            // the ticks in the log, the same on every member.
            due = Math.min(due, timestamp + EGRESS_TICK_NS);
        }
        if (!tickScheduled || due < tickDeadline)
        {
            tickScheduled = true;
            tickDeadline = due;
            idle.reset();
            while (!cluster.scheduleTimer(TICK_TIMER_ID, due))
            {
                idle.idle();
            }
        }
    }

    /** @return the tick interval when no request is in flight: a quarter of the eviction time, at most 1 s. */
    private long idleTickNs()
    {
        return Math.max(TICK_INTERVAL_NS, Math.min(IDLE_TICK_INTERVAL_NS, evictionNs / 4));
    }

    private void dropReplies(final int nodeId, final long sessionId, final int messages, final long bytes,
        final String why)
    {
        droppedReplies = droppedReplies + messages;
        log(DsmLog.Level.WARN, "directory-dropped-reply", "directory dropped " + messages + " message(s), " + bytes +
            " bytes, to node " + nodeId + " on session " + sessionId + ": " + why + " (" + droppedReplies +
            " so far)");
    }

    /** @return the session node {@code nodeId}'s messages go on now, or null. */
    private ClientSession sessionOf(final int nodeId)
    {
        final long sessionId = sessionOfNode.get(nodeId);
        return sessionId == -1 ? null : cluster.getClientSession(sessionId);
    }

    private void ringNode(final int nodeId)
    {
        final InetSocketAddress bell = doorbells.get(nodeId);
        if (bell != null && ringer != null && cluster.role() == Cluster.Role.LEADER)
        {
            ringer.ring(bell);
        }
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication publication)
    {
        final ExpandableArrayBuffer buffer = snapshotBuffer;
        int at = 4; // the total length goes first
        buffer.putInt(at, SNAPSHOT_MAGIC, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        buffer.putInt(at, SNAPSHOT_VERSION, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        buffer.putByte(at++, (byte)(tickScheduled ? 1 : 0));
        buffer.putLong(at, tickDeadline, ByteOrder.LITTLE_ENDIAN);
        at += 8;
        buffer.putInt(at, sessionOfNode.size(), ByteOrder.LITTLE_ENDIAN);
        at += 4;
        for (final long node : boundNodesSorted())
        {
            buffer.putInt(at, (int)node, ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(at + 4, sessionOfNode.get(node), ByteOrder.LITTLE_ENDIAN);
            at += 12;
        }
        at = snapshotChunks(buffer, at);
        at += stateMachine.snapshot(buffer, at);
        buffer.putInt(0, at, ByteOrder.LITTLE_ENDIAN);
        final int fragment = publication.maxPayloadLength();
        for (int from = 0; from < at; from += fragment)
        {
            final int chunk = Math.min(fragment, at - from);
            idle.reset();
            long result;
            while ((result = publication.offer(buffer, from, chunk)) < 0)
            {
                if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                    result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("directory snapshot could not be written: publication result " +
                        result);
                }
                idle.idle();
            }
        }
    }

    /** Messages partly in, by session: the rest of their chunks come after the snapshot's position in the log. */
    private int snapshotChunks(final ExpandableArrayBuffer buffer, final int start)
    {
        final java.util.TreeMap<Long, byte[]> partial = new java.util.TreeMap<>();
        final Long2LongHashMap totals = new Long2LongHashMap(-1);
        final Long2LongHashMap received = new Long2LongHashMap(-1);
        chunks.forEach((session, total, bytes, in) ->
        {
            partial.put(session, bytes);
            totals.put(session, total);
            received.put(session, in);
        });
        int at = start;
        buffer.putInt(at, partial.size(), ByteOrder.LITTLE_ENDIAN);
        at += 4;
        for (final java.util.Map.Entry<Long, byte[]> e : partial.entrySet())
        {
            final long session = e.getKey();
            final int in = (int)received.get(session);
            buffer.putLong(at, session, ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(at + 8, (int)totals.get(session), ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(at + 12, in, ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(at + 16, e.getValue(), 0, in);
            at += 16 + in;
        }
        return at;
    }

    private long[] boundNodesSorted()
    {
        final long[] nodes = new long[sessionOfNode.size()];
        int n = 0;
        for (final Long2LongHashMap.KeyIterator it = sessionOfNode.keySet().iterator(); it.hasNext(); )
        {
            nodes[n++] = it.nextValue();
        }
        java.util.Arrays.sort(nodes);
        return nodes;
    }

    private void loadSnapshot(final Image image)
    {
        final ExpandableArrayBuffer buffer = snapshotBuffer;
        final int[] received = {0};
        final int[] total = {-1};
        idle.reset();
        while (total[0] < 0 || received[0] < total[0])
        {
            final int fragments = image.poll((fragment, offset, length, header) ->
            {
                buffer.putBytes(received[0], fragment, offset, length);
                received[0] += length;
                if (total[0] < 0 && received[0] >= 4)
                {
                    total[0] = buffer.getInt(0, ByteOrder.LITTLE_ENDIAN);
                }
            }, 16);
            if (fragments == 0)
            {
                if (image.isEndOfStream() || image.isClosed())
                {
                    throw new IllegalStateException("directory snapshot ended after " + received[0] + " of " +
                        total[0] + " bytes");
                }
                idle.idle();
            }
            else
            {
                idle.reset();
            }
        }
        int at = 4;
        if (buffer.getInt(at, ByteOrder.LITTLE_ENDIAN) != SNAPSHOT_MAGIC ||
            buffer.getInt(at + 4, ByteOrder.LITTLE_ENDIAN) != SNAPSHOT_VERSION)
        {
            throw new IllegalStateException("not a directory snapshot of version " + SNAPSHOT_VERSION);
        }
        at += 8;
        tickScheduled = buffer.getByte(at++) != 0;
        tickDeadline = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
        at += 8;
        final int bindings = buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        for (int i = 0; i < bindings; i++)
        {
            final int node = buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
            final long session = buffer.getLong(at + 4, ByteOrder.LITTLE_ENDIAN);
            at += 12;
            sessionOfNode.put(node, session);
            nodeOfSession.put(session, node);
        }
        final int partials = buffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
        at += 4;
        for (int i = 0; i < partials; i++)
        {
            final long session = buffer.getLong(at, ByteOrder.LITTLE_ENDIAN);
            final int whole = buffer.getInt(at + 8, ByteOrder.LITTLE_ENDIAN);
            final int in = buffer.getInt(at + 12, ByteOrder.LITTLE_ENDIAN);
            final byte[] bytes = new byte[in];
            buffer.getBytes(at + 16, bytes);
            at += 16 + in;
            chunks.restore(session, whole, bytes, in);
        }
        try
        {
            stateMachine = DirectoryStateMachine.restore(outbox, heartbeatIntervalNs, leaseNs,
                evictionNs, doorbell, new UnsafeBuffer(buffer.byteArray(), at, total[0] - at), 0, total[0] - at);
        }
        catch (final MalformedMessageException ex)
        {
            throw new IllegalStateException("directory snapshot refused: " + ex.getMessage(), ex);
        }
        stateMachine.limits(maxMembers, maxJoinsPerSecond);
        restoredSnapshotBytes = total[0];
        memberCount = stateMachine.memberCount();
    }

    /**
     * @param maxMembers        {@code dsm.max.members}.
     * @param maxJoinsPerSecond {@code dsm.max.joins.per.second}.
     */
    void limits(final int maxMembers, final int maxJoinsPerSecond)
    {
        this.maxMembers = maxMembers;
        this.maxJoinsPerSecond = maxJoinsPerSecond;
    }

    /**
     * @param keepWarm called while the service waits out a back-pressured session, to keep the process's agents
     *                 (the media driver in particular) from sleeping.
     */
    void keepWarm(final Runnable keepWarm)
    {
        egress.keepWarm(keepWarm);
    }

    /** @return bytes of the snapshot this service started from; 0 when it started from the log alone. */
    public int restoredSnapshotBytes()
    {
        return restoredSnapshotBytes;
    }

    /** @return this member's role in the cluster now (LEADER, FOLLOWER, CANDIDATE), or empty before it started. */
    public String role()
    {
        final Cluster.Role r = role;
        return r == null ? "" : r.name();
    }

    @Override
    public String getRole()
    {
        return role();
    }

    @Override
    public long getMembers()
    {
        return counter(DsmCounter.DIRECTORY_MEMBERS);
    }

    @Override
    public long getMalformedMessages()
    {
        return counter(DsmCounter.DIRECTORY_MALFORMED);
    }

    @Override
    public long getForgedMessages()
    {
        return counter(DsmCounter.DIRECTORY_FORGED);
    }

    @Override
    public long getNonMemberMessages()
    {
        return counter(DsmCounter.DIRECTORY_UNKNOWN_SENDER);
    }

    @Override
    public long getRefusedJoins()
    {
        return counter(DsmCounter.DIRECTORY_REFUSED_JOINS);
    }

    /** @return one of dsm's Aeron counters of this member (what {@link #doBackgroundWork} last set), or 0. */
    private long counter(final DsmCounter counter)
    {
        final EnumMap<DsmCounter, AtomicCounter> current = counters;
        return current == null ? 0 : current.get(counter).get();
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        if (newRole != Cluster.Role.LEADER)
        {
            egress.clear(); // a follower's sessions send nothing
        }
        if (newRole == Cluster.Role.LEADER && ringer == null)
        {
            ringer = Doorbell.open("0.0.0.0");
        }
    }

    @Override
    public void onNewLeadershipTermEvent(final long leadershipTermId, final long logPosition, final long timestamp,
        final long termBaseLogPosition, final int leaderMemberId, final int logSessionId, final TimeUnit timeUnit,
        final int appVersion)
    {
        // In the log, so every member applies it at the same point: nodes get a whole eviction time to find the new
        // leader (or the restarted directory), instead of being evicted for the time the directory was away.
        stateMachine.onNewTerm(timestamp);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        CloseHelper.quietClose(ringer);
    }

    /** @return messages dropped because their sender field was not the node bound to their session. */
    public long forgedMessages()
    {
        return forgedMessages;
    }

    /** @return messages to nodes dropped because a node's session took nothing of them for {@link Egress#STALL_NS}. */
    public long droppedReplies()
    {
        return droppedReplies;
    }

    /** @return the state machine (tests, and the directory's own status). */
    DirectoryStateMachine stateMachine()
    {
        return stateMachine;
    }

    private void log(final DsmLog.Level level, final String rateLimitKey, final String message)
    {
        if (cluster != null && cluster.role() != Cluster.Role.LEADER)
        {
            return; // one copy of each line, from the leader
        }
        if (rateLimitKey != null)
        {
            DsmLog.rateLimited(level, rateLimitKey, message);
        }
        else if (level == DsmLog.Level.WARN || level == DsmLog.Level.ERROR)
        {
            DsmLog.warn(message);
        }
        else if (level == DsmLog.Level.INFO)
        {
            DsmLog.info(message);
        }
        else
        {
            DsmLog.debug(message);
        }
    }

    private final class SessionOutbox implements DirectoryStateMachine.Outbox
    {
        @Override
        public void connect(final int nodeId, final String channel, final int streamId, final String doorbell)
        {
            if (helloSession != null)
            {
                bind(nodeId, helloSession.id());
            }
            final InetSocketAddress bell = Doorbell.parse(doorbell);
            if (bell != null)
            {
                doorbells.put(nodeId, bell);
            }
        }

        @Override
        public void disconnect(final int nodeId)
        {
            doorbells.remove(nodeId);
            egress.forget(nodeId);
            final long session = sessionOfNode.remove(nodeId);
            if (session != -1 && nodeOfSession.get(session) == nodeId)
            {
                // Only its own binding: the session may be another node's by now (a node evicted while away says
                // hello on it, is welcomed as a new node, and its old id's eviction must not unbind the new one).
                nodeOfSession.remove(session);
                leftNodeOfSession.put(session, nodeId);
            }
        }

        @Override
        public void send(final int nodeId, final DirectBuffer buffer, final int length)
        {
            final int template = length >= Wire.HEADER_LENGTH ?
                buffer.getShort(2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF : -1;
            if (template == WelcomeDecoder.TEMPLATE_ID && helloSession != null)
            {
                // A node that joined before, hello-ing again on a new session (it reconnected): replies go there now.
                bind(nodeId, helloSession.id());
            }
            if (template == WelcomeDecoder.TEMPLATE_ID || template == HeartbeatAckDecoder.TEMPLATE_ID)
            {
                egress.sendFirst(nodeId, buffer, 0, length); // ahead of a long value in chunks: the lease goes on
            }
            else
            {
                egress.send(nodeId, buffer, 0, length);
            }
        }

        @Override
        public void log(final DsmLog.Level level, final String rateLimitKey, final String message)
        {
            DirectoryService.this.log(level, rateLimitKey, message);
        }

        private void bind(final int nodeId, final long sessionId)
        {
            final long previous = sessionOfNode.put(nodeId, sessionId);
            if (previous != -1 && previous != sessionId)
            {
                nodeOfSession.remove(previous);
            }
            nodeOfSession.put(sessionId, nodeId);
            leftNodeOfSession.remove(sessionId);
        }
    }
}
