package io.dsm.it;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.AuthenticationException;
import io.dsm.it.programs.ShellProgram;
import io.dsm.transport.DsmCounter;
import io.dsm.wire.InvalidateEncoder;
import io.dsm.wire.MessageHeaderEncoder;
import io.dsm.wire.ReadEncoder;
import io.dsm.wire.ReadMode;
import io.dsm.wire.UpdateEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzed and forged frames from a process outside the cluster, in volume ({@code dsm.fuzz.frames}: 10^6 per test,
 * about 40 s for both), at every port of a running cluster: no process crashes, no
 * member is evicted or changes its id, the values are the members' own, and every dsm message that reaches dsm is
 * dropped and counted, exactly ({@link DsmCounter}, read from the processes' Aeron counters).
 * <p>
 * Half the frames are junk datagrams at the directory's six ports and the nodes' inboxes (random bytes, frame lengths
 * far past the datagram, truncated headers): Aeron's receivers drop them (its own counters say how many it took for
 * invalid). The other half travel as Aeron messages, so each reaches dsm: without the secret, on a cluster session
 * into the directory (random bytes, and well-formed messages that claim to be from its members); with the secret, to
 * a node's inbox (random bytes, and well-formed updates that claim to come from the variable's owner), while the
 * directory refuses the attacker's session.
 */
