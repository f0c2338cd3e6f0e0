package io.dsm.it;

import com.sun.tools.attach.VirtualMachine;
import io.dsm.it.programs.ShellProgram;
import io.dsm.test.DsmCluster;
import io.dsm.test.DsmExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JMX client sees a live node's and a live directory member's metrics under {@code io.dsm}, as jconsole would:
 * attached to the running JVMs (no port, no flag on them), not from inside. Written on the test kit (dsm-test).
 */
@ExtendWith(DsmExtension.class)
class MetricsIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void aJmxClientReadsANodesAndTheDirectorysMetrics(final DsmCluster cluster) throws Exception
    {
        final DsmCluster.Jvm directory = cluster.directory();
        final DsmCluster.Jvm writer = cluster.start("writer", ShellProgram.class);
        final DsmCluster.Jvm reader = cluster.start("reader", ShellProgram.class);
        writer.awaitLine("ready", WAIT);
        reader.awaitLine("ready", WAIT);
        assertEquals("ok wrote 1", ask(writer, "write 1", "ok wrote"));
        assertEquals("ok read 1", ask(reader, "read", "ok read")); // a miss: fetched from the writer
        assertEquals("ok read 1", ask(reader, "read", "ok read")); // a hit
        final int readerId = Integer.parseInt(ask(reader, "id", "ok id").substring("ok id ".length()));

        try (JMXConnector jmx = attach(reader.pid()))
        {
            final MBeanServerConnection server = jmx.getMBeanServerConnection();
            final ObjectName node = new ObjectName("io.dsm:type=Node");
            Await.until(() -> "the reader's io.dsm:type=Node", WAIT, () -> check(() -> server.isRegistered(node)));
            Await.until(() -> "the reader's node id in JMX", WAIT,
                () -> check(() -> (Integer)server.getAttribute(node, "NodeId") == readerId));
            assertEquals(1L, server.getAttribute(node, "ReadMisses"), "one miss; the second read was a hit");
            final double p50 = (Double)server.getAttribute(node, "ReadMissLatencyP50Micros");
            final double max = (Double)server.getAttribute(node, "ReadMissLatencyMaxMicros");
            assertTrue(p50 > 0 && max >= p50, "miss latency p50 " + p50 + " max " + max);
            assertEquals(0L, server.getAttribute(node, "Timeouts"));
            assertEquals(0L, server.getAttribute(node, "MalformedMessages"));
            Await.until(() -> "the reader knows the writer", WAIT,
                () -> check(() -> (Integer)server.getAttribute(node, "Members") >= 1));
            System.out.println("MetricsIT: reader node " + readerId + ": " + server.getAttribute(node,
                "ReadMisses") + " miss, " + p50 + " µs");
        }
        // The writer's next write invalidates the reader's replica; the reader's write takes write access from it.
        assertEquals("ok wrote 2", ask(writer, "write 2", "ok wrote"));
        assertEquals("ok wrote 3", ask(reader, "write 3", "ok wrote"));
        try (JMXConnector jmx = attach(writer.pid()))
        {
            final MBeanServerConnection server = jmx.getMBeanServerConnection();
            final ObjectName node = new ObjectName("io.dsm:type=Node");
            Await.until(() -> "the writer's io.dsm:type=Node", WAIT, () -> check(() -> server.isRegistered(node)));
            assertEquals(1L, server.getAttribute(node, "WriteAccessAcquisitions"), "its first write took it");
            assertEquals(1L, server.getAttribute(node, "OwnershipTransfers"), "handed to the reader once");
            assertTrue((Long)server.getAttribute(node, "InvalidationsSent") >= 1L, "its second write invalidated " +
                "the reader: " + server.getAttribute(node, "InvalidationsSent"));
            assertTrue((Long)server.getAttribute(node, "BytesSent") > 0 &&
                (Long)server.getAttribute(node, "BytesReceived") > 0, "bytes in and out");
        }
        try (JMXConnector jmx = attach(reader.pid()))
        {
            final MBeanServerConnection server = jmx.getMBeanServerConnection();
            final ObjectName node = new ObjectName("io.dsm:type=Node");
            assertTrue((Long)server.getAttribute(node, "InvalidationsReceived") >= 1L,
                "the writer's second write invalidated it");
            assertEquals(1L, server.getAttribute(node, "WriteAccessAcquisitions"), "its write took it");
        }
        try (JMXConnector jmx = attach(directory.pid()))
        {
            final MBeanServerConnection server = jmx.getMBeanServerConnection();
            final ObjectName member = new ObjectName("io.dsm:type=Directory,member=0");
            Await.until(() -> "the directory's two members in JMX", WAIT,
                () -> check(() -> server.isRegistered(member) && (Long)server.getAttribute(member, "Members") == 2));
            assertEquals("LEADER", server.getAttribute(member, "Role"));
            assertEquals(0L, server.getAttribute(member, "ForgedMessages"));
        }
    }

    /** A condition that may throw (a JMX call). */
    private interface Condition
    {
        boolean holds() throws Exception;
    }

    private static boolean check(final Condition condition)
    {
        try
        {
            return condition.holds();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return a JMX connection to a running JVM of this user, through the attach API. */
    private static JMXConnector attach(final long pid) throws Exception
    {
        final VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        try
        {
            return JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
        }
        finally
        {
            vm.detach();
        }
    }

    /** Sends a command to a ShellProgram and returns its answer. */
    private static String ask(final DsmCluster.Jvm jvm, final String command, final String answer)
    {
        jvm.send(command);
        return jvm.awaitLine(answer, WAIT);
    }
}
