package io.dsm.coordinator;

import io.aeron.CommonContext;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.NanosecondClusterClock;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.dsm.protocol.SharedSecret;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.AeronTransport;
import io.dsm.transport.Doorbell;
import io.dsm.transport.ProcessWake;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One member of the directory's Aeron Cluster in this process: a {@link ClusteredMediaDriver} (media driver, archive,
 * consensus module) and a {@link ClusteredServiceContainer} running the {@link DirectoryService}. Its log, archive and
 * snapshots are kept under {@link Context#directory}: a member started again on the same directory recovers its
 * whole state from its latest snapshot and the log after it.
 * <p>
 * Each member uses six consecutive ports from its base port: ingress (the port nodes are given), consensus, log,
 * catch-up, archive control and log control. A cluster of one member is the embedded default; three members tolerate
 * the loss of one.
 */
public final class DirectoryCluster implements AutoCloseable
{
    /** Offsets of a member's endpoints from its base port. */
    static final int INGRESS = 0;
    static final int CONSENSUS = 1;
    static final int LOG = 2;
    static final int CATCHUP = 3;
    static final int ARCHIVE = 4;
    static final int LOG_CONTROL = 5;
    /** Ports a member uses from its base port. */
    public static final int PORTS_PER_MEMBER = 6;

    private final Context ctx;
    private final DirectoryService service;
    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final Doorbell doorbell;

    private DirectoryCluster(final Context ctx)
    {
        this.ctx = ctx;
        final String host = ctx.hosts.get(ctx.memberId);
        final int port = ctx.ports.get(ctx.memberId);
        // Nodes ring this doorbell after they send; the media driver sleeps on it (ProcessWake). One member sleeps
        // up to 100 ms when idle; members of several poll every millisecond, since their peers do not ring.
        this.doorbell = Doorbell.open(host);
        final ProcessWake wake = new ProcessWake(doorbell, ctx.hosts.size() == 1 ?
            TimeUnit.MILLISECONDS.toNanos(100) : TimeUnit.MILLISECONDS.toNanos(1));
        this.service = new DirectoryService(ctx.heartbeatIntervalNs, ctx.leaseNs, ctx.evictionNs,
            ctx.hosts.size() == 1 ? doorbell.address() : "", ctx.maxMessageLength,
            sessionTermLength(ctx.termLength) / 8 - AeronCluster.SESSION_HEADER_LENGTH);
        service.keepWarm(wake::busy);
        service.memberId(ctx.memberId);
        service.limits(ctx.maxMembers, ctx.maxJoinsPerSecond);
        final File base = ctx.directory;
        if (ctx.ownsDirectory)
        {
            deleteMarkFiles(base);
        }
        // Named after this process, as a node's is: a member killed with kill -9 leaves its driver's files (tens of
        // MB of /dev/shm), and the next dsm process on the host deletes them once that process is gone.
        AeronTransport.deleteStaleDirectories();
        final String aeronDir = ctx.aeronDirectoryName != null ? ctx.aeronDirectoryName :
            CommonContext.getAeronDirectoryName() + "-dsm-" + ProcessHandle.current().pid() + "-directory-" +
            ctx.memberId + "-" + ctx.ports.get(ctx.memberId);
        final ErrorHandler errors = ctx.errorHandler;
        AeronTransport.requireStorage(aeronDir);
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .lowStorageWarningThreshold(AeronTransport.MIN_STORAGE_BYTES)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(wake.strategy(true))
            // Name resolution on the conductor's thread: one idle thread fewer (it cost 1.2 to 1.4 % of a core).
            .asyncExecutorEnabled(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .warnIfDirectoryExists(false)
            .termBufferSparseFile(true)
            .counterValuesBufferLength(1024 * 1024)
            .errorHandler(errors);
        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(base, "archive"))
            .controlChannel(udp(host, port + ARCHIVE))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(() -> wake.strategy(false))
            .errorHandler(errors);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensusCtx = new ConsensusModule.Context()
            .clusterMemberId(ctx.memberId)
            .clusterMembers(members(ctx.hosts, ctx.ports))
            .clusterDir(new File(base, "cluster"))
            .ingressChannel("aeron:udp?term-length=" + sessionTermLength(ctx.termLength))
            .logChannel("aeron:udp?term-length=" + 2 * sessionTermLength(ctx.termLength) +
                "|control-mode=manual|control=" + host + ":" + (port + LOG_CONTROL))
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .archiveContext(archiveClient.clone())
            .clusterClock(new NanosecondClusterClock())
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatTimeoutNs / 7)
            .electionTimeoutNs(ctx.electionTimeoutNs)
            .idleStrategySupplier(() -> wake.strategy(false))
            .errorHandler(errors);
        if (ctx.secret != null)
        {
            final SharedSecret secret = ctx.secret;
            consensusCtx.authenticatorSupplier(() -> new SecretAuthenticator(secret));
        }
        final ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(base, "cluster"))
            .clusteredService(service)
            .idleStrategySupplier(() -> wake.strategy(false))
            .errorHandler(errors);
        ClusteredMediaDriver launchedDriver = null;
        try
        {
            launchedDriver = ClusteredMediaDriver.launch(driverCtx, archiveCtx, consensusCtx);
            this.driver = launchedDriver;
            this.container = ClusteredServiceContainer.launch(serviceCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(launchedDriver, doorbell);
            throw ex;
        }
    }

    /**
     * A member killed with {@code kill -9} leaves mark files that Aeron takes for a live process for about 10 s after
     * their last update, refusing to start. When this process holds the directory's lock (no other member process can
     * use the directory), they are stale and are deleted; the log, archive and snapshots are kept.
     */
    private static void deleteMarkFiles(final File base)
    {
        for (final File dir : new File[] {new File(base, "archive"), new File(base, "cluster")})
        {
            final File[] marks = dir.listFiles((d, name) -> name.endsWith("-mark.dat") || name.startsWith("cluster-mark"));
            if (marks != null)
            {
                for (final File mark : marks)
                {
                    if (!mark.delete())
                    {
                        DsmLog.warn("directory: could not delete the stale mark file " + mark);
                    }
                }
            }
        }
    }

    private static BackoffIdleStrategy idle()
    {
        // For this process's own waits (a snapshot); the agents use ProcessWake.
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    private static String udp(final String host, final int port)
    {
        return "aeron:udp?endpoint=" + host + ":" + port;
    }

    /**
     * @return Aeron Cluster's members string: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    static String members(final List<String> hosts, final List<Integer> ports)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++)
        {
            final String h = hosts.get(i);
            final int p = ports.get(i);
            sb.append(i).append(',').append(h).append(':').append(p + INGRESS)
                .append(',').append(h).append(':').append(p + CONSENSUS)
                .append(',').append(h).append(':').append(p + LOG)
                .append(',').append(h).append(':').append(p + CATCHUP)
                .append(',').append(h).append(':').append(p + ARCHIVE);
            if (i + 1 < hosts.size())
            {
                sb.append('|');
            }
        }
        return sb.toString();
    }

    /**
     * The term length of a node's session (ingress and egress): at least 1 MiB, so that a message of up to 128 KiB
     * goes in one and a 64 MiB value in 512 chunks, with half a term in flight; a node maps three terms of each.
     *
     * @param configured {@code dsm.term.length}.
     * @return the term length of a node's session with the directory cluster.
     */
    public static int sessionTermLength(final int configured)
    {
        return Math.max(configured, 1024 * 1024);
    }

    /**
     * @param hosts one host per member.
     * @param ports each member's base port.
     * @return the ingress endpoints a client of this cluster is given: {@code 0=host:port,1=...}.
     */
    public static String ingressEndpoints(final List<String> hosts, final List<Integer> ports)
    {
        final List<InetSocketAddress> members = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++)
        {
            members.add(InetSocketAddress.createUnresolved(hosts.get(i), ports.get(i)));
        }
        return ingressEndpoints(members);
    }

    /**
     * @param members each member's host and base port, in member order.
     * @return the ingress endpoints a client of this cluster is given: {@code 0=host:port,1=...}.
     */
    public static String ingressEndpoints(final List<InetSocketAddress> members)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members.size(); i++)
        {
            sb.append(i == 0 ? "" : ",").append(i).append('=').append(members.get(i).getHostString()).append(':')
                .append(members.get(i).getPort() + INGRESS);
        }
        return sb.toString();
    }

    /**
     * Starts this process's member of the directory cluster.
     *
     * @param ctx what to start.
     * @return the running member.
     */
    public static DirectoryCluster launch(final Context ctx)
    {
        ctx.conclude();
        return new DirectoryCluster(ctx);
    }

    /** @return the service (tests, status). */
    public DirectoryService service()
    {
        return service;
    }

    /**
     * Asks the consensus module for a snapshot and waits until it is written.
     *
     * @param timeoutNs how long to wait.
     * @return whether the snapshot was taken in time.
     */
    public boolean takeSnapshot(final long timeoutNs)
    {
        final ConsensusModule.Context cm = driver.consensusModule().context();
        final AtomicCounter snapshots = cm.snapshotCounter();
        final long before = snapshots.get();
        final AtomicCounter toggle = ClusterControl.findControlToggle(
            driver.mediaDriver().context().countersManager(), cm.clusterId());
        if (toggle == null || !ClusterControl.ToggleState.SNAPSHOT.toggle(toggle))
        {
            return false;
        }
        final long deadline = System.nanoTime() + timeoutNs;
        final BackoffIdleStrategy wait = idle();
        while (snapshots.get() <= before)
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            wait.idle();
        }
        return true;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(driver.consensusModule(), container, driver, doorbell);
    }

    /** What a member of the directory cluster needs. */
    public static final class Context
    {
        private File directory;
        private String aeronDirectoryName;
        private int memberId;
        private final List<String> hosts = new ArrayList<>();
        private final List<Integer> ports = new ArrayList<>();
        private int termLength = 64 * 1024;
        private int maxMessageLength = 128 * 1024 * 1024 + 64 * 1024;
        private int maxMembers = 256;
        private int maxJoinsPerSecond = 100;
        private long heartbeatIntervalNs = TimeUnit.SECONDS.toNanos(1);
        private long leaseNs = TimeUnit.SECONDS.toNanos(3);
        private long evictionNs = TimeUnit.SECONDS.toNanos(6);
        private long leaderHeartbeatTimeoutNs = TimeUnit.MILLISECONDS.toNanos(700);
        private long electionTimeoutNs = TimeUnit.MILLISECONDS.toNanos(300);
        private boolean ownsDirectory;
        private SharedSecret secret;
        private ErrorHandler errorHandler = t -> DsmLog.rateLimited(DsmLog.Level.WARN, "directory-cluster",
            "directory cluster: " + t);

        /**
         * @param directory where the member keeps its log, archive and snapshots.
         * @return this.
         */
        public Context directory(final File directory)
        {
            this.directory = directory;
            return this;
        }

        /**
         * @param aeronDirectoryName the member's media driver directory; null for one named after this process and
         *                           the member (the next dsm process on the host deletes it once this one is gone).
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @param memberId this member's index in the member list.
         * @return this.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        /**
         * @param host     a member's host.
         * @param basePort the first of its {@link #PORTS_PER_MEMBER} ports.
         * @return this.
         */
        public Context member(final String host, final int basePort)
        {
            hosts.add(host);
            ports.add(basePort);
            return this;
        }

        /**
         * @param heartbeatIntervalNs interval nodes are told to send heartbeats at.
         * @param leaseNs             how long a node may trust its replicas after an acknowledged heartbeat.
         * @param evictionNs          silence after which a node is evicted.
         * @return this.
         */
        public Context timing(final long heartbeatIntervalNs, final long leaseNs, final long evictionNs)
        {
            this.heartbeatIntervalNs = heartbeatIntervalNs;
            this.leaseNs = leaseNs;
            this.evictionNs = evictionNs;
            return this;
        }

        /**
         * @param termLength       term length of the ingress and of the nodes' egress (the same on every process):
         *                         a message longer than an eighth of it goes in chunks.
         * @param maxMessageLength the longest message, in chunks, taken from a node.
         * @return this.
         */
        public Context messages(final int termLength, final int maxMessageLength)
        {
            this.termLength = termLength;
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /**
         * @param maxMembers        at most this many members at a time.
         * @param maxJoinsPerSecond at most this many new members in any second.
         * @return this.
         */
        public Context limits(final int maxMembers, final int maxJoinsPerSecond)
        {
            this.maxMembers = maxMembers;
            this.maxJoinsPerSecond = maxJoinsPerSecond;
            return this;
        }

        /**
         * @param secret the cluster's secret: only sessions that prove it are admitted; null admits any.
         * @return this.
         */
        public Context secret(final SharedSecret secret)
        {
            this.secret = secret;
            return this;
        }

        /**
         * @param ownsDirectory whether this process holds the lock that keeps every other member process off the
         *                      state directory, so that mark files left by a killed member may be deleted.
         * @return this.
         */
        public Context ownsDirectory(final boolean ownsDirectory)
        {
            this.ownsDirectory = ownsDirectory;
            return this;
        }

        /**
         * @param errorHandler where Aeron's errors go.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /** @return the ingress endpoints clients are given. */
        public String ingressEndpoints()
        {
            return DirectoryCluster.ingressEndpoints(hosts, ports);
        }

        void conclude()
        {
            if (directory == null)
            {
                throw new IllegalArgumentException("the directory cluster needs a state directory");
            }
            if (hosts.isEmpty())
            {
                throw new IllegalArgumentException("the directory cluster needs at least one member");
            }
            if (memberId < 0 || memberId >= hosts.size())
            {
                throw new IllegalArgumentException("member id " + memberId + " is not one of the " + hosts.size() +
                    " members " + hosts);
            }
            for (final int port : ports)
            {
                if (port <= 0 || port + PORTS_PER_MEMBER - 1 > 65535)
                {
                    throw new IllegalArgumentException("a member's base port must leave room for " + PORTS_PER_MEMBER +
                        " ports: " + port);
                }
            }
        }
    }
}
