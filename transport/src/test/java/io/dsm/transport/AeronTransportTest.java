package io.dsm.transport;

import io.aeron.ConcurrentPublication;
import io.aeron.Subscription;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One thread drives the embedded driver and the client: a message crosses loopback UDP between two transports.
 */
class AeronTransportTest
{
    @Test
    @Timeout(30)
    void aMessageCrossesLoopbackWithEveryThreadInvokedByTheCaller()
    {
        final List<Throwable> errors = new ArrayList<>();
        try (AeronTransport a = AeronTransport.launch(new AeronTransport.Context().errorHandler(errors::add));
            AeronTransport b = AeronTransport.launch(new AeronTransport.Context().errorHandler(errors::add)))
        {
            final Subscription subscription = b.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 7);
            String channel = null;
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (channel == null)
            {
                b.doWork();
                channel = subscription.tryResolveChannelEndpointPort();
                assertTrue(System.nanoTime() < deadline, "the subscription never bound a port");
            }
            final ConcurrentPublication publication = a.addPublication(channel, 7);
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
            message.putLong(0, 0xD5A1L);
            final AtomicReference<Long> received = new AtomicReference<>();
            boolean sent = false;
            while (received.get() == null)
            {
                a.doWork();
                b.doWork();
                if (!sent)
                {
                    sent = publication.offer(message, 0, 8) > 0;
                }
                subscription.poll((buffer, offset, length, header) -> received.set(buffer.getLong(offset)), 1);
                assertTrue(System.nanoTime() < deadline, "the message never arrived");
            }
            assertEquals(0xD5A1L, received.get());
        }
        assertEquals(List.of(), errors);
    }

    @Test
    @Timeout(60)
    void aMessageLongerThanATermCrossesInChunksInOrderWithTheMessagesAroundIt()
    {
        final List<Throwable> errors = new ArrayList<>();
        final List<String> malformed = new ArrayList<>();
        final int termLength = 64 * 1024;
        try (AeronTransport a = AeronTransport.launch(new AeronTransport.Context()
                .termLength(termLength).maxMessageLength(8 * 1024 * 1024).errorHandler(errors::add));
            AeronTransport b = AeronTransport.launch(new AeronTransport.Context()
                .termLength(termLength).maxMessageLength(8 * 1024 * 1024).errorHandler(errors::add)))
        {
            final List<byte[]> received = new ArrayList<>();
            final MessageAssembler assembler = new MessageAssembler((buffer, offset, length, header) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                received.add(bytes);
            }, b.maxMessageLength(), malformed::add);
            final Subscription subscription = b.addSubscription("aeron:udp?endpoint=127.0.0.1:0", 7, assembler);
            String channel = null;
            final long deadline = System.nanoTime() + 50_000_000_000L;
            while (channel == null)
            {
                b.doWork();
                channel = subscription.tryResolveChannelEndpointPort();
                assertTrue(System.nanoTime() < deadline, "the subscription never bound a port");
            }
            final Destination destination = new Destination(a, channel, 7);
            final byte[] large = new byte[5 * 1024 * 1024 + 3];
            new java.util.Random(42).nextBytes(large);
            final UnsafeBuffer small = new UnsafeBuffer(new byte[] {1, 2, 3});
            assertTrue(termLength / 8 < large.length / 100, "the large message is many publication messages");
            destination.send(small, 0, 3);
            final boolean largeSentAtOnce = destination.send(new UnsafeBuffer(large), 0, large.length);
            destination.send(small, 1, 2);
            assertTrue(!largeSentAtOnce && destination.queued() > 0, "flow control holds most of it back");
            while (received.size() < 3)
            {
                a.doWork();
                destination.flush();
                b.doWork();
                subscription.poll(assembler, 10);
                assertTrue(System.nanoTime() < deadline, "only " + received.size() + " of 3 messages arrived");
            }
            assertArrayEquals(new byte[] {1, 2, 3}, received.get(0));
            assertArrayEquals(large, received.get(1));
            assertArrayEquals(new byte[] {2, 3}, received.get(2));
            assertEquals(0, destination.queued());
            assertEquals(0, assembler.pendingBytes());
            assertEquals(List.of(), malformed);
            final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> destination.send(new UnsafeBuffer(new byte[8 * 1024 * 1024 + 1]), 0, 8 * 1024 * 1024 + 1));
            assertTrue(tooLong.getMessage().contains(channel), tooLong.getMessage());
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void aBadTermLengthIsRejected()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () ->
            AeronTransport.launch(new AeronTransport.Context().termLength(1000).errorHandler(t -> { })))
            .getMessage().contains("1000"));
    }

    @Test
    @Timeout(30)
    void directoriesOfDsmProcessesThatAreGoneAreDeletedAndNoOthers() throws Exception
    {
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final String base = io.aeron.CommonContext.getAeronDirectoryName();
        final java.io.File stale = new java.io.File(base + "-dsm-" + gone.pid() + "-directory-0-20000");
        final java.io.File live = new java.io.File(base + "-dsm-" + ProcessHandle.current().pid() + "-test");
        final java.io.File other = new java.io.File(base + "-dsm-notapid-test");
        try
        {
            for (final java.io.File dir : List.of(stale, live, other))
            {
                assertTrue(dir.mkdirs(), "made " + dir);
                assertTrue(new java.io.File(dir, "cnc.dat").createNewFile());
            }
            AeronTransport.deleteStaleDirectories();
            assertTrue(!stale.exists(), "the directory of a process that is gone is deleted: " + stale);
            assertTrue(live.exists(), "a running process's is kept: " + live);
            assertTrue(other.exists(), "a name not of dsm's pattern is left alone: " + other);
        }
        finally
        {
            for (final java.io.File dir : List.of(stale, live, other))
            {
                org.agrona.IoUtil.delete(dir, true);
            }
        }
    }
}
