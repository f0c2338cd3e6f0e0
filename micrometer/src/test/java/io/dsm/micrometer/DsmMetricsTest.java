package io.dsm.micrometer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The binding against an MBean shaped as dsm's {@code NodeMXBean} (the same attribute names; the multi-JVM MetricsIT
 * reads the real one): each meter reads its attribute when asked, and NaN while there is no node.
 */
class DsmMetricsTest
{
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();

    /** The attributes of io.dsm:type=Node that the binding reads. */
    public interface FakeNodeMXBean
    {
        long getReadMisses();

        long getWriteAccessAcquisitions();

        long getWritesWithReaders();

        long getOwnershipTransfers();

        long getInvalidationsSent();

        long getInvalidationsReceived();

        long getUpdatesSent();

        long getTimeouts();

        long getMalformedMessages();

        long getUnauthenticatedMessages();

        long getWritesLostAtEviction();

        long getBytesSent();

        long getBytesReceived();

        int getMembers();

        double getReadMissLatencyP50Micros();

        double getReadMissLatencyP99Micros();

        double getReadMissLatencyMaxMicros();
    }

    /** Every attribute returns its own number, so that a meter reading the wrong one shows. */
    public static final class FakeNode implements FakeNodeMXBean
    {
        long misses = 7;

        @Override public long getReadMisses() { return misses; }
        @Override public long getWriteAccessAcquisitions() { return 2; }
        @Override public long getWritesWithReaders() { return 3; }
        @Override public long getOwnershipTransfers() { return 4; }
        @Override public long getInvalidationsSent() { return 5; }
        @Override public long getInvalidationsReceived() { return 6; }
        @Override public long getUpdatesSent() { return 8; }
        @Override public long getTimeouts() { return 9; }
        @Override public long getMalformedMessages() { return 10; }
        @Override public long getUnauthenticatedMessages() { return 11; }
        @Override public long getWritesLostAtEviction() { return 12; }
        @Override public long getBytesSent() { return 13; }
        @Override public long getBytesReceived() { return 14; }
        @Override public int getMembers() { return 15; }
        @Override public double getReadMissLatencyP50Micros() { return 16.5; }
        @Override public double getReadMissLatencyP99Micros() { return 17.5; }
        @Override public double getReadMissLatencyMaxMicros() { return 18.5; }
    }

    @Test
    void eachMeterReadsItsAttributeWhenAskedAndNaNWithoutANode() throws Exception
    {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new DsmMetrics(server).bindTo(registry);
        assertEquals(DsmMetrics.meters().size(), registry.getMeters().size());
        assertTrue(Double.isNaN(registry.get("dsm.node.read.misses").functionCounter().count()), "no node yet");

        final FakeNode node = new FakeNode();
        server.registerMBean(node, new ObjectName("io.dsm:type=Node"));
        assertEquals(7.0, registry.get("dsm.node.read.misses").functionCounter().count());
        node.misses = 70;
        assertEquals(70.0, registry.get("dsm.node.read.misses").functionCounter().count(), "read when asked");
        assertEquals(4.0, registry.get("dsm.node.ownership.transfers").functionCounter().count());
        assertEquals(13.0, registry.get("dsm.node.bytes.sent").functionCounter().count());
        assertEquals(14.0, registry.get("dsm.node.bytes.received").functionCounter().count());
        assertEquals(15.0, registry.get("dsm.node.members").gauge().value());
        assertEquals(17.5, registry.get("dsm.node.read.miss.latency.p99").gauge().value());
        assertEquals("microseconds", registry.get("dsm.node.read.miss.latency.p99").gauge().getId().getBaseUnit());
    }

    @Test
    void everyAttributeReadIsOneTheRealNodeMBeanHas() throws Exception
    {
        for (final java.util.Map.Entry<String, String> meter : DsmMetrics.meters().entrySet())
        {
            // Throws NoSuchMethodException if NodeMXBean has no such attribute: the meter would read NaN forever.
            io.dsm.node.NodeMXBean.class.getMethod("get" + meter.getValue());
        }
        assertEquals(FakeNodeMXBean.class.getMethods().length, DsmMetrics.meters().size());
    }
}
