package io.dsm.node;

import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.dsm.DsmException;
import io.dsm.DsmTimeoutException;
import io.dsm.VariableInfo;
import io.dsm.coordinator.CoordinatorServer;
import io.dsm.coordinator.DirectoryCluster;
import io.dsm.protocol.DataPlaneMac;
import io.dsm.protocol.SharedSecret;
import io.dsm.protocol.Wire;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.AeronTransport;
import io.dsm.transport.Destination;
import io.dsm.transport.Doorbell;
import io.dsm.transport.DsmCounter;
import io.dsm.transport.IdleStrategies;
import io.dsm.transport.MessageAssembler;
import io.dsm.values.ValueCodec;
import io.dsm.wire.ErrorCode;
import io.dsm.wire.ReadMode;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A member of the cluster: the {@link Backend} that application threads call on a miss, and the {@link Agent} of this
 * JVM's one dsm thread, which drives the transport and the node's protocol ({@link NodeProtocol}).
 * <p>
 * An application thread never sends: it puts a {@link Request} on the command queue, wakes the dsm thread and waits
 * for the request to complete (at most {@code dsm.timeout.ms}). The dsm thread polls this node's inbox (one Aeron
 * subscription that the coordinator and every peer send to), hands messages and commands to the protocol, and sends
 * what the protocol says on one {@link Destination} per peer, which queues what a publication refuses rather than block
 * or drop it.
 */
public final class DsmNode implements Backend, Agent
{
    /** A shutdown hook must be quick: the graceful leave waits at most this long (or the timeout, if shorter). */
    private static final long LEAVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    /** How often dsm's counters are brought up to date (DsmCounter). */
    private static final long COUNTERS_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Context ctx;
    private final AeronTransport transport;
    private final Subscription inbox;
    private final String inboxChannel;
    private final int inboxStream;
    private final MessageAssembler assembler;
    /** With {@code dsm.secret}: authenticates what nodes send each other directly; null without. */
    private final DataPlaneMac mac;
    private final ExpandableArrayBuffer sealed = new ExpandableArrayBuffer(256);
    /** Messages from other nodes dropped because their authentication failed; in each log line about them. */
    private long unauthenticated;
    private long chunksDropped;
    /** dsm's counters in this node's media driver (DsmCounter): mirrored from the duty cycle. */
    private final AtomicCounter malformedCounter;
    private final AtomicCounter unauthenticatedCounter;
    private final AtomicCounter chunksDroppedCounter;
    private final AtomicCounter writesLostCounter;
    private long nextCountersNs;
    /** Metrics in JMX ({@code io.dsm:type=Node}). */
    private final NodeMetrics metrics;
    private volatile int nodeIdMirror;
    private volatile int membersMirror;
    private final NodeProtocol protocol;
    private final DirectoryLink coordinator;
    /** The shortest silence of the directory after which its session is opened again. */
    private static final long MIN_SILENCE_NS = TimeUnit.SECONDS.toNanos(1);
    /** Hellos unanswered this long on one session: open another (an election is over well within it). */
    private static final long JOIN_SILENCE_NS = TimeUnit.SECONDS.toNanos(3);
    private long nextSilenceCheckNs;
    private final Int2ObjectHashMap<Destination> peers = new Int2ObjectHashMap<>();
    private final ManyToOneConcurrentLinkedQueue<Request> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final ValueCodec codec = ReplicaTable.codec();
    private final FutureTask<Object> codecWarmUp;
    private final Doorbell doorbell;
    /** Whether the dsm thread sleeps on the doorbell (woken by {@link Doorbell#wakeup()}) rather than parks. */
    private final boolean sleepsOnDoorbell;

    /** When the duty cycle last handled or sent a message of its own. */
    private long lastWorkNs;
    private volatile boolean closed;
    private volatile Thread dsmThread;
    private long nowNs;
    private AgentRunner runner;

