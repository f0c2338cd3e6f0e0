package io.dsm.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The dsm settings every JVM of one benchmark run uses (benchmark JVM, peers, coordinator): the suite passes
 * {@code -Ddsm.idle.strategy=doorbell|backoff|yielding} to compare the idle strategies.
 */
public final class DsmSettings
{
    private DsmSettings()
    {
    }

    /** @return {@code -D} options for a JVM of this run. */
    public static List<String> asProperties()
    {
        final List<String> properties = new ArrayList<>();
        properties.add("-Ddsm.idle.strategy=" + System.getProperty("dsm.idle.strategy", "doorbell"));
        properties.add("-Ddsm.replication=" + System.getProperty("dsm.replication", "invalidate"));
        properties.add("-Ddsm.timeout.ms=20000");
        for (final String key : List.of("dsm.idle.warm.ns", "dsm.idle.max.park.ns", "dsm.coordinator.engine",
            "dsm.durability", "dsm.secret"))
        {
            if (System.getProperty(key) != null)
            {
                properties.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        properties.add("-Ddsm.log.level=warn");
        return properties;
    }

    /** Leaves the cluster now (handing values back), before a tear-down stops the coordinator. */
    public static void leaveCluster()
    {
        if (io.dsm.node.ReplicaTable.backend() instanceof io.dsm.node.DsmNode)
        {
            ((io.dsm.node.DsmNode)io.dsm.node.ReplicaTable.backend()).leave();
        }
    }

    /** Applies the same settings to this JVM, before its dsm node starts. */
    public static void applyHere(final int coordinatorPort)
    {
        System.setProperty("dsm.coordinator.port", String.valueOf(coordinatorPort));
        System.setProperty("dsm.coordinator.autostart", "false");
        for (final String property : asProperties())
        {
            final String keyValue = property.substring(2);
            final int eq = keyValue.indexOf('=');
            System.setProperty(keyValue.substring(0, eq), keyValue.substring(eq + 1));
        }
    }
}