@Tag("slow")
class FuzzIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int FRAMES = Integer.getInteger("dsm.fuzz.frames", 1_000_000);
    private static final String SECRET = "a-test-secret-of-this-cluster";

    @Test
    @Timeout(600)
    void junkAndForgedMessagesIntoTheDirectoryAreCountedEveryOneAndNoMemberIsEvicted()
    {
        try (JvmCluster cluster = new JvmCluster())
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final Members members = Members.start(cluster);
            Await.until(() -> "the directory's counters show two members", WAIT,
                () -> AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MEMBERS) == 2);
            final long malformedBefore = AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MALFORMED);
            final long forgedBefore = AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_FORGED);

            final Random random = new Random(20261126L);
            final long startNs = System.nanoTime();
            final int junk = Junk.datagrams(IntStream.concat(IntStream.of(Junk.ports(cluster.port, 6)),
                IntStream.of(members.inboxPorts())).toArray(), FRAMES / 2, random);
            final int[] sent = new int[2];
            try (Attacker attacker = new Attacker())
            {
                final AeronCluster session = attacker.session(cluster.port);
                final Offer offer = session::offer;
                for (int i = 0; i < FRAMES - junk; i++)
                {
                    final boolean forged = (i & 1) == 1;
                    attacker.send(offer, forged ?
                        forged(random, members.ids[random.nextInt(2)], i) : randomBytes(random), session::pollEgress);
                    sent[forged ? 1 : 0]++;
                }
                // The directory counts each as the service applies it, after the log: wait for all of them.
                Await.until(() -> "the directory counted " +
                    (AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MALFORMED) - malformedBefore) +
                    " malformed and " + (AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_FORGED) -
                    forgedBefore) + " forged, of " + sent[0] + " and " + sent[1] + " sent", WAIT, () ->
                    {
                        session.pollEgress();
                        return AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MALFORMED) - malformedBefore +
                            AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_FORGED) - forgedBefore >=
                            sent[0] + sent[1];
                    });
            }
            final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
            final long malformed = AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MALFORMED) - malformedBefore;
            final long forged = AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_FORGED) - forgedBefore;
            assertEquals(sent[0] + sent[1], malformed + forged, "every message into the directory is counted once");
            assertTrue(forged >= sent[1], "every forged message is counted as forged: " + forged + " of " + sent[1]);

            members.stillServe(directory, 2);
            assertEquals(2, AeronCounters.dsm(directory.pid(), DsmCounter.DIRECTORY_MEMBERS), "no member was added");
            System.out.println("FuzzIT: " + (junk + sent[0] + sent[1]) + " frames in " + tookMs + " ms: " + junk +
                " junk datagrams; into the directory on a session " + sent[0] + " random and " + sent[1] +
                " forged messages, counted " + malformed + " malformed and " + forged + " forged; Aeron invalid " +
                "packets at the directory " + AeronCounters.aeron(directory.pid(), "Invalid packets") +
                "; no member evicted");
        }
    }

    @Test
    @Timeout(600)
    void withTheSecretTheDirectoryRefusesTheSessionAndANodeCountsEveryForgedMessage()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.secret=" + SECRET))
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final Members members = Members.start(cluster);
            final JvmCluster.Jvm target = members.nodes.get(1);
            Await.until(() -> "the target node has no dsm counters: " + AeronCounters.of(target.pid()).keySet(), WAIT,
                () -> AeronCounters.dsm(target.pid(), DsmCounter.NODE_UNAUTHENTICATED) >= 0);
            final long before = AeronCounters.dsm(target.pid(), DsmCounter.NODE_UNAUTHENTICATED);

            final Random random = new Random(20261127L);
            final long startNs = System.nanoTime();
            final int junk = Junk.datagrams(IntStream.concat(IntStream.of(Junk.ports(cluster.port, 6)),
                IntStream.of(members.inboxPorts())).toArray(), FRAMES / 2, random);
            int sent = 0;
            try (Attacker attacker = new Attacker())
            {
                final AuthenticationException refused = assertThrows(AuthenticationException.class,
                    () -> attacker.session(cluster.port), "a session without the secret is refused");
                final Publication inbox = attacker.publication(members.channels.get(1), members.streams[1]);
                final Offer offer = inbox::offer;
                for (int i = 0; i < FRAMES - junk; i++)
                {
                    // An update of the shared variable that claims to come from its owner, or random bytes.
                    attacker.send(offer, (i & 1) == 1 ? forged(random, members.ids[0], i) : randomBytes(random),
                        () -> { });
                    sent++;
                }
                final int all = sent;
                Await.until(() -> "the node counted " + (AeronCounters.dsm(target.pid(),
                    DsmCounter.NODE_UNAUTHENTICATED) - before) + " of " + all, WAIT,
                    () -> AeronCounters.dsm(target.pid(), DsmCounter.NODE_UNAUTHENTICATED) - before >= all);
                final long tookMs = (System.nanoTime() - startNs) / 1_000_000;
                final long counted = AeronCounters.dsm(target.pid(), DsmCounter.NODE_UNAUTHENTICATED) - before;
                assertEquals(sent, counted, "every message that reached the node is dropped and counted once");
                assertEquals(0, AeronCounters.dsm(target.pid(), DsmCounter.NODE_MALFORMED),
                    "none reached the decoder");
                members.stillServe(directory, 2);
                System.out.println("FuzzIT: " + (junk + sent) + " frames in " + tookMs + " ms, with the secret: " +
                    junk + " junk datagrams; the attacker's session refused (" + refused.getMessage() + "); " + sent +
                    " random and forged messages to a node's inbox, all counted unauthenticated (" + counted +
                    "); no member evicted");
            }
        }
    }

    /** Two nodes that share a variable; what they must still do after the junk. */
    private static final class Members
    {
        final List<JvmCluster.Jvm> nodes = new ArrayList<>();
        final int[] ids = new int[2];
        final List<String> channels = new ArrayList<>();
        final int[] streams = new int[2];

        static Members start(final JvmCluster cluster)
        {
            final Members members = new Members();
            for (int i = 0; i < 2; i++)
            {
                final JvmCluster.Jvm node = cluster.startNode("n" + i, ShellProgram.class, List.of());
                node.awaitLine("ready", WAIT);
                members.nodes.add(node);
            }
            assertEquals("ok wrote 1", members.nodes.get(0).ask("write 1", "ok wrote", WAIT));
            assertEquals("ok read 1", members.nodes.get(1).ask("read", "ok read", WAIT));
            for (int i = 0; i < 2; i++)
            {
                final JvmCluster.Jvm node = members.nodes.get(i);
                members.ids[i] = Integer.parseInt(node.ask("id", "ok id", WAIT).substring("ok id ".length()));
                node.send("channel");
                final java.util.regex.Matcher channel = node.awaitMatch("ok channel (\\S+) stream (\\d+)", WAIT);
                members.channels.add(channel.group(1));
                members.streams[i] = Integer.parseInt(channel.group(2));
            }
            return members;
        }

        int[] inboxPorts()
        {
            return channels.stream().mapToInt(c -> Integer.parseInt(c.replaceAll(".*:(\\d+).*", "$1"))).toArray();
        }

        /** Both nodes alive, with the ids they had, writing and reading each other's values; the directory alive. */
        void stillServe(final JvmCluster.Jvm directory, final long value)
        {
            for (final JvmCluster.Jvm node : nodes)
            {
                assertEquals("ok read 1", node.ask("read", "ok read", WAIT), "the value is the one a member wrote");
            }
            assertEquals("ok wrote " + value, nodes.get(0).ask("write " + value, "ok wrote", WAIT));
            assertEquals("ok read " + value, nodes.get(1).ask("read", "ok read", WAIT));
            assertEquals("ok wrote " + (value + 1), nodes.get(1).ask("write " + (value + 1), "ok wrote", WAIT));
            assertEquals("ok read " + (value + 1), nodes.get(0).ask("read", "ok read", WAIT));
            for (int i = 0; i < 2; i++)
            {
                final JvmCluster.Jvm node = nodes.get(i);
                assertEquals("ok id " + ids[i], node.ask("id", "ok id", WAIT), "no member was evicted or joined again");
                assertFalse(node.stderr().contains("evicted"), node.describe());
                assertTrue(node.process.isAlive());
            }
            assertTrue(directory.process.isAlive(), directory.describe());
        }
    }

    /** Sends through a publication or a cluster session. */
    private interface Offer
    {
        long offer(DirectBuffer buffer, int offset, int length);
    }

    /** A process outside the cluster with its own media driver, as anyone on the network could run. */
    private static final class Attacker implements AutoCloseable
    {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        final List<AutoCloseable> closeables = new ArrayList<>();

        AeronCluster session(final int port)
        {
            final AeronCluster session = AeronCluster.connect(new AeronCluster.Context().aeron(aeron)
                .ownsAeronClient(false).ingressChannel("aeron:udp").ingressEndpoints("0=127.0.0.1:" + port)
                .egressChannel("aeron:udp?endpoint=127.0.0.1:0"));
            closeables.add(session);
            return session;
        }

        Publication publication(final String channel, final int stream)
        {
            final Publication publication = aeron.addPublication(channel, stream);
            closeables.add(publication);
            Await.until(() -> "could not connect to " + channel, WAIT, publication::isConnected);
            return publication;
        }

        /** Offers until taken, running {@code meanwhile} while back-pressured; fails after {@link #WAIT}. */
        void send(final Offer offer, final UnsafeBuffer message, final Runnable meanwhile)
        {
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (offer.offer(message, 0, message.capacity()) < 0)
            {
                meanwhile.run();
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("could not send for " + WAIT);
                }
                Thread.onSpinWait();
            }
        }

        @Override
        public void close()
        {
            closeables.forEach(CloseHelper::quietClose);
            CloseHelper.closeAll(aeron, driver);
        }
    }

    private static UnsafeBuffer randomBytes(final Random random)
    {
        final byte[] bytes = new byte[1 + random.nextInt(300)];
        random.nextBytes(bytes);
        return new UnsafeBuffer(bytes);
    }

    /** A well-formed message that claims to be from {@code sender}: an update with a value, a read or an invalidate. */
    private static UnsafeBuffer forged(final Random random, final int sender, final int i)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final int body;
        switch (i % 3)
        {
            case 0:
                body = new UpdateEncoder().wrapAndApplyHeader(buffer, 0, header).sender(sender).variableId(1)
                    .epoch(1 + random.nextInt(3)).writeId(i).version(1_000_000 + i)
                    .putValue(new byte[] {8, 0, 0, 0, 0, 0, 0, 0}, 0, 8).encodedLength();
                break;
            case 1:
                body = new ReadEncoder().wrapAndApplyHeader(buffer, 0, header).sender(sender).correlationId(i)
                    .variableId(random.nextInt(4)).mode(ReadMode.INVALIDATE).requester(sender).hops((short)0)
                    .encodedLength();
                break;
            default:
                body = new InvalidateEncoder().wrapAndApplyHeader(buffer, 0, header).sender(sender)
                    .variableId(random.nextInt(4)).epoch(1).writeId(i).encodedLength();
                break;
        }
        final byte[] bytes = new byte[MessageHeaderEncoder.ENCODED_LENGTH + body];
        buffer.getBytes(0, bytes);
        return new UnsafeBuffer(bytes);
    }
}
