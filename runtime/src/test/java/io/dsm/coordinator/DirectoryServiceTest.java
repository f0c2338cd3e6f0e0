package io.dsm.coordinator;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import io.dsm.protocol.SharedSecret;
import io.dsm.protocol.Wire;
import io.dsm.wire.HeartbeatAckDecoder;
import io.dsm.wire.HeartbeatEncoder;
import io.dsm.wire.HelloEncoder;
import io.dsm.wire.Intent;
import io.dsm.wire.MessageHeaderDecoder;
import io.dsm.wire.MessageHeaderEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.RegisterEncoder;
import io.dsm.wire.RegisteredDecoder;
import io.dsm.wire.ValueDecoder;
import io.dsm.wire.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory on Aeron Cluster, in one process: a single-member cluster with the {@link DirectoryService}, and
 * clients that speak the dsm protocol to it through real {@link AeronCluster} sessions. It answers as the coordinator
 * does, refuses a message whose sender is not the node its session joined as, and keeps its whole state across a
 * restart, from the log alone and from a snapshot.
 */
class DirectoryServiceTest
{
    private static final long WAIT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final byte[] VALUE = "forty-two".getBytes(StandardCharsets.UTF_8);

    @TempDir
    File state;
    private final int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private MediaDriver clientDriver;
    private DirectoryCluster directory;
    private final List<Client> clients = new ArrayList<>();

