package io.dsm.it;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.dsm.coordinator.CoordinatorServer;
import io.dsm.it.programs.ShellProgram;
import io.dsm.wire.HelloEncoder;
import io.dsm.wire.InvalidateEncoder;
import io.dsm.wire.MessageHeaderEncoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.ValueEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures: a peer killed with {@code kill -9}, and malformed datagrams sent to the ports of a node and of the
 * coordinator.
 */
@Tag("slow")
class FailureIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void aKilledPeerYieldsATimeoutErrorNamingItThenEvictionLetsTheOthersGoOn()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.timeout.ms=2000", "dsm.heartbeat.interval.ms=200",
            "dsm.lease.ms=3000", "dsm.eviction.ms=8000"))
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm victim = cluster.startNode("victim", ShellProgram.class, List.of());
            final JvmCluster.Jvm survivor = cluster.startNode("survivor", ShellProgram.class, List.of());
            victim.awaitLine("ready", WAIT);
            survivor.awaitLine("ready", WAIT);
            victim.send("write 5");
            victim.awaitLine("ok wrote 5", WAIT);
            victim.send("id");
            final String victimId = victim.awaitMatch("ok id (\\d+)", WAIT).group(1);

            victim.kill9();
            survivor.send("write 6");
            final String error = survivor.awaitLine("error", Duration.ofSeconds(30));
            assertTrue(error.startsWith("error io.dsm.DsmTimeoutException"), error);
            assertTrue(error.contains("'io.dsm.it.programs.ItFields.victim'"), "names the variable: " + error);
            assertTrue(error.contains("node " + victimId + " (pid " + victim.pid()), "names the peer: " + error);

            // Once the coordinator evicts the silent node, its write access returns and the survivor goes on.
            final long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            String answer;
            do
            {
                survivor.send("write 7");
                answer = survivor.awaitLine(" ", WAIT);
            }
            while (!answer.equals("ok wrote 7") && System.nanoTime() < deadline);
            assertEquals("ok wrote 7", answer, survivor.describe());
            survivor.send("read");
            assertEquals("ok read 7", survivor.awaitLine("ok read", WAIT));
        }
    }

    @Test
    @Timeout(120)
    void inUpdateModeAKilledReaderFailsTheWriteNamingItThenEvictionLetsTheWriterGoOn()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.timeout.ms=2000", "dsm.heartbeat.interval.ms=200",
            "dsm.lease.ms=3000", "dsm.eviction.ms=8000"))
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm writer = cluster.startNode("writer", ShellProgram.class, List.of());
            final JvmCluster.Jvm reader = cluster.startNode("reader", ShellProgram.class,
                List.of("-Ddsm.replication=update"));
            writer.awaitLine("ready", WAIT);
            reader.awaitLine("ready", WAIT);
            assertEquals("ok wrote 5", ask(writer, "write 5"));
            assertEquals("ok read 5", ask(reader, "read"));
            assertEquals("ok has true", ask(writer, "has"), "the reader asked for updates: the writer keeps access");
            assertEquals("ok wrote 6", ask(writer, "write 6"));
            assertEquals("ok read 6", ask(reader, "read"), "pushed to the reader");
            final String readerId = ask(reader, "id").substring("ok id ".length());

            reader.kill9();
            writer.send("write 7");
            final String error = writer.awaitLine("error", Duration.ofSeconds(30));
            assertTrue(error.startsWith("error io.dsm.DsmTimeoutException"), error);
            assertTrue(error.contains("'io.dsm.it.programs.ItFields.victim'"), "names the variable: " + error);
            assertTrue(error.contains("node " + readerId + " (pid " + reader.pid()), "names the reader: " + error);

            // Once the coordinator evicts the dead reader, the writer's writes complete again.
            final long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            String answer;
            do
            {
                answer = ask(writer, "write 8");
            }
            while (!answer.equals("ok wrote 8") && System.nanoTime() < deadline);
            assertEquals("ok wrote 8", answer, writer.describe());
            assertEquals("ok read 8", ask(writer, "read"));
        }
    }

    private static String ask(final JvmCluster.Jvm jvm, final String command)
    {
        jvm.send(command);
        return jvm.awaitLine(" ", WAIT);
    }

    /**
     * On either engine: junk datagrams at the directory's and the node's ports, then well-formed Aeron frames
     * carrying malformed dsm messages, to the node's inbox and into the directory (the classic coordinator's channel;
     * a cluster client session into the directory on Aeron Cluster, which no node joined on).
     */
    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"classic", "cluster"})
    @Timeout(120)
    void malformedDatagramsToNodeAndCoordinatorAreDroppedAndNothingBreaks(final String engine) throws Exception
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=" + engine))
        {
            final JvmCluster.Jvm coordinator = cluster.startCoordinator();
            final JvmCluster.Jvm node = cluster.startNode("node", ShellProgram.class, List.of());
            node.awaitLine("ready", WAIT);
            node.send("write 1");
            node.awaitLine("ok wrote 1", WAIT);
            node.send("channel");
            final Matcher channel = node.awaitMatch("ok channel (\\S+) stream (\\d+)", WAIT);
            final String nodeChannel = channel.group(1);
            final int nodeStream = Integer.parseInt(channel.group(2));
            final int nodePort = Integer.parseInt(nodeChannel.replaceAll(".*:(\\d+).*", "$1"));
            final String coordinatorChannel = "aeron:udp?endpoint=127.0.0.1:" + cluster.port;

            // 1. Raw UDP garbage, not even Aeron frames.
            final Random random = new Random(42);
            try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                for (int i = 0; i < 200; i++)
                {
                    final byte[] garbage = new byte[1 + random.nextInt(1400)];
                    random.nextBytes(garbage);
                    socket.send(new DatagramPacket(garbage, garbage.length, InetAddress.getLoopbackAddress(),
                        i % 2 == 0 ? cluster.port : nodePort));
                }
            }

            // 2. Valid Aeron frames carrying malformed dsm messages.
            final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            AeronCluster session = null;
            try
            {
                if ("cluster".equals(engine))
                {
                    session = AeronCluster.connect(new AeronCluster.Context().aeron(aeron).ownsAeronClient(false)
                        .ingressChannel("aeron:udp").ingressEndpoints("0=127.0.0.1:" + cluster.port)
                        .egressChannel("aeron:udp?endpoint=127.0.0.1:0"));
                    final AeronCluster client = session;
                    sendMalformed(client::offer, () -> true, "the directory's ingress", random);
                }
                else
                {
                    final Publication publication = aeron.addPublication(coordinatorChannel, CoordinatorServer.STREAM_ID);
                    sendMalformed(publication::offer, publication::isConnected, coordinatorChannel, random);
                }
                final Publication inbox = aeron.addPublication(nodeChannel, nodeStream);
                sendMalformed(inbox::offer, inbox::isConnected, nodeChannel, random);
                // Keep the sender alive until both have read what it sent: a receiver that lost a datagram asks for
                // it again, and a driver that closed at once could not resend it.
                awaitStderr(coordinator, "coordinator dropped a malformed message");
                if ("cluster".equals(engine))
                {
                    // Well-formed messages on a session no node joined on: forged, whoever they claim to be from.
                    awaitStderr(coordinator, "which no node joined on");
                }
                awaitStderr(node, "dropped a malformed message");
            }
            finally
            {
                CloseHelper.closeAll(session, aeron, driver);
            }

            node.send("write 2");
            try
            {
                assertEquals("ok wrote 2", node.awaitLine("ok wrote", WAIT), node.describe());
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "\ncoordinator: " + coordinator.describe(), ex);
            }
            node.send("read");
            assertEquals("ok read 2", node.awaitLine("ok read", WAIT));
            assertTrue(coordinator.process.isAlive() && node.process.isAlive());
        }
    }

    /** Sends through a publication or a cluster session. */
    private interface Offer
    {
        long offer(DirectBuffer buffer, int offset, int length);
    }

    private static void sendMalformed(final Offer publication, final BooleanSupplier connected, final String to,
        final Random random)
    {
        Await.until(() -> "could not connect to " + to, Duration.ofSeconds(20), connected);
        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        final UnsafeBuffer[] messages = {
            new UnsafeBuffer(new byte[] {0x44}),
            // Another schema's header.
            new UnsafeBuffer(new byte[] {8, 0, 30, 0, 0x7f, 0x7f, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
            // A read from a node that is not a member, of a variable no one has.
            message((buffer, header) -> new ReadEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sender(77).correlationId(1).variableId(Integer.MAX_VALUE).mode(ReadMode.INVALIDATE).requester(77)
                .hops((short)0).encodedLength()),
            // An invalidation of a variable that does not exist.
            message((buffer, header) -> new InvalidateEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sender(0).variableId(-5).epoch(1).writeId(1).encodedLength()),
            // A value whose length says 1 GiB in a message of a few bytes.
            truncated(message((buffer, header) -> new ValueEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sender(0).correlationId(1).variableId(1).epoch(1).version(1).owner(0).hasValue((short)1)
                .putValue(new byte[64], 0, 64).encodedLength()), 1 << 30),
            // A hello naming a file, not an Aeron channel.
            message((buffer, header) -> new HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                .sender(0).correlationId(1).incarnation(1).inboxStream(1).wantsMetadata((short)0).pid(1)
                .inboxChannel("file:///etc/passwd").doorbell("").description("evil").encodedLength()),
        };
        for (int i = 0; i < 50; i++)
        {
            final byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            offer(publication, new UnsafeBuffer(garbage), to, deadline);
        }
        for (final UnsafeBuffer message : messages)
        {
            offer(publication, message, to, deadline);
        }
    }

    private interface Encoding
    {
        int encode(ExpandableArrayBuffer buffer, MessageHeaderEncoder header);
    }

    private static UnsafeBuffer message(final Encoding encoding)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoding.encode(buffer, new MessageHeaderEncoder());
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return new UnsafeBuffer(bytes);
    }

    /** The message with its last variable-length field's length set to {@code claimed} and its data cut off. */
    private static UnsafeBuffer truncated(final UnsafeBuffer message, final int claimed)
    {
        final int lengthAt = message.capacity() - 64 - 4;
        final byte[] bytes = new byte[lengthAt + 4];
        message.getBytes(0, bytes);
        final UnsafeBuffer cut = new UnsafeBuffer(bytes);
        cut.putInt(lengthAt, claimed);
        return cut;
    }

    private static void offer(final Offer publication, final UnsafeBuffer message, final String to,
        final long deadline)
    {
        while (publication.offer(message, 0, message.capacity()) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("could not send to " + to);
            }
            Thread.onSpinWait();
        }
    }

    private static void awaitStderr(final JvmCluster.Jvm jvm, final String text)
    {
        Await.until(() -> jvm.label + " never logged '" + text + "': " + jvm.describe(), Duration.ofSeconds(30),
            () -> jvm.stderr().contains(text));
    }
}
