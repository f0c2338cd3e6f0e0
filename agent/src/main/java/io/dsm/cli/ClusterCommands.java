package io.dsm.cli;

import io.dsm.DsmException;
import io.dsm.Member;
import io.dsm.VariableInfo;
import io.dsm.node.ClusterEvents;
import io.dsm.node.DsmNode;
import io.dsm.node.ReplicaTable;
import io.dsm.node.SharedVariable;
import io.dsm.runtime.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The command line's read-only commands on a running cluster (the embedded default or a cluster of several machines,
 * as the usual settings name it: {@code dsm.coordinator.port}, {@code dsm.coordinator.members}, {@code dsm.secret}).
 * Each joins the cluster as a member that owns nothing and writes nothing (its description, which other members see,
 * says {@code (read-only)}), asks, prints, and leaves; none starts a directory.
 */
final class ClusterCommands
{
    /** A member's join time, in this machine's zone, to the second. */
    private static final java.time.format.DateTimeFormatter SINCE = java.time.format.DateTimeFormatter
        .ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneId.systemDefault());

    private ClusterCommands()
    {
    }

    /** Joins as an observer, runs {@code action}, leaves. */
    private static int observe(final String command, final Function<DsmNode, Integer> action)
    {
        final DsmNode node;
        try
        {
            node = DsmNode.start(DsmNode.Context.from(Configuration.current()).observer(command));
        }
        catch (final DsmException ex)
        {
            System.err.println(command + ": " + ex.getMessage());
            return 1;
        }
        ReplicaTable.backend(node);
        try
        {
            return action.apply(node);
        }
        catch (final DsmException ex)
        {
            System.err.println(command + ": " + ex.getMessage());
            return 1;
        }
        finally
        {
            node.leave();
        }
    }

    private static String readers(final VariableInfo v)
    {
        return v.replicas() < 0 ? "n/a" : Integer.toString(v.replicas());
    }

    private static String owner(final int owner)
    {
        return owner == 0 ? "directory" : "node " + owner;
    }

    @Command(name = "variables", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
        description = "Lists the variables of a running cluster: name, type, owner, readers, version, size. A " +
            "variable whose owner writes it in dsm.durability=fast shows the version of its last checkpoint.")
    static final class Variables implements Callable<Integer>
    {
        @Override
        public Integer call()
        {
            return observe("dsm variables", node ->
            {
                final List<VariableInfo> variables = node.variables();
                System.out.printf("%-40s %-28s %-12s %8s %10s %10s%n", "name", "type", "owner", "readers", "version",
                    "bytes");
                for (final VariableInfo v : variables)
                {
                    System.out.printf("%-40s %-28s %-12s %8s %10d %10d%n", v.name(), v.type(), owner(v.owner()),
                        readers(v), v.version(), v.valueBytes());
                }
                System.out.println(variables.size() + " variables (readers n/a: the owning node keeps its readers)");
                return 0;
            });
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
        description = "Lists the members of a running cluster: node id, process, host, when each joined, and how " +
            "many variables each owns (this command's own observer included, marked).")
    static final class Members implements Callable<Integer>
    {
        @Override
        public Integer call()
        {
            return observe("dsm members", node ->
            {
                // The list goes through the directory after the members it announced: they are all known by then.
                final List<VariableInfo> variables = node.variables();
                final Map<Integer, Integer> owned = new HashMap<>();
                for (final VariableInfo v : variables)
                {
                    owned.merge(v.owner(), 1, Integer::sum);
                }
                final List<Member> members = ClusterEvents.members();
                System.out.printf("%-6s %-8s %-52s %-20s %s%n", "node", "pid", "description", "since", "owns");
                for (final Member m : members)
                {
                    System.out.printf("%-6d %-8d %-52s %-20s %d%s%n", m.nodeId(), m.pid(), m.description(),
                        m.since() == null ? "?" : SINCE.format(m.since()), owned.getOrDefault(m.nodeId(), 0),
                        m.self() ? "   (this command)" : "");
                }
                System.out.println(members.size() + " members; the directory holds " + owned.getOrDefault(0, 0) +
                    " variables");
                return 0;
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
        description = "Reads one variable of a running cluster and prints its value, as a reader would (this " +
            "command becomes a reader until it leaves). A value of the application's own classes needs them: " +
            "--class-path.")
    static final class Show implements Callable<Integer>
    {
        @Parameters(index = "0", paramLabel = "NAME", description = "the variable, as `variables` lists it")
        String name;

        @Option(names = "--class-path", paramLabel = "PATH",
            description = "jars and directories of the application's value classes, separated by '${sys:path.separator}'")
        String classPath = "";

        @Override
        public Integer call() throws MalformedURLException
        {
            final List<URL> urls = new ArrayList<>();
            for (final String entry : classPath.split(File.pathSeparator))
            {
                if (!entry.isEmpty())
                {
                    urls.add(new File(entry).toURI().toURL());
                }
            }
            final ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClusterCommands.class.getClassLoader());
            Thread.currentThread().setContextClassLoader(loader);
            return observe("dsm show", node ->
            {
                final VariableInfo info = node.variables().stream().filter(v -> v.name().equals(name)).findFirst()
                    .orElse(null);
                if (info == null)
                {
                    System.err.println("dsm show: no variable named '" + name + "' (the variables command lists them)");
                    return 1;
                }
                final Class<?> type;
                try
                {
                    type = Class.forName(info.type(), false, loader);
                }
                catch (final ClassNotFoundException ex)
                {
                    System.err.println("dsm show: '" + name + "' holds a " + info.type() + " (" +
                        info.valueBytes() + " bytes), a class this command does not have: give it with --class-path");
                    return 1;
                }
                final SharedVariable variable = ReplicaTable.variable(name, type, type, "dsm show");
                System.out.println(name + " = " + variable.get());
                System.out.println("type " + info.type() + ", owner " + owner(info.owner()) + ", version " +
                    info.version());
                return 0;
            });
        }
    }

    @Command(name = "counters", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
        description = "Prints dsm's counters (dropped, malformed, forged and unauthenticated messages, members, writes " +
            "lost) of every dsm process on this host, read from their media drivers' counters files as Aeron's " +
            "AeronStat does: nothing joins the cluster. --all adds Aeron's own counters.")
    static final class Counters implements Callable<Integer>
    {
        @Option(names = "--all", description = "Aeron's counters too (bytes, naks, errors...)")
        boolean all;

        @Override
        public Integer call()
        {
            final List<io.dsm.transport.DsmCounters.Counter> counters = io.dsm.transport.DsmCounters.local();
            final java.util.Set<Long> processes = new java.util.TreeSet<>();
            System.out.printf("%-8s %14s  %s%n", "pid", "value", "counter");
            for (final io.dsm.transport.DsmCounters.Counter c : counters)
            {
                processes.add(c.pid());
                if (all || c.isDsm())
                {
                    System.out.printf("%-8d %,14d  %s%n", c.pid(), c.value(), c.label());
                }
            }
            System.out.println(processes.size() + " dsm processes on this host");
            return 0;
        }
    }

    @Command(name = "top", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
        description = "A live view of a running cluster: every interval, its variables by writes per second " +
            "(versions the directory saw), with their owner and how often it changed, and the members.")
    static final class Top implements Callable<Integer>
    {
        @Option(names = "--interval", paramLabel = "MS", description = "between views, in ms (default ${DEFAULT-VALUE})")
        long intervalMs = 1000;

        @Option(names = "--iterations", paramLabel = "N", description = "views to print; 0 runs until stopped " +
            "(default ${DEFAULT-VALUE})")
        int iterations;

        @Option(names = "--limit", paramLabel = "N", description = "variables per view (default ${DEFAULT-VALUE})")
        int limit = 20;

        @Override
        public Integer call()
        {
            if (intervalMs <= 0 || iterations < 0 || limit <= 0)
            {
                System.err.println("dsm top: --interval and --limit must be positive, --iterations 0 or more");
                return 2;
            }
            return observe("dsm top", node ->
            {
                Map<String, VariableInfo> previous = byName(node.variables());
                long previousNs = System.nanoTime();
                final Map<String, Integer> ownerChanges = new HashMap<>();
                for (int view = 1; iterations == 0 || view <= iterations; view++)
                {
                    try
                    {
                        Thread.sleep(intervalMs);
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        return 1;
                    }
                    final Map<String, VariableInfo> now = byName(node.variables());
                    final long nowNs = System.nanoTime();
                    final double seconds = (nowNs - previousNs) / 1e9;
                    final Map<String, Double> rates = new HashMap<>();
                    for (final VariableInfo v : now.values())
                    {
                        final VariableInfo before = previous.get(v.name());
                        final long writes = before == null ? 0 : Math.max(0, v.version() - before.version());
                        if (before != null && before.owner() != v.owner())
                        {
                            ownerChanges.merge(v.name(), 1, Integer::sum);
                        }
                        rates.put(v.name(), writes / seconds);
                    }
                    final List<VariableInfo> sorted = new ArrayList<>(now.values());
                    sorted.sort(Comparator.comparingDouble((VariableInfo v) -> -rates.get(v.name()))
                        .thenComparing(VariableInfo::name));
                    System.out.println("dsm top " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ": " +
                        ClusterEvents.members().size() + " members, " + now.size() + " variables");
                    System.out.printf("%-40s %10s %-12s %14s %8s %10s%n", "name", "writes/s", "owner", "owner changes",
                        "readers", "version");
                    for (final VariableInfo v : sorted.subList(0, Math.min(limit, sorted.size())))
                    {
                        System.out.printf("%-40s %10.1f %-12s %14d %8s %10d%n", v.name(), rates.get(v.name()),
                            owner(v.owner()), ownerChanges.getOrDefault(v.name(), 0), readers(v), v.version());
                    }
                    System.out.println();
                    previous = now;
                    previousNs = nowNs;
                }
                return 0;
            });
        }

        private static Map<String, VariableInfo> byName(final List<VariableInfo> variables)
        {
            final Map<String, VariableInfo> map = new HashMap<>();
            for (final VariableInfo v : variables)
            {
                map.put(v.name(), v);
            }
            return map;
        }
    }
}
