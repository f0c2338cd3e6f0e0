package io.dsm.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Every configuration key of dsm, with its default, in one place.
 * <p>
 * A key {@code dsm.a.b} is looked up as the system property {@code dsm.a.b}, else the environment variable
 * {@code DSM_A_B}, else the agent argument {@code a.b=...} or {@code dsm.a.b=...}
 * ({@code -javaagent:dsm-agent.jar=a.b=1,c=2}), else the default below.
 */
public final class Configuration
{
    /** Host of the coordinator that nodes join. */
    public static final String COORDINATOR_HOST = "dsm.coordinator.host";
    /** UDP port of the coordinator. */
    public static final String COORDINATOR_PORT = "dsm.coordinator.port";
    /** Full Aeron channel of the coordinator; overrides host and port (e.g. {@code aeron:ipc} with an external driver). */
    public static final String COORDINATOR_CHANNEL = "dsm.coordinator.channel";
    /** Whether a node starts a coordinator process on this machine when none answers on a loopback address. */
    public static final String COORDINATOR_AUTOSTART = "dsm.coordinator.autostart";
    /** How long a coordinator lingers with no node before it exits; 0 never (the default of a standalone one). */
    public static final String COORDINATOR_IDLE_EXIT_MS = "dsm.coordinator.idle.exit.ms";
    /** The idle exit of a coordinator that a node starts by itself (the embedded default). */
    public static final String AUTOSTART_IDLE_EXIT_MS = "dsm.coordinator.autostart.idle.exit.ms";
    /**
     * What the directory runs on: {@code cluster} (the default: an Aeron Cluster service that keeps its log and
     * snapshots on disk, one member or three; docs/design/replicated-directory.md) or {@code classic} (one
     * in-memory coordinator process that trusts the sender id in a message's header and forgets everything when it
     * dies: kept for comparison, deprecated).
     */
    public static final String COORDINATOR_ENGINE = "dsm.coordinator.engine";
    /**
     * Where a {@code cluster} directory keeps its log, archive and snapshots; empty for
     * {@code ${java.io.tmpdir}/dsm-directory-<host>-<port>}.
     */
    public static final String COORDINATOR_DIR = "dsm.coordinator.dir";
    /**
     * The members of a {@code cluster} directory of several processes, {@code host:port,host:port,host:port} (each
     * member uses six ports from its own); empty for one member at {@code dsm.coordinator.host} and {@code .port}.
     */
    public static final String COORDINATOR_MEMBERS = "dsm.coordinator.members";
    /** Which of {@code dsm.coordinator.members} this directory process is (0, 1, 2...). */
    public static final String COORDINATOR_MEMBER_ID = "dsm.coordinator.member.id";
    /**
     * The secret every member of the cluster is given; when set, a directory on Aeron Cluster admits only sessions
     * that prove it (docs/SECURITY.md). Prefer the {@code DSM_SECRET} environment variable: a system property shows
     * in the process list.
     */
    public static final String SECRET = "dsm.secret";
    /** Address on which this node receives from the coordinator. */
    public static final String NODE_HOST = "dsm.node.host";
    /** Full Aeron channel on which this node receives; overrides the host. */
    public static final String NODE_CHANNEL = "dsm.node.channel";
    /** {@code embedded} media driver in each JVM, or {@code external}. */
    public static final String DRIVER = "dsm.driver";
    /** Directory of an external media driver. */
    public static final String AERON_DIR = "dsm.aeron.dir";
    /** Idle strategy of dsm's thread: backoff (the default), doorbell, yielding, busy-spin, sleeping. */
    public static final String IDLE_STRATEGY = "dsm.idle.strategy";
    /** Longest park of the backoff idle strategy. */
    public static final String IDLE_MAX_PARK_NS = "dsm.idle.max.park.ns";
    /** How many times backoff yields after spinning, before it parks. */
    public static final String IDLE_MAX_YIELDS = "dsm.idle.max.yields";
    /**
     * How a node keeps its read replicas current: {@code invalidate} (the default: a write halts them, the next read
     * fetches the value from the owner), {@code update} (each write sent to it in two phases) or {@code push} (each
     * write applied at once); see docs/CONSISTENCY.md for the guarantee of each.
     */
    public static final String REPLICATION = "dsm.replication";
    /**
     * How long the {@code doorbell} and {@code backoff} idle strategies keep only yielding after the last message,
     * before they sleep (on the doorbell) or back off to parking: an exchange that crosses processes stays fast while
     * it runs, and an idle JVM still sleeps.
     */
    public static final String IDLE_WARM_NS = "dsm.idle.warm.ns";
    /**
     * Whether this node keeps a directory of every variable in the cluster, kept current by the coordinator's
     * metadata broadcasts (the seed's "update variable metadata"). Off by default: it costs memory on every node for
     * every variable of the cluster, and a broadcast to every node per change; {@code Dsm.variables()} asks the
     * coordinator instead.
     */
    public static final String DIRECTORY = "dsm.directory";
    /**
     * What a returned write survives (docs/CONSISTENCY.md, "Durability"): {@code fast} (the default: the owner sends
     * its value to the directory at most {@link #DURABILITY_MAX_LAG_MS} after a write, so its crash loses at most that
     * much) or {@code durable} (a write returns only once the directory holds it: no returned write is lost when any
     * one process dies).
     */
    public static final String DURABILITY = "dsm.durability";
    /** {@code fast} durability: the longest time between an owner's write and its value reaching the directory. */
    public static final String DURABILITY_MAX_LAG_MS = "dsm.durability.max.lag.ms";
    /**
     * Whether a read hit checks the node's lease in the reading thread (docs/CONSISTENCY.md): {@code none} (the
     * default: a hit is one volatile load, and for the scheduling delay of the node's thread after a pause of the whole
     * JVM a read may return the value of before the pause) or {@code lease} (a hit also reads the clock, about 25 ns
     * here; past the lease it asks the owner: linearizable through pauses too).
     */
    public static final String READ_FENCE = "dsm.read.fence";
    /** The directory admits at most this many members at a time. */
    public static final String MAX_MEMBERS = "dsm.max.members";
    /** The directory admits at most this many new members in any second. */
    public static final String MAX_JOINS_PER_SECOND = "dsm.max.joins.per.second";
    /** Longest wait for any operation that needs a peer. */
    public static final String TIMEOUT_MS = "dsm.timeout.ms";
    /** Longest wait to join the cluster (includes starting a coordinator). */
    public static final String CONNECT_TIMEOUT_MS = "dsm.connect.timeout.ms";
    /** Interval of node heartbeats. */
    public static final String HEARTBEAT_INTERVAL_MS = "dsm.heartbeat.interval.ms";
    /** How long a node trusts its replicas after a heartbeat was acknowledged. */
    public static final String LEASE_MS = "dsm.lease.ms";
    /** Silence after which the coordinator evicts a node; must exceed the lease. */
    public static final String EVICTION_MS = "dsm.eviction.ms";
    /** Aeron term length of every publication; a message longer than an eighth of it travels in chunks. */
    public static final String TERM_LENGTH = "dsm.term.length";
    /** The largest serialized value a write accepts and a process receives; the same on every process. */
    public static final String MAX_VALUE_BYTES = "dsm.max.value.bytes";
    /** Extra value classes (names, or package prefixes ending in '.') that may be decoded from the network. */
    public static final String VALUES_ALLOW = "dsm.values.allow";
    /** Package prefixes the agent does not instrument, comma separated. */
    public static final String AGENT_EXCLUDE = "dsm.agent.exclude";
    /** {@code cluster} (default) or {@code local}: a single JVM with no network, for unit tests of applications. */
    public static final String MODE = "dsm.mode";
    /** Log level on stderr: error, warn, info, debug. */
    public static final String LOG_LEVEL = "dsm.log.level";
    /**
     * Whether every mistake dsm can detect is a failure rather than a warning: an unknown {@code dsm.*} key or a bad
     * agent argument stops the JVM at start-up, and a {@code @Shared} field dsm refuses makes its class fail to
     * initialise (and every access to it throw). For CI and production.
     */
    public static final String STRICT = "dsm.strict";

