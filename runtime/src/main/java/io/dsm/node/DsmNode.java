package io.dsm.node;

import io.aeron.ConcurrentPublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.dsm.DsmException;
import io.dsm.DsmTimeoutException;
import io.dsm.VariableInfo;
import io.dsm.coordinator.CoordinatorServer;
import io.dsm.protocol.ErrorCode;
import io.dsm.protocol.HaltMode;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.MessageReader;
import io.dsm.protocol.MessageType;
import io.dsm.protocol.MessageWriter;
import io.dsm.protocol.MetadataEvent;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.AeronTransport;
import io.dsm.transport.IdleStrategies;
import io.dsm.values.ValueCodec;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A member of the cluster: the {@link Backend} that serves replica misses, write access and the explicit operations
 * over Aeron, and the {@link Agent} of this JVM's one dsm thread, which drives the transport, applies what the
 * coordinator sends (values, grants, halts), sends heartbeats and watches the lease.
 * <p>
 * Application threads send requests themselves (publications are thread-safe) and park until the dsm thread
 * completes them, or until {@code dsm.timeout.ms}. The dsm thread never blocks on a variable's lock: when an
 * application thread holds it, or holds a fresh grant it has not used yet, the message waits in the variable's
 * deferred queue and is retried on the next duty cycle, in order.
 */
