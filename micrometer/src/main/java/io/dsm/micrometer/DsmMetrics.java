package io.dsm.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * This JVM's dsm node as Micrometer meters ({@code dsm.node.*}), read from its MBean ({@code io.dsm:type=Node}) each
 * time the registry asks. It goes through JMX rather than dsm's classes, so it works from any class loader (a Spring
 * Boot application's, a web application's) and dsm itself never depends on Micrometer. Before the node has joined (or
 * without the agent) each meter reads NaN.
 * <pre>
 * new DsmMetrics().bindTo(registry);     // or, in Spring Boot: &#64;Bean MeterBinder dsm() { return new DsmMetrics(); }
 * </pre>
 */
public final class DsmMetrics implements MeterBinder
{
    /** Counters: meter name, MBean attribute, description. */
    private static final String[][] COUNTERS = {
        {"dsm.node.read.misses", "ReadMisses", "reads that went to the owner or the directory"},
        {"dsm.node.write.access.acquisitions", "WriteAccessAcquisitions", "times this node took write access"},
        {"dsm.node.writes.with.readers", "WritesWithReaders", "writes that invalidated or updated readers"},
        {"dsm.node.ownership.transfers", "OwnershipTransfers", "times this node handed write access to another"},
        {"dsm.node.invalidations.sent", "InvalidationsSent", "invalidations sent to readers"},
        {"dsm.node.invalidations.received", "InvalidationsReceived", "invalidations of this node's replicas"},
        {"dsm.node.updates.sent", "UpdatesSent", "writes sent to readers in update or push mode"},
        {"dsm.node.timeouts", "Timeouts", "operations that waited dsm.timeout.ms and failed"},
        {"dsm.node.messages.malformed", "MalformedMessages", "malformed messages dropped"},
        {"dsm.node.messages.unauthenticated", "UnauthenticatedMessages", "messages dropped without a valid MAC"},
        {"dsm.node.writes.lost.at.eviction", "WritesLostAtEviction", "returned writes lost when evicted (fast mode)"},
        {"dsm.node.bytes.sent", "BytesSent", "bytes of dsm messages sent"},
        {"dsm.node.bytes.received", "BytesReceived", "bytes of dsm messages received"},
    };

    /** Gauges: meter name, MBean attribute, base unit, description. */
    private static final String[][] GAUGES = {
        {"dsm.node.members", "Members", null, "other members this node knows"},
        {"dsm.node.read.miss.latency.p50", "ReadMissLatencyP50Micros", "microseconds", "read-miss latency, median"},
        {"dsm.node.read.miss.latency.p99", "ReadMissLatencyP99Micros", "microseconds", "read-miss latency, 99th"},
        {"dsm.node.read.miss.latency.max", "ReadMissLatencyMaxMicros", "microseconds", "read-miss latency, max"},
    };

    private final MBeanServer server;
    private final ObjectName node;

    /** Reads the platform MBean server's {@code io.dsm:type=Node}. */
    public DsmMetrics()
    {
        this(ManagementFactory.getPlatformMBeanServer());
    }

    /**
     * @param server where the node's MBean is registered.
     */
    public DsmMetrics(final MBeanServer server)
    {
        this.server = server;
        try
        {
            this.node = new ObjectName("io.dsm:type=Node");
        }
        catch (final javax.management.MalformedObjectNameException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        for (final String[] counter : COUNTERS)
        {
            final String attribute = counter[1];
            FunctionCounter.builder(counter[0], this, m -> m.read(attribute)).description(counter[2])
                .register(registry);
        }
        for (final String[] gauge : GAUGES)
        {
            final String attribute = gauge[1];
            Gauge.builder(gauge[0], this, m -> m.read(attribute)).baseUnit(gauge[2]).description(gauge[3])
                .register(registry);
        }
    }

    /** @return the names of the meters and the MBean attribute each reads. */
    public static Map<String, String> meters()
    {
        final java.util.LinkedHashMap<String, String> meters = new java.util.LinkedHashMap<>();
        for (final String[] counter : COUNTERS)
        {
            meters.put(counter[0], counter[1]);
        }
        for (final String[] gauge : GAUGES)
        {
            meters.put(gauge[0], gauge[1]);
        }
        return meters;
    }

    private double read(final String attribute)
    {
        try
        {
            return ((Number)server.getAttribute(node, attribute)).doubleValue();
        }
        catch (final Exception ex)
        {
            return Double.NaN; // no node yet, or not this version's attribute
        }
    }
}
