package io.dsm.node;

import io.dsm.transport.Destination;
import io.dsm.transport.Doorbell;
import org.agrona.DirectBuffer;

import java.net.InetSocketAddress;

/** The classic coordinator: a {@link Destination} to its UDP endpoint; its answers come to the node's inbox. */
final class UdpDirectoryLink implements DirectoryLink
{
    private final Destination destination;
    private final String channel;

    UdpDirectoryLink(final Destination destination, final String channel)
    {
        this.destination = destination;
        this.channel = channel;
    }

    @Override
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        destination.send(buffer, offset, length);
    }

    @Override
    public void sendUrgent(final DirectBuffer buffer, final int offset, final int length)
    {
        destination.sendUrgent(buffer, offset, length);
    }

    @Override
    public int poll()
    {
        return 0;
    }

    @Override
    public int flush()
    {
        return destination.flush();
    }

    @Override
    public int queued()
    {
        return destination.queued();
    }

    @Override
    public boolean isTransferring()
    {
        return destination.isSendingChunks();
    }

    @Override
    public boolean hasUnrung()
    {
        return destination.hasUnrung();
    }

    @Override
    public void ringIfSent(final Doorbell doorbell)
    {
        destination.ringIfSent(doorbell);
    }

    @Override
    public void doorbell(final InetSocketAddress address)
    {
        destination.doorbell(address);
    }

    @Override
    public boolean reconnected()
    {
        return false;
    }

    @Override
    public String describe()
    {
        return "the coordinator at " + channel;
    }

    @Override
    public void close()
    {
        destination.close();
    }
}