    private DsmNode(final Context ctx)
    {
        this.ctx = ctx;
        // Initialise the serializer now, on a thread of its own while this one starts Aeron and joins (each takes a
        // few hundred ms the first time, most of it loading classes): Chronicle registers a shutdown hook when first
        // used, which fails if that first use is the graceful leave, itself run from a shutdown hook. start() waits
        // for it before it returns.
        this.codecWarmUp = new FutureTask<>(() ->
            codec.toReplica(codec.encode(0L, Long.class), Long.class, Long.class, 0L, "warm-up"));
        final Thread warmUp = new Thread(codecWarmUp, "dsm-codec-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        final long startNs = System.nanoTime();
        AeronTransport.deleteStaleDirectories();
        if (ctx.autostartCoordinator)
        {
            // Before the transport: starting a coordinator can take seconds on a loaded machine, and an embedded
            // driver that is not invoked for its liveness timeout (10 s) is taken for dead by its own client.
            CoordinatorLauncher.ensureRunning(ctx.config, ctx.coordinatorHost, ctx.coordinatorPort);
        }
        final long coordinatorNs = System.nanoTime();
        this.transport = AeronTransport.launch(new AeronTransport.Context()
            .embeddedDriver(ctx.embeddedDriver)
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .termLength(ctx.termLength)
            .maxMessageLength(ctx.maxMessageLength)
            .errorHandler(t -> DsmLog.rateLimited(DsmLog.Level.WARN, "node-aeron", "node transport: " + t)));
        // The classic coordinator has no secret and answers on the inbox too: the data plane is authenticated with
        // the directory on Aeron Cluster only (docs/SECURITY.md).
        this.mac = ctx.secret == null || !ctx.clusterEngine ? null : new DataPlaneMac(ctx.secret);
        final String owner = "node pid " + ProcessHandle.current().pid();
        this.malformedCounter = DsmCounter.NODE_MALFORMED.allocate(transport.aeron(), owner);
        this.unauthenticatedCounter = DsmCounter.NODE_UNAUTHENTICATED.allocate(transport.aeron(), owner);
        this.chunksDroppedCounter = DsmCounter.NODE_CHUNKS_DROPPED.allocate(transport.aeron(), owner);
        this.writesLostCounter = DsmCounter.NODE_WRITES_LOST.allocate(transport.aeron(), owner);
        this.metrics = new NodeMetrics(() -> nodeIdMirror, () -> membersMirror, malformedCounter,
            unauthenticatedCounter, chunksDroppedCounter, writesLostCounter);
        this.assembler = new MessageAssembler(this::onInboxMessage, transport.maxMessageLength(), why ->
        {
            chunksDropped++;
            DsmLog.rateLimited(DsmLog.Level.WARN, "node-chunk", "node inbox: " + why);
        });
        try
        {
            this.inboxStream = 2000 + ThreadLocalRandom.current().nextInt(1 << 30);
            this.inbox = transport.addSubscription(ctx.nodeChannel, inboxStream, assembler);
            this.inboxChannel = resolveInboxChannel(ctx.connectTimeoutNs);
            this.coordinator = ctx.clusterEngine ?
                new ClusterDirectoryLink(transport.aeron(), transport.driverInvoker(), ctx.coordinatorEndpoints,
                    ctx.nodeHost,
                    DirectoryCluster.sessionTermLength(ctx.termLength),
                    ctx.maxMessageLength, ctx.connectTimeoutNs, ctx.secret, this::onDirectoryMessage) :
                new UdpDirectoryLink(new Destination(transport, ctx.coordinatorChannel, CoordinatorServer.STREAM_ID),
                    ctx.coordinatorChannel);
            this.doorbell = Doorbell.open(ctx.nodeHost);
            this.sleepsOnDoorbell = ctx.idle.sleepsOnDoorbell();
            DsmLog.debug("node start: coordinator found or started in " + (coordinatorNs - startNs) / 1_000_000 +
                " ms, transport started in " + (System.nanoTime() - coordinatorNs) / 1_000_000 + " ms");
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(transport);
            throw ex;
        }
        final NodeProtocol.Settings settings = new NodeProtocol.Settings();
        settings.inboxChannel = inboxChannel;
        settings.inboxStream = inboxStream;
        // Advertised only when this node sleeps on it: a node that parks polls anyway, and a ring would cost every
        // sender a system call per message for nothing.
        settings.doorbell = sleepsOnDoorbell ? doorbell.address() : "";
        settings.description = "pid " + ProcessHandle.current().pid() + "@" + hostName() +
            (ctx.role.isEmpty() ? "" : ", " + ctx.role);
        settings.pid = ProcessHandle.current().pid();
        settings.wantsMetadata = ctx.directory;
        settings.mode = ctx.mode;
        settings.timeoutNs = ctx.timeoutNs;
        settings.evictionNs = ctx.evictionNs;
        settings.directory = coordinator.describe();
        settings.checkpointLagNs = ctx.durable ? 0 : ctx.checkpointLagNs;
        this.protocol = new NodeProtocol(new Outbox(), settings, ThreadLocalRandom.current().nextLong(),
            ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50));
        metrics.traffic(protocol, () -> bytesSent, () -> bytesReceived);
        metrics.registerInBackground();
    }

