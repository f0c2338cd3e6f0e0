package io.dsm.agent;

import io.dsm.coordinator.CoordinatorMain;
import io.dsm.runtime.Configuration;

import java.util.Map;

/**
 * The command line of {@code java -jar dsm-agent.jar}: a standalone coordinator, a shared media driver, the
 * configuration in force. Kept apart from {@link DsmAgent}, which only installs the agent.
 */
public final class CommandLine
{
    private CommandLine()
    {
    }

    /**
     * The command line of {@code java -jar dsm-agent.jar}.
     *
     * @param args {@code coordinator}, {@code config} or {@code help}.
     * @throws Exception when the command fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final String command = args.length == 0 ? "help" : args[0];
        switch (command)
        {
            case "coordinator":
                System.exit(CoordinatorMain.run(Configuration.current()));
                break;
            case "driver":
                runMediaDriver();
                break;
            case "config":
                final Configuration config = Configuration.current();
                for (final Map.Entry<String, String> entry : Configuration.defaults().entrySet())
                {
                    final String value = Configuration.SECRET.equals(entry.getKey()) ?
                        (config.get(entry.getKey()).isEmpty() ? "" : "<set, hidden>") : config.get(entry.getKey());
                    System.out.printf("%-32s %-24s (default %s)%n", entry.getKey(), value,
                        entry.getValue().isEmpty() ? "none" : entry.getValue());
                }
                break;
            default:
                System.out.println("dsm " + DsmAgent.class.getPackage().getImplementationVersion());
                System.out.println("usage:");
                System.out.println("  java -javaagent:dsm-agent.jar[=key=value,...] -cp app.jar Main   share @Shared fields");
                System.out.println("  java -jar dsm-agent.jar coordinator    run a standalone coordinator");
                System.out.println("  java -jar dsm-agent.jar driver         run a shared media driver (dsm.driver=external)");
                System.out.println("  java -jar dsm-agent.jar config         print every configuration key");
                if (!"help".equals(command))
                {
                    System.exit(2);
                }
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
