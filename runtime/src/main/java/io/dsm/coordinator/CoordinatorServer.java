package io.dsm.coordinator;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.AeronTransport;
import io.dsm.transport.IdleStrategies;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link CoordinatorStateMachine} on Aeron: one subscription that every node sends to, one publication per
 * node, one thread. Messages that a back-pressured or not-yet-connected publication refuses wait in a per-node queue,
 * so the state machine never blocks.
 */
public final class CoordinatorServer implements Agent, AutoCloseable
{
    /** Stream id nodes send to the coordinator on. */
    public static final int STREAM_ID = 1001;
    private static final long TICK_INTERVAL_NS = 10_000_000L;
    private static final int MAX_QUEUED_PER_NODE = 65_536;

    private final Context ctx;
    private final AeronTransport transport;
    private final Subscription subscription;
    private final FragmentHandler assembler;
    private final CoordinatorStateMachine stateMachine;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long nowNs;
    private long nextTickNs;
    private AgentRunner runner;

    private CoordinatorServer(final Context ctx)
    {
        this.ctx = ctx;
        this.transport = AeronTransport.launch(new AeronTransport.Context()
            .embeddedDriver(ctx.embeddedDriver)
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .termLength(ctx.termLength)
            .errorHandler(t -> DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-aeron", "coordinator transport: " + t)));
        this.subscription = transport.addSubscription(ctx.channel, STREAM_ID);
        this.nowNs = System.nanoTime();
        this.stateMachine = new CoordinatorStateMachine(new AeronOutbox(), ctx.heartbeatIntervalNs, ctx.leaseNs,
            ctx.evictionNs, nowNs);
        this.assembler = new FragmentAssembler(
            (buffer, offset, length, header) -> stateMachine.onMessage(buffer, offset, length, nowNs));
    }

    /**
     * Starts a coordinator on its own thread.
     *
     * @param ctx what to start.
     * @return the running coordinator.
     */
    public static CoordinatorServer launch(final Context ctx)
    {
        final CoordinatorServer server = new CoordinatorServer(ctx);
        server.runner = new AgentRunner(ctx.idleStrategy, t -> DsmLog.error("coordinator failed", t), null, server);
        AgentRunner.startOnThread(server.runner);
        return server;
    }

    @Override
    public int doWork()
    {
        nowNs = System.nanoTime();
        int work = transport.doWork();
        work += subscription.poll(assembler, 64);
        for (final Peer peer : peers.values())
        {
            work += peer.flush();
        }
        if (nowNs - nextTickNs >= 0)
        {
            nextTickNs = nowNs + TICK_INTERVAL_NS;
            stateMachine.onTick(nowNs);
            if (ctx.idleExitNs > 0 && stateMachine.nodeCount() == 0 &&
                nowNs - stateMachine.lastNodeLeftNs() > ctx.idleExitNs)
            {
                DsmLog.info("coordinator: no node for " + ctx.idleExitNs / 1_000_000 + " ms, exiting");
                stopped.countDown();
            }
        }
        return work;
    }

    @Override
    public String roleName()
    {
        return "dsm-coordinator";
    }

    /**
     * Waits until the coordinator decides to exit (idle) or {@code timeout} passes.
     *
     * @param timeoutMs how long to wait; 0 waits forever.
     * @return true if the coordinator asked to stop.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitStop(final long timeoutMs) throws InterruptedException
    {
        if (timeoutMs == 0)
        {
            stopped.await();
            return true;
        }
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClose()
    {
        for (final Peer peer : peers.values())
        {
            CloseHelper.quietClose(peer.publication);
        }
        CloseHelper.quietClose(subscription);
        CloseHelper.quietClose(transport);
    }

    @Override
    public void close()
    {
        stopped.countDown();
        CloseHelper.close(runner);
    }

    private final class AeronOutbox implements CoordinatorStateMachine.Outbox
    {
        @Override
        public void connect(final int nodeId, final String channel, final int streamId)
        {
            peers.put(nodeId, new Peer(nodeId, transport.addPublication(channel, streamId)));
        }

        @Override
        public void disconnect(final int nodeId)
        {
            final Peer peer = peers.remove(nodeId);
            if (peer != null)
            {
                peer.flush();
                CloseHelper.quietClose(peer.publication);
            }
        }

        @Override
        public void send(final int nodeId, final DirectBuffer buffer, final int length)
        {
            final Peer peer = peers.get(nodeId);
            if (peer != null)
            {
                peer.send(buffer, length);
            }
        }
    }

    private static final class Peer
    {
        final int nodeId;
        final Publication publication;
        final ArrayDeque<byte[]> queued = new ArrayDeque<>();

        Peer(final int nodeId, final Publication publication)
        {
            this.nodeId = nodeId;
            this.publication = publication;
        }

        void send(final DirectBuffer buffer, final int length)
        {
            if (queued.isEmpty() && publication.offer(buffer, 0, length) > 0)
            {
                return;
            }
            if (queued.size() >= MAX_QUEUED_PER_NODE)
            {
                DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-queue-" + nodeId,
                    "coordinator: node " + nodeId + " does not keep up (" + queued.size() +
                    " messages queued); dropping the oldest. It will be evicted if it stays silent");
                queued.pollFirst();
            }
            final byte[] copy = new byte[length];
            buffer.getBytes(0, copy);
            queued.addLast(copy);
        }

        int flush()
        {
            int sent = 0;
            while (!queued.isEmpty())
            {
                final byte[] message = queued.peekFirst();
                final long result = publication.offer(new org.agrona.concurrent.UnsafeBuffer(message));
                if (result < 0)
                {
                    break;
                }
                queued.pollFirst();
                sent++;
            }
            return sent;
        }
    }

    /**
     * What a coordinator needs: where it receives, its timings, its transport.
     */
    public static final class Context
    {
        private String channel;
        private boolean embeddedDriver = true;
        private String aeronDirectoryName;
        private int termLength = 4 * 1024 * 1024;
        private long heartbeatIntervalNs;
        private long leaseNs;
        private long evictionNs;
        private long idleExitNs;
        private IdleStrategy idleStrategy;

        /**
         * @param config the configuration to read every value from.
         * @return a context filled from {@code config}.
         */
        public static Context from(final Configuration config)
        {
            final Context ctx = new Context();
            final String explicit = config.get(Configuration.COORDINATOR_CHANNEL);
            ctx.channel = explicit.isEmpty() ?
                "aeron:udp?endpoint=" + config.get(Configuration.COORDINATOR_HOST) + ":" +
                config.getLong(Configuration.COORDINATOR_PORT) : explicit;
            ctx.embeddedDriver = !"external".equals(config.get(Configuration.DRIVER));
            final String dir = config.get(Configuration.AERON_DIR);
            ctx.aeronDirectoryName = dir.isEmpty() ? null : dir;
            ctx.termLength = (int)config.getPositiveLong(Configuration.TERM_LENGTH);
            ctx.heartbeatIntervalNs = config.getPositiveLong(Configuration.HEARTBEAT_INTERVAL_MS) * 1_000_000L;
            ctx.leaseNs = config.getPositiveLong(Configuration.LEASE_MS) * 1_000_000L;
            ctx.evictionNs = config.getPositiveLong(Configuration.EVICTION_MS) * 1_000_000L;
            ctx.idleExitNs = config.getLong(Configuration.COORDINATOR_IDLE_EXIT_MS) * 1_000_000L;
            ctx.idleStrategy = IdleStrategies.of(config.get(Configuration.IDLE_STRATEGY),
                config.getPositiveLong(Configuration.IDLE_MAX_PARK_NS), config.getLong(Configuration.IDLE_MAX_YIELDS),
                config.getLong(Configuration.IDLE_WARM_NS));
            return ctx;
        }

        /**
         * @param channel the Aeron channel to receive on.
         * @return this.
         */
        public Context channel(final String channel)
        {
            this.channel = channel;
            return this;
        }

        /**
         * @param idleExitMs exit after this long with no node; 0 never.
         * @return this.
         */
        public Context idleExitMs(final long idleExitMs)
        {
            this.idleExitNs = idleExitMs * 1_000_000L;
            return this;
        }

        /**
         * @return the channel to receive on.
         */
        public String channel()
        {
            return channel;
        }
    }
}
