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
    void aBadTermLengthIsRejected()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () ->
            AeronTransport.launch(new AeronTransport.Context().termLength(1000).errorHandler(t -> { })))
            .getMessage().contains("1000"));
    }
}
