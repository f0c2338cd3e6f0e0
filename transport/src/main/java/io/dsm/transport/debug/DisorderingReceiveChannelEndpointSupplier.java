package io.dsm.transport.debug;

import io.aeron.driver.DataPacketDispatcher;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.UdpChannel;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Makes {@link DisorderingReceiveChannelEndpoint}s: for fault tests, named by the media driver's
 * {@code aeron.ReceiveChannelEndpoint.supplier} property.
 */
public final class DisorderingReceiveChannelEndpointSupplier implements ReceiveChannelEndpointSupplier
{
    @Override
    public ReceiveChannelEndpoint newInstance(final UdpChannel udpChannel, final DataPacketDispatcher dispatcher,
        final AtomicCounter statusIndicator, final MediaDriver.Context context)
    {
        return new DisorderingReceiveChannelEndpoint(udpChannel, dispatcher, statusIndicator, context);
    }
}
