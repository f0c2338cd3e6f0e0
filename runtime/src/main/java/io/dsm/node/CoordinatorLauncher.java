package io.dsm.node;

import io.dsm.coordinator.CoordinatorLock;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The embedded default: when no coordinator runs for the configured loopback endpoint on this machine, a node starts
 * one as a separate process ({@code java -jar dsm-agent.jar coordinator}) that outlives it and exits by itself once
 * no node has been connected for {@code dsm.coordinator.idle.exit.ms}. A separate process, rather than a thread in
 * the first JVM, so that the cluster survives the exit of whichever JVM happened to start first. A node whose
 * directory goes silent starts one again ({@link #ensureRunningInBackground}): the directory on Aeron Cluster
 * recovers its whole state from its log and snapshots, so its {@code kill -9} costs seconds, never a value.
 */
final class CoordinatorLauncher
{
    private CoordinatorLauncher()
    {
    }

    /** A start in the background is under way. */
    private static final AtomicBoolean LAUNCHING = new AtomicBoolean();

    private static volatile String lastFailure;

    /**
     * {@link #ensureRunning} on a thread of its own, unless one is under way: a node whose directory went silent calls
     * it from its duty cycle, which must not wait for a process to start. A directory that still runs holds its lock,
     * and this does nothing; of several nodes that start one at once, the first to take the lock serves and the
     * others exit at once.
     */
    /** @return why this JVM last failed to start the embedded directory, or null. */
    static String lastFailure()
    {
        return lastFailure;
    }

    static void ensureRunningInBackground(final Configuration config, final String host, final long port)
    {
        if (!LAUNCHING.compareAndSet(false, true))
        {
            return;
        }
        final Thread launcher = new Thread(() ->
        {
            try
            {
                ensureRunning(config, host, port);
            }
            finally
            {
                LAUNCHING.set(false);
            }
        }, "dsm-coordinator-launcher");
        launcher.setDaemon(true);
        launcher.start();
    }

    static void ensureRunning(final Configuration config, final String host, final long port)
    {
        final String key = host + "-" + port;
        try
        {
            if (CoordinatorLock.isHeld(key))
            {
                return;
            }
            final List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"));
            command.add("-XX:+UseSerialGC");
            // Room for the values of unowned variables and a few large values in flight (each is held once as it
            // arrives, once stored, and once per reader it is sent to until the publication takes it).
            command.add("-Xmx" + (128 + 6L * config.maxValueBytes() / (1024 * 1024)) + "m");
            command.add("-D" + Configuration.COORDINATOR_IDLE_EXIT_MS + "=" +
                config.getLong(Configuration.AUTOSTART_IDLE_EXIT_MS));
            for (final String keyName : List.of(Configuration.COORDINATOR_HOST, Configuration.COORDINATOR_PORT,
                Configuration.COORDINATOR_ENGINE, Configuration.COORDINATOR_DIR,
                Configuration.HEARTBEAT_INTERVAL_MS, Configuration.LEASE_MS,
                Configuration.EVICTION_MS, Configuration.TERM_LENGTH, Configuration.MAX_VALUE_BYTES,
                Configuration.MAX_MEMBERS, Configuration.MAX_JOINS_PER_SECOND,
                Configuration.IDLE_STRATEGY,
                Configuration.IDLE_MAX_PARK_NS, Configuration.IDLE_MAX_YIELDS, Configuration.IDLE_WARM_NS, Configuration.LOG_LEVEL))
            {
                command.add("-D" + keyName + "=" + config.get(keyName));
            }
            final File codeSource = codeSource();
            if (codeSource.isFile())
            {
                command.add("-jar");
                command.add(codeSource.getPath());
            }
            else
            {
                command.addAll(List.of(
                    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "io.dsm.coordinator.CoordinatorMain"));
            }
            command.add("coordinator");
            final File log = new File(System.getProperty("java.io.tmpdir"), "dsm-coordinator-" + key + ".log");
            final ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            final String secret = config.get(Configuration.SECRET);
            if (!secret.isEmpty())
            {
                // In the environment, not on the command line, where every user of the machine could read it.
                builder.environment().put("DSM_SECRET", secret);
            }
            final Process process = builder.start();
            DsmLog.info("started coordinator process " + process.pid() + " for " + key + ", log in " + log);
        }
        catch (final IOException | URISyntaxException | RuntimeException ex)
        {
            final String tmp = System.getProperty("java.io.tmpdir");
            lastFailure = (ex instanceof IOException ? "its lock and log go in java.io.tmpdir (" + tmp + "), and " +
                "the directory's state in " + Configuration.COORDINATOR_DIR + " (default: java.io.tmpdir): " + ex +
                ". Set -Djava.io.tmpdir or " + Configuration.COORDINATOR_DIR + " to a writable directory, or run a " +
                "directory yourself (java -jar dsm-agent.jar coordinator) with " + Configuration.COORDINATOR_AUTOSTART +
                "=false on the nodes" : ex.toString());
            DsmLog.rateLimited(DsmLog.Level.WARN, "coordinator-start", "could not start a coordinator for " + key +
                " (" + lastFailure + "); waiting for one to appear");
        }
    }

    private static File codeSource() throws URISyntaxException
    {
        return new File(CoordinatorLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