    /**
     * Joins the cluster: starts the transport, starts a local coordinator if configured and none runs, says hello,
     * and starts the dsm thread.
     *
     * @param ctx what to join.
     * @return the joined node.
     * @throws DsmTimeoutException naming the coordinator when it does not answer within the connect timeout.
     */
    public static DsmNode start(final Context ctx)
    {
        final DsmNode node = new DsmNode(ctx);
        try
        {
            node.join();
            final long waitNs = System.nanoTime();
            node.awaitCodecWarmUp();
            DsmLog.debug("node start: waited " + (System.nanoTime() - waitNs) / 1_000_000 + " ms for the codec");
        }
        catch (final RuntimeException ex)
        {
            node.onClose();
            throw ex;
        }
        node.runner = new AgentRunner(ctx.idle.strategy(node.doorbell), node::onAgentError, null, node);
        AgentRunner.startOnThread(node.runner, r ->
        {
            final Thread thread = new Thread(r, "dsm-node");
            thread.setDaemon(true);
            return thread;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(node::leave, "dsm-leave"));
        return node;
    }

    private void awaitCodecWarmUp()
    {
        try
        {
            codecWarmUp.get(ctx.connectTimeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new DsmException("interrupted while the value codec started", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new DsmException("the value codec (Chronicle Wire) could not start: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new DsmTimeoutException("the value codec (Chronicle Wire) did not start within " +
                TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs) + " ms");
        }
    }

    private String resolveInboxChannel(final long timeoutNs)
    {
        if (!ctx.nodeChannel.startsWith("aeron:udp"))
        {
            return ctx.nodeChannel;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            transport.doWork();
            final String resolved = inbox.tryResolveChannelEndpointPort();
            if (resolved != null)
            {
                return resolved;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new DsmTimeoutException("could not bind a node endpoint on " + ctx.nodeChannel);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** Runs the duty cycle on the calling thread until the coordinator welcomes this node. */
    private void join()
    {
        final long start = System.nanoTime();
        final long deadline = start + ctx.connectTimeoutNs;
        dsmThread = Thread.currentThread();
        protocol.start(start);
        while (!protocol.isWelcomed())
        {
            if (coordinator.refusal() != null)
            {
                throw new DsmException("could not join: " + coordinator.refusal());
            }
            if (System.nanoTime() - deadline > 0)
            {
                final String launch = CoordinatorLauncher.lastFailure();
                throw new DsmTimeoutException("could not join: no answer from " + coordinator.describe() +
                    " within " + TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs) + " ms" +
                    (!ctx.autostartCoordinator ? " (dsm.coordinator.autostart is false: is one running?)" :
                    launch != null ? "; this JVM could not start the embedded directory: " + launch : ""));
            }
            if (doWork() == 0)
            {
                LockSupport.parkNanos(100_000);
            }
        }
        DsmLog.info("joined as node " + protocol.nodeId() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The dsm thread
    // ---------------------------------------------------------------------------------------------------------------

    @Override
    public int doWork()
    {
        return cycle();
    }

    /** One duty cycle: the transport, received messages, commands, timers, queued sends. */
    private int cycle()
    {
        nowNs = System.nanoTime();
        final int transportWork = transport.doWork();
        if (transportWork > 0)
        {
            // The driver read a datagram (one per socket per cycle) or sent one: drain the rest before sleeping.
            doorbell.pollAgain();
        }
        int work = inbox.poll(assembler, 64);
        if (nowNs - nextCountersNs >= 0)
        {
            nextCountersNs = nowNs + COUNTERS_INTERVAL_NS;
            malformedCounter.setOrdered(protocol.malformedMessages());
            unauthenticatedCounter.setOrdered(unauthenticated);
            chunksDroppedCounter.setOrdered(chunksDropped);
            writesLostCounter.setOrdered(protocol.writesLost());
            nodeIdMirror = protocol.nodeId();
            membersMirror = protocol.memberCount();
        }
        work += coordinator.poll();
        if (coordinator.reconnected())
        {
            protocol.helloAgain(nowNs);
        }
        boolean transferring = assembler.isAssembling();
        Request command;
        while ((command = commands.poll()) != null)
        {
            protocol.onCommand(command, nowNs);
            work++;
        }
        if (nowNs - nextSilenceCheckNs >= 0)
        {
            // Half a lease without an acknowledged heartbeat, or, while joining, hellos unanswered on a session for
            // JOIN_SILENCE_NS: the directory may have restarted or lost this session. (Joining again after a
            // fail-over, a node whose session had died waited for a welcome on it for good.)
            final boolean welcomed = protocol.isWelcomed();
            final long silence = welcomed ? Math.max(MIN_SILENCE_NS, protocol.leaseNs() / 2) : JOIN_SILENCE_NS;
            final long since = welcomed ? protocol.lastContactNs() :
                Math.max(protocol.lastContactNs(), coordinator.sessionOpenedNs());
            if (nowNs - since > silence)
            {
                coordinator.reconnect();
                if (ctx.autostartCoordinator && ctx.clusterEngine)
                {
                    // The embedded default: a directory that died (kill -9, a crash) is started again by its nodes,
                    // and recovers everything from its log and snapshots. Off this thread; at most one at a time.
                    // (A classic coordinator started again would be empty: it is not.)
                    CoordinatorLauncher.ensureRunningInBackground(ctx.config, ctx.coordinatorHost,
                        ctx.coordinatorPort);
                }
                nextSilenceCheckNs = nowNs + silence;
            }
        }
        protocol.onTick(nowNs);
        if (protocol.hasDeferred())
        {
            // A message waits for a variable's lock: come back soon rather than sleep.
            work++;
        }
        work += coordinator.flush();
        boolean waitingToSend = coordinator.queued() > 0;
        transferring |= coordinator.isTransferring();
        if (!peers.isEmpty())
        {
            for (final Destination peer : peers.values())
            {
                if (peer.queued() > 0)
                {
                    work += peer.flush();
                    waitingToSend |= peer.queued() > 0;
                    transferring |= peer.isSendingChunks();
                }
            }
        }
        if (transferring)
        {
            // A large message moves as fast as both ends poll (flow control): stay awake, and let the requests that
            // may wait behind it wait for it.
            protocol.onTransferProgress();
            work++;
        }
        if (waitingToSend)
        {
            // Messages wait for a publication to connect or for flow control: poll for the receiver's answer (a
            // status message, which rings no doorbell) rather than sleep.
            work++;
        }
        if (work > 0 || coordinator.hasUnrung() || anyPeerUnrung())
        {
            lastWorkNs = nowNs;
            // Put what this cycle offered on the wire now, then wake the processes it went to.
            transport.doWork();
            coordinator.ringIfSent(doorbell);
            if (!peers.isEmpty())
            {
                for (final Destination peer : peers.values())
                {
                    peer.ringIfSent(doorbell);
                }
            }
            return Math.max(work, 1);
        }
        return AeronTransport.warmWork(transportWork, nowNs - lastWorkNs);
    }

    private boolean anyPeerUnrung()
    {
        if (!peers.isEmpty())
        {
            for (final Destination peer : peers.values())
            {
                if (peer.hasUnrung())
                {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void onStart()
    {
        dsmThread = Thread.currentThread();
    }

    @Override
    public String roleName()
    {
        return "dsm-node";
    }

    /** Bytes of dsm messages sent and received, written by the node's thread only (NodeMXBean reads them). */
    private volatile long bytesSent;
    private volatile long bytesReceived;

    private void onInboxMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        bytesReceived = bytesReceived + length;
        if (mac == null)
        {
            protocol.onMessage(buffer, offset, length, nowNs);
            return;
        }
        final int opened = mac.open(buffer, offset, length, protocol.nodeId());
        if (opened < 0)
        {
            unauthenticated++;
            DsmLog.rateLimited(DsmLog.Level.WARN, "node-unauthenticated", "node " + protocol.nodeId() +
                " dropped a message of " + length + " bytes (" + unauthenticated + " so far) that claims to be from " +
                "node " + (length >= Wire.HEADER_LENGTH + 4 ? buffer.getInt(offset + Wire.HEADER_LENGTH,
                java.nio.ByteOrder.LITTLE_ENDIAN) : -1) + ": " + DataPlaneMac.reason(opened));
            return;
        }
        protocol.onMessage(buffer, offset, opened, nowNs);
    }


    /** A message on the directory cluster's egress. */
    private void onDirectoryMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        bytesReceived = bytesReceived + length;
        protocol.onMessage(buffer, offset, length, nowNs);
    }

    private void onAgentError(final Throwable t)
    {
        DsmLog.error("dsm node thread", t);
    }

    /** What the protocol sends goes out here, on the dsm thread. */
    private final class Outbox implements NodeProtocol.Outbox
    {

        @Override
        public void send(final int destination, final DirectBuffer buffer, final int length)
        {
            bytesSent = bytesSent + length;
            if (destination == NodeProtocol.COORDINATOR)
            {
                try
                {
                    coordinator.send(buffer, 0, length);
                }
                catch (final IllegalArgumentException ex)
                {
                    DsmLog.rateLimited(DsmLog.Level.ERROR, "node-too-large", "node " + protocol.nodeId() + ": " +
                        ex.getMessage());
                }
                return;
            }
            final Destination to = destination(destination);
            if (to != null)
            {
                try
                {
                    if (mac != null)
                    {
                        to.send(sealed, 0, mac.seal(buffer, 0, length, destination, false, sealed));
                        return;
                    }
                    to.send(buffer, 0, length);
                }
                catch (final IllegalArgumentException ex)
                {
                    DsmLog.rateLimited(DsmLog.Level.ERROR, "node-too-large", "node " + protocol.nodeId() + ": " +
                        ex.getMessage());
                }
            }
        }

        @Override
        public void sendFirst(final int destination, final DirectBuffer buffer, final int length)
        {
            bytesSent = bytesSent + length;
            if (destination == NodeProtocol.COORDINATOR)
            {
                coordinator.sendFirst(buffer, 0, length);
            }
            else
            {
                send(destination, buffer, length);
            }
        }

        @Override
        public void sendUrgent(final int destination, final DirectBuffer buffer, final int length)
        {
            bytesSent = bytesSent + length;
            if (destination == NodeProtocol.COORDINATOR)
            {
                coordinator.sendUrgent(buffer, 0, length);
                return;
            }
            final Destination to = destination(destination);
            if (to != null)
            {
                if (mac != null)
                {
                    to.sendUrgent(sealed, 0, mac.seal(buffer, 0, length, destination, true, sealed));
                    return;
                }
                to.sendUrgent(buffer, 0, length);
            }
        }

        private Destination destination(final int destination)
        {
            final Destination to = peers.get(destination);
            if (to == null)
            {
                DsmLog.rateLimited(DsmLog.Level.WARN, "node-no-destination", "node " + protocol.nodeId() +
                    ": no way to send to node " + destination + ", which is not a member");
            }
            return to;
        }

        @Override
        public void connect(final int nodeId, final String channel, final int streamId, final String bell)
        {
            final Destination previous = peers.put(nodeId,
                new Destination(transport, channel, streamId, Doorbell.parse(bell)));
            CloseHelper.quietClose(previous);
        }

        @Override
        public void event(final ClusterEvent event)
        {
            ClusterEvents.on(event);
        }

        @Override
        public void lease(final long expiryNs)
        {
            ReplicaTable.lease(expiryNs);
        }

        @Override
        public void welcomed(final String coordinatorDoorbell)
        {
            coordinator.doorbell(Doorbell.parse(coordinatorDoorbell));
        }

        @Override
        public void disconnect(final int nodeId)
        {
            CloseHelper.quietClose(peers.remove(nodeId));
            if (mac != null)
            {
                mac.forget(nodeId);
            }
        }

        @Override
        public void log(final DsmLog.Level level, final String rateLimitKey, final String message)
        {
            if (rateLimitKey != null)
            {
                DsmLog.rateLimited(level, rateLimitKey, message);
            }
            else if (level == DsmLog.Level.ERROR)
            {
                DsmLog.error(message);
            }
            else if (level == DsmLog.Level.WARN)
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
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Application threads
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Hands a request to the dsm thread and waits for it.
     *
     * @return the completed request.
     * @throws DsmTimeoutException when it timed out, naming whom it waited for.
     * @throws DsmException        when it failed.
     */
    private Request submit(final Request request)
    {
        checkOpen();
        commands.offer(request);
        final Thread thread = dsmThread;
        if (thread != null && thread != Thread.currentThread())
        {
            if (sleepsOnDoorbell)
            {
                doorbell.wakeup();
            }
            else
            {
                LockSupport.unpark(thread);
            }
        }
        final boolean completed = request.await();
        if (!completed)
        {
            metrics.timeout();
            throw new DsmTimeoutException(request.what + " timed out after " +
                TimeUnit.NANOSECONDS.toMillis(ctx.timeoutNs) + " ms: no answer from " + request.waitingFor +
                " (node " + protocol.nodeId() + ")");
        }
        if (request.error != null)
        {
            if (request.errorCode == ErrorCode.TIMEOUT.value())
            {
                metrics.timeout();
                throw new DsmTimeoutException(request.error);
            }
            throw new DsmException(request.error);
        }
        return request;
    }

    private long deadline()
    {
        return System.nanoTime() + ctx.timeoutNs;
    }

    @Override
    public Object readMiss(final SharedVariable variable)
    {
        final long deadline = deadline();
        while (true)
        {
            final Object value = variable.current();
            final boolean fenced = SharedVariable.leaseFencedReads && !ReplicaTable.leaseHeld();
            if (value != SharedVariable.INVALID && !fenced)
            {
                return value;
            }
            checkOpen();
            if (fenced && variable.access == SharedVariable.WRITE)
            {
                // dsm.read.fence=lease: the owner's value counts once its lease is renewed (or after it joins again).
                awaitLease(variable, deadline, "read");
                continue;
            }
            if (variable.access == SharedVariable.WRITE && variable.suspended != SharedVariable.INVALID)
            {
                awaitLease(variable, deadline, "read");
                continue;
            }
            final long missNs = System.nanoTime();
            final Object fetched = submit(new Request(Request.Kind.READ, variable, "read of '" + variable.name() + "'",
                deadline)).result;
            metrics.miss(missNs);
            return fetched;
        }
    }

    @Override
    public void acquireWrite(final SharedVariable variable)
    {
        final long deadline = deadline();
        while (true)
        {
            checkOpen();
            variable.lock();
            try
            {
                if (variable.access != SharedVariable.WRITE)
                {
                    break;
                }
                if (variable.value != SharedVariable.INVALID && variable.haltsWaiting == 0 && ReplicaTable.leaseHeld())
                {
                    // Still the owner, and nothing waits for the dsm thread: the write may go ahead here.
                    variable.reserved++;
                    return;
                }
            }
            finally
            {
                variable.unlock();
            }
            // The owner, but a hand-over or a reader's request waits for the dsm thread (or the lease is renewing):
            // let it through, then decide again.
            if (System.nanoTime() - deadline > 0)
            {
                throw new DsmTimeoutException("write access to '" + variable.name() + "' timed out after " +
                    TimeUnit.NANOSECONDS.toMillis(ctx.timeoutNs) + " ms: node " + protocol.nodeId() +
                    " owns it but " + (variable.value == SharedVariable.INVALID ? "its lease with " +
                    coordinator.describe() + " expired" : "its own dsm thread did not get to the variable"));
            }
            if (variable.value == SharedVariable.INVALID)
            {
                LockSupport.parkNanos(1_000_000);
            }
            else
            {
                Thread.yield();
            }
        }
        submit(new Request(Request.Kind.ACQUIRE, variable, "write access to '" + variable.name() + "'", deadline));
        metrics.acquisition();
    }

    @Override
    public void writeWithReaders(final SharedVariable variable, final Object content)
    {
        final Request request = new Request(Request.Kind.WRITE, variable, "write of '" + variable.name() + "'",
            deadline());
        request.content = content;
        request.bytes = variable.serialize(content);
        submit(request);
        metrics.writeWithReaders();
    }

    @Override
    public boolean durable()
    {
        return ctx.durable;
    }

    @Override
    public String checkpoint(final SharedVariable variable, final byte[] bytes, final long version)
    {
        final Request request = new Request(Request.Kind.CHECKPOINT, variable,
            "durable write of '" + variable.name() + "'", deadline());
        request.bytes = bytes;
        request.version = version;
        submit(request);
        return request.refused ? (String)request.result : null;
    }

    @Override
    public void init(final SharedVariable variable, final Object content)
    {
        final Request request = new Request(Request.Kind.INIT, variable, "initial value of '" + variable.name() + "'",
            deadline());
        request.content = content;
        request.bytes = variable.serialize(content);
        submit(request);
    }

    @Override
    public void releaseWrite(final SharedVariable variable)
    {
        variable.lock();
        try
        {
            if (variable.access != SharedVariable.WRITE || variable.value == SharedVariable.INVALID)
            {
                return;
            }
            final Request request = new Request(Request.Kind.RELEASE, variable,
                "release of '" + variable.name() + "'", deadline());
            request.keep = true;
            submit(request);
        }
        finally
        {
            variable.unlock();
        }
    }

    @Override
    public void delete(final String name)
    {
        final Request request = new Request(Request.Kind.DELETE, null, "delete of '" + name + "'", deadline());
        request.name = name;
        submit(request);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<VariableInfo> variables()
    {
        final List<VariableInfo> all = new ArrayList<>();
        String after = "";
        final long deadline = deadline();
        while (true)
        {
            final Request request = new Request(Request.Kind.LIST, null, "list of variables", deadline);
            request.name = after;
            final Object[] page = (Object[])submit(request).result;
            final List<VariableInfo> entries = (List<VariableInfo>)page[0];
            all.addAll(entries);
            if (!(Boolean)page[1] || entries.isEmpty())
            {
                return all;
            }
            after = entries.get(entries.size() - 1).name();
        }
    }

    /**
     * @return the variables this node has heard of through metadata broadcasts (creation, deletion, owner changes);
     * empty unless {@code dsm.directory} is on.
     */
    public List<VariableInfo> directory()
    {
        return protocol.directory();
    }

    @Override
    public int nodeId()
    {
        return protocol.nodeId();
    }

    /**
     * @return messages dropped because they were malformed.
     */
    public long malformedMessages()
    {
        return protocol.malformedMessages();
    }

    /**
     * @return the stream id this node receives on.
     */
    public int replyStreamId()
    {
        return inboxStream;
    }

    /**
     * @return the channel this node receives on.
     */
    public String replyChannel()
    {
        return inboxChannel;
    }

    private void awaitLease(final SharedVariable variable, final long deadline, final String what)
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new DsmTimeoutException(what + " of '" + variable.name() + "' timed out after " +
                TimeUnit.NANOSECONDS.toMillis(ctx.timeoutNs) + " ms: node " + protocol.nodeId() +
                " owns it but its lease with " + coordinator.describe() + " expired");
        }
        LockSupport.parkNanos(1_000_000);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new DsmException("dsm node " + protocol.nodeId() + " has left the cluster (the JVM is shutting down)");
        }
    }

    /**
     * Leaves the cluster gracefully: gives every variable this node owns back to the coordinator, with its value and
     * readers, says goodbye, and stops. Runs from a shutdown hook.
     */
    public void leave()
    {
        if (closed)
        {
            return;
        }
        final long deadline = System.nanoTime() + Math.min(ctx.timeoutNs, LEAVE_TIMEOUT_NS);
        try
        {
            for (final SharedVariable variable : ReplicaTable.all())
            {
                if (variable.access != SharedVariable.WRITE)
                {
                    continue;
                }
                if (!variable.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    DsmLog.warn("node " + protocol.nodeId() + " leaves while a thread still holds '" + variable.name() +
                        "'");
                    continue;
                }
                try
                {
                    if (variable.access == SharedVariable.WRITE)
                    {
                        submit(new Request(Request.Kind.RELEASE, variable, "release of '" + variable.name() + "'",
                            deadline));
                    }
                }
                finally
                {
                    variable.unlock();
                }
            }
            // A deadline of its own: the releases before it may have waited longer than theirs for a large value.
            submit(new Request(Request.Kind.LEAVE, null, "leave",
                System.nanoTime() + Math.min(ctx.timeoutNs, LEAVE_TIMEOUT_NS)));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException | Error ex)
        {
            DsmLog.warn("node " + protocol.nodeId() + " could not leave cleanly: " + ex);
        }
        finally
        {
            closed = true;
            CloseHelper.quietClose(runner);
        }
    }

    @Override
    public void onClose()
    {
        closed = true;
        metrics.unregister();
        CloseHelper.quietClose(coordinator);
        for (final Destination peer : peers.values())
        {
            CloseHelper.quietClose(peer);
        }
        CloseHelper.quietCloseAll(inbox, transport, doorbell);
    }

    private static String hostName()
    {
        try
        {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (final Exception ex)
        {
            return "localhost";
        }
    }

    /**
     * What a node needs: where the coordinator is, where to receive, timings, transport.
     */
    public static final class Context
    {
        Configuration config;
        String coordinatorChannel;
        String coordinatorHost;
        long coordinatorPort;
        boolean autostartCoordinator;
        /** The directory runs on Aeron Cluster ({@code dsm.coordinator.engine=cluster}). */
        boolean clusterEngine;
        /** The cluster's secret ({@code dsm.secret}), or null. */
        SharedSecret secret;
        /** The cluster members' ingress endpoints, {@code 0=host:port}. */
        String coordinatorEndpoints;
        String nodeChannel;
        boolean embeddedDriver;
        String aeronDirectoryName;
        int termLength;
        int maxMessageLength;
        long timeoutNs;
        long connectTimeoutNs;
        long evictionNs;
        ReadMode mode;
        /** {@code dsm.durability=durable}: a write returns once the directory holds it. */
        boolean durable;
        /** {@code dsm.durability=fast}: the longest time from a write to its checkpoint. */
        long checkpointLagNs;
        boolean directory;
        String nodeHost;
        IdleStrategies.Settings idle;
        String role = "";

        /**
         * For the command line's read-only commands: this node never starts a directory, and says what it is in its
         * description, which the other members see.
         *
         * @param command what the node is for, as {@code dsm variables}.
         * @return this context.
         */
        public Context observer(final String command)
        {
            autostartCoordinator = false;
            role = command + " (read-only)";
            return this;
        }

        /**
         * @param config the configuration to read.
         * @return a context with every value from {@code config}, checked.
         * @throws IllegalArgumentException naming a bad key.
         */
        public static Context from(final Configuration config)
        {
            final Context ctx = new Context();
            ctx.config = config;
            ctx.coordinatorHost = config.get(Configuration.COORDINATOR_HOST);
            ctx.coordinatorPort = config.getPositiveLong(Configuration.COORDINATOR_PORT);
            final String explicit = config.get(Configuration.COORDINATOR_CHANNEL);
            ctx.coordinatorChannel = explicit.isEmpty() ?
                "aeron:udp?endpoint=" + ctx.coordinatorHost + ":" + ctx.coordinatorPort : explicit;
            ctx.autostartCoordinator = explicit.isEmpty() && config.getBoolean(Configuration.COORDINATOR_AUTOSTART) &&
                isLoopback(ctx.coordinatorHost) && config.get(Configuration.COORDINATOR_MEMBERS).isBlank();
            ctx.clusterEngine = config.clusterEngine();
            final String secret = config.get(Configuration.SECRET);
            ctx.secret = secret.isEmpty() ? null : new SharedSecret(secret);
            ctx.coordinatorEndpoints = DirectoryCluster.ingressEndpoints(config.coordinatorMembers());
            final String nodeChannel = config.get(Configuration.NODE_CHANNEL);
            ctx.nodeChannel = nodeChannel.isEmpty() ?
                "aeron:udp?endpoint=" + config.get(Configuration.NODE_HOST) + ":0" : nodeChannel;
            ctx.embeddedDriver = !"external".equals(config.get(Configuration.DRIVER));
            final String dir = config.get(Configuration.AERON_DIR);
            ctx.aeronDirectoryName = dir.isEmpty() ? null : dir;
            ctx.termLength = (int)config.getPositiveLong(Configuration.TERM_LENGTH);
            ctx.maxMessageLength = config.maxMessageLength();
            ctx.timeoutNs = TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.TIMEOUT_MS));
            ctx.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
                config.getPositiveLong(Configuration.CONNECT_TIMEOUT_MS));
            ctx.evictionNs = TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.EVICTION_MS));
            ctx.mode = replicationMode(config.get(Configuration.REPLICATION));
            ctx.durable = durable(config.get(Configuration.DURABILITY));
            ctx.checkpointLagNs = TimeUnit.MILLISECONDS.toNanos(
                config.getPositiveLong(Configuration.DURABILITY_MAX_LAG_MS));
            ctx.directory = config.getBoolean(Configuration.DIRECTORY);
            ctx.nodeHost = config.get(Configuration.NODE_HOST);
            ctx.idle = CoordinatorServer.idleSettings(config);
            DsmLog.level(config.get(Configuration.LOG_LEVEL));
            return ctx;
        }

        /**
         * @param durability the value of {@code dsm.durability}.
         * @return whether writes wait for the directory.
         * @throws IllegalArgumentException naming the key and the values it takes.
         */
        static boolean durable(final String durability)
        {
            switch (durability)
            {
                case "fast":
                    return false;
                case "durable":
                    return true;
                default:
                    throw new IllegalArgumentException(Configuration.DURABILITY + " is '" + durability +
                        "': use fast or durable");
            }
        }

        /**
         * @param replication the value of {@code dsm.replication}.
         * @return how this node's replicas are kept current.
         * @throws IllegalArgumentException naming the key and the values it takes.
         */
        static ReadMode replicationMode(final String replication)
        {
            switch (replication)
            {
                case "invalidate":
                    return ReadMode.INVALIDATE;
                case "update":
                    return ReadMode.UPDATE;
                case "push":
                    return ReadMode.PUSH;
                default:
                    throw new IllegalArgumentException(Configuration.REPLICATION + " is '" + replication +
                        "': use invalidate, update or push");
            }
        }

        private static boolean isLoopback(final String host)
        {
            return host.startsWith("127.") || "localhost".equals(host);
        }
    }
}
