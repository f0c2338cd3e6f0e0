package io.dsm.node;

import io.dsm.runtime.DsmLog;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.concurrent.status.AtomicCounter;

import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What {@link NodeMXBean} shows. Application threads count what they do (misses and their latency, acquisitions,
 * writes with readers, timeouts) without a lock; what the node's thread counts is read from its Aeron counters
 * ({@code DsmCounter}), which it keeps up to date.
 */
final class NodeMetrics implements NodeMXBean
{
    static final String OBJECT_NAME = "io.dsm:type=Node";

    private final LongAdder misses = new LongAdder();
    private final Recorder missLatency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final Histogram missTotal = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final LongAdder acquisitions = new LongAdder();
    private final LongAdder writesWithReaders = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final IntSupplier nodeId;
    private final IntSupplier members;
    private final AtomicCounter malformed;
    private final AtomicCounter unauthenticated;
    private final AtomicCounter chunksDropped;
    private final AtomicCounter writesLost;
    private volatile ObjectName registered;
    private volatile NodeProtocol protocol;
    private volatile LongSupplier bytesSent = () -> 0;
    private volatile LongSupplier bytesReceived = () -> 0;

    /**
     * Where the traffic counts come from, once the node has them: its protocol's, and its transport's bytes.
     *
     * @param protocol      the node's protocol (ownership transfers, invalidations, updates).
     * @param bytesSent     bytes of dsm messages sent.
     * @param bytesReceived bytes of dsm messages received.
     */
    void traffic(final NodeProtocol protocol, final LongSupplier bytesSent, final LongSupplier bytesReceived)
    {
        this.bytesSent = bytesSent;
        this.bytesReceived = bytesReceived;
        this.protocol = protocol;
    }

    private long count(final java.util.function.ToLongFunction<NodeProtocol> count)
    {
        final NodeProtocol p = protocol;
        return p == null ? 0 : count.applyAsLong(p);
    }

    @Override
    public long getOwnershipTransfers()
    {
        return count(NodeProtocol::transfersOut);
    }

    @Override
    public long getInvalidationsSent()
    {
        return count(NodeProtocol::invalidationsSent);
    }

    @Override
    public long getInvalidationsReceived()
    {
        return count(NodeProtocol::invalidationsReceived);
    }

    @Override
    public long getUpdatesSent()
    {
        return count(NodeProtocol::updatesSent);
    }

    @Override
    public long getBytesSent()
    {
        return bytesSent.getAsLong();
    }

    @Override
    public long getBytesReceived()
    {
        return bytesReceived.getAsLong();
    }

    NodeMetrics(final IntSupplier nodeId, final IntSupplier members, final AtomicCounter malformed,
        final AtomicCounter unauthenticated, final AtomicCounter chunksDropped, final AtomicCounter writesLost)
    {
        this.nodeId = nodeId;
        this.members = members;
        this.malformed = malformed;
        this.unauthenticated = unauthenticated;
        this.chunksDropped = chunksDropped;
        this.writesLost = writesLost;
    }

    /**
     * Registers with the platform MBean server on a thread of its own: starting JMX costs a JVM that never used it
     * about 100 ms, which the first access to a shared field should not wait for.
     */
    void registerInBackground()
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                final ObjectName name = new ObjectName(OBJECT_NAME);
                try
                {
                    server.registerMBean(this, name);
                }
                catch (final InstanceAlreadyExistsException ex)
                {
                    server.unregisterMBean(name); // a node closed and started again in this JVM
                    server.registerMBean(this, name);
                }
                registered = name;
            }
            catch (final Exception | LinkageError ex)
            {
                DsmLog.warn("node: its metrics are not in JMX (" + ex + ")");
            }
        }, "dsm-metrics-register");
        thread.setDaemon(true);
        thread.start();
    }

    void unregister()
    {
        final ObjectName name = registered;
        if (name != null)
        {
            try
            {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            }
            catch (final Exception ex)
            {
                // already gone
            }
        }
    }

    void miss(final long startNs)
    {
        misses.increment();
        missLatency.recordValue(Math.min(TimeUnit.SECONDS.toNanos(60), Math.max(0, System.nanoTime() - startNs)));
    }

    void acquisition()
    {
        acquisitions.increment();
    }

    void writeWithReaders()
    {
        writesWithReaders.increment();
    }

    void timeout()
    {
        timeouts.increment();
    }

    private synchronized Histogram misses()
    {
        missTotal.add(missLatency.getIntervalHistogram());
        return missTotal;
    }

    @Override
    public int getNodeId()
    {
        return nodeId.getAsInt();
    }

    @Override
    public int getMembers()
    {
        return members.getAsInt();
    }

    @Override
    public long getReadMisses()
    {
        return misses.sum();
    }

    @Override
    public double getReadMissLatencyP50Micros()
    {
        return misses().getValueAtPercentile(50) / 1000.0;
    }

    @Override
    public double getReadMissLatencyP99Micros()
    {
        return misses().getValueAtPercentile(99) / 1000.0;
    }

    @Override
    public double getReadMissLatencyMaxMicros()
    {
        return misses().getMaxValue() / 1000.0;
    }

    @Override
    public long getWriteAccessAcquisitions()
    {
        return acquisitions.sum();
    }

    @Override
    public long getWritesWithReaders()
    {
        return writesWithReaders.sum();
    }

    @Override
    public long getTimeouts()
    {
        return timeouts.sum();
    }

    @Override
    public long getMalformedMessages()
    {
        return malformed.get();
    }

    @Override
    public long getUnauthenticatedMessages()
    {
        return unauthenticated.get();
    }

    @Override
    public long getChunkedMessagesDropped()
    {
        return chunksDropped.get();
    }

    @Override
    public long getWritesLostAtEviction()
    {
        return writesLost.get();
    }
}
