package io.dsm.coordinator;

import io.dsm.protocol.SharedSecret;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.List;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar dsm-agent.jar coordinator}: runs a standalone coordinator until it is stopped (or, when
 * {@code dsm.coordinator.idle.exit.ms} is positive, until no node has been connected for that long). Every setting
 * comes from the {@link Configuration} keys.
 */
public final class CoordinatorMain
{
    private CoordinatorMain()
    {
    }

    /**
     * @param args ignored but for a leading {@code coordinator}; configuration comes from {@code -Ddsm.*} or
     *             {@code DSM_*}.
     * @throws Exception when the coordinator cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        System.exit(run(Configuration.current()));
    }

    /**
     * Runs a coordinator until it exits.
     *
     * @param config the configuration.
     * @return the process exit status.
     * @throws InterruptedException if interrupted.
     * @throws IOException when the lock file cannot be opened.
     */
    public static int run(final Configuration config) throws InterruptedException, IOException
    {
        DsmLog.level(config.get(Configuration.LOG_LEVEL));
        final CoordinatorServer.Context ctx = CoordinatorServer.Context.from(config);
        final String key;
        if (config.clusterEngine())
        {
            final InetSocketAddress member =
                config.coordinatorMembers().get((int)config.getLong(Configuration.COORDINATOR_MEMBER_ID));
            key = member.getHostString() + "-" + member.getPort();
        }
        else
        {
            key = config.get(Configuration.COORDINATOR_CHANNEL).isEmpty() ?
                config.get(Configuration.COORDINATOR_HOST) + "-" + config.get(Configuration.COORDINATOR_PORT) :
                Integer.toHexString(ctx.channel().hashCode());
        }
        final CoordinatorLock lock = CoordinatorLock.tryAcquire(key);
        if (lock == null)
        {
            System.err.println("[dsm] a coordinator already runs for " + key + " on this machine (" +
                CoordinatorLock.file(key) + " is locked)");
            return 2;
        }
        if (config.clusterEngine())
        {
            try (lock)
            {
                return runCluster(config);
            }
        }
        try (lock; CoordinatorServer server = CoordinatorServer.launch(ctx))
        {
            System.out.println("[dsm] coordinator pid " + ProcessHandle.current().pid() + " listening on " +
                ctx.channel());
            final Thread hook = new Thread(server::close, "dsm-coordinator-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            server.awaitStop(0);
            System.out.println("[dsm] coordinator stopping");
        }
        return 0;
    }

    /**
     * The directory as a one-member Aeron Cluster ({@code dsm.coordinator.engine=cluster}): its log and snapshots are
     * kept under {@code dsm.coordinator.dir}, so that a directory started again there, after a crash or an idle exit,
     * goes on with every member, variable and value it had. It takes a snapshot when it stops.
     */
    private static int runCluster(final Configuration config) throws InterruptedException
    {
        final List<InetSocketAddress> members = config.coordinatorMembers();
        final int memberId = (int)config.getLong(Configuration.COORDINATOR_MEMBER_ID);
        if (memberId < 0 || memberId >= members.size())
        {
            throw new IllegalArgumentException(Configuration.COORDINATOR_MEMBER_ID + " is " + memberId + ", not one of " +
                "the " + members.size() + " members " + members);
        }
        final String host = members.get(memberId).getHostString();
        final int port = members.get(memberId).getPort();
        final String dir = config.get(Configuration.COORDINATOR_DIR);
        final File state = dir.isEmpty() ?
            new File(System.getProperty("java.io.tmpdir"), "dsm-directory-" + host + "-" + port) : new File(dir);
        final long idleExitNs = TimeUnit.MILLISECONDS.toNanos(config.getLong(Configuration.COORDINATOR_IDLE_EXIT_MS));
        final DirectoryCluster.Context ctx = new DirectoryCluster.Context()
            .directory(state)
            .ownsDirectory(true) // the caller holds the coordinator lock for this member's host and port
            .memberId(memberId)
            .messages((int)config.getPositiveLong(Configuration.TERM_LENGTH), config.maxMessageLength())
            .limits((int)Math.min(Integer.MAX_VALUE, config.getPositiveLong(Configuration.MAX_MEMBERS)),
                (int)Math.min(Integer.MAX_VALUE, config.getPositiveLong(Configuration.MAX_JOINS_PER_SECOND)))
            .timing(TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.HEARTBEAT_INTERVAL_MS)),
                TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.LEASE_MS)),
                TimeUnit.MILLISECONDS.toNanos(config.getPositiveLong(Configuration.EVICTION_MS)));
        for (final InetSocketAddress member : members)
        {
            ctx.member(member.getHostString(), member.getPort());
        }
        final String secret = config.get(Configuration.SECRET);
        if (!secret.isEmpty())
        {
            ctx.secret(new SharedSecret(secret));
        }
        else if (members.stream().anyMatch(m -> !isLoopback(m.getHostString())))
        {
            System.err.println("[dsm] coordinator: dsm.secret is not set, so any process that can reach " +
                ctx.ingressEndpoints() + " may join as a node (docs/SECURITY.md)");
        }
        final CountDownLatch stop = new CountDownLatch(1);
        // Counted down once the member is closed (its media driver deletes its files then): a SIGTERM's hook waits.
        final CountDownLatch stopped = new CountDownLatch(1);
        try (DirectoryCluster cluster = DirectoryCluster.launch(ctx))
        {
            System.out.println("[dsm] coordinator pid " + ProcessHandle.current().pid() + " listening on " +
                "aeron-cluster " + ctx.ingressEndpoints() + " as member " + memberId + " of " + members.size() +
                " (state in " + state + ")");
            registerMetrics(cluster.service(), memberId);
            final Thread hook = new Thread(() ->
            {
                stop.countDown();
                try
                {
                    stopped.await(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "dsm-coordinator-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            String role = "";
            while (!stop.await(100, TimeUnit.MILLISECONDS))
            {
                final DirectoryService service = cluster.service();
                if (!role.equals(service.role()))
                {
                    role = service.role();
                    System.out.println("[dsm] coordinator member " + memberId + " is " + role);
                }
                if (idleExitNs > 0 && service.memberCount() == 0 &&
                    System.nanoTime() - service.emptySinceNs() > idleExitNs)
                {
                    System.out.println("[dsm] coordinator: no node for " +
                        TimeUnit.NANOSECONDS.toMillis(idleExitNs) + " ms, exiting");
                    break;
                }
            }
            // A snapshot makes the next start read one file instead of replaying the whole log.
            if (!cluster.takeSnapshot(TimeUnit.SECONDS.toNanos(5)))
            {
                System.err.println("[dsm] coordinator: no snapshot taken on stopping; the next start replays the log");
            }
            System.out.println("[dsm] coordinator stopping");
        }
        finally
        {
            stopped.countDown();
        }
        return 0;
    }

    /** The member's metrics in JMX: {@code io.dsm:type=Directory,member=<id>} ({@link DirectoryMXBean}). */
    private static void registerMetrics(final DirectoryService service, final int memberId)
    {
        try
        {
            java.lang.management.ManagementFactory.getPlatformMBeanServer().registerMBean(service,
                new javax.management.ObjectName("io.dsm:type=Directory,member=" + memberId));
        }
        catch (final Exception ex)
        {
            System.err.println("[dsm] coordinator: its metrics are not in JMX (" + ex + ")");
        }
    }

    private static boolean isLoopback(final String host)
    {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
}
