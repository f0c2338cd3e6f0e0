package io.dsm.coordinator;

import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;

import java.io.IOException;

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
        final String key = config.get(Configuration.COORDINATOR_CHANNEL).isEmpty() ?
            config.get(Configuration.COORDINATOR_HOST) + "-" + config.get(Configuration.COORDINATOR_PORT) :
            Integer.toHexString(ctx.channel().hashCode());
        final CoordinatorLock lock = CoordinatorLock.tryAcquire(key);
        if (lock == null)
        {
            System.err.println("[dsm] a coordinator already runs for " + key + " on this machine (" +
                CoordinatorLock.file(key) + " is locked)");
            return 2;
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
}
