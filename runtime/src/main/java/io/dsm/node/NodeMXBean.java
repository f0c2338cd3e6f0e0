package io.dsm.node;

/**
 * A node's metrics, as JMX sees them: {@code io.dsm:type=Node} in every JVM that runs a node (jconsole, VisualVM, a
 * JMX exporter). Counts are since the node started; latencies are of the read misses since it started, in
 * microseconds (HdrHistogram, 3 significant digits). Reads served by the local replica (hits) are not counted: a hit
 * is one volatile load, and a counter would cost more than the read.
 */
public interface NodeMXBean
{
    /** @return this node's id in the cluster, or 0 before it joined. */
    int getNodeId();

    /** @return the other members this node knows. */
    int getMembers();

    /** @return reads that the local replica could not answer (fetched from the owner or the directory). */
    long getReadMisses();

    /** @return median latency of a read miss, in microseconds. */
    double getReadMissLatencyP50Micros();

    /** @return 99th percentile latency of a read miss, in microseconds. */
    double getReadMissLatencyP99Micros();

    /** @return longest read miss, in microseconds. */
    double getReadMissLatencyMaxMicros();

    /** @return writes that had to take write access first (an ownership transfer to this node). */
    long getWriteAccessAcquisitions();

    /** @return writes that invalidated or updated other nodes' replicas before they returned. */
    long getWritesWithReaders();

    /** @return operations that failed with {@code DsmTimeoutException}. */
    long getTimeouts();

    /** @return messages dropped because they did not decode or did not fit what the node knew. */
    long getMalformedMessages();

    /** @return messages dropped because their MAC did not verify (with {@code dsm.secret}), or replayed. */
    long getUnauthenticatedMessages();

    /** @return messages in chunks dropped whole. */
    long getChunkedMessagesDropped();

    /** @return returned writes lost when the directory evicted this node while it owned variables (fast mode). */
    long getWritesLostAtEviction();

    /** @return times this node handed write access to another node that asked for it. */
    long getOwnershipTransfers();

    /** @return invalidations this node sent to the readers of what it wrote or handed over. */
    long getInvalidationsSent();

    /** @return invalidations of this node's replicas it received. */
    long getInvalidationsReceived();

    /** @return writes this node sent to readers in update or push mode. */
    long getUpdatesSent();

    /** @return bytes of dsm messages this node sent, to nodes and to the directory. */
    long getBytesSent();

    /** @return bytes of dsm messages this node received, from nodes and from the directory. */
    long getBytesReceived();
}
