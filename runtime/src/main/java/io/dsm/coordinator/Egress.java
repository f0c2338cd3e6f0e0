package io.dsm.coordinator;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.Wire;
import io.dsm.wire.ChunkEncoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The directory's messages to nodes, each offered on the node's cluster session, in order per node, and never waited
 * on for long: the service applies nothing else while it waits, so every other node's heartbeat would wait too.
 * <ul>
 * <li>A message the session takes goes at once (the common case: no copy, no allocation).</li>
 * <li>A back-pressured session is waited on while it drains: for at most {@link #SPIN_BUDGET_NS} without taking
 * anything, and {@link #EVENT_BUDGET_NS} in all per log event the service applies, the node woken meanwhile (a
 * draining node drains in microseconds; a long value in chunks moves this way, a window at a time).</li>
 * <li>Otherwise (not connected, back-pressured past that, or a message in chunks not all sent) the message waits,
 * copied, behind the node's others, and goes on at the next log event the service applies ({@link #flush}). A service
 * may offer only while it applies the log, never from its background work.</li>
 * <li>A node's session that takes nothing for {@link #STALL_NS} loses what waits for it: dropped, counted and reported,
 * and the node's requests time out. So does a node whose waiting messages would pass the bound for all nodes together
 * ({@link #MAX_WAITING_BYTES} by default).</li>
 * <li>A heartbeat's acknowledgement and a welcome go before what waits (they change no state the node's other
 * messages depend on, and a long value in chunks must not hold up the lease).</li>
 * <li>What waits goes on the node's session at the time it is sent: a node that opens a new session (and says hello
 * on it) gets it there; a message in chunks partly sent on a session that went starts again from its first chunk.</li>
 * </ul>
 * Before, a reply waited in the service for up to 500 ms on a session that took nothing: a new leader that had
 * inherited the sessions of nodes that had already reconnected spent every log event waiting on dead sessions, the
 * other nodes heard nothing for longer than their silence limit and reconnected in turn, and the nodes were not
 * served again for about 38 s (docs/faults/README.md).
 */
final class Egress
{
    /** The longest the service waits on a back-pressured session that takes nothing meanwhile. */
    static final long SPIN_BUDGET_NS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The longest the service spends sending what waits, session by session, while it applies one log event. */
    static final long EVENT_BUDGET_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** A node's session that takes nothing of what waits for this long loses it. */
    static final long STALL_NS = TimeUnit.SECONDS.toNanos(1);
    /** The most that waits for all nodes together, by default. */
    static final long MAX_WAITING_BYTES = 256L * 1024 * 1024;
    /** How often a back-pressured node is woken while the service waits on it. */
    private static final long RING_WHILE_BLOCKED_NS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The session a node's messages go on now. */
    @FunctionalInterface
    interface Sessions
    {
        /** @return the node's session, or null when it has none (it left, or is between sessions). */
        ClientSession sessionOf(int nodeId);
    }

    /** What the egress tells its service. */
    interface Listener
    {
        /** Something was sent to the node, or waits on its back pressure: wake it if it sleeps. */
        void ring(int nodeId);

        /** Messages for a node were dropped; {@code why} says why, naming the session's state. */
        void dropped(int nodeId, long sessionId, int messages, long bytes, String why);
    }

    private static final class Waiting
    {
        final byte[] bytes;
        /** Where the next chunk starts, for a message in chunks. */
        int at;
        /** The session its first chunk went on, or -1. */
        long sessionId = -1;

        Waiting(final byte[] bytes)
        {
            this.bytes = bytes;
        }
    }

    private static final class Backlog
    {
        final ArrayDeque<Waiting> messages = new ArrayDeque<>();
        long bytes;
        /** When the session last took something of it, or when it started waiting. */
        long progressNs;
        /** What the session answered last: why it waits. */
        long lastResult;

        Backlog(final long nowNs)
        {
            this.progressNs = nowNs;
        }
    }

    private final int maxMessageLength;
    private final Sessions sessions;
    private final Listener listener;
    private final NanoClock clock;
    private final long maxWaitingBytes;
    private final Int2ObjectHashMap<Backlog> backlogs = new Int2ObjectHashMap<>();
    private final IdleStrategy spinIdle = new BackoffIdleStrategy(10, 20, 1_000, 50_000);
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private final Wire chunkWire = new Wire();
    private final ChunkEncoder chunkEncoder = new ChunkEncoder();
    private Runnable keepWarm = () -> {};
    private long waitingBytes;
    /** Until when (clock) the service may still wait out back pressure while it applies this log event. */
    private long spinUntilNs;
    /** Until when (clock) the service may go on sending while it applies this log event. */
    private long eventUntilNs;

    /**
     * @param maxMessageLength the longest message a session takes in one; a longer one goes in chunks.
     * @param sessions         the session each node's messages go on.
     * @param listener         told what was sent and what was dropped.
     * @param clock            the process's clock.
     * @param maxWaitingBytes  the most that may wait for all nodes together.
     */
    Egress(final int maxMessageLength, final Sessions sessions, final Listener listener, final NanoClock clock,
        final long maxWaitingBytes)
    {
        this.maxWaitingBytes = maxWaitingBytes;
        Chunks.part(maxMessageLength); // refuses a length that cannot carry a chunk
        this.maxMessageLength = maxMessageLength;
        this.sessions = sessions;
        this.listener = listener;
        this.clock = clock;
    }

    /** @param keepWarm run while the service waits out back pressure (keeps the process's other agents polling). */
    void keepWarm(final Runnable keepWarm)
    {
        this.keepWarm = keepWarm;
    }

    /**
     * Starts a log event: the service may wait out back pressure within its budgets from now, and what waits goes
     * first, in order, to each node whose session takes it.
     */
    void flush()
    {
        final long nowNs = clock.nanoTime();
        spinUntilNs = nowNs + SPIN_BUDGET_NS;
        eventUntilNs = nowNs + EVENT_BUDGET_NS;
        if (backlogs.isEmpty())
        {
            return;
        }
        final Int2ObjectHashMap<Backlog>.KeyIterator nodes = backlogs.keySet().iterator();
        final int[] waitingNodes = new int[backlogs.size()];
        int count = 0;
        while (nodes.hasNext())
        {
            waitingNodes[count++] = nodes.nextInt();
        }
        for (int i = 0; i < count; i++)
        {
            final Backlog backlog = backlogs.get(waitingNodes[i]);
            if (backlog != null)
            {
                drain(waitingNodes[i], backlog);
            }
        }
    }

    /**
     * Sends a message to a node now, or behind what waits for it.
     *
     * @param nodeId the node.
     * @param buffer holds the message.
     * @param offset where it starts.
     * @param length its length.
     */
    void send(final int nodeId, final DirectBuffer buffer, final int offset, final int length)
    {
        Backlog backlog = backlogs.get(nodeId);
        if (backlog == null)
        {
            final ClientSession session = sessions.sessionOf(nodeId);
            if (session == null)
            {
                return; // no session: the node left, or says hello again on a new one and is answered there
            }
            long result = 0;
            if (length <= maxMessageLength)
            {
                result = offer(nodeId, session, buffer, offset, length);
                if (result > 0)
                {
                    listener.ring(nodeId);
                    return;
                }
                if (isFinal(result))
                {
                    listener.dropped(nodeId, session.id(), 1, length, "its session is " + describe(result));
                    return;
                }
            }
            backlog = new Backlog(clock.nanoTime());
            backlog.lastResult = result;
            backlogs.put(nodeId, backlog);
        }
        final boolean first = backlog.messages.isEmpty();
        if (enqueue(nodeId, backlog, buffer, offset, length, false) && first && length > maxMessageLength)
        {
            drain(nodeId, backlog); // a message in chunks: as many as the session takes now
        }
    }

    /**
     * Sends a message that changes no state the node's other messages depend on (a heartbeat's acknowledgement, a
     * welcome) ahead of what waits for the node: now if its session takes it, else first in line.
     */
    void sendFirst(final int nodeId, final DirectBuffer buffer, final int offset, final int length)
    {
        final Backlog backlog = backlogs.get(nodeId);
        if (backlog == null || length > maxMessageLength)
        {
            send(nodeId, buffer, offset, length);
            return;
        }
        final ClientSession session = sessions.sessionOf(nodeId);
        if (session != null)
        {
            final long result = offer(nodeId, session, buffer, offset, length);
            if (result > 0)
            {
                listener.ring(nodeId);
                return;
            }
        }
        enqueue(nodeId, backlog, buffer, offset, length, true);
    }

    /** @return whether the message waits now (else it and what waited for the node were dropped, past the bound). */
    private boolean enqueue(final int nodeId, final Backlog backlog, final DirectBuffer buffer, final int offset,
        final int length, final boolean first)
    {
        if (waitingBytes + length > maxWaitingBytes)
        {
            final ClientSession session = sessions.sessionOf(nodeId);
            drop(nodeId, backlog, session == null ? -1 : session.id(), 1, length, "more than " + maxWaitingBytes +
                " bytes would wait for the nodes' sessions");
            return false;
        }
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        if (first)
        {
            backlog.messages.addFirst(new Waiting(copy));
        }
        else
        {
            backlog.messages.addLast(new Waiting(copy));
        }
        backlog.bytes += length;
        waitingBytes += length;
        return true;
    }

    /** Drops what waits for a node that left: its session is gone. */
    void forget(final int nodeId)
    {
        final Backlog backlog = backlogs.remove(nodeId);
        if (backlog != null)
        {
            waitingBytes -= backlog.bytes;
        }
    }

    /** Drops everything that waits (this member is no longer the leader: its sessions send nothing). */
    void clear()
    {
        backlogs.clear();
        waitingBytes = 0;
    }

    /** @return nodes with messages waiting. */
    int waitingNodes()
    {
        return backlogs.size();
    }

    /** @return bytes waiting, for all nodes. */
    long waitingBytes()
    {
        return waitingBytes;
    }

    private void drain(final int nodeId, final Backlog backlog)
    {
        final ClientSession session = sessions.sessionOf(nodeId);
        boolean sent = false;
        while (session != null && !backlog.messages.isEmpty())
        {
            final Waiting next = backlog.messages.peekFirst();
            if (next.sessionId != session.id())
            {
                // A message in chunks partly sent on a session that went starts again from its first chunk.
                next.at = 0;
                next.sessionId = session.id();
            }
            view.wrap(next.bytes);
            final int length = next.bytes.length;
            final long result;
            final int carried;
            if (length <= maxMessageLength)
            {
                result = offer(nodeId, session, view, 0, length);
                carried = length;
            }
            else
            {
                final int chunkLength = Chunks.chunk(chunkWire, chunkEncoder, 0, view, 0, length, next.at,
                    maxMessageLength);
                result = offer(nodeId, session, chunkWire.out(), 0, chunkLength);
                carried = Math.min(Chunks.part(maxMessageLength), length - next.at);
            }
            backlog.lastResult = result;
            if (result > 0)
            {
                sent = true;
                backlog.progressNs = clock.nanoTime();
                // It drains: go on waiting on it, within the event's budget.
                spinUntilNs = Math.min(eventUntilNs, backlog.progressNs + SPIN_BUDGET_NS);
                next.at += carried;
                if (next.at >= length)
                {
                    backlog.messages.pollFirst();
                    backlog.bytes -= length;
                    waitingBytes -= length;
                }
                continue;
            }
            if (isFinal(result))
            {
                drop(nodeId, backlog, session.id(), 0, 0, "its session is " + describe(result));
                return;
            }
            break;
        }
        if (sent)
        {
            listener.ring(nodeId);
        }
        if (backlog.messages.isEmpty())
        {
            backlogs.remove(nodeId);
            return;
        }
        final long stalledNs = clock.nanoTime() - backlog.progressNs;
        if (stalledNs > STALL_NS)
        {
            drop(nodeId, backlog, session == null ? -1 : session.id(), 0, 0, (session == null ?
                "it has had no session" : "its session took nothing (" + describe(backlog.lastResult) + ")") +
                " for " + TimeUnit.NANOSECONDS.toMillis(stalledNs) + " ms");
        }
    }

    /** Offers once, and waits out back pressure within this log event's budget, waking the node meanwhile. */
    private long offer(final int nodeId, final ClientSession session, final DirectBuffer buffer, final int offset,
        final int length)
    {
        long result = session.offer(buffer, offset, length);
        if (result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION)
        {
            return result;
        }
        long rungNs = 0;
        spinIdle.reset();
        while (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            final long nowNs = clock.nanoTime();
            if (nowNs - spinUntilNs >= 0)
            {
                listener.ring(nodeId); // it may be asleep with its window full: what waits goes at the next event
                return result;
            }
            if (rungNs == 0 || nowNs - rungNs >= RING_WHILE_BLOCKED_NS)
            {
                rungNs = nowNs;
                listener.ring(nodeId);
            }
            keepWarm.run();
            spinIdle.idle();
            result = session.offer(buffer, offset, length);
        }
        return result;
    }

    private void drop(final int nodeId, final Backlog backlog, final long sessionId, final int extraMessages,
        final long extraBytes, final String why)
    {
        backlogs.remove(nodeId);
        waitingBytes -= backlog.bytes;
        listener.dropped(nodeId, sessionId, backlog.messages.size() + extraMessages, backlog.bytes + extraBytes, why);
    }

    private static boolean isFinal(final long result)
    {
        return result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED;
    }

    static String describe(final long result)
    {
        if (result == Publication.NOT_CONNECTED)
        {
            return "not connected";
        }
        if (result == Publication.BACK_PRESSURED)
        {
            return "back pressured";
        }
        if (result == Publication.ADMIN_ACTION)
        {
            return "busy with an admin action";
        }
        if (result == Publication.CLOSED)
        {
            return "closed";
        }
        if (result == Publication.MAX_POSITION_EXCEEDED)
        {
            return "at its maximum position";
        }
        return result == 0 ? "not offered yet (a message in chunks)" : "answering " + result;
    }
}