    /** The largest {@link #MAX_VALUE_BYTES}. */
    public static final int MAX_VALUE_BYTES_LIMIT = 1 << 30;

    private static final Map<String, String> DEFAULTS;

    static
    {
        final Map<String, String> d = new LinkedHashMap<>();
        d.put(COORDINATOR_HOST, "127.0.0.1");
        d.put(COORDINATOR_PORT, "24456");
        d.put(COORDINATOR_CHANNEL, "");
        d.put(COORDINATOR_AUTOSTART, "true");
        d.put(COORDINATOR_IDLE_EXIT_MS, "0");
        d.put(AUTOSTART_IDLE_EXIT_MS, "30000");
        d.put(COORDINATOR_ENGINE, "cluster");
        d.put(COORDINATOR_DIR, "");
        d.put(COORDINATOR_MEMBERS, "");
        d.put(COORDINATOR_MEMBER_ID, "0");
        d.put(SECRET, "");
        d.put(NODE_HOST, "127.0.0.1");
        d.put(NODE_CHANNEL, "");
        d.put(DRIVER, "embedded");
        d.put(AERON_DIR, "");
        d.put(IDLE_STRATEGY, "doorbell");
        d.put(IDLE_MAX_PARK_NS, "1000000");
        d.put(IDLE_MAX_YIELDS, "10");
        d.put(IDLE_WARM_NS, "1000000");
        d.put(REPLICATION, "invalidate");
        d.put(DIRECTORY, "false");
        d.put(DURABILITY, "fast");
        d.put(DURABILITY_MAX_LAG_MS, "1000");
        d.put(READ_FENCE, "none");
        d.put(MAX_MEMBERS, "256");
        d.put(MAX_JOINS_PER_SECOND, "100");
        d.put(TIMEOUT_MS, "5000");
        d.put(CONNECT_TIMEOUT_MS, "20000");
        d.put(HEARTBEAT_INTERVAL_MS, "500");
        d.put(LEASE_MS, "3000");
        d.put(EVICTION_MS, "6000");
        d.put(TERM_LENGTH, "65536");
        d.put(MAX_VALUE_BYTES, "134217728");
        d.put(VALUES_ALLOW, "");
        d.put(AGENT_EXCLUDE, "");
        d.put(MODE, "cluster");
        d.put(LOG_LEVEL, "warn");
        d.put(STRICT, "false");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private static volatile Map<String, String> agentArguments = Map.of();

    private final Function<String, String> systemProperties;
    private final Function<String, String> environment;
    private final Map<String, String> arguments;

    /**
     * @param systemProperties looks up a system property.
     * @param environment      looks up an environment variable.
     * @param arguments        agent arguments, keys with or without the {@code dsm.} prefix.
     */
    public Configuration(
        final Function<String, String> systemProperties,
        final Function<String, String> environment,
        final Map<String, String> arguments)
    {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.arguments = arguments;
    }

    /**
     * @return the configuration of this JVM: system properties, environment, agent arguments.
     */
    public static Configuration current()
    {
        return new Configuration(System::getProperty, System::getenv, agentArguments);
    }

    /**
     * Records the agent's arguments, {@code key=value} pairs separated by commas. A pair that is not {@code key=value}
     * or names an unknown key is left out and reported in the result; the others take effect, so a typo never leaves
     * dsm half on.
     *
     * @param args the string after {@code -javaagent:dsm-agent.jar=}, may be null.
     * @return what was wrong with the arguments, one message each naming the argument (empty when all is well).
     */
    public static List<String> agentArguments(final String args)
    {
        final List<String> problems = new ArrayList<>();
        agentArguments = parseArguments(args, problems);
        return problems;
    }

    static Map<String, String> parseArguments(final String args, final List<String> problems)
    {
        final Map<String, String> parsed = new LinkedHashMap<>();
        if (args == null || args.isBlank())
        {
            return parsed;
        }
        for (final String pair : args.split(","))
        {
            final int eq = pair.indexOf('=');
            if (eq <= 0)
            {
                problems.add("dsm agent argument '" + pair + "' is not key=value (for example timeout.ms=2000); " +
                    "it is ignored");
                continue;
            }
            final String given = pair.substring(0, eq).trim();
            final String key = normalise(given);
            if (!DEFAULTS.containsKey(key))
            {
                problems.add("unknown dsm agent argument '" + given + "'" + suggestion(key) + "; it is ignored");
                continue;
            }
            parsed.put(key, pair.substring(eq + 1).trim());
        }
        return parsed;
    }

    /**
     * Finds {@code dsm.*} system properties and {@code DSM_*} environment variables that are not dsm keys, which
     * would otherwise be silently ignored.
     *
     * @param properties  the system properties.
     * @param environment the environment.
     * @return one message per unknown key, naming it and the closest known key.
     */
    public static List<String> unknownKeys(final Properties properties, final Map<String, String> environment)
    {
        final List<String> problems = new ArrayList<>();
        for (final String name : new TreeSet<>(properties.stringPropertyNames()))
        {
            if (name.startsWith("dsm.") && !DEFAULTS.containsKey(name))
            {
                problems.add("unknown dsm configuration key '" + name + "' (system property -D" + name + ")" +
                    suggestion(name) + "; it is ignored");
            }
        }
        for (final String name : new TreeSet<>(environment.keySet()))
        {
            if (name.startsWith("DSM_"))
            {
                final String key = name.toLowerCase(Locale.ROOT).replace('_', '.');
                if (!DEFAULTS.containsKey(key))
                {
                    problems.add("unknown dsm configuration key in environment variable " + name +
                        suggestion(key) + "; it is ignored");
                }
            }
        }
        return problems;
    }

    private static String suggestion(final String key)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String known : DEFAULTS.keySet())
        {
            final int distance = distance(key, known);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = known;
            }
        }
        return bestDistance <= Math.max(3, key.length() / 3) ? ": did you mean " + best + "?" :
            " (known keys: java -jar dsm-agent.jar config)";
    }

    /** Levenshtein distance. */
    static int distance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String normalise(final String key)
    {
        return key.startsWith("dsm.") ? key : "dsm." + key;
    }

    /**
     * @return every key with its default, in documentation order.
     */
    public static Map<String, String> defaults()
    {
        return DEFAULTS;
    }

    /**
     * @param key a {@code dsm.*} key.
     * @return the environment variable that sets it.
     */
    public static String environmentName(final String key)
    {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /**
     * @return the directory cluster's members as {@code host:port}, one per member: {@code dsm.coordinator.members},
     *         or the one member at {@code dsm.coordinator.host} and {@code dsm.coordinator.port}.
     * @throws IllegalArgumentException naming the key and the entry at fault.
     */
    public java.util.List<java.net.InetSocketAddress> coordinatorMembers()
    {
        final String members = get(COORDINATOR_MEMBERS).trim();
        final java.util.List<java.net.InetSocketAddress> list = new java.util.ArrayList<>();
        if (members.isEmpty())
        {
            list.add(java.net.InetSocketAddress.createUnresolved(get(COORDINATOR_HOST), (int)getPositiveLong(COORDINATOR_PORT)));
            return list;
        }
        for (final String entry : members.split(","))
        {
            final String e = entry.trim();
            final int colon = e.lastIndexOf(':');
            try
            {
                final int port = Integer.parseInt(e.substring(colon + 1));
                if (colon <= 0 || port <= 0 || port > 65535 - 5)
                {
                    throw new NumberFormatException();
                }
                list.add(java.net.InetSocketAddress.createUnresolved(e.substring(0, colon), port));
            }
            catch (final RuntimeException ex)
            {
                throw new IllegalArgumentException(COORDINATOR_MEMBERS + " has '" + e + "', not host:port with a " +
                    "port from 1 to 65530 (each member uses six ports from its own)");
            }
        }
        return list;
    }

    /**
     * @return whether {@code dsm.coordinator.engine} is {@code cluster} (else {@code classic}).
     * @throws IllegalArgumentException naming the key and the values it takes.
     */
    public boolean clusterEngine()
    {
        final String engine = get(COORDINATOR_ENGINE);
        if (!"cluster".equals(engine) && !"classic".equals(engine))
        {
            throw new IllegalArgumentException(COORDINATOR_ENGINE + " must be classic or cluster, was '" + engine + "'");
        }
        return "cluster".equals(engine);
    }

    /**
     * @param key one of the constants of this class.
     * @return its value, never null.
     */
    public String get(final String key)
    {
        if (!DEFAULTS.containsKey(key))
        {
            throw new IllegalArgumentException("unknown configuration key " + key);
        }
        String value = systemProperties.apply(key);
        if (value == null)
        {
            value = environment.apply(environmentName(key));
        }
        if (value == null)
        {
            value = arguments.get(key);
        }
        return value == null ? DEFAULTS.get(key) : value.trim();
    }

    /**
     * @param key one of the constants of this class.
     * @return where its value comes from, in the order {@link #get} looks: {@code -Dkey}, the environment variable,
     *         the agent's argument ({@code -javaagent:dsm-agent.jar=key=value}), or {@code default}.
     */
    public String source(final String key)
    {
        if (!DEFAULTS.containsKey(key))
        {
            throw new IllegalArgumentException("unknown configuration key " + key);
        }
        if (systemProperties.apply(key) != null)
        {
            return "-D" + key;
        }
        if (environment.apply(environmentName(key)) != null)
        {
            return "environment " + environmentName(key);
        }
        return arguments.containsKey(key) ? "agent argument" : "default";
    }

    /**
     * @param key a key whose value is a whole number.
     * @return the value.
     * @throws IllegalArgumentException naming the key and the bad value.
     */
    public long getLong(final String key)
    {
        final String value = get(key);
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(key + " must be a whole number, was '" + value + "'");
        }
    }

    /**
     * @param key a key whose value is a positive whole number.
     * @return the value.
     * @throws IllegalArgumentException naming the key and the bad value.
     */
    public long getPositiveLong(final String key)
    {
        final long value = getLong(key);
        if (value <= 0)
        {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * @return {@link #MAX_VALUE_BYTES}: the largest serialized value.
     * @throws IllegalArgumentException naming the key when it is not a whole number from 1 to 1 GiB.
     */
    public int maxValueBytes()
    {
        final long max = getLong(MAX_VALUE_BYTES);
        if (max < 1 || max > MAX_VALUE_BYTES_LIMIT)
        {
            throw new IllegalArgumentException(MAX_VALUE_BYTES + " must be from 1 to " + MAX_VALUE_BYTES_LIMIT +
                " bytes, was " + max);
        }
        return (int)max;
    }

    /**
     * @return the longest message a process sends or accepts: the largest value with its name, type and fixed fields
     *         (a name is at most 16 KiB, the schema's limit).
     */
    public int maxMessageLength()
    {
        return maxValueBytes() + 64 * 1024;
    }

    /**
     * @param key a key whose value is true or false.
     * @return the value.
     * @throws IllegalArgumentException naming the key and the bad value.
     */
    public boolean getBoolean(final String key)
    {
        final String value = get(key);
        if ("true".equalsIgnoreCase(value))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(value))
        {
            return false;
        }
        throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
    }
}
