package io.dsm.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one harness of the multi-JVM tests: real JVMs, started with the real agent jar, on a fresh coordinator port
 * per cluster, talking to the test through their standard streams. Every wait has a deadline; closing the cluster
 * ends every process it started, by its handle.
 */
final class JvmCluster implements AutoCloseable
{
    static final Path AGENT_JAR = Path.of(System.getProperty("dsm.agent.jar", "target/dsm-agent.jar"));
    static final String TEST_CLASSES = System.getProperty("dsm.it.classes", "target/test-classes");
    static final Path FOREIGN_LIBS = Path.of(System.getProperty("dsm.it.foreign", "target/foreign-libs"));
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    final int port = freeUdpPort();
    private final List<Jvm> jvms = Collections.synchronizedList(new ArrayList<>());
    private final List<String> clusterProperties = new ArrayList<>();

    JvmCluster(final String... properties)
    {
        if (!Files.isRegularFile(AGENT_JAR))
        {
            throw new IllegalStateException("no agent jar at " + AGENT_JAR.toAbsolutePath() + ": run mvn verify");
        }
        clusterProperties.add("-Ddsm.coordinator.port=" + port);
        clusterProperties.add("-Ddsm.coordinator.autostart=false");
        // mvn verify -Ddsm.it.engine=cluster runs every multi-JVM test on the directory on Aeron Cluster.
        final String engine = System.getProperty("dsm.it.engine", "");
        if (!engine.isEmpty())
        {
            clusterProperties.add("-Ddsm.coordinator.engine=" + engine);
        }
        for (final String p : properties)
        {
            clusterProperties.add("-D" + p);
        }
    }

    /** @return a base port below 32768 with its next five ports free on loopback (the test kit's choice). */
    static int freeUdpPort()
    {
        return io.dsm.test.DsmCluster.freePort();
    }

