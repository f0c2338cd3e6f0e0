package io.dsm.transport.debug;

import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import io.aeron.protocol.DataHeaderFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * For fault tests only, as Aeron's {@link DebugReceiveChannelEndpoint} (whose loss it keeps): a receive endpoint that
 * also duplicates and reorders the data frames it receives, as a network may. A duplicated frame is handed to the
 * driver twice; a reordered one is held back and handed over after the next frame (a heartbeat frame comes at least
 * every 100 ms on a stream that sends nothing else). Chosen by the media driver's
 * {@code aeron.ReceiveChannelEndpoint.supplier} property ({@link DisorderingReceiveChannelEndpointSupplier}); its
 * rates come from {@code io.dsm.debug.receive.duplicate.rate} and {@code io.dsm.debug.receive.reorder.rate} (0 to 1),
 * its randomness from {@code io.dsm.debug.receive.disorder.seed} (not {@code dsm.} keys: dsm's configuration does not
 * know them). Aeron places every frame by its term offset and drops a frame it already has, so a dsm message is
 * delivered once, in order, whatever the network does: the fault suite checks that dsm stays linearizable under it.
 */
public final class DisorderingReceiveChannelEndpoint extends DebugReceiveChannelEndpoint
{
    /** Frames handed to the driver twice, in this process. */
    public static final AtomicLong DUPLICATED = new AtomicLong();
    /** Frames handed to the driver after the frame that followed them, in this process. */
    public static final AtomicLong REORDERED = new AtomicLong();

    private final double duplicateRate = Double.parseDouble(
        System.getProperty("io.dsm.debug.receive.duplicate.rate", "0"));
    private final double reorderRate = Double.parseDouble(
        System.getProperty("io.dsm.debug.receive.reorder.rate", "0"));
    private final Random random = new Random(Long.getLong("io.dsm.debug.receive.disorder.seed", 0L));
    private final UnsafeBuffer held = new UnsafeBuffer(new byte[64 * 1024]);
    private final DataHeaderFlyweight heldHeader = new DataHeaderFlyweight();
    private int heldLength = -1;
    private InetSocketAddress heldFrom;
    private int heldTransport;

    /**
     * @param udpChannel       the channel.
     * @param dispatcher       where frames go.
     * @param statusIndicator  the channel's status.
     * @param context          the driver's context.
     */
    public DisorderingReceiveChannelEndpoint(final UdpChannel udpChannel, final DataPacketDispatcher dispatcher,
        final AtomicCounter statusIndicator, final MediaDriver.Context context)
    {
        super(udpChannel, dispatcher, statusIndicator, context);
    }

    @Override
    public int onDataPacket(final DataHeaderFlyweight header, final UnsafeBuffer buffer, final int length,
        final InetSocketAddress srcAddress, final int transportIndex)
    {
        if (heldLength < 0 && length <= held.capacity() && random.nextDouble() < reorderRate)
        {
            held.putBytes(0, buffer, 0, length);
            heldHeader.wrap(held, 0, length);
            heldLength = length;
            heldFrom = srcAddress;
            heldTransport = transportIndex;
            return 0;
        }
        int bytes = super.onDataPacket(header, buffer, length, srcAddress, transportIndex);
        if (random.nextDouble() < duplicateRate)
        {
            DUPLICATED.incrementAndGet();
            bytes += super.onDataPacket(header, buffer, length, srcAddress, transportIndex);
        }
        if (heldLength >= 0)
        {
            final int length0 = heldLength;
            heldLength = -1;
            REORDERED.incrementAndGet();
            bytes += super.onDataPacket(heldHeader, held, length0, heldFrom, heldTransport);
        }
        return bytes;
    }
}
