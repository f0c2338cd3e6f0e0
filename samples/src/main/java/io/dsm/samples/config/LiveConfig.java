package io.dsm.samples.config;

import io.dsm.Dsm;
import io.dsm.Shared;
import io.dsm.SharedId;

import java.time.Duration;
import java.util.List;

/**
 * One writer, many readers: the writer publishes new versions of a configuration record; every reader sees each
 * change it observes in order, never an older one after a newer one.
 * <pre>
 *   java -javaagent:dsm-agent.jar -cp dsm-samples.jar io.dsm.samples.config.LiveConfig writer|reader JVMS RUN
 * </pre>
 */
public final class LiveConfig
{
    /** A whole value: replaced, never mutated in place. */
    public record Settings(int version, String theme, List<String> features)
    {
    }

    /** The current configuration, shared by every JVM. */
    @Shared("samples.config")
    static Settings current = new Settings(0, "light", List.of());

    private static final int VERSIONS = 20;

    /** One run's progress, shared by the objects of the same run in every JVM. */
    static final class Run
    {
        @SharedId
        final String name;

        /** The version the writer started from, once it has read it (0 before). */
        @Shared
        int first;

        Run(final String name)
        {
            this.name = name;
        }
    }

    private LiveConfig()
    {
    }

    /**
     * @param args {@code writer} or {@code reader}, the number of JVMs taking part, and a name for this run.
     * @throws InterruptedException if interrupted.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final boolean writer = "writer".equals(args[0]);
        final int jvms = Integer.parseInt(args[1]);
        final String run = args.length > 2 ? args[2] : "default";
        final int node = Dsm.nodeId();
        Dsm.awaitMembers(jvms, Duration.ofSeconds(60));
        final Run progress = new Run(run);
        if (writer)
        {
            // An earlier run may have left a configuration (the coordinator lingers a while): continue from it.
            final int first = current.version() + 1;
            progress.first = first;
            for (int v = first; v < first + VERSIONS; v++)
            {
                current = new Settings(v, v % 2 == 0 ? "dark" : "light",
                    v % 5 == 0 ? List.of("beta-search", "v" + v) : List.of("v" + v));
                Thread.sleep(50); // pacing the demo so that readers observe intermediate versions
            }
            System.out.println("node " + node + " (writer): published " + VERSIONS + " versions, last " + current);
        }
        else
        {
            final long deadline = System.currentTimeMillis() + 60_000;
            while (progress.first == 0)
            {
                if (System.currentTimeMillis() > deadline)
                {
                    throw new IllegalStateException("the writer did not say where it starts within 60 s");
                }
                Thread.sleep(1); // until the writer says where it starts
            }
            int seen = 0;
            int last = progress.first - 1;
            final int target = last + VERSIONS;
            while (last < target && System.currentTimeMillis() < deadline)
            {
                final Settings s = current;
                if (s.version() < last)
                {
                    throw new IllegalStateException("went back from version " + last + " to " + s.version());
                }
                if (s.version() != last)
                {
                    last = s.version();
                    seen++;
                    System.out.println("node " + node + " (reader): " + s);
                }
                Thread.onSpinWait();
            }
            System.out.println("node " + node + " (reader): saw " + seen + " versions in order, ending at " + last);
        }
    }
}
