package io.dsm.agent;

import io.dsm.runtime.AgentStatus;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;


/**
 * The dsm agent. As {@code -javaagent:dsm-agent.jar[=key=value,...]} it opens the JDK internals dsm's libraries
 * need and installs the transformation of shared-field accesses; it starts no thread and opens no socket (the node
 * joins the cluster on the first access that needs it) and never throws into the application. As
 * {@code java -jar dsm-agent.jar coordinator} it runs a standalone coordinator.
 */
public final class DsmAgent
{
    private static volatile boolean installed;
    private static final ThreadLocal<Boolean> RETRANSFORMING = new ThreadLocal<>();

    private DsmAgent()
    {
    }

    /**
     * Entry point of {@code -javaagent}.
     *
     * @param arguments   {@code key=value} pairs separated by commas, keys as in the configuration table.
     * @param instrumentation the JVM's instrumentation.
     */
    public static void premain(final String arguments, final Instrumentation instrumentation)
    {
        install(arguments, instrumentation);
    }

    /**
     * Entry point when attached to a running JVM: classes already loaded are retransformed.
     *
     * @param arguments   {@code key=value} pairs separated by commas.
     * @param instrumentation the JVM's instrumentation.
     */
    public static void agentmain(final String arguments, final Instrumentation instrumentation)
    {
        install(arguments, instrumentation);
    }

    private static synchronized void install(final String arguments, final Instrumentation instrumentation)
    {
        if (installed)
        {
            return;
        }
        final List<String> problems = new ArrayList<>();
        boolean strict = false;
        try
        {
            // First, whatever else goes wrong: dsm's own classes must be able to use their libraries.
            ModuleOpener.open(instrumentation);
            problems.addAll(Configuration.agentArguments(arguments));
            problems.addAll(Configuration.unknownKeys(System.getProperties(), System.getenv()));
            final Configuration config = Configuration.current();
            problems.addAll(checkValues(config));
            strict = isStrict(config, problems);
            final String level = config.get(Configuration.LOG_LEVEL);
            if (List.of("error", "warn", "info", "debug").contains(level))
            {
                DsmLog.level(level);
            }
            for (final String problem : problems)
            {
                if (strict)
                {
                    DsmLog.error(problem);
                }
                else
                {
                    DsmLog.warn(problem);
                }
            }
            if (strict && !problems.isEmpty())
            {
                DsmLog.error("dsm.strict is true and the configuration above is wrong: the JVM stops");
                System.exit(1);
            }
            final Module linker = BootstrapLinker.install();
            final LazyTransformer transformer = new LazyTransformer(strict, ignoredPrefixes(config),
                module -> ModuleOpener.admit(instrumentation, module, linker));
            instrumentation.addTransformer(transformer, true);
            retransformLoaded(instrumentation, transformer);
            AgentStatus.markInstalled();
            installed = true;
        }
        catch (final Throwable t)
        {
            DsmLog.error("dsm agent not installed, @Shared fields stay local", t);
            if (strict)
            {
                System.exit(1);
            }
        }
    }

    /** @return whether strict mode is on; a value that is not true or false is reported, and strict mode is on. */
    private static boolean isStrict(final Configuration config, final List<String> problems)
    {
        try
        {
            return config.getBoolean(Configuration.STRICT);
        }
        catch (final IllegalArgumentException ex)
        {
            problems.add(ex.getMessage());
            return true;
        }
    }

    /** Values the agent can check at start-up, so that a mistake is reported now rather than at the first access. */
    private static List<String> checkValues(final Configuration config)
    {
        final List<String> problems = new ArrayList<>();
        if (!List.of("cluster", "local").contains(config.get(Configuration.MODE)))
        {
            problems.add(Configuration.MODE + " must be cluster or local, was '" + config.get(Configuration.MODE) +
                "'");
        }
        if (!List.of("invalidate", "update", "push").contains(config.get(Configuration.REPLICATION)))
        {
            problems.add(Configuration.REPLICATION + " must be invalidate, update or push, was '" +
                config.get(Configuration.REPLICATION) + "'");
        }
        if (!List.of("error", "warn", "info", "debug").contains(config.get(Configuration.LOG_LEVEL)))
        {
            problems.add(Configuration.LOG_LEVEL + " must be error, warn, info or debug, was '" +
                config.get(Configuration.LOG_LEVEL) + "'");
        }
        for (final String key : List.of(Configuration.TIMEOUT_MS, Configuration.CONNECT_TIMEOUT_MS,
            Configuration.TERM_LENGTH, Configuration.LEASE_MS, Configuration.EVICTION_MS,
            Configuration.HEARTBEAT_INTERVAL_MS))
        {
            try
            {
                config.getPositiveLong(key);
            }
            catch (final IllegalArgumentException ex)
            {
                problems.add(ex.getMessage());
            }
        }
        return problems;
    }

    /**
     * Retransforms the classes loaded before the agent that it does not ignore: none at {@code premain} in the usual
     * case (only the JDK's and dsm's own are loaded then), the application's when attached to a running JVM.
     */
    private static void retransformLoaded(final Instrumentation instrumentation, final LazyTransformer transformer)
    {
        final List<Class<?>> loaded = new ArrayList<>();
        for (final Class<?> type : instrumentation.getAllLoadedClasses())
        {
            if (type.getClassLoader() != null && !type.isArray() && !type.isHidden() &&
                !transformer.isIgnored(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type))
            {
                loaded.add(type);
            }
        }
        if (loaded.isEmpty())
        {
            return;
        }
        RETRANSFORMING.set(Boolean.TRUE);
        try
        {
            for (final Class<?> type : loaded)
            {
                try
                {
                    instrumentation.retransformClasses(type);
                }
                catch (final Throwable t)
                {
                    DsmLog.rateLimited(DsmLog.Level.WARN, "retransform-" + type.getName(), "could not instrument " +
                        type.getName() + ", loaded before the agent; its accesses to @Shared fields stay local: " + t);
                }
            }
        }
        finally
        {
            RETRANSFORMING.remove();
        }
    }

    /** @return whether this thread is retransforming classes loaded before the agent (no member may be added). */
    static boolean isRetransforming()
    {
        return RETRANSFORMING.get() != null;
    }

    /** @return the prefixes (internal names) of the classes the agent never transforms. */
    static List<String> ignoredPrefixes(final Configuration config)
    {
        final List<String> prefixes = new ArrayList<>(List.of(
            "java/", "javax/", "jdk/", "sun/", "com/sun/", "io/dsm/shaded/", "io/dsm/agent/", "io/dsm/cli/", "io/dsm/node/",
            "io/dsm/access/", "io/dsm/coordinator/", "io/dsm/protocol/", "io/dsm/runtime/", "io/dsm/transport/",
            "io/dsm/values/", "io/dsm/wire/", "io/dsm/bootstrap/", "io/dsm/Dsm", "io/dsm/Shared",
            "io/dsm/VariableInfo",
            "io/dsm/ImmutableValueException", "org/junit/", "org/apiguardian/", "org/opentest4j/",
            "org/apache/maven/surefire/", "kotlin/", "scala/"));
        for (final String extra : config.get(Configuration.AGENT_EXCLUDE).split(","))
        {
            if (!extra.isBlank())
            {
                prefixes.add(extra.trim().replace('.', '/'));
            }
        }
        return prefixes;
    }
}
