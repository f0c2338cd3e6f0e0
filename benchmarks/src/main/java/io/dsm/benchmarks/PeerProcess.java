package io.dsm.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM a benchmark starts in {@code @Setup} and stops in {@code @TearDown}: a dsm coordinator, or a peer program
 * from this jar (with or without the agent), driven by lines on its standard input and output. Every wait has a
 * deadline.
 */
public final class PeerProcess implements AutoCloseable
{
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final String label;
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);

    private PeerProcess(final String label, final List<String> command)
    {
        this.label = label;
        try
        {
            // A peer's stderr goes to a file, so that what it prints when torn down does not clutter JMH's output.
            final java.io.File log = new java.io.File(System.getProperty("java.io.tmpdir"),
                "dsm-bench-" + label + ".log");
            this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(log)).start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + label + ": " + command, ex);
        }
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        final Thread pump = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    lines.offer(line);
                }
            }
            catch (final IOException ignore)
            {
                // the process ended
            }
        }, label + "-out");
        pump.setDaemon(true);
        pump.start();
    }

    /** @return the agent jar the suite was told about. */
    public static String agentJar()
    {
        final String jar = System.getProperty("bench.agent.jar", "agent/target/dsm-agent.jar");
        if (!Files.isRegularFile(Path.of(jar)))
        {
            throw new IllegalStateException("no dsm agent jar at " + jar + " (set -Dbench.agent.jar)");
        }
        return jar;
    }

    /** @return a UDP port that was free a moment ago on loopback. */
    public static int freePort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Starts a standalone dsm coordinator on {@code port} and waits until it listens. */
    public static PeerProcess coordinator(final int port)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m",
            "-Ddsm.coordinator.port=" + port));
        command.addAll(DsmSettings.asProperties());
        command.addAll(List.of("-jar", agentJar(), "coordinator"));
        final PeerProcess coordinator = new PeerProcess("coordinator", command);
        coordinator.await("listening", 30);
        return coordinator;
    }

    /** Starts {@code mainClass} from this jar in a JVM with the dsm agent, joined to the coordinator on {@code port}. */
    public static PeerProcess dsmPeer(final String label, final int port, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx512m", "-javaagent:" + agentJar(),
            "-Ddsm.coordinator.port=" + port, "-Ddsm.coordinator.autostart=false"));
        command.addAll(DsmSettings.asProperties());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return new PeerProcess(label, command);
    }

    /** Starts {@code mainClass} from this jar in a plain JVM. */
    public static PeerProcess plainPeer(final String label, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx1g",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=none"));
        command.addAll(DsmSettings.asProperties());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return new PeerProcess(label, command);
    }

    /** Waits for an output line that contains {@code text}. */
    public String await(final String text, final long timeoutSeconds)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                throw new IllegalStateException(label + " did not print '" + text + "' within " + timeoutSeconds +
                    " s (alive: " + process.isAlive() + ")");
            }
            try
            {
                final String line = lines.poll(remaining, TimeUnit.NANOSECONDS);
                if (line != null && line.contains(text))
                {
                    return line;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /** @return the peer's process, for CPU accounting. */
    public ProcessHandle handle()
    {
        return process.toHandle();
    }

    /** Sends one line to the process. */
    public void send(final String line)
    {
        try
        {
            in.write(line + "\n");
            in.flush();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(label + " does not accept input", ex);
        }
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