public final class DsmNode implements Backend, Agent
{
    private static final long HELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final int HEARTBEAT_RING = 64;
    /** A shutdown hook must be quick: the graceful leave waits at most this long (or the timeout, if shorter). */
    private static final long LEAVE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    private final Context ctx;
    private final AeronTransport transport;
    private final Subscription subscription;
    private final ConcurrentPublication publication;
    private final String replyChannel;
    private final int replyStreamId;
    private final FragmentHandler assembler;
    private final MessageReader reader = new MessageReader();
    private final ThreadLocal<MessageWriter> writers = ThreadLocal.withInitial(MessageWriter::new);
    private final ConcurrentHashMap<Long, PendingRequest> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, VariableInfo> directory = new ConcurrentHashMap<>();
    private final java.util.HashMap<String, String> typeNames = new java.util.HashMap<>();
    private final LinkedHashSet<SharedVariable> deferredVariables = new LinkedHashSet<>();
    private final AtomicLong correlationIds = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40));
    private final long[] heartbeatSentNs = new long[HEARTBEAT_RING];
    private final String description;
    private final ValueCodec codec = ReplicaTable.codec();
    private final AtomicLong malformedMessages = new AtomicLong();

    private volatile int nodeId;
    private volatile boolean closed;
    private volatile Thread dsmThread;
    private long incarnation = ThreadLocalRandom.current().nextLong();
    private long helloCorrelationId;
    private boolean welcomed;
    private long nextHelloNs;
    private long heartbeatIntervalNs;
    private long leaseNs;
    private long leaseExpiryNs;
    private boolean leaseValid;
    private long lastContactNs;
    private long nextHeartbeatNs;
    private long heartbeatSequence;
    private AgentRunner runner;

    private DsmNode(final Context ctx)
    {
        this.ctx = ctx;
        AeronTransport.deleteStaleDirectories();
        this.transport = AeronTransport.launch(new AeronTransport.Context()
            .embeddedDriver(ctx.embeddedDriver)
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .termLength(ctx.termLength)
            .errorHandler(t -> DsmLog.rateLimited(DsmLog.Level.WARN, "node-aeron", "node transport: " + t)));
        try
        {
            this.replyStreamId = 2000 + ThreadLocalRandom.current().nextInt(1 << 30);
            this.subscription = transport.addSubscription(ctx.nodeChannel, replyStreamId);
            this.replyChannel = resolveReplyChannel(ctx.connectTimeoutNs);
            if (ctx.autostartCoordinator)
            {
                CoordinatorLauncher.ensureRunning(ctx.config, ctx.coordinatorHost, ctx.coordinatorPort);
            }
            this.publication = transport.addPublication(ctx.coordinatorChannel, CoordinatorServer.STREAM_ID);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(transport);
            throw ex;
        }
        this.assembler = new FragmentAssembler(this::onFragment);
        this.description = "pid " + ProcessHandle.current().pid() + "@" + hostName();
        // Initialise the serializer now: Chronicle registers a shutdown hook when first used, which fails if that
        // first use is the graceful leave, itself run from a shutdown hook.
        codec.toReplica(codec.encode(0L, Long.class), Long.class, Long.class, 0L, "warm-up");
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
        }
        catch (final RuntimeException ex)
        {
            node.onClose();
            throw ex;
        }
        node.runner = new AgentRunner(ctx.idleStrategy, node::onAgentError, null, node);
        AgentRunner.startOnThread(node.runner, r ->
        {
            final Thread thread = new Thread(r, "dsm-node");
            thread.setDaemon(true);
            return thread;
        });
        Runtime.getRuntime().addShutdownHook(new Thread(node::leave, "dsm-leave"));
        return node;
    }

    private String resolveReplyChannel(final long timeoutNs)
    {
        if (!ctx.nodeChannel.startsWith("aeron:udp"))
        {
            return ctx.nodeChannel;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        while (true)
        {
            transport.doWork();
            final String resolved = subscription.tryResolveChannelEndpointPort();
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

    private void join()
    {
        final long start = System.nanoTime();
        final long deadline = start + ctx.connectTimeoutNs;
        dsmThread = Thread.currentThread();
        while (!welcomed)
        {
            final long now = System.nanoTime();
            if (now - deadline > 0)
            {
                throw new DsmTimeoutException("could not join: no answer from the coordinator at " +
                    ctx.coordinatorChannel + " within " + TimeUnit.NANOSECONDS.toMillis(ctx.connectTimeoutNs) +
                    " ms" + (ctx.autostartCoordinator ? "" : " (dsm.coordinator.autostart is false: is one running?)"));
            }
            int work = transport.doWork();
            work += subscription.poll(assembler, 16);
            sayHelloIfDue(now);
            if (work == 0)
            {
                LockSupport.parkNanos(100_000);
            }
        }
        DsmLog.info("joined as node " + nodeId + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private void sayHelloIfDue(final long now)
    {
        if (now - nextHelloNs >= 0 && publication.isConnected())
        {
            nextHelloNs = now + HELLO_INTERVAL_NS;
            helloCorrelationId = correlationIds.incrementAndGet();
            final MessageWriter w = writers.get().begin(MessageType.HELLO, 0, helloCorrelationId)
                .putLong(incarnation).putInt(replyStreamId).putString(replyChannel).putString(description)
                .putByte(ctx.directory ? 1 : 0);
            publication.offer(w.buffer(), 0, w.length());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The dsm thread
    // ---------------------------------------------------------------------------------------------------------------

    @Override
    public int doWork()
    {
        final long now = System.nanoTime();
        int work = transport.doWork();
        work += subscription.poll(assembler, 32);
        if (!deferredVariables.isEmpty())
        {
            retryDeferred();
        }
        if (!welcomed)
        {
            sayHelloIfDue(now);
        }
        else if (now - nextHeartbeatNs >= 0)
        {
            nextHeartbeatNs = now + heartbeatIntervalNs;
            final long sequence = ++heartbeatSequence;
            heartbeatSentNs[(int)(sequence & (HEARTBEAT_RING - 1))] = now;
            final MessageWriter w = writers.get().begin(MessageType.HEARTBEAT, nodeId, sequence);
            publication.offer(w.buffer(), 0, w.length());
        }
        if (leaseValid && now - leaseExpiryNs > 0)
        {
            leaseValid = false;
            DsmLog.warn("node " + nodeId + ": lease expired (no heartbeat acknowledged for " +
                TimeUnit.NANOSECONDS.toMillis(now - lastContactNs) + " ms); replicas suspended");
            for (final SharedVariable variable : ReplicaTable.all())
            {
                apply(variable, new VarMessage(VarMessage.SUSPEND, 0, 0, 0, null));
            }
        }
        if (welcomed && now - lastContactNs > ctx.evictionNs)
        {
            rejoin(now);
        }
        return work;
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

    private void onAgentError(final Throwable t)
    {
        DsmLog.error("dsm node thread", t);
    }

    private void rejoin(final long now)
    {
        final List<String> lost = new ArrayList<>();
        for (final SharedVariable variable : ReplicaTable.all())
        {
            if (variable.access == SharedVariable.WRITE)
            {
                lost.add(variable.name);
            }
            apply(variable, new VarMessage(VarMessage.DROP, 0, 0, 0, null));
        }
        DsmLog.warn("node " + nodeId + " lost the coordinator for " + TimeUnit.NANOSECONDS.toMillis(now - lastContactNs) +
            " ms and joins again" + (lost.isEmpty() ? "" : "; unreplicated writes to " + lost + " are lost"));
        welcomed = false;
        incarnation = ThreadLocalRandom.current().nextLong();
        lastContactNs = now;
        nextHelloNs = now;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
    {
        try
        {
            reader.wrap(buffer, offset, length);
            final long correlationId = reader.correlationId();
            switch (reader.type())
            {
                case WELCOME:
                    onWelcome(correlationId);
                    break;
                case HEARTBEAT_ACK:
                    onHeartbeatAck(correlationId);
                    break;
                case VALUE:
                {
                    final String name = reader.getName("name");
                    final long version = reader.getLong("version");
                    onVariableMessage(name, new VarMessage(VarMessage.VALUE, correlationId, version, 0,
                        reader.getBytes("value")));
                    break;
                }
                case GRANT:
                {
                    final String name = reader.getName("name");
                    final long version = reader.getLong("version");
                    final int hasValue = reader.getByte("hasValue");
                    onVariableMessage(name, new VarMessage(VarMessage.GRANT, correlationId, version, hasValue,
                        reader.getBytes("value")));
                    break;
                }
                case UPDATE:
                {
                    final String name = reader.getName("name");
                    final long version = reader.getLong("version");
                    final byte[] value = reader.getBytes("value");
                    if (value == null)
                    {
                        throw new MalformedMessageException("UPDATE of '" + name + "' carries no value");
                    }
                    onVariableMessage(name, new VarMessage(VarMessage.UPDATE, correlationId, version, 0, value));
                    break;
                }
                case PUSHED:
                {
                    final int readers = reader.getInt("readers");
                    final PendingRequest request = pending.remove(correlationId);
                    if (request != null)
                    {
                        request.result = readers;
                        request.complete();
                    }
                    break;
                }
                case HALT:
                {
                    final String name = reader.getName("name");
                    final int mode = reader.getByte("mode");
                    if (mode != HaltMode.INVALIDATE && mode != HaltMode.DOWNGRADE && mode != HaltMode.SHARE)
                    {
                        throw new MalformedMessageException("HALT of '" + name + "' has unknown mode " + mode);
                    }
                    onVariableMessage(name, new VarMessage(VarMessage.HALT, correlationId, 0, mode, null));
                    break;
                }
                case METADATA:
                    onMetadata();
                    break;
                case LIST_REPLY:
                    onListReply(correlationId);
                    break;
                case ACK:
                {
                    final PendingRequest request = pending.remove(correlationId);
                    if (request != null)
                    {
                        request.complete();
                    }
                    break;
                }
                case ERROR:
                {
                    final int code = reader.getInt("code");
                    final String text = reader.getString("text");
                    final PendingRequest request = pending.remove(correlationId);
                    if (request != null)
                    {
                        request.completeExceptionally(code, text);
                    }
                    else
                    {
                        DsmLog.warn("node " + nodeId + ": coordinator reported: " + text);
                    }
                    break;
                }
                default:
                    throw new MalformedMessageException(reader.type() + " is not a message the coordinator sends");
            }
        }
        catch (final MalformedMessageException ex)
        {
            malformedMessages.incrementAndGet();
            DsmLog.rateLimited(DsmLog.Level.WARN, "node-malformed",
                "node " + nodeId + " dropped a malformed message of " + length + " bytes: " + ex.getMessage());
        }
    }

    private void onWelcome(final long correlationId) throws MalformedMessageException
    {
        final int id = reader.getInt("nodeId");
        final long heartbeatNs = reader.getLong("heartbeatIntervalNs");
        final long lease = reader.getLong("leaseNs");
        if (welcomed || correlationId != helloCorrelationId && helloCorrelationId != 0 && id == nodeId)
        {
            return;
        }
        if (id <= 0 || heartbeatNs <= 0 || lease <= heartbeatNs)
        {
            throw new MalformedMessageException("WELCOME has node id " + id + ", heartbeat " + heartbeatNs +
                " ns, lease " + lease + " ns");
        }
        final long now = System.nanoTime();
        nodeId = id;
        heartbeatIntervalNs = heartbeatNs;
        leaseNs = lease;
        welcomed = true;
        lastContactNs = now;
        nextHeartbeatNs = now;
        leaseExpiryNs = now;
        leaseValid = false;
    }

    private void onHeartbeatAck(final long sequence)
    {
        if (sequence <= 0 || sequence > heartbeatSequence || heartbeatSequence - sequence >= HEARTBEAT_RING)
        {
            return;
        }
        final long sentNs = heartbeatSentNs[(int)(sequence & (HEARTBEAT_RING - 1))];
        lastContactNs = System.nanoTime();
        if (sentNs + leaseNs - leaseExpiryNs > 0)
        {
            leaseExpiryNs = sentNs + leaseNs;
        }
        if (!leaseValid && leaseExpiryNs - lastContactNs > 0)
        {
            leaseValid = true;
            for (final SharedVariable variable : ReplicaTable.all())
            {
                if (variable.suspended != SharedVariable.INVALID)
                {
                    apply(variable, new VarMessage(VarMessage.RESUME, 0, 0, 0, null));
                }
            }
        }
    }

    private void onMetadata() throws MalformedMessageException
    {
        final int event = reader.getByte("event");
        final String name = reader.getName("name");
        final String type = reader.getString("type");
        final int owner = reader.getInt("owner");
        final long version = reader.getLong("version");
        if (event == MetadataEvent.DELETED)
        {
            directory.remove(name);
        }
        else if (event == MetadataEvent.CREATED || event == MetadataEvent.OWNER)
        {
            // One entry per variable of the whole cluster: share the name with an existing entry or replica,
            // and type names (few distinct ones) across entries.
            final VariableInfo previous = directory.get(name);
            final SharedVariable local = previous == null ? ReplicaTable.find(name) : null;
            final String sharedName = previous != null ? previous.name() : local != null ? local.name : name;
            final String sharedType = typeNames.computeIfAbsent(type, t -> t);
            directory.put(sharedName, new VariableInfo(sharedName, sharedType, owner, version, -1, -1));
        }
        else
        {
            throw new MalformedMessageException("METADATA of '" + name + "' has unknown event " + event);
        }
    }

    private void onListReply(final long correlationId) throws MalformedMessageException
    {
        final boolean more = reader.getByte("more") != 0;
        final int count = reader.getInt("count");
        if (count < 0)
        {
            throw new MalformedMessageException("LIST_REPLY has count " + count);
        }
        final List<VariableInfo> page = new ArrayList<>(Math.min(count, 4096));
        for (int i = 0; i < count; i++)
        {
            page.add(new VariableInfo(reader.getName("name"), reader.getString("type"), reader.getInt("owner"),
                reader.getLong("version"), reader.getInt("replicas"), reader.getInt("valueBytes")));
        }
        final PendingRequest request = pending.remove(correlationId);
        if (request != null)
        {
            request.result = new Object[] {page, more};
            request.complete();
        }
    }

    private void onVariableMessage(final String name, final VarMessage message)
    {
        final SharedVariable variable = ReplicaTable.find(name);
        if (variable == null)
        {
            if (message.kind == VarMessage.HALT)
            {
                sendHaltAck(name, message.flag, 0, null);
            }
            else if (message.kind == VarMessage.UPDATE)
            {
                sendUpdateAck(name, message.correlationId);
            }
            else
            {
                final PendingRequest request = pending.remove(message.correlationId);
                if (request != null)
                {
                    request.completeExceptionally(ErrorCode.BAD_REQUEST, "no local variable '" + name + "'");
                }
            }
            return;
        }
        apply(variable, message);
    }

    /** Applies a message to a variable now if its lock is free and nothing is queued before it, else defers it. */
    private void apply(final SharedVariable variable, final VarMessage message)
    {
        if (!variable.hasDeferred() && variable.tryLock())
        {
            try
            {
                if (process(variable, message))
                {
                    return;
                }
            }
            finally
            {
                variable.unlock();
            }
        }
        if (variable.deferred == null)
        {
            variable.deferred = new java.util.ArrayDeque<>(4);
        }
        variable.deferred.addLast(message);
        deferredVariables.add(variable);
        if (message.kind == VarMessage.HALT)
        {
            variable.haltsWaiting++;
        }
    }

    private void retryDeferred()
    {
        for (final java.util.Iterator<SharedVariable> it = deferredVariables.iterator(); it.hasNext(); )
        {
            final SharedVariable variable = it.next();
            if (!variable.tryLock())
            {
                continue;
            }
            try
            {
                while (!variable.deferred.isEmpty())
                {
                    final VarMessage message = (VarMessage)variable.deferred.peekFirst();
                    if (!process(variable, message))
                    {
                        break;
                    }
                    variable.deferred.pollFirst();
                    if (message.kind == VarMessage.HALT)
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
     * Applies one message with the variable's lock held.
     *
     * @return false when it must wait (a halt while a grant is reserved for a thread).
     */
    private boolean process(final SharedVariable variable, final VarMessage message)
    {
        switch (message.kind)
        {
            case VarMessage.VALUE:
                onValue(variable, message);
                return true;
            case VarMessage.GRANT:
                onGrant(variable, message);
                return true;
            case VarMessage.UPDATE:
                onUpdate(variable, message);
                return true;
            case VarMessage.HALT:
                if (variable.reserved > 0)
                {
                    return false;
                }
                onHalt(variable, message.flag);
                return true;
            case VarMessage.SUSPEND:
                if (variable.access == SharedVariable.READ)
                {
                    variable.value = SharedVariable.INVALID;
                    variable.access = SharedVariable.NONE;
                }
                else if (variable.access == SharedVariable.WRITE && variable.value != SharedVariable.INVALID)
                {
                    variable.suspended = variable.current();
                    variable.value = SharedVariable.INVALID;
                }
                return true;
            case VarMessage.RESUME:
                if (variable.access == SharedVariable.WRITE && variable.suspended != SharedVariable.INVALID)
                {
                    variable.install(variable.suspended);
                }
                variable.suspended = SharedVariable.INVALID;
                return true;
            case VarMessage.DROP:
                variable.value = SharedVariable.INVALID;
                variable.suspended = SharedVariable.INVALID;
                variable.access = SharedVariable.NONE;
                variable.pushing = false;
                return true;
            default:
                throw new IllegalStateException("unknown message kind " + message.kind);
        }
    }

    private void onValue(final SharedVariable variable, final VarMessage message)
    {
        final PendingRequest request = pending.remove(message.correlationId);
        final Object value;
        try
        {
            value = variable.deserialize(message.value);
        }
        catch (final IllegalArgumentException ex)
        {
            failDecode(variable, request, ex);
            return;
        }
        if (variable.access != SharedVariable.WRITE)
        {
            variable.version = message.version;
            variable.install(value);
            variable.access = SharedVariable.READ;
        }
        if (request != null)
        {
            request.result = value;
            request.complete();
        }
    }

    private void onGrant(final SharedVariable variable, final VarMessage message)
    {
        final PendingRequest request = pending.remove(message.correlationId);
        Object value = variable.current();
        if (message.flag != 0)
        {
            try
            {
                value = variable.deserialize(message.value);
            }
            catch (final IllegalArgumentException ex)
            {
                failDecode(variable, request, ex);
                sendRelease(variable.name, 0, null, false);
                return;
            }
        }
        else if (value == SharedVariable.INVALID)
        {
            value = variable.suspended;
            if (value == SharedVariable.INVALID)
            {
                value = variable.declaration.defaultValue;
                DsmLog.warn("node " + nodeId + ": granted write access to '" + variable.name +
                    "' without a value while holding no replica; using the default");
            }
        }
        variable.install(value);
        variable.suspended = SharedVariable.INVALID;
        variable.version = message.version;
        variable.access = SharedVariable.WRITE;
        variable.pushing = false;
        if (request != null)
        {
            variable.reserved++;
            if (!request.complete())
            {
                variable.reserved--;
            }
        }
    }

    /** A write pushed by the writer: install it in a valid read replica, and acknowledge it in any case. */
    private void onUpdate(final SharedVariable variable, final VarMessage message)
    {
        if (variable.access == SharedVariable.READ && variable.value != SharedVariable.INVALID &&
            message.version > variable.version)
        {
            try
            {
                variable.install(variable.deserialize(message.value));
                variable.version = message.version;
            }
            catch (final IllegalArgumentException ex)
            {
                // Serving the old value would diverge: drop the replica, the next read asks again.
                failDecode(variable, null, ex);
                variable.value = SharedVariable.INVALID;
                variable.access = SharedVariable.NONE;
            }
        }
        sendUpdateAck(variable.name, message.correlationId);
    }

    private void onHalt(final SharedVariable variable, final int mode)
    {
        byte[] bytes = null;
        if (variable.access == SharedVariable.WRITE)
        {
            final Object current = variable.value != SharedVariable.INVALID ? variable.current() : variable.suspended;
            if (current != SharedVariable.INVALID)
            {
                try
                {
                    bytes = variable.serialize(current);
                }
                catch (final DsmException ex)
                {
                    DsmLog.error("node " + nodeId + ": value of '" + variable.name + "' cannot be serialized, so " +
                        "the cluster keeps the previous version: " + ex.getMessage());
                }
            }
        }
        final long version = variable.version;
        if (mode == HaltMode.SHARE)
        {
            // Keep write access; from now on every write is pushed to the readers (SharedVariable.set).
            variable.pushing = variable.access == SharedVariable.WRITE;
            sendHaltAck(variable.name, mode, version, bytes);
            return;
        }
        variable.pushing = false;
        if (mode == HaltMode.INVALIDATE)
        {
            variable.value = SharedVariable.INVALID;
            variable.access = SharedVariable.NONE;
        }
        else if (variable.access == SharedVariable.WRITE)
        {
            if (variable.value == SharedVariable.INVALID)
            {
                variable.access = SharedVariable.NONE;
            }
            else
            {
                variable.access = SharedVariable.READ;
            }
        }
        variable.suspended = SharedVariable.INVALID;
        sendHaltAck(variable.name, mode, version, bytes);
    }

    private void failDecode(final SharedVariable variable, final PendingRequest request, final Exception ex)
    {
        final String message = "cannot decode the value of '" + variable.name + "' (declared as " +
            variable.declaration.type.getName() + " by " + variable.declaration.declaredBy + "): " + ex.getMessage();
        DsmLog.rateLimited(DsmLog.Level.ERROR, "decode-" + variable.name, "node " + nodeId + ": " + message);
        if (request != null)
        {
            request.completeExceptionally(ErrorCode.BAD_REQUEST, message);
        }
    }

    private void sendHaltAck(final String name, final int mode, final long version, final byte[] value)
    {
        final MessageWriter w = writers.get().begin(MessageType.HALT_ACK, nodeId, 0)
            .putString(name).putByte(mode).putLong(version).putBytes(value);
        send(w, "halt acknowledgement of '" + name + "'");
    }

    private void sendUpdateAck(final String name, final long updateId)
    {
        final MessageWriter w = writers.get().begin(MessageType.UPDATE_ACK, nodeId, updateId).putString(name);
        send(w, "update acknowledgement of '" + name + "'");
    }

    private void sendRelease(final String name, final long version, final byte[] value, final boolean keep)
    {
        sendRelease(name, version, value, keep, System.nanoTime() + ctx.timeoutNs);
    }

    private void sendRelease(
        final String name, final long version, final byte[] value, final boolean keep, final long deadline)
    {
        final MessageWriter w = writers.get().begin(MessageType.RELEASE, nodeId, correlationIds.incrementAndGet())
            .putString(name).putLong(version).putBytes(value).putByte(keep ? 1 : 0);
        send(w, "release of '" + name + "'", deadline);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Application threads
    // ---------------------------------------------------------------------------------------------------------------

    @Override
    public Object readMiss(final SharedVariable variable)
    {
        final long deadline = System.nanoTime() + ctx.timeoutNs;
        while (true)
        {
            final Object value = variable.current();
            if (value != SharedVariable.INVALID)
            {
                return value;
            }
            checkOpen();
            if (variable.access == SharedVariable.WRITE && variable.suspended != SharedVariable.INVALID)
            {
                awaitLease(variable, deadline, "read");
                continue;
            }
            final long correlationId = correlationIds.incrementAndGet();
            final MessageWriter w = writers.get().begin(MessageType.READ, nodeId, correlationId)
                .putString(variable.name).putString(variable.declaration.type.getName()).putLong(requestTimeoutNs())
                .putByte(ctx.updates ? 1 : 0);
            return request(w, correlationId, "read of '" + variable.name + "'", deadline).result;
        }
    }

    @Override
    public void acquireWrite(final SharedVariable variable)
    {
        checkOpen();
        final long deadline = System.nanoTime() + ctx.timeoutNs;
        final long correlationId = correlationIds.incrementAndGet();
        final MessageWriter w = writers.get().begin(MessageType.WRITE, nodeId, correlationId)
            .putString(variable.name).putString(variable.declaration.type.getName()).putLong(requestTimeoutNs());
        request(w, correlationId, "write access to '" + variable.name + "'", deadline);
    }

    @Override
    public void push(final SharedVariable variable, final Object newValue)
    {
        checkOpen();
        final byte[] bytes = variable.serialize(newValue);
        final long version = variable.version + 1;
        final long deadline = System.nanoTime() + ctx.timeoutNs;
        final long correlationId = correlationIds.incrementAndGet();
        final MessageWriter w = writers.get().begin(MessageType.PUSH, nodeId, correlationId)
            .putString(variable.name).putLong(version).putLong(requestTimeoutNs()).putBytes(bytes);
        final PendingRequest request = register(correlationId, "write of '" + variable.name + "'");
        try
        {
            send(w, request.what);
            awaitReply(request, deadline);
        }
        catch (final RuntimeException ex)
        {
            if (request.errorCode == ErrorCode.TIMEOUT)
            {
                // The coordinator stored the value and forwarded it; only some reader has not confirmed it yet.
                variable.install(newValue);
                variable.version = version;
            }
            else
            {
                pending.remove(correlationId);
                dropAfterFailedPush(variable);
            }
            throw ex;
        }
        variable.install(newValue);
        variable.version = version;
        if ((Integer)request.result == 0)
        {
            variable.pushing = false;
        }
    }

    /**
     * Whether the coordinator received a push that failed is unknown (no answer) or it refused it: give up write
     * access and the replica, so that this node cannot serve a value the cluster does not have; the next access
     * fetches the cluster's value.
     */
    private void dropAfterFailedPush(final SharedVariable variable)
    {
        variable.invalidateLocally();
        try
        {
            sendRelease(variable.name, 0, null, false);
        }
        catch (final RuntimeException ignore)
        {
            // The coordinator is unreachable: eviction ends this node's write access there.
        }
    }

    @Override
    public void init(final SharedVariable variable, final Object value)
    {
        checkOpen();
        final byte[] bytes = variable.serialize(value);
        final long deadline = System.nanoTime() + ctx.timeoutNs;
        final long correlationId = correlationIds.incrementAndGet();
        final MessageWriter w = writers.get().begin(MessageType.INIT, nodeId, correlationId)
            .putString(variable.name).putString(variable.declaration.type.getName()).putLong(requestTimeoutNs()).putBytes(bytes);
        request(w, correlationId, "initial value of '" + variable.name + "'", deadline);
    }

    @Override
    public void releaseWrite(final SharedVariable variable)
    {
        checkOpen();
        final byte[] bytes;
        final long version;
        variable.lock();
        try
        {
            if (variable.access != SharedVariable.WRITE || variable.value == SharedVariable.INVALID)
            {
                return;
            }
            bytes = variable.serialize(variable.current());
            version = variable.version;
            variable.access = SharedVariable.READ;
            variable.pushing = false;
            final long correlationId = correlationIds.incrementAndGet();
            final MessageWriter w = writers.get().begin(MessageType.RELEASE, nodeId, correlationId)
                .putString(variable.name).putLong(version).putBytes(bytes).putByte(1);
            final PendingRequest request = register(correlationId, "release of '" + variable.name + "'");
            send(w, request.what);
            awaitReply(request, System.nanoTime() + ctx.timeoutNs);
        }
        finally
        {
            variable.unlock();
        }
    }

    @Override
    public void delete(final String name)
    {
        checkOpen();
        final long correlationId = correlationIds.incrementAndGet();
        final MessageWriter w = writers.get().begin(MessageType.DELETE, nodeId, correlationId)
            .putString(name).putLong(requestTimeoutNs());
        request(w, correlationId, "delete of '" + name + "'", System.nanoTime() + ctx.timeoutNs);
        final SharedVariable variable = ReplicaTable.find(name);
        if (variable != null)
        {
            variable.lock();
            try
            {
                variable.invalidateLocally();
            }
            finally
            {
                variable.unlock();
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<VariableInfo> variables()
    {
        checkOpen();
        final List<VariableInfo> all = new ArrayList<>();
        String after = "";
        final long deadline = System.nanoTime() + ctx.timeoutNs;
        while (true)
        {
            final long correlationId = correlationIds.incrementAndGet();
            final MessageWriter w = writers.get().begin(MessageType.LIST, nodeId, correlationId).putString(after);
            final Object[] page = (Object[])request(w, correlationId, "list of variables", deadline).result;
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
        final List<VariableInfo> result = new ArrayList<>(directory.values());
        result.sort((a, b) -> a.name().compareTo(b.name()));
        return result;
    }

    @Override
    public int nodeId()
    {
        return nodeId;
    }

    /**
     * @return messages dropped because they were malformed.
     */
    public long malformedMessages()
    {
        return malformedMessages.get();
    }

    /**
     * @return the stream id this node receives on.
     */
    public int replyStreamId()
    {
        return replyStreamId;
    }

    /**
     * @return the channel this node receives on.
     */
    public String replyChannel()
    {
        return replyChannel;
    }

    private void awaitLease(final SharedVariable variable, final long deadline, final String what)
    {
        if (System.nanoTime() - deadline > 0)
        {
            throw new DsmTimeoutException(what + " of '" + variable.name + "' timed out after " +
                TimeUnit.NANOSECONDS.toMillis(ctx.timeoutNs) + " ms: node " + nodeId +
                " holds write access but its lease with the coordinator at " + ctx.coordinatorChannel + " expired");
        }
        LockSupport.parkNanos(1_000_000);
    }

    private long requestTimeoutNs()
    {
        return ctx.timeoutNs - ctx.timeoutNs / 10;
    }

    private PendingRequest register(final long correlationId, final String what)
    {
        final PendingRequest request = new PendingRequest(correlationId, what);
        pending.put(correlationId, request);
        return request;
    }

    private PendingRequest request(final MessageWriter w, final long correlationId, final String what, final long deadline)
    {
        final PendingRequest request = register(correlationId, what);
        try
        {
            send(w, what);
        }
        catch (final RuntimeException ex)
        {
            pending.remove(correlationId);
            throw ex;
        }
        return awaitReply(request, deadline);
    }

    private PendingRequest awaitReply(final PendingRequest request, final long deadline)
    {
        if (!request.await(deadline))
        {
            pending.remove(request.correlationId);
            throw new DsmTimeoutException(request.what + " timed out after " +
                TimeUnit.NANOSECONDS.toMillis(ctx.timeoutNs) + " ms: no answer from the coordinator at " +
                ctx.coordinatorChannel + " (node " + nodeId + ")");
        }
        if (request.error != null)
        {
            if (request.errorCode == ErrorCode.TIMEOUT)
            {
                throw new DsmTimeoutException(request.error);
            }
            throw new DsmException(request.error);
        }
        return request;
    }

    private void send(final MessageWriter w, final String what)
    {
        send(w, what, System.nanoTime() + ctx.timeoutNs);
    }

    private void send(final MessageWriter w, final String what, final long deadline)
    {
        final boolean onDsmThread = Thread.currentThread() == dsmThread;
        while (true)
        {
            final long result;
            try
            {
                result = publication.offer(w.buffer(), 0, w.length());
            }
            catch (final IllegalArgumentException ex)
            {
                throw new DsmException(what + " does not fit in one message (" + w.length() + " bytes, at most " +
                    publication.maxMessageLength() + "): raise dsm.term.length");
            }
            if (result > 0)
            {
                if (!onDsmThread)
                {
                    // The embedded driver's sender runs on the dsm thread: wake it if it parks, so that the
                    // message leaves now rather than when its idle strategy next looks.
                    LockSupport.unpark(dsmThread);
                }
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new DsmException(what + " failed: the publication to the coordinator is closed");
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new DsmTimeoutException(what + " timed out: the coordinator at " +
                    ctx.coordinatorChannel + " is not reachable (" + Publication.errorString(result) + ")");
            }
            if (onDsmThread)
            {
                transport.doWork();
            }
            else
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new DsmException("dsm node " + nodeId + " has left the cluster (the JVM is shutting down)");
        }
    }

    /**
     * Leaves the cluster gracefully: hands every value this node holds with write access back to the coordinator,
     * says goodbye, and stops. Runs from a shutdown hook.
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
                if (!variable.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    DsmLog.warn("node " + nodeId + " leaves while a thread still holds '" + variable.name + "'");
                    continue;
                }
                try
                {
                    if (variable.access == SharedVariable.WRITE)
                    {
                        final Object current = variable.value != SharedVariable.INVALID ?
                            variable.current() : variable.suspended;
                        if (current != SharedVariable.INVALID)
                        {
                            sendRelease(variable.name, variable.version, variable.serialize(current), false, deadline);
                        }
                    }
                    variable.value = SharedVariable.INVALID;
                    variable.access = SharedVariable.NONE;
                }
                finally
                {
                    variable.unlock();
                }
            }
            closed = true;
            final long correlationId = correlationIds.incrementAndGet();
            final PendingRequest request = register(correlationId, "leave");
            send(writers.get().begin(MessageType.LEAVE, nodeId, correlationId), "leave", deadline);
            awaitReply(request, deadline);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final RuntimeException | Error ex)
        {
            DsmLog.warn("node " + nodeId + " could not leave cleanly: " + ex);
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
        CloseHelper.quietCloseAll(publication, subscription, transport);
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

    /** A message about one variable, decoded, so that it can wait in the variable's deferred queue. */
    static final class VarMessage
    {
        static final int VALUE = 1;
        static final int GRANT = 2;
        static final int HALT = 3;
        static final int SUSPEND = 4;
        static final int RESUME = 5;
        static final int DROP = 6;
        static final int UPDATE = 7;

        final int kind;
        final long correlationId;
        final long version;
        final int flag;
        final byte[] value;

        VarMessage(final int kind, final long correlationId, final long version, final int flag, final byte[] value)
        {
            this.kind = kind;
            this.correlationId = correlationId;
            this.version = version;
            this.flag = flag;
            this.value = value;
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
        String nodeChannel;
        boolean embeddedDriver;
        String aeronDirectoryName;
        int termLength;
        long timeoutNs;
        long connectTimeoutNs;
        long evictionNs;
        boolean updates;
        boolean directory;
        IdleStrategy idleStrategy;

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
                isLoopback(ctx.coordinatorHost);
            final String nodeChannel = config.get(Configuration.NODE_CHANNEL);
            ctx.nodeChannel = nodeChannel.isEmpty() ?
                "aeron:udp?endpoint=" + config.get(Configuration.NODE_HOST) + ":0" : nodeChannel;
            ctx.embeddedDriver = !"external".equals(config.get(Configuration.DRIVER));
            final String dir = config.get(Configuration.AERON_DIR);
            ctx.aeronDirectoryName = dir.isEmpty() ? null : dir;
            ctx.termLength = (int)config.getPositiveLong(Configuration.TERM_LENGTH);
            ctx.timeoutNs = TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.TIMEOUT_MS));
            ctx.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(
                config.getPositiveLong(Configuration.CONNECT_TIMEOUT_MS));
            ctx.evictionNs = TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.EVICTION_MS));
            final String replication = config.get(Configuration.REPLICATION);
            if (!"invalidate".equals(replication) && !"update".equals(replication))
            {
                throw new IllegalArgumentException(Configuration.REPLICATION + " is '" + replication +
                    "': use invalidate or update");
            }
            ctx.updates = "update".equals(replication);
            ctx.directory = config.getBoolean(Configuration.DIRECTORY);
            ctx.idleStrategy = IdleStrategies.of(config.get(Configuration.IDLE_STRATEGY),
                config.getPositiveLong(Configuration.IDLE_MAX_PARK_NS), config.getLong(Configuration.IDLE_MAX_YIELDS),
                config.getLong(Configuration.IDLE_WARM_NS));
            DsmLog.level(config.get(Configuration.LOG_LEVEL));
            return ctx;
        }

        private static boolean isLoopback(final String host)
        {
            return host.startsWith("127.") || "localhost".equals(host);
        }
    }
}
