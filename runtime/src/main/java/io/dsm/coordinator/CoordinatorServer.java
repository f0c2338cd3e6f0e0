package io.dsm.coordinator;

import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.AeronTransport;
import io.dsm.transport.Destination;
import io.dsm.transport.Doorbell;
import io.dsm.transport.IdleStrategies;
import io.dsm.transport.MessageAssembler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link DirectoryStateMachine} on Aeron: one subscription that every node sends to, one {@link Destination}
 * per node, one thread. A message that a back-pressured or not-yet-connected publication refuses waits in the
 * destination's queue, in order, so the state machine never blocks and nothing is dropped.
 */
public final class CoordinatorServer implements Agent, AutoCloseable
{
    /** Stream id nodes send to the coordinator on. */
    public static final int STREAM_ID = 1001;
    private static final long TICK_INTERVAL_NS = 10_000_000L;

    private final Context ctx;
    private final AeronTransport transport;
    private final Subscription subscription;
    private final MessageAssembler assembler;
    private final DirectoryStateMachine stateMachine;
    private final Int2ObjectHashMap<Destination> peers = new Int2ObjectHashMap<>();
    private final Doorbell doorbell;
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
            .maxMessageLength(ctx.maxMessageLength)
            .errorHandler(t -> DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-aeron", "coordinator transport: " + t)));
        this.assembler = new MessageAssembler(
            this::onMessage,
            transport.maxMessageLength(),
            why -> DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-chunk", "coordinator: " + why));
        this.subscription = transport.addSubscription(ctx.channel, STREAM_ID, assembler);
        this.doorbell = Doorbell.open(ctx.doorbellHost);
        this.nowNs = System.nanoTime();
        this.stateMachine = new DirectoryStateMachine(new AeronOutbox(), ctx.heartbeatIntervalNs, ctx.leaseNs,
            ctx.evictionNs, ctx.idle.sleepsOnDoorbell() ? doorbell.address() : "", nowNs)
            .limits(ctx.maxMembers, ctx.maxJoinsPerSecond);
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        stateMachine.onMessage(buffer, offset, length, nowNs);
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
        server.runner = new AgentRunner(ctx.idle.strategy(server.doorbell), t -> DsmLog.error("coordinator failed", t), null, server);
        AgentRunner.startOnThread(server.runner);
        return server;
    }

    /**
     * Reads the idle settings of a dsm process (the directory, or a node: they read the same keys).
     *
     * @param config the configuration.
     * @return the settings, checked.
     * @throws IllegalArgumentException naming the bad value.
     */
    public static IdleStrategies.Settings idleSettings(final Configuration config)
    {
        return new IdleStrategies.Settings(config.get(Configuration.IDLE_STRATEGY),
            config.getPositiveLong(Configuration.IDLE_MAX_PARK_NS), config.getLong(Configuration.IDLE_MAX_YIELDS),
            config.getLong(Configuration.IDLE_WARM_NS));
    }

    private long lastWorkNs;

    @Override
    public int doWork()
    {
        nowNs = System.nanoTime();
        final int transportWork = transport.doWork();
        if (transportWork > 0)
        {
            // The driver read a datagram (one per socket per cycle) or sent one: drain the rest before sleeping.
            doorbell.pollAgain();
        }
        int work = subscription.poll(assembler, 64);
        if (assembler.isAssembling())
        {
            // The rest of a large message comes as fast as this process polls: flow control waits for it.
            work++;
        }
        if (nowNs - nextTickNs >= 0)
        {
            nextTickNs = nowNs + TICK_INTERVAL_NS;
            stateMachine.onTick(nowNs);
            if (ctx.idleExitNs > 0 && stateMachine.memberCount() == 0 &&
                nowNs - stateMachine.lastMemberLeftNs() > ctx.idleExitNs)
            {
                DsmLog.info("coordinator: no node for " + ctx.idleExitNs / 1_000_000 + " ms, exiting");
                stopped.countDown();
            }
        }
        for (final Destination peer : peers.values())
        {
            work += peer.flush();
            if (peer.queued() > 0)
            {
                // Waiting for a publication to connect or for flow control: poll for the answer, do not sleep.
                work++;
            }
        }
        if (work > 0)
        {
            lastWorkNs = nowNs;
            // Put what this cycle sent on the wire, then wake the nodes it went to.
            transport.doWork();
        }
        for (final Destination peer : peers.values())
        {
            peer.ringIfSent(doorbell);
        }
        // Aeron's own traffic (keep-alives, status messages) keeps the thread warm only just after dsm traffic, when a
        // large message may be waiting for flow control; otherwise an idle coordinator would poll after every
        // keep-alive.
        return work > 0 ? work : AeronTransport.warmWork(transportWork, nowNs - lastWorkNs);
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
        for (final Destination peer : peers.values())
        {
            CloseHelper.quietClose(peer);
        }
        CloseHelper.quietClose(subscription);
        CloseHelper.quietClose(transport);
        CloseHelper.quietClose(doorbell);
    }

    @Override
    public void close()
    {
        stopped.countDown();
        CloseHelper.close(runner);
    }

    private final class AeronOutbox implements DirectoryStateMachine.Outbox
    {
        @Override
        public void connect(final int nodeId, final String channel, final int streamId, final String doorbell)
        {
            CloseHelper.quietClose(peers.put(nodeId,
                new Destination(transport, channel, streamId, Doorbell.parse(doorbell))));
        }

        @Override
        public void disconnect(final int nodeId)
        {
            final Destination peer = peers.remove(nodeId);
            if (peer != null)
            {
                peer.flush();
                CloseHelper.quietClose(peer);
            }
        }

        @Override
        public void send(final int nodeId, final DirectBuffer buffer, final int length)
        {
            final Destination peer = peers.get(nodeId);
            if (peer != null)
            {
                try
                {
                    peer.send(buffer, 0, length);
                }
                catch (final IllegalArgumentException ex)
                {
                    DsmLog.rateLimited(DsmLog.Level.ERROR, "coordinator-too-large", "coordinator: " + ex.getMessage());
                }
            }
        }

        @Override
        public void sendUrgent(final int nodeId, final DirectBuffer buffer, final int length)
        {
            final Destination peer = peers.get(nodeId);
            if (peer != null)
            {
                peer.sendUrgent(buffer, 0, length);
            }
        }

        @Override
        public void log(final DsmLog.Level level, final String rateLimitKey, final String message)
        {
            if (rateLimitKey != null)
            {
                DsmLog.rateLimited(level, rateLimitKey, message);
            }
            else if (level == DsmLog.Level.WARN || level == DsmLog.Level.ERROR)
            {
                DsmLog.warn(message);
            }
            else
            {
                DsmLog.info(message);
            }
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
        private int termLength = 64 * 1024;
        private int maxMessageLength;
        private int maxMembers = 256;
        private int maxJoinsPerSecond = 100;
        private long heartbeatIntervalNs;
        private long leaseNs;
        private long evictionNs;
        private long idleExitNs;
        private String doorbellHost = "127.0.0.1";
        private IdleStrategies.Settings idle;

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
            ctx.maxMessageLength = config.maxMessageLength();
            ctx.heartbeatIntervalNs = config.getPositiveLong(Configuration.HEARTBEAT_INTERVAL_MS) * 1_000_000L;
            ctx.leaseNs = config.getPositiveLong(Configuration.LEASE_MS) * 1_000_000L;
            ctx.evictionNs = config.getPositiveLong(Configuration.EVICTION_MS) * 1_000_000L;
            ctx.maxMembers = (int)Math.min(Integer.MAX_VALUE, config.getPositiveLong(Configuration.MAX_MEMBERS));
            ctx.maxJoinsPerSecond = (int)Math.min(Integer.MAX_VALUE,
                config.getPositiveLong(Configuration.MAX_JOINS_PER_SECOND));
            ctx.idleExitNs = config.getLong(Configuration.COORDINATOR_IDLE_EXIT_MS) * 1_000_000L;
            ctx.doorbellHost = config.get(Configuration.COORDINATOR_HOST);
            ctx.idle = idleSettings(config);
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
