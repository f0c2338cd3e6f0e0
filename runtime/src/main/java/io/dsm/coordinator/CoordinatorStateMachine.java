package io.dsm.coordinator;

import io.dsm.VariableInfo;
import io.dsm.protocol.ErrorCode;
import io.dsm.protocol.HaltMode;
import io.dsm.protocol.Header;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.MessageReader;
import io.dsm.protocol.MessageType;
import io.dsm.protocol.MessageWriter;
import io.dsm.protocol.MetadataEvent;
import io.dsm.runtime.DsmLog;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
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
 * The coordinator's whole logic: membership, the directory of variables (value, version, writer, replicas) and the
 * queue of requests on each variable. Messages and the current time go in through {@link #onMessage} and
 * {@link #onTick}; messages go out through an {@link Outbox}. It does no I/O, reads no clock and starts no thread,
 * so it is tested on its own and could run replicated (e.g. in Aeron Cluster) unchanged.
 * <p>
 * Invariants, per variable: at most one writer; when there is a writer, either it is the only replica
 * (invalidate mode) or it pushes every write here and to every replica before the write returns (update mode,
 * {@code pushing}); every node in the replica set holds the current version, but for a push in flight; the
 * coordinator's copy of the value is current whenever there is no writer or the writer pushes. Requests on one variable are served one at a time in arrival order; a request that needs replicas halted
 * waits until their holders acknowledge (or are evicted), or until its own timeout.
 */
public final class CoordinatorStateMachine
{
    /** Where the state machine's output goes. */
    public interface Outbox
    {
        /**
         * Opens a way to send to a node that just joined.
         *
         * @param nodeId   the id just assigned.
         * @param channel  the Aeron channel the node receives on.
         * @param streamId its stream id.
         */
        void connect(int nodeId, String channel, int streamId);

        /**
         * Closes the way to a node that left or was evicted.
         *
         * @param nodeId the node.
         */
        void disconnect(int nodeId);

        /**
         * Sends one message to a node. Must not block; queue when back-pressured.
         *
         * @param nodeId the node.
         * @param buffer holds the message from offset 0.
         * @param length its length.
         */
        void send(int nodeId, DirectBuffer buffer, int length);
    }

    /** Largest LIST_REPLY body, so that a page fits in one message of the smallest term. */
    static final int LIST_PAGE_BYTES = 7 * 1024;
    private static final long MIN_REQUEST_TIMEOUT_NS = 1_000_000L;
    private static final long MAX_REQUEST_TIMEOUT_NS = 600_000_000_000L;

    private final Outbox outbox;
    private final long heartbeatIntervalNs;
    private final long leaseNs;
    private final long evictionNs;
    private final MessageReader in = new MessageReader();
    private final MessageWriter out = new MessageWriter();
    private final Int2ObjectHashMap<NodeRecord> nodes = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<NodeRecord> nodesByIncarnation = new Long2ObjectHashMap<>();
    private final TreeMap<String, VariableRecord> variables = new TreeMap<>();
    private final LinkedHashSet<VariableRecord> busy = new LinkedHashSet<>();
    private final LinkedHashSet<VariableRecord> pushesInFlight = new LinkedHashSet<>();
    private int nextNodeId = 1;
    private long nextHaltId = 1;
    private long malformedMessages;
    private long unknownSenderMessages;
    private long lastNodeLeftNs;

    /**
     * @param outbox              where messages go.
     * @param heartbeatIntervalNs interval nodes are told to send heartbeats at.
     * @param leaseNs             how long a node may trust its replicas after an acknowledged heartbeat.
     * @param evictionNs          silence after which a node is evicted; must exceed the lease.
     * @param nowNs               the current time.
     */
    public CoordinatorStateMachine(
        final Outbox outbox,
        final long heartbeatIntervalNs,
        final long leaseNs,
        final long evictionNs,
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
        this.lastNodeLeftNs = nowNs;
    }

    /**
     * Handles one received message. A malformed message, or one from a node that is not a member, is dropped and
     * counted.
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
            in.wrap(buffer, offset, length);
            final MessageType type = in.type();
            if (type == MessageType.HELLO)
            {
                onHello(nowNs);
                return;
            }
            final NodeRecord node = nodes.get(in.senderId());
            if (node == null)
            {
                unknownSenderMessages++;
                DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-unknown-sender",
                    "coordinator dropped " + type + " from node " + in.senderId() + ", which is not a member");
                return;
            }
            node.lastHeardNs = nowNs;
            switch (type)
            {
                case HEARTBEAT:
                    send(node.id, out.begin(MessageType.HEARTBEAT_ACK, 0, in.correlationId()));
                    break;
                case READ:
                {
                    final String name = in.getName("name");
                    final String valueType = in.getName("type");
                    final long timeoutNs = in.getLong("timeout");
                    final boolean updates = in.getByte("updates") != 0;
                    onRequest(node, updates ? RequestKind.READ_UPDATED : RequestKind.READ, name, valueType,
                        timeoutNs, null, nowNs);
                    break;
                }
                case WRITE:
                    onRequest(node, RequestKind.WRITE, in.getName("name"), in.getName("type"), in.getLong("timeout"),
                        null, nowNs);
                    break;
                case PUSH:
                {
                    final String name = in.getName("name");
                    final long version = in.getLong("version");
                    final long timeoutNs = in.getLong("timeout");
                    final byte[] value = in.getBytes("value");
                    if (value == null)
                    {
                        throw new MalformedMessageException("PUSH of '" + name + "' carries no value");
                    }
                    onPush(node, name, version, timeoutNs, value, nowNs);
                    break;
                }
                case UPDATE_ACK:
                    onUpdateAck(node, in.getName("name"), in.correlationId());
                    break;
                case INIT:
                {
                    final String name = in.getName("name");
                    final String valueType = in.getName("type");
                    final long timeoutNs = in.getLong("timeout");
                    final byte[] value = in.getBytes("value");
                    if (value == null)
                    {
                        throw new MalformedMessageException("INIT of '" + name + "' carries no value");
                    }
                    onRequest(node, RequestKind.INIT, name, valueType, timeoutNs, value, nowNs);
                    break;
                }
                case DELETE:
                    onRequest(node, RequestKind.DELETE, in.getName("name"), null, in.getLong("timeout"), null, nowNs);
                    break;
                case RELEASE:
                    onRelease(node, in.getName("name"), in.getLong("version"), in.getBytes("value"),
                        in.getByte("keep") != 0);
                    break;
                case HALT_ACK:
                    onHaltAck(node, in.getName("name"), in.getByte("mode"), in.getLong("version"),
                        in.getBytes("value"), nowNs);
                    break;
                case LIST:
                    onList(node, in.getString("after"));
                    break;
                case LEAVE:
                    send(node.id, out.begin(MessageType.ACK, 0, in.correlationId()));
                    removeNode(node, "left", nowNs);
                    break;
                default:
                    throw new MalformedMessageException(type + " is not a message a node sends");
            }
        }
        catch (final MalformedMessageException ex)
        {
            malformedMessages++;
            DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-malformed",
                "coordinator dropped a malformed message of " + length + " bytes: " + ex.getMessage());
        }
    }

    /**
     * Evicts nodes that fell silent and fails requests that waited past their timeout.
     *
     * @param nowNs the current time.
     */
    public void onTick(final long nowNs)
    {
        if (!nodes.isEmpty())
        {
            final List<NodeRecord> silent = new ArrayList<>();
            for (final NodeRecord node : nodes.values())
            {
                if (nowNs - node.lastHeardNs > evictionNs)
                {
                    silent.add(node);
                }
            }
            for (final NodeRecord node : silent)
            {
                DsmLog.warn("coordinator evicts " + node + ": no message for " +
                    (nowNs - node.lastHeardNs) / 1_000_000 + " ms");
                removeNode(node, "evicted", nowNs);
            }
        }
        if (!pushesInFlight.isEmpty())
        {
            for (final VariableRecord variable : new ArrayList<>(pushesInFlight))
            {
                if (nowNs - variable.pushDeadlineNs > 0)
                {
                    timeOutPush(variable);
                }
            }
        }
        if (!busy.isEmpty())
        {
            for (final VariableRecord variable : new ArrayList<>(busy))
            {
                boolean changed = false;
                boolean head = true;
                for (final Iterator<Request> it = variable.queue.iterator(); it.hasNext(); )
                {
                    final Request request = it.next();
                    if (nowNs - request.deadlineNs > 0)
                    {
                        it.remove();
                        timeOut(variable, request, head);
                        if (head)
                        {
                            variable.haltsSent.clear();
                        }
                        changed = true;
                    }
                    head = false;
                }
                if (changed)
                {
                    drive(variable, nowNs);
                }
            }
        }
    }

    /**
     * @return how many nodes are members.
     */
    public int nodeCount()
    {
        return nodes.size();
    }

    /**
     * @return the time the last node left, or the start time when none ever joined; meaningful when
     * {@link #nodeCount()} is 0.
     */
    public long lastNodeLeftNs()
    {
        return lastNodeLeftNs;
    }

    /**
     * @return messages dropped because they were malformed.
     */
    public long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return messages dropped because their sender was not a member.
     */
    public long unknownSenderMessages()
    {
        return unknownSenderMessages;
    }

    /**
     * @return a snapshot of the directory, for tests and diagnostics.
     */
    public List<VariableInfo> variables()
    {
        final List<VariableInfo> result = new ArrayList<>(variables.size());
        for (final VariableRecord v : variables.values())
        {
            result.add(v.info());
        }
        return result;
    }

    private void onHello(final long nowNs) throws MalformedMessageException
    {
        final long incarnation = in.getLong("incarnation");
        final int streamId = in.getInt("stream");
        final String channel = in.getString("channel");
        final String description = in.getString("description");
        final boolean metadata = in.getByte("metadata") != 0;
        if (!channel.startsWith("aeron:"))
        {
            throw new MalformedMessageException("HELLO names channel '" + channel + "', not an Aeron channel");
        }
        NodeRecord node = nodesByIncarnation.get(incarnation);
        if (node == null)
        {
            node = new NodeRecord(nextNodeId++, incarnation, description, metadata);
            nodes.put(node.id, node);
            nodesByIncarnation.put(incarnation, node);
            outbox.connect(node.id, channel, streamId);
            DsmLog.info("coordinator: " + node + " joined");
        }
        node.lastHeardNs = nowNs;
        send(node.id, out.begin(MessageType.WELCOME, 0, in.correlationId())
            .putInt(node.id).putLong(heartbeatIntervalNs).putLong(leaseNs));
    }

    private void onRequest(
        final NodeRecord node,
        final RequestKind kind,
        final String name,
        final String type,
        final long timeoutNs,
        final byte[] value,
        final long nowNs)
    {
        VariableRecord variable = variables.get(name);
        if (variable == null)
        {
            if (kind == RequestKind.DELETE)
            {
                send(node.id, out.begin(MessageType.ACK, 0, in.correlationId()));
                return;
            }
            variable = new VariableRecord(name, type);
            variables.put(name, variable);
            broadcastMetadata(MetadataEvent.CREATED, variable);
        }
        if (type != null && variable.type != null && !variable.type.equals(type))
        {
            sendError(node.id, in.correlationId(), ErrorCode.TYPE_MISMATCH, "variable '" + name + "' is shared as " +
                variable.type + " but " + node + " declares it as " + type);
            return;
        }
        final long clamped = Math.max(MIN_REQUEST_TIMEOUT_NS, Math.min(MAX_REQUEST_TIMEOUT_NS, timeoutNs));
        variable.queue.addLast(new Request(kind, node.id, in.correlationId(), type, value, nowNs + clamped));
        drive(variable, nowNs);
    }

    private void onRelease(
        final NodeRecord node, final String name, final long version, final byte[] value, final boolean keep)
    {
        final VariableRecord variable = variables.get(name);
        if (variable != null && variable.writer == node.id)
        {
            stopPushing(variable);
            variable.writer = 0;
            if (value != null)
            {
                variable.value = value;
                variable.version = version;
            }
            if (!keep)
            {
                variable.readers.remove(node.id);
            }
            broadcastMetadata(MetadataEvent.OWNER, variable);
        }
        send(node.id, out.begin(MessageType.ACK, 0, in.correlationId()));
        if (variable != null)
        {
            drive(variable, 0);
        }
    }

    private void onHaltAck(
        final NodeRecord node,
        final String name,
        final int mode,
        final long version,
        final byte[] value,
        final long nowNs)
    {
        final VariableRecord variable = variables.get(name);
        if (variable == null)
        {
            return;
        }
        if (variable.writer == node.id && mode == HaltMode.SHARE)
        {
            // The writer keeps write access and pushes its writes from now on: the coordinator's copy stays current.
            if (value != null)
            {
                variable.value = value;
                variable.version = version;
            }
            variable.pushing = true;
        }
        else if (variable.writer == node.id)
        {
            stopPushing(variable);
            variable.writer = 0;
            if (value != null)
            {
                variable.value = value;
                variable.version = version;
            }
            else
            {
                DsmLog.warn("coordinator: " + node + " gave up write access to '" + name +
                    "' without a value; the cluster keeps version " + variable.version);
            }
            broadcastMetadata(MetadataEvent.OWNER, variable);
        }
        if (mode == HaltMode.INVALIDATE)
        {
            variable.readers.remove(node.id);
        }
        drive(variable, nowNs);
    }

    private void onList(final NodeRecord node, final String after)
    {
        out.begin(MessageType.LIST_REPLY, 0, in.correlationId());
        final Map<String, VariableRecord> page = after.isEmpty() ? variables : variables.tailMap(after, false);
        final int moreOffset = out.length();
        out.putByte(0);
        final int countOffset = out.length();
        out.putInt(0);
        int count = 0;
        boolean more = false;
        for (final VariableRecord v : page.values())
        {
            if (out.length() - Header.LENGTH > LIST_PAGE_BYTES)
            {
                more = true;
                break;
            }
            out.putString(v.name).putString(v.type == null ? "" : v.type).putInt(v.writer).putLong(v.version)
                .putInt(v.readers.size()).putInt(v.value == null ? -1 : v.value.length);
            count++;
        }
        out.buffer().putByte(moreOffset, (byte)(more ? 1 : 0));
        out.buffer().putInt(countOffset, count, java.nio.ByteOrder.LITTLE_ENDIAN);
        send(node.id, out);
    }

    private void drive(final VariableRecord variable, final long nowNs)
    {
        while (!variable.queue.isEmpty())
        {
            final Request request = variable.queue.peekFirst();
            if (!tryComplete(variable, request))
            {
                break;
            }
            variable.queue.pollFirst();
            variable.haltsSent.clear();
        }
        if (variable.queue.isEmpty())
        {
            busy.remove(variable);
            if (variable.type == null && variable.readers.isEmpty() && variable.writer == 0)
            {
                variables.remove(variable.name);
            }
        }
        else
        {
            busy.add(variable);
        }
    }

    private boolean tryComplete(final VariableRecord variable, final Request request)
    {
        if (variable.type == null && request.type != null)
        {
            variable.type = request.type;
        }
        final int node = request.nodeId;
        switch (request.kind)
        {
            case INIT:
                if (variable.version == 0 && variable.writer == 0)
                {
                    if (haltOthers(variable, node, HaltMode.INVALIDATE))
                    {
                        return false;
                    }
                    variable.value = request.value;
                    variable.version = 1;
                    variable.readers.add(node);
                    sendValue(variable, request);
                    return true;
                }
                return completeRead(variable, request);
            case READ:
            case READ_UPDATED:
                return completeRead(variable, request);
            case WRITE:
            {
                if (haltOthers(variable, node, HaltMode.INVALIDATE))
                {
                    return false;
                }
                stopPushing(variable);
                final boolean current = variable.readers.contains(node) || variable.writer == node;
                final boolean ownerChanged = variable.writer != node;
                variable.writer = node;
                variable.readers.clear();
                variable.readers.add(node);
                out.begin(MessageType.GRANT, 0, request.correlationId).putString(variable.name)
                    .putLong(variable.version).putByte(current ? 0 : 1).putBytes(current ? null : variable.value);
                send(node, out);
                if (ownerChanged)
                {
                    broadcastMetadata(MetadataEvent.OWNER, variable);
                }
                return true;
            }
            case DELETE:
            {
                if (haltOthers(variable, node, HaltMode.INVALIDATE))
                {
                    return false;
                }
                broadcastMetadata(MetadataEvent.DELETED, variable);
                stopPushing(variable);
                variable.value = null;
                variable.version = 0;
                variable.writer = 0;
                variable.readers.clear();
                variable.type = null;
                send(node, out.begin(MessageType.ACK, 0, request.correlationId));
                return true;
            }
            default:
                throw new IllegalStateException(request.kind.name());
        }
    }

    private boolean completeRead(final VariableRecord variable, final Request request)
    {
        if (variable.writer != 0 && variable.writer != request.nodeId && !variable.pushing)
        {
            halt(variable, variable.writer,
                request.kind == RequestKind.READ_UPDATED ? HaltMode.SHARE : HaltMode.DOWNGRADE);
            return false;
        }
        // With no writer, or a writer that pushes every write here before it returns, this copy is current.
        variable.readers.add(request.nodeId);
        sendValue(variable, request);
        return true;
    }

    /**
     * Halts every replica but {@code except}'s; returns true while some are still to acknowledge.
     */
    private boolean haltOthers(final VariableRecord variable, final int except, final int mode)
    {
        boolean waiting = false;
        if (variable.writer != 0 && variable.writer != except)
        {
            halt(variable, variable.writer, mode);
            waiting = true;
        }
        final IntHashSet.IntIterator it = variable.readers.iterator();
        while (it.hasNext())
        {
            final int reader = it.nextValue();
            if (reader != except)
            {
                halt(variable, reader, mode);
                waiting = true;
            }
        }
        return waiting;
    }

    private void halt(final VariableRecord variable, final int node, final int mode)
    {
        if (variable.haltsSent.add(node))
        {
            send(node, out.begin(MessageType.HALT, 0, nextHaltId++).putString(variable.name).putByte(mode));
        }
    }

    private void sendValue(final VariableRecord variable, final Request request)
    {
        send(request.nodeId, out.begin(MessageType.VALUE, 0, request.correlationId)
            .putString(variable.name).putLong(variable.version).putBytes(variable.value));
    }

    private void timeOut(final VariableRecord variable, final Request request, final boolean head)
    {
        final StringBuilder waitingFor = new StringBuilder();
        final IntArrayList pending = new IntArrayList();
        if (variable.writer != 0 && variable.writer != request.nodeId)
        {
            pending.addInt(variable.writer);
        }
        final boolean read = request.kind == RequestKind.READ || request.kind == RequestKind.READ_UPDATED;
        if (!read)
        {
            final IntHashSet.IntIterator it = variable.readers.iterator();
            while (it.hasNext())
            {
                final int reader = it.nextValue();
                if (reader != request.nodeId && !pending.containsInt(reader))
                {
                    pending.addInt(reader);
                }
            }
        }
        for (int i = 0; i < pending.size(); i++)
        {
            final NodeRecord holder = nodes.get(pending.getInt(i));
            waitingFor.append(i == 0 ? "" : ", ").append(holder == null ? "node " + pending.getInt(i) : holder);
        }
        final String what = (read ? "read" : request.kind.name().toLowerCase()) + " of '" + variable.name + "'";
        final String message = head ?
            what + " timed out waiting for " + waitingFor + " to acknowledge halt read" :
            what + " timed out queued behind another request waiting for " + waitingFor;
        sendError(request.nodeId, request.correlationId, ErrorCode.TIMEOUT, message);
    }

    private void removeNode(final NodeRecord node, final String why, final long nowNs)
    {
        nodes.remove(node.id);
        nodesByIncarnation.remove(node.incarnation);
        for (final VariableRecord variable : new ArrayList<>(variables.values()))
        {
            boolean changed = variable.readers.remove(node.id);
            if (variable.pushInFlight && variable.pushWaiting.remove(node.id) && variable.pushWaiting.isEmpty())
            {
                completePush(variable);
            }
            if (variable.writer == node.id)
            {
                stopPushing(variable);
                variable.writer = 0;
                changed = true;
                DsmLog.warn("coordinator: " + node + " " + why + " while holding write access to '" +
                    variable.name + "'; its writes since it took access are lost, the variable is back at version " +
                    variable.version);
                broadcastMetadata(MetadataEvent.OWNER, variable);
            }
            changed |= variable.queue.removeIf(r -> r.nodeId == node.id);
            changed |= variable.haltsSent.remove(node.id);
            if (changed)
            {
                drive(variable, nowNs);
            }
        }
        outbox.disconnect(node.id);
        if (nodes.isEmpty())
        {
            lastNodeLeftNs = nowNs;
        }
        DsmLog.info("coordinator: " + node + " " + why);
    }

    /**
     * A write by the writer of a variable that has readers: store it, forward it to every reader, and answer the
     * writer once all of them applied it. Not queued behind other requests: the writer holds the variable's lock
     * while it waits, so a halt queued before it could not be applied until the push completes.
     */
    private void onPush(
        final NodeRecord node,
        final String name,
        final long version,
        final long timeoutNs,
        final byte[] value,
        final long nowNs)
    {
        final VariableRecord variable = variables.get(name);
        if (variable == null || variable.writer != node.id || variable.pushInFlight)
        {
            sendError(node.id, in.correlationId(), ErrorCode.BAD_REQUEST, "push of '" + name + "' from " + node +
                (variable == null ? ", but no such variable exists" : variable.pushInFlight ?
                ", while its previous push is still in flight" : ", which does not hold write access to it"));
            return;
        }
        variable.value = value;
        variable.version = version;
        variable.pushWaiting.clear();
        final IntHashSet.IntIterator it = variable.readers.iterator();
        while (it.hasNext())
        {
            final int reader = it.nextValue();
            if (reader != node.id)
            {
                variable.pushWaiting.add(reader);
            }
        }
        variable.pushInFlight = true;
        variable.pushCorrelationId = in.correlationId();
        if (variable.pushWaiting.isEmpty())
        {
            completePush(variable);
            return;
        }
        final long updateId = nextHaltId++;
        variable.pushUpdateId = updateId;
        variable.pushDeadlineNs = nowNs + Math.max(MIN_REQUEST_TIMEOUT_NS, Math.min(MAX_REQUEST_TIMEOUT_NS, timeoutNs));
        pushesInFlight.add(variable);
        out.begin(MessageType.UPDATE, 0, updateId).putString(name).putLong(version).putBytes(value);
        final IntHashSet.IntIterator readers = variable.pushWaiting.iterator();
        while (readers.hasNext())
        {
            outbox.send(readers.nextValue(), out.buffer(), out.length());
        }
    }

    private void onUpdateAck(final NodeRecord node, final String name, final long updateId)
    {
        final VariableRecord variable = variables.get(name);
        if (variable != null && variable.pushInFlight && variable.pushUpdateId == updateId &&
            variable.pushWaiting.remove(node.id) && variable.pushWaiting.isEmpty())
        {
            completePush(variable);
        }
    }

    private void completePush(final VariableRecord variable)
    {
        int readers = variable.readers.size();
        if (variable.readers.contains(variable.writer))
        {
            readers--;
        }
        if (readers == 0)
        {
            // The writer writes locally again once told; until then its pushes are answered here at once.
            variable.pushing = false;
        }
        send(variable.writer, out.begin(MessageType.PUSHED, 0, variable.pushCorrelationId).putInt(readers));
        variable.pushInFlight = false;
        variable.pushWaiting.clear();
        pushesInFlight.remove(variable);
    }

    private void timeOutPush(final VariableRecord variable)
    {
        final StringBuilder waitingFor = new StringBuilder();
        final IntHashSet.IntIterator it = variable.pushWaiting.iterator();
        while (it.hasNext())
        {
            final int id = it.nextValue();
            final NodeRecord holder = nodes.get(id);
            waitingFor.append(waitingFor.length() == 0 ? "" : ", ").append(holder == null ? "node " + id : holder);
        }
        sendError(variable.writer, variable.pushCorrelationId, ErrorCode.TIMEOUT, "write of '" + variable.name +
            "' (version " + variable.version + ") timed out waiting for " + waitingFor + " to apply it; the " +
            "coordinator holds the new value and the late readers apply it when they catch up");
        variable.pushInFlight = false;
        variable.pushWaiting.clear();
        pushesInFlight.remove(variable);
    }

    /** The variable's writer changes or stops: it no longer pushes, and a push in flight is forgotten. */
    private void stopPushing(final VariableRecord variable)
    {
        variable.pushing = false;
        if (variable.pushInFlight)
        {
            variable.pushInFlight = false;
            variable.pushWaiting.clear();
            pushesInFlight.remove(variable);
        }
    }

    private void broadcastMetadata(final int event, final VariableRecord variable)
    {
        if (nodes.isEmpty())
        {
            return;
        }
        out.begin(MessageType.METADATA, 0, 0).putByte(event).putString(variable.name)
            .putString(variable.type == null ? "" : variable.type).putInt(variable.writer).putLong(variable.version);
        for (final NodeRecord node : nodes.values())
        {
            if (node.metadata)
            {
                outbox.send(node.id, out.buffer(), out.length());
            }
        }
    }

    private void sendError(final int nodeId, final long correlationId, final int code, final String message)
    {
        send(nodeId, out.begin(MessageType.ERROR, 0, correlationId).putInt(code).putString(message));
    }

    private void send(final int nodeId, final MessageWriter message)
    {
        if (nodes.containsKey(nodeId))
        {
            outbox.send(nodeId, message.buffer(), message.length());
        }
    }

    private enum RequestKind
    {
        READ, READ_UPDATED, WRITE, INIT, DELETE
    }

    private static final class NodeRecord
    {
        final int id;
        final long incarnation;
        final String description;
        /** Whether the node keeps a directory and wants metadata broadcasts. */
        final boolean metadata;
        long lastHeardNs;

        NodeRecord(final int id, final long incarnation, final String description, final boolean metadata)
        {
            this.id = id;
            this.incarnation = incarnation;
            this.description = description;
            this.metadata = metadata;
        }

        @Override
        public String toString()
        {
            return "node " + id + " (" + description + ")";
        }
    }

    private static final class Request
    {
        final RequestKind kind;
        final int nodeId;
        final long correlationId;
        final String type;
        final byte[] value;
        final long deadlineNs;

        Request(
            final RequestKind kind,
            final int nodeId,
            final long correlationId,
            final String type,
            final byte[] value,
            final long deadlineNs)
        {
            this.kind = kind;
            this.nodeId = nodeId;
            this.correlationId = correlationId;
            this.type = type;
            this.value = value;
            this.deadlineNs = deadlineNs;
        }
    }

    private static final class VariableRecord
    {
        final String name;
        final IntHashSet readers = new IntHashSet();
        final IntHashSet haltsSent = new IntHashSet();
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        /** Writer and readers both hold replicas; the writer pushes every write (update mode). */
        boolean pushing;
        boolean pushInFlight;
        final IntHashSet pushWaiting = new IntHashSet();
        long pushCorrelationId;
        long pushUpdateId;
        long pushDeadlineNs;
        String type;
        byte[] value;
        long version;
        int writer;

        VariableRecord(final String name, final String type)
        {
            this.name = name;
            this.type = type;
        }

        VariableInfo info()
        {
            return new VariableInfo(name, type, writer, version, readers.size(), value == null ? -1 : value.length);
        }
    }
}
