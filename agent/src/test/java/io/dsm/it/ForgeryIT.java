package io.dsm.it;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.dsm.it.programs.ShellProgram;
import io.dsm.node.ReplicaTable;
import io.dsm.wire.MessageHeaderEncoder;
import io.dsm.wire.UpdateEncoder;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A process outside the cluster that can send UDP to a node forges a well-formed dsm message: an {@code Update}
 * pushing a new value of a variable, claiming to come from the variable's owner. Without {@code dsm.secret} the node
 * applies it (the threat docs/SECURITY.md states); with the secret every message between nodes carries a keyed MAC,
 * and the forgery is dropped, logged and counted while the cluster goes on.
 */
@Tag("slow")
class ForgeryIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SECRET = "a-test-secret-of-this-cluster";
    private static final long FORGED = 666;

    @Test
    @Timeout(180)
    void withoutTheSecretAForgedUpdateFromOutsideIsApplied() throws Exception
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=cluster"))
        {
            final JvmCluster.Jvm[] nodes = twoNodesSharingOne(cluster);
            // The forgery is a well-formed message, accepted as the owner's: b now reads what no node wrote.
            forge(nodes[0], nodes[1], () -> Await.until(() -> "b never read the forged value: " + nodes[1].describe(),
                WAIT, () -> ask(nodes[1], "read").equals("ok read " + FORGED)));
        }
    }

    @Test
    @Timeout(180)
    void withTheSecretForgedMessagesAreDroppedAndNamedAndTheClusterGoesOn() throws Exception
    {
        try (JvmCluster cluster = new JvmCluster("dsm.coordinator.engine=cluster", "dsm.secret=" + SECRET))
        {
            final JvmCluster.Jvm[] nodes = twoNodesSharingOne(cluster);
            forge(nodes[0], nodes[1], () -> Await.until(() -> "b never dropped the forgery: " + nodes[1].describe(),
                WAIT, () -> nodes[1].stderr().contains("authentication does not verify")));
            assertEquals("ok read 1", ask(nodes[1], "read"), nodes[1].describe());
            // Authenticated messages still flow both ways.
            assertEquals("ok wrote 2", ask(nodes[0], "write 2"));
            assertEquals("ok read 2", ask(nodes[1], "read"));
            assertEquals("ok wrote 3", ask(nodes[1], "write 3"));
            assertEquals("ok read 3", ask(nodes[0], "read"));
        }
    }

    /** Starts a directory and nodes a and b; a writes 1 and b reads it, so b holds a replica a pushes to. */
    private static JvmCluster.Jvm[] twoNodesSharingOne(final JvmCluster cluster)
    {
        cluster.startCoordinator();
        final JvmCluster.Jvm a = cluster.startNode("a", ShellProgram.class, List.of());
        final JvmCluster.Jvm b = cluster.startNode("b", ShellProgram.class, List.of());
        a.awaitLine("ready", WAIT);
        b.awaitLine("ready", WAIT);
        assertEquals("ok wrote 1", ask(a, "write 1"));
        assertEquals("ok read 1", ask(b, "read"));
        return new JvmCluster.Jvm[] {a, b};
    }

    private static String ask(final JvmCluster.Jvm jvm, final String command)
    {
        jvm.send(command);
        return jvm.awaitLine(line -> line.startsWith("ok") || line.startsWith("error"), "an answer to " + command,
            WAIT);
    }

    /**
     * From a media driver of its own, sends b updates of variables 1 to 8 to {@value #FORGED}, at a version far
     * ahead, each claiming to come from a (the owner); runs {@code check} before the forger goes (a receiver that lost a
     * datagram asks its sender for it again).
     */
    private static void forge(final JvmCluster.Jvm a, final JvmCluster.Jvm b, final Runnable check)
    {
        final int owner = Integer.parseInt(ask(a, "id").substring("ok id ".length()));
        b.send("channel");
        final Matcher channel = b.awaitMatch("ok channel (\\S+) stream (\\d+)", WAIT);
        final byte[] value = ReplicaTable.codec().encode(FORGED, Long.class);
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        try
        {
            final Publication publication = aeron.addPublication(channel.group(1), Integer.parseInt(channel.group(2)));
            Await.until(() -> "could not connect to " + publication.channel(), WAIT, publication::isConnected);
            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
            for (int variable = 1; variable <= 8; variable++)
            {
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + new UpdateEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                    .sender(owner).variableId(variable).epoch(1).writeId(1).version(1_000_000)
                    .putValue(value, 0, value.length).encodedLength();
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (publication.offer(buffer, 0, length) < 0)
                {
                    if (System.nanoTime() > deadline)
                    {
                        throw new AssertionError("could not send to " + publication.channel());
                    }
                    Thread.onSpinWait();
                }
            }
            check.run();
        }
        finally
        {
            CloseHelper.closeAll(aeron, driver);
        }
    }
}
