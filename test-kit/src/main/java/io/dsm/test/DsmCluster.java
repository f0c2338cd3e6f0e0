package io.dsm.test;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * JVMs that share fields with dsm, for one test: each runs a main class of the test's own class path (less dsm's own
 * classes, which come from the agent jar) with the real agent ({@code -javaagent}), and all of them join one directory that the cluster starts itself, on a free port below
 * the kernel's ephemeral range, with its state in a temporary directory. Every wait takes a deadline; closing the
 * cluster (JUnit does it when the test ends) stops every process it started, by its handle, and deletes its files.
 * <p>
 * The agent jar is {@code -Ddsm.agent.jar=...} if set, else the {@code dsm-agent*.jar} on the test's class path (the
 * {@code io.dsm:dsm-agent} test dependency).
 */
public final class DsmCluster implements AutoCloseable, ExtensionContext.Store.CloseableResource
{
    private static final Duration START = Duration.ofSeconds(60);
    private final String name;
    private final Path agentJar;
    private final int port;
    private final Path stateDir;
    private final List<String> properties = new ArrayList<>();
    private final List<Jvm> jvms = new ArrayList<>();
    private Jvm directory;

    /**
     * @param name what the cluster is for (the test's name), in its reports.
     */
    public DsmCluster(final String name)
    {
        this.name = name;
        this.agentJar = findAgentJar();
        this.port = freePort();
        try
        {
            this.stateDir = Files.createTempDirectory("dsm-test-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("dsm-test: cannot create a temporary directory", ex);
        }
    }

    /**
     * Sets a dsm setting (or any system property) on every JVM started from now on, the directory included.
     *
     * @param key   for example {@code dsm.timeout.ms}.
     * @param value its value.
     * @return this cluster.
     */
    public DsmCluster property(final String key, final String value)
    {
        properties.add("-D" + key + "=" + value);
        return this;
    }

    /** @return the directory's port: JVMs started by hand join with {@code -Ddsm.coordinator.port=<port>}. */
    public int port()
    {
        return port;
    }

    /** @return the agent jar the JVMs run with. */
    public Path agentJar()
    {
        return agentJar;
    }

    /**
     * Starts {@code count} JVMs running {@code mainClass} with {@code args}, labelled {@code mainClass-1} and so on.
     *
     * @param count     how many.
     * @param mainClass a class of the test's class path with a {@code main} method.
     * @param args      its arguments.
     * @return the JVMs, started (not waited for).
     */
    public List<Jvm> start(final int count, final Class<?> mainClass, final String... args)
    {
        final List<Jvm> started = new ArrayList<>();
        for (int i = 1; i <= count; i++)
        {
            started.add(start(mainClass.getSimpleName() + "-" + i, mainClass, args));
        }
        return started;
    }

    /**
     * Starts one JVM running {@code mainClass} with {@code args}, with the agent and the test's class path.
     *
     * @param label     its name in reports.
     * @param mainClass a class of the test's class path with a {@code main} method.
     * @param args      its arguments.
     * @return the JVM, started (not waited for).
     */
    public Jvm start(final String label, final Class<?> mainClass, final String... args)
    {
        return start(label, List.of(), mainClass, args);
    }

    /**
     * Starts one JVM running {@code mainClass} with {@code args}, with the agent, the test's class path, and JVM
     * options of its own (after the cluster's: {@code -Ddsm.replication=update} for this JVM alone).
     *
     * @param label      its name in reports.
     * @param jvmOptions options for this JVM only.
     * @param mainClass  a class of the test's class path with a {@code main} method.
     * @param args       its arguments.
     * @return the JVM, started (not waited for).
     */
    public synchronized Jvm start(final String label, final List<String> jvmOptions, final Class<?> mainClass,
        final String... args)
    {
        ensureDirectory();
        final List<String> command = new ArrayList<>(List.of(java(), "-javaagent:" + agentJar));
        command.addAll(common());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath(), mainClass.getName()));
        command.addAll(List.of(args));
        return launch(label, command);
    }

    /**
     * @return the cluster's directory (a one-member Aeron Cluster in a JVM of its own), started if it was not yet: to
     *         stop it for a while ({@link Jvm#pause()}) or for good ({@link Jvm#kill()}) in a test of what the other
     *         JVMs then do.
     */
    public synchronized Jvm directory()
    {
        ensureDirectory();
        return directory;
    }

    private void ensureDirectory()
    {
        if (directory != null)
        {
            return;
        }
        final List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m"));
        command.addAll(common());
        command.addAll(List.of("-Ddsm.coordinator.dir=" + stateDir.resolve("directory"), "-jar", agentJar.toString(),
            "coordinator"));
        directory = launch("directory", command);
        directory.awaitLine("listening on", START);
    }

    private List<String> common()
    {
        final List<String> common = new ArrayList<>(List.of("-Ddsm.coordinator.port=" + port,
            "-Ddsm.coordinator.autostart=false", "-Djava.io.tmpdir=" + stateDir));
        common.addAll(properties);
        return common;
    }

    private Jvm launch(final String label, final List<String> command)
    {
        try
        {
            final Jvm jvm = new Jvm(label, new ProcessBuilder(command).start());
            jvms.add(jvm);
            return jvm;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("dsm-test: cannot start " + label + ": " + command, ex);
        }
    }

    /** @return every JVM's label, exit status, output and errors. */
    public synchronized String describe()
    {
        final StringBuilder report = new StringBuilder("dsm-test cluster '" + name + "' (port " + port + ")");
        for (final Jvm jvm : jvms)
        {
            report.append("\n--- ").append(jvm.describe());
        }
        return report.toString();
    }

    /** Stops every JVM (SIGTERM, then SIGKILL after 10 s) and deletes the cluster's files. */
    @Override
    public synchronized void close()
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
                jvm.process.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(stateDir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            // Left behind in the temporary directory: nothing else depends on it.
        }
    }

    /**
     * @return the test's class path without dsm's own classes (the agent jar, and dsm's runtime and transport, as a
     *         build of dsm itself or a test that depends on {@code dsm-runtime} has them): the JVMs get those from the
     *         agent jar alone, relocated, rather than a second, unrelocated copy that the class path would load first.
     */
    static String classPath()
    {
        final List<String> kept = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            if (!entry.isEmpty() && !isDsmItself(Path.of(entry)))
            {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static boolean isDsmItself(final Path entry)
    {
        final List<String> markers = List.of("io/dsm/agent/DsmAgent.class", "io/dsm/node/DsmNode.class",
            "io/dsm/transport/AeronTransport.class");
        if (Files.isDirectory(entry))
        {
            return markers.stream().anyMatch(m -> Files.isRegularFile(entry.resolve(m)));
        }
        if (!Files.isRegularFile(entry))
        {
            return false;
        }
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(entry.toFile()))
        {
            return markers.stream().anyMatch(m -> jar.getEntry(m) != null);
        }
        catch (final IOException notAJar)
        {
            return false;
        }
    }

    private static String java()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path findAgentJar()
    {
        final String configured = System.getProperty("dsm.agent.jar");
        if (configured != null && !configured.isEmpty())
        {
            final Path jar = Path.of(configured);
            if (!Files.isRegularFile(jar))
            {
                throw new IllegalStateException("dsm-test: -Ddsm.agent.jar=" + configured + " is not a file");
            }
            return jar.toAbsolutePath();
        }
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final String file = Path.of(entry).getFileName() == null ? "" : Path.of(entry).getFileName().toString();
            if (file.startsWith("dsm-agent") && file.endsWith(".jar") && Files.isRegularFile(Path.of(entry)))
            {
                return Path.of(entry).toAbsolutePath();
            }
        }
        throw new IllegalStateException("dsm-test: no agent jar: add the io.dsm:dsm-agent test dependency, or set " +
            "-Ddsm.agent.jar=/path/to/dsm-agent.jar");
    }

    /**
     * @return a base port below the kernel's ephemeral range (32768 and up, where another process's socket may take it
     *         at any time), chosen at random, whose next five ports are free on loopback too (a directory member
     *         listens on the base port and the five after it).
     */
    public static int freePort()
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 10 * random.nextInt(1_000, 3_200);
            final List<DatagramSocket> bound = new ArrayList<>();
            try
            {
                for (int p = base; p < base + 6; p++)
                {
                    bound.add(new DatagramSocket(p, InetAddress.getLoopbackAddress()));
                }
                return base;
            }
            catch (final IOException taken)
            {
                // the next one
            }
            finally
            {
                bound.forEach(DatagramSocket::close);
            }
        }
        throw new IllegalStateException("dsm-test: no six free UDP ports in a row below 32768 after 100 tries");
    }

    /** What the JVMs printed, attached to a failed test. */
    static final class Report extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Report(final String report)
        {
            super(report, null, false, false);
        }
    }

    /** One JVM of the cluster: its output, line by line, its input, and its exit. */
    public static final class Jvm
    {
        private final String label;
        private final Process process;
        private final List<String> out = new ArrayList<>();
        private final StringBuffer err = new StringBuffer();
        private final Writer in;
        private int cursor;

        Jvm(final String label, final Process process)
        {
            this.label = label;
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            pump(process.getInputStream(), line ->
            {
                synchronized (out)
                {
                    out.add(line);
                    out.notifyAll();
                }
            });
            pump(process.getErrorStream(), line -> err.append(line).append('\n'));
        }

        private void pump(final InputStream stream, final Consumer<String> sink)
        {
            final Thread pump = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = reader.readLine()) != null)
                    {
                        sink.accept(line);
                    }
                }
                catch (final IOException ex)
                {
                    // the process is gone
                }
                finally
                {
                    synchronized (out)
                    {
                        out.notifyAll();
                    }
                }
            }, "dsm-test-" + label);
            pump.setDaemon(true);
            pump.start();
        }

        /** @return its label. */
        public String label()
        {
            return label;
        }

        /** @return its process id. */
        public long pid()
        {
            return process.pid();
        }

        /**
         * Waits for the next line of its standard output, after those already returned, that contains {@code text}.
         *
         * @param text    what the line contains.
         * @param timeout how long to wait.
         * @return the line.
         * @throws AssertionError naming the JVM and what it printed, when no such line came in time or it exited.
         */
        public String awaitLine(final String text, final Duration timeout)
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out)
            {
                while (true)
                {
                    while (cursor < out.size())
                    {
                        final String line = out.get(cursor++);
                        if (line.contains(text))
                        {
                            return line;
                        }
                    }
                    final long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && cursor >= out.size()))
                    {
                        throw new AssertionError(label + ": no line containing '" + text + "' " +
                            (left <= 0 ? "within " + timeout : "before it exited") + "; " + describe());
                    }
                    try
                    {
                        TimeUnit.NANOSECONDS.timedWait(out, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(label + ": interrupted", ex);
                    }
                }
            }
        }

        /**
         * Writes a line to its standard input.
         *
         * @param line the line.
         */
        public void send(final String line)
        {
            try
            {
                in.write(line + "\n");
                in.flush();
            }
            catch (final IOException ex)
            {
                throw new AssertionError(label + ": cannot write to its input: " + describe(), ex);
            }
        }

        /**
         * @param timeout how long to wait.
         * @return its exit status.
         * @throws AssertionError when it did not exit in time (it keeps running until the cluster closes).
         */
        public int awaitExit(final Duration timeout)
        {
            try
            {
                if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS))
                {
                    throw new AssertionError(label + ": did not exit within " + timeout + "; " + describe());
                }
                return process.exitValue();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(label + ": interrupted", ex);
            }
        }

        /**
         * Waits for the next line of its standard output, after those already returned, that matches {@code regex}.
         *
         * @param regex   what the whole line matches.
         * @param timeout how long to wait.
         * @return the match, for its groups.
         */
        public java.util.regex.Matcher awaitMatch(final String regex, final Duration timeout)
        {
            final java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (true)
            {
                final long left = deadline - System.nanoTime();
                final String line;
                try
                {
                    line = awaitLine("", Duration.ofNanos(Math.max(1, left)));
                }
                catch (final AssertionError ex)
                {
                    throw new AssertionError(label + ": no line matching '" + regex + "' within " + timeout + "; " +
                        describe(), ex);
                }
                final java.util.regex.Matcher matcher = pattern.matcher(line);
                if (matcher.matches())
                {
                    return matcher;
                }
            }
        }

        /**
         * Waits until some line of its standard output so far, or to come, equals {@code line}, wherever it is (a line
         * printed by another thread, between the answers to commands).
         *
         * @param line    the whole line.
         * @param timeout how long to wait.
         */
        public void awaitOutput(final String line, final Duration timeout)
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out)
            {
                while (!out.contains(line))
                {
                    final long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive())
                    {
                        throw new AssertionError(label + ": never printed '" + line + "'" +
                            (left <= 0 ? " within " + timeout : " before it exited") + "; " + describe());
                    }
                    try
                    {
                        TimeUnit.NANOSECONDS.timedWait(out, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(label + ": interrupted", ex);
                    }
                }
            }
        }

        /** Stops the JVM where it is ({@code SIGSTOP}): it neither runs nor answers until {@link #resume()}. */
        public void pause()
        {
            signal("STOP");
        }

        /** Lets a JVM stopped by {@link #pause()} run again ({@code SIGCONT}). */
        public void resume()
        {
            signal("CONT");
        }

        /** Kills the JVM ({@code SIGKILL}): no shutdown hook runs, as in a crash. */
        public void kill()
        {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }

        private void signal(final String signal)
        {
            try
            {
                final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
                if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
                {
                    throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
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

        /** @return every line of its standard output so far. */
        public List<String> output()
        {
            synchronized (out)
            {
                return List.copyOf(out);
            }
        }

        /** @return its standard error so far. */
        public String errors()
        {
            return err.toString();
        }

        /** @return its label, state, output and errors, for a report. */
        public String describe()
        {
            return label + " (pid " + process.pid() + (process.isAlive() ? ", running" : ", exit " +
                process.exitValue()) + ") stdout=" + output() + " stderr=[" + err + "]";
        }
    }
}
