package io.dsm.cli;

import io.dsm.coordinator.CoordinatorMain;
import io.dsm.runtime.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The command line of {@code java -jar dsm-agent.jar} (picocli): a directory member, a shared media driver, the
 * configuration in force and where each value comes from, and read-only views of a running cluster
 * ({@link ClusterCommands}: variables, members, show, top). Every command takes {@code --help} and {@code --version};
 * exit codes are picocli's: 0 done, 1 failed, 2 a usage error (an unknown command or option), which names what was
 * wrong. Kept apart from {@link DsmAgent}, which only installs the agent.
 */
@Command(name = "java -jar dsm-agent.jar", mixinStandardHelpOptions = true, versionProvider = CommandLine.Version.class,
    description = "dsm: distributed shared memory for the JVM. Share @Shared fields with " +
        "java -javaagent:dsm-agent.jar[=key=value,...] -cp app.jar Main; these commands run the parts you may start " +
        "by hand. Configuration: -Dkey=value or the environment (dsm.x.y is DSM_X_Y); see the config command.",
    subcommands = {
        CommandLine.Coordinator.class, CommandLine.Driver.class, CommandLine.Config.class,
        ClusterCommands.Variables.class, ClusterCommands.Members.class, ClusterCommands.Show.class,
        ClusterCommands.Top.class, ClusterCommands.Counters.class, HelpCommand.class})
public final class CommandLine implements Callable<Integer>
{
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /**
     * The command line of {@code java -jar dsm-agent.jar}.
     *
     * @param args a command and its options; none prints the usage.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * @param args a command and its options.
     * @return the exit code.
     */
    static int run(final String... args)
    {
        return new picocli.CommandLine(new CommandLine()).execute(args);
    }

    @Override
    public Integer call()
    {
        // No command: the usage, and a usage error's code (a script that forgot the command should notice).
        spec.commandLine().usage(System.err);
        return 2;
    }

    /** The version from the jar's manifest. */
    static final class Version implements IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = CommandLine.class.getPackage().getImplementationVersion();
            return new String[] {"dsm " + (version == null ? "(development build)" : version) + ", Java " +
                Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Runs a member of the directory (Aeron Cluster; one member by default, or the member " +
            "dsm.coordinator.member.id of dsm.coordinator.members) until stopped, or until idle for " +
            "dsm.coordinator.idle.exit.ms when that is set.")
    static final class Coordinator implements Callable<Integer>
    {
        @Override
        public Integer call() throws Exception
        {
            return CoordinatorMain.run(Configuration.current());
        }
    }

    @Command(name = "driver", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Runs a shared Aeron media driver in dsm.aeron.dir until stopped (for dsm.driver=external).")
    static final class Driver implements Callable<Integer>
    {
        @Override
        public Integer call() throws Exception
        {
            runMediaDriver();
            return 0;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Prints every configuration key: its value here, where that value comes from (-D, the " +
            "environment, or the default) and its default. The secret is never printed.")
    static final class Config implements Callable<Integer>
    {
        @Override
        public Integer call()
        {
            final Configuration config = Configuration.current();
            System.out.printf("%-32s %-24s %-36s %s%n", "key", "value", "from", "default");
            for (final Map.Entry<String, String> entry : Configuration.defaults().entrySet())
            {
                final String key = entry.getKey();
                final String value = Configuration.SECRET.equals(key) ?
                    (config.get(key).isEmpty() ? "" : "<set, hidden>") : config.get(key);
                System.out.printf("%-32s %-24s %-36s %s%n", key, value.isEmpty() ? "(none)" : value,
                    config.source(key), entry.getValue().isEmpty() ? "(none)" : entry.getValue());
            }
            return 0;
        }
    }

    private static void runMediaDriver() throws InterruptedException
    {
        final String dir = Configuration.current().get(Configuration.AERON_DIR);
        final io.aeron.driver.MediaDriver.Context ctx = new io.aeron.driver.MediaDriver.Context()
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .sharedIdleStrategy(new org.agrona.concurrent.BackoffIdleStrategy(100, 10, 1_000, 1_000_000))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true);
        if (!dir.isEmpty())
        {
            ctx.aeronDirectoryName(dir);
        }
        try (io.aeron.driver.MediaDriver driver = io.aeron.driver.MediaDriver.launch(ctx))
        {
            System.out.println("[dsm] media driver pid " + ProcessHandle.current().pid() + " in " +
                driver.aeronDirectoryName());
            final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
    }
}