    @BeforeEach
    void startClientDriver()
    {
        clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(System.getProperty("java.io.tmpdir") + "/dsm-directory-test-client-" + suffix)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true));
    }

    @AfterEach
    void close()
    {
        clients.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(directory);
        CloseHelper.quietClose(clientDriver);
    }

    private DirectoryCluster launch()
    {
        return launch(null);
    }

    private DirectoryCluster launch(final SharedSecret secret)
    {
        return launch(secret, new DirectoryCluster.Context());
    }

    private DirectoryCluster launch(final SharedSecret secret, final DirectoryCluster.Context ctx)
    {
        return DirectoryCluster.launch(ctx
            .directory(state)
            .aeronDirectoryName(System.getProperty("java.io.tmpdir") + "/dsm-directory-test-" + suffix)
            .member("localhost", port)
            .secret(secret)
            .errorHandler(Throwable::printStackTrace));
    }

    @Test
    @Timeout(60)
    void withASecretOnlySessionsThatProveItAreAdmitted()
    {
        directory = launch(new SharedSecret("the-right-secret-0123"));
        final Client member = connect(new SharedSecret("the-right-secret-0123"));
        assertEquals(1, member.hello(90), "a node that knows the secret joins");
        final AuthenticationException wrong = assertThrows(AuthenticationException.class,
            () -> connect(new SharedSecret("a-wrong-secret-456789")));
        assertTrue(wrong.getMessage() != null, "refused: " + wrong);
        assertThrows(AuthenticationException.class, () -> connect(null), "a node with no secret is refused too");
        assertEquals(1, member.heartbeat(1, 1), "the admitted node goes on");
    }

    @Test
    @Timeout(120)
    void answersNodesThroughTheClusterRefusesForgedSendersAndKeepsItsStateAcrossRestarts()
    {
        directory = launch();
        final Client first = connect();
        final int firstId = first.hello(77);
        assertEquals(1, firstId);
        assertEquals(1, first.heartbeat(firstId, 1), "a member's heartbeat is acknowledged");

        // An initial value, registered through the log.
        first.register(firstId, 10, Intent.INIT, "T.x", VALUE);
        first.await(RegisteredDecoder.TEMPLATE_ID, m -> true);

        // Another session may not speak for node 1; as itself it may.
        final Client second = connect();
        final long forgedBefore = directory.service().forgedMessages();
        second.send(heartbeat(firstId, 5));
        awaitCondition("the forged heartbeat is counted", () -> directory.service().forgedMessages() == forgedBefore + 1);
        final int secondId = second.hello(78);
        assertEquals(2, secondId);
        assertEquals(6, second.heartbeat(secondId, 6));
        assertTrue(second.received.stream().noneMatch(m -> template(m) == HeartbeatAckDecoder.TEMPLATE_ID &&
            ack(m) == 5), "no acknowledgement of the forged heartbeat reached anyone");

        // Restart from the log alone: the value, and the ids already handed out, are kept.
        restart();
        final Client third = connect();
        final int thirdId = third.hello(79);
        assertEquals(3, thirdId, "node ids continue after a restart");
        assertEquals(0, directory.service().restoredSnapshotBytes(), "no snapshot yet: the log alone was replayed");
        assertArrayEquals(VALUE, third.read(thirdId, 20, "T.x"), "the value survives a restart from the log");

        // Restart from a snapshot.
        assertTrue(directory.takeSnapshot(WAIT_NS), "a snapshot was taken");
        restart();
        final Client fourth = connect();
        final int fourthId = fourth.hello(80);
        assertEquals(4, fourthId, "node ids continue after a restart from a snapshot");
        assertTrue(directory.service().restoredSnapshotBytes() > 0, "this start loaded the snapshot");
        assertArrayEquals(VALUE, fourth.read(fourthId, 30, "T.x"), "the value survives a restart from a snapshot");
    }

    @Test
    @Timeout(60)
    void aNodeWelcomedAsANewNodeOnTheSessionOfItsEvictedIdKeepsThatSessionThroughTheOldIdsEviction()
    {
        // Heartbeat 100 ms, lease 300 ms, eviction 1 s.
        directory = launch(null, new DirectoryCluster.Context().timing(TimeUnit.MILLISECONDS.toNanos(100),
            TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.SECONDS.toNanos(1)));
        final Client client = connect();
        final int oldId = client.hello(81);
        // The node says hello on the same session under another incarnation (as a node whose old id the directory
        // no longer knows does): a new node, bound to this session. Its old id goes silent and is evicted.
        final int newId = client.hello(82);
        assertTrue(newId != oldId);
        long sequence = 1;
        final long deadline = System.nanoTime() + WAIT_NS;
        while (directory.service().memberCount() != 1)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the old id is evicted in time");
            assertEquals(sequence, client.heartbeat(newId, sequence), "the new id is answered while it waits");
            sequence++;
        }
        // The old id's eviction left the session to the new one: its heartbeats are still answered, none forged.
        final long forgedBefore = directory.service().forgedMessages();
        assertEquals(sequence, client.heartbeat(newId, sequence));
        assertEquals(forgedBefore, directory.service().forgedMessages());
    }

    private void restart()
    {
        clients.forEach(CloseHelper::quietClose);
        clients.clear();
        directory.close();
        directory = launch();
    }

    private Client connect()
    {
        return connect(null);
    }

    private Client connect(final SharedSecret secret)
    {
        final Client client = new Client();
        final AeronCluster.Context ctx = new AeronCluster.Context();
        if (secret != null)
        {
            ctx.credentialsSupplier(new CredentialsSupplier()
            {
                @Override
                public byte[] encodedCredentials()
                {
                    return SharedSecret.SCHEME;
                }

                @Override
                public byte[] onChallenge(final byte[] challenge)
                {
                    return secret.prove(challenge);
                }
            });
        }
        client.cluster = AeronCluster.connect(ctx
            .aeronDirectoryName(clientDriver.aeronDirectoryName())
            .ingressChannel("aeron:udp")
            .ingressEndpoints(DirectoryCluster.ingressEndpoints(List.of("localhost"), List.of(port)))
            .egressChannel("aeron:udp?endpoint=localhost:0")
            .messageTimeoutNs(WAIT_NS)
            .egressListener((sessionId, timestamp, buffer, offset, length, header) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                client.received.add(bytes);
            }));
        clients.add(client);
        return client;
    }

    private static int template(final byte[] message)
    {
        return new MessageHeaderDecoder().wrap(new UnsafeBuffer(message), 0).templateId();
    }

    private static long ack(final byte[] message)
    {
        return new HeartbeatAckDecoder().wrapAndApplyHeader(new UnsafeBuffer(message), 0, new MessageHeaderDecoder())
            .sequence();
    }

    private static byte[] heartbeat(final int sender, final long sequence)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(out, 0, new MessageHeaderEncoder())
            .sender(sender).sequence(sequence);
        return copy(out, Wire.length(encoder.encodedLength()));
    }

    private static byte[] copy(final DirectBuffer buffer, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static void awaitCondition(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + WAIT_NS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.onSpinWait();
        }
    }

    /** One node's side of a cluster session: what it sent and what came back. */
    private static final class Client implements AutoCloseable
    {
        AeronCluster cluster;
        final List<byte[]> received = new ArrayList<>();
        private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();

        int hello(final long incarnation)
        {
            final HelloEncoder hello = new HelloEncoder().wrapAndApplyHeader(out, 0, header).sender(0)
                .correlationId(incarnation).incarnation(incarnation).inboxStream(1).wantsMetadata((short)0).pid(1)
                .inboxChannel("aeron:udp?endpoint=127.0.0.1:1").doorbell("").description("test " + incarnation);
            send(copy(out, Wire.length(hello.encodedLength())));
            final byte[] welcome = await(WelcomeDecoder.TEMPLATE_ID, m -> true);
            return new WelcomeDecoder().wrapAndApplyHeader(new UnsafeBuffer(welcome), 0, new MessageHeaderDecoder())
                .nodeId();
        }

        long heartbeat(final int sender, final long sequence)
        {
            send(DirectoryServiceTest.heartbeat(sender, sequence));
            return ack(await(HeartbeatAckDecoder.TEMPLATE_ID, m -> ack(m) == sequence));
        }

        void register(final int sender, final long correlationId, final Intent intent, final String name,
            final byte[] value)
        {
            final RegisterEncoder register = new RegisterEncoder().wrapAndApplyHeader(out, 0, header).sender(sender)
                .correlationId(correlationId).intent(intent).mode(ReadMode.INVALIDATE)
                .timeoutNs(TimeUnit.SECONDS.toNanos(5)).name(name).valueType("java.lang.String");
            register.putValue(value, 0, value.length);
            send(copy(out, Wire.length(register.encodedLength())));
        }

        byte[] read(final int sender, final long correlationId, final String name)
        {
            register(sender, correlationId, Intent.READ, name, new byte[0]);
            final byte[] message = await(ValueDecoder.TEMPLATE_ID, m -> true);
            final ValueDecoder value = new ValueDecoder().wrapAndApplyHeader(new UnsafeBuffer(message), 0,
                new MessageHeaderDecoder());
            assertEquals(1, value.hasValue(), "the directory holds a value for " + name);
            final byte[] bytes = new byte[value.valueLength()];
            value.getValue(bytes, 0, bytes.length);
            return bytes;
        }

        void send(final byte[] message)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message);
            final long deadline = System.nanoTime() + WAIT_NS;
            while (cluster.offer(buffer, 0, message.length) < 0)
            {
                assertTrue(System.nanoTime() - deadline < 0, "the cluster did not take a message in time");
                cluster.pollEgress();
                Thread.onSpinWait();
            }
        }

        byte[] await(final int template, final Predicate<byte[]> test)
        {
            final long deadline = System.nanoTime() + WAIT_NS;
            while (true)
            {
                for (final byte[] message : received)
                {
                    if (template(message) == template && test.test(message))
                    {
                        received.remove(message);
                        return message;
                    }
                }
                assertTrue(System.nanoTime() - deadline < 0, "no message of template " + template + " in time; " +
                    "received " + received.stream().map(DirectoryServiceTest::template).toList());
                if (cluster.pollEgress() == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }

        @Override
        public void close()
        {
            CloseHelper.quietClose(cluster);
        }
    }
}