    /** Starts a standalone coordinator and waits until it listens. */
    Jvm startCoordinator()
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx1g"));
        command.addAll(clusterProperties);
        command.addAll(List.of("-jar", AGENT_JAR.toString(), "coordinator"));
        final Jvm coordinator = start("coordinator", command);
        coordinator.awaitLine("listening on", Duration.ofSeconds(30));
        return coordinator;
    }

    /**
     * Starts one member of a directory on Aeron Cluster (the cluster's properties name the members) and waits until
     * it listens.
     */
    Jvm startDirectoryMember(final int memberId, final Path state)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m"));
        command.addAll(clusterProperties);
        command.addAll(List.of("-Ddsm.coordinator.engine=cluster", "-Ddsm.coordinator.member.id=" + memberId,
            "-Ddsm.coordinator.dir=" + state, "-jar", AGENT_JAR.toString(), "coordinator"));
        final Jvm member = start("member" + memberId, command);
        member.awaitLine("listening on", Duration.ofSeconds(30));
        return member;
    }

    /** Starts a JVM with the agent, running {@code mainClass} from the test classes. */
    Jvm startNode(final String label, final Class<?> mainClass, final List<String> jvmOptions, final String... args)
    {
        return startJvm(label, true, TEST_CLASSES, mainClass, jvmOptions, args);
    }

    /**
     * @return the command of a JVM on the test classes with the cluster's properties and {@code options} (the agent
     *         is not added: give it among the options, with whatever arguments the test needs).
     */
    List<String> command(final List<String> options, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m"));
        command.addAll(options);
        command.addAll(clusterProperties);
        command.addAll(List.of("-cp", TEST_CLASSES, mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts a JVM, with or without the agent, on the given class path. */
    Jvm startJvm(
        final String label,
        final boolean withAgent,
        final String classPath,
        final Class<?> mainClass,
        final List<String> jvmOptions,
        final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(JAVA, "-Xmx256m"));
        if (withAgent)
        {
            command.add("-javaagent:" + AGENT_JAR);
        }
        command.addAll(clusterProperties);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, mainClass.getName()));
        command.addAll(List.of(args));
        return start(label, command);
    }

    Jvm start(final String label, final List<String> command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).start();
            final Jvm jvm = new Jvm(label, process);
            jvms.add(jvm);
            return jvm;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + label + ": " + command, ex);
        }
    }

    /** @return every JVM's label, output and errors, for a failed test's message. */
    String describeAll()
    {
        final StringBuilder sb = new StringBuilder();
        synchronized (jvms)
        {
            for (final Jvm jvm : jvms)
            {
                sb.append("\n--- ").append(jvm.label).append(": ").append(jvm.describe());
            }
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        for (final Jvm jvm : jvms)
        {
            jvm.process.destroy();
        }
        for (final Jvm jvm : jvms)
        {
            try
            {
                if (!jvm.process.waitFor(10, TimeUnit.SECONDS))
                {
                    jvm.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        final String key = "127.0.0.1-" + port;
        try
        {
            if (!io.dsm.coordinator.CoordinatorLock.isHeld(key))
            {
                Files.deleteIfExists(io.dsm.coordinator.CoordinatorLock.file(key).toPath());
                Files.deleteIfExists(Path.of(System.getProperty("java.io.tmpdir"), "dsm-coordinator-" + key + ".log"));
                // The state of a directory on Aeron Cluster started with its default directory (dsm.it.engine=cluster).
                final Path state = Path.of(System.getProperty("java.io.tmpdir"), "dsm-directory-" + key);
                if (Files.isDirectory(state))
                {
                    try (java.util.stream.Stream<Path> files = Files.walk(state))
                    {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        }
        catch (final IOException ignore)
        {
            // a leftover lock file of a few bytes in the temp directory is harmless
        }
    }

    /** One started JVM: its output lines, its error stream, and a way to send it lines. */
    static final class Jvm
    {
        final String label;
        final Process process;
        private final List<String> out = new ArrayList<>();
        private final StringBuffer err = new StringBuffer();
        private final Writer in;
        private final Thread outPump;
        private int cursor;

        Jvm(final String label, final Process process)
        {
            this.label = label;
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            outPump = pump(process.getInputStream(), line ->
            {
                synchronized (out)
                {
                    out.add(line);
                    out.notifyAll();
                }
            });
            pump(process.getErrorStream(), line -> err.append(line).append('\n'));
        }

        private Thread pump(final InputStream stream, final java.util.function.Consumer<String> sink)
        {
            final Thread thread = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = reader.readLine()) != null)
                    {
                        sink.accept(line);
                    }
                }
                catch (final IOException ignore)
                {
                    // the process ended
                }
            }, label + "-pump");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        long pid()
        {
            return process.pid();
        }

        /** Sends one line to the JVM's standard input. */
        void send(final String line)
        {
            try
            {
                in.write(line + "\n");
                in.flush();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(label + " does not accept input: " + describe(), ex);
            }
        }

        /** Waits for the next output line (after the last one awaited) that contains {@code text}. */
        String awaitLine(final String text, final Duration timeout)
        {
            return awaitLine(line -> line.contains(text), "a line containing '" + text + "'", timeout);
        }

        /** Waits for the next output line matching {@code regex}, and returns its match. */
        Matcher awaitMatch(final String regex, final Duration timeout)
        {
            final Pattern pattern = Pattern.compile(regex);
            final String line = awaitLine(l -> pattern.matcher(l).find(), "a line matching " + regex, timeout);
            final Matcher matcher = pattern.matcher(line);
            matcher.find();
            return matcher;
        }

        String awaitLine(final Predicate<String> test, final String what, final Duration timeout)
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out)
            {
                while (true)
                {
                    while (cursor < out.size())
                    {
                        final String line = out.get(cursor++);
                        if (test.test(line))
                        {
                            return line;
                        }
                    }
                    final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (remainingMs <= 0)
                    {
                        throw new AssertionError(label + ": no " + what + " within " + timeout + "; " + describe() +
                            threads());
                    }
                    if (!outPump.isAlive() && cursor >= out.size())
                    {
                        if (cursor >= out.size())
                        {
                            throw new AssertionError(label + " closed its output before " + what +
                                "; " + describe());
                        }
                    }
                    try
                    {
                        out.wait(Math.min(remainingMs, 200));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(ex);
                    }
                }
            }
        }

        /** Waits for the JVM to exit and returns its status. */
        int awaitExit(final Duration timeout)
        {
            try
            {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    throw new AssertionError(label + " did not exit within " + timeout + "; " + describe());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
            return process.exitValue();
        }

        /** Stops every thread of the JVM ({@code kill -STOP}) until {@link #resume}. */
        void pause()
        {
            signal("STOP");
        }

        /** Resumes a JVM stopped by {@link #pause} ({@code kill -CONT}). */
        void resume()
        {
            signal("CONT");
        }

        private void signal(final String signal)
        {
            try
            {
                final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
                {
                    throw new AssertionError("kill -" + signal + " " + process.pid() + " failed: " +
                        new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            catch (final IOException ex)
            {
                throw new AssertionError("cannot run kill -" + signal, ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }

        /** Sends a command to a program that answers one line per command and returns its answer or error line. */
        String ask(final String command, final String answer, final Duration timeout)
        {
            send(command);
            return awaitLine(line -> line.startsWith(answer) || line.startsWith("error"), "an answer to " + command,
                timeout);
        }

        /** Kills the JVM with SIGKILL ({@code kill -9}): no shutdown hook runs. */
        void kill9()
        {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }

        String stderr()
        {
            return err.toString();
        }

        List<String> stdout()
        {
            synchronized (out)
            {
                return new ArrayList<>(out);
            }
        }

        /** @return the stacks of the JVM's threads that run dsm or the program (jcmd), for a hang's report. */
        String threads()
        {
            if (!process.isAlive())
            {
                return "";
            }
            try
            {
                final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                    .toString(), Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
                final String dump = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                jcmd.waitFor(30, TimeUnit.SECONDS);
                final StringBuilder kept = new StringBuilder("\n" + label + "'s threads in io.dsm:");
                for (final String block : dump.split("\n\n"))
                {
                    if (block.contains("io.dsm"))
                    {
                        kept.append("\n").append(block);
                    }
                }
                return kept.toString();
            }
            catch (final IOException ex)
            {
                return "\n(no thread dump: " + ex + ")";
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        String describe()
        {
            return "stdout=" + stdout() + " stderr=[" + err + "]";
        }
    }
}
