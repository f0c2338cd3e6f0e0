package io.dsm.transport;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * Wakes a process whose transport thread sleeps. Aeron is polled and has no blocking receive, so a thread with nothing
 * to do either keeps polling (and burns a core) or parks (and a message that arrives meanwhile waits for the end of
 * the park). Instead, an idle thread blocks in {@link #await} on this small UDP socket, and a sender that has just
 * sent a process messages also {@link #ring}s its doorbell with one empty datagram: the kernel wakes the sleeper at
 * once. A local thread that needs the sleeper calls {@link #wakeup()}.
 * <p>
 * The bell carries no data and may be rung too often or lost: the woken thread polls Aeron, which carries the
 * messages, and sleeps only up to a bounded time, so a lost ring delays a message by at most that time.
 */
public final class Doorbell implements AutoCloseable
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer drain = ByteBuffer.allocateDirect(64);
    private final String address;
    private long rings;
    private long wakeups;
    private boolean pollAgain;

    private Doorbell(final String host)
    {
        DatagramChannel opened = null;
        Selector openedSelector = null;
        try
        {
            opened = DatagramChannel.open(StandardProtocolFamily.INET);
            opened.bind(new InetSocketAddress(host, 0));
            opened.configureBlocking(false);
            openedSelector = Selector.open();
            opened.register(openedSelector, SelectionKey.OP_READ);
            final InetSocketAddress local = (InetSocketAddress)opened.getLocalAddress();
            this.address = local.getAddress().getHostAddress() + ":" + local.getPort();
        }
        catch (final IOException ex)
        {
            CloseHelper.quietCloseAll(openedSelector, opened);
            throw new UncheckedIOException("cannot open a doorbell socket on " + host, ex);
        }
        this.channel = opened;
        this.selector = openedSelector;
    }

    /**
     * @param host the address to bind, on an ephemeral port.
     * @return an open doorbell.
     */
    public static Doorbell open(final String host)
    {
        return new Doorbell(host);
    }

    /** @return {@code host:port} that others ring. */
    public String address()
    {
        return address;
    }

    /**
     * @param address {@code host:port}, as {@link #address()} gives it; empty for none.
     * @return the socket address, or null for none.
     * @throws IllegalArgumentException when it is not {@code host:port}.
     */
    public static InetSocketAddress parse(final String address)
    {
        if (address == null || address.isEmpty())
        {
            return null;
        }
        final int colon = address.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("doorbell '" + address + "' is not host:port");
        }
        final int port;
        try
        {
            port = Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("doorbell '" + address + "' is not host:port");
        }
        if (port <= 0 || port > 65_535)
        {
            throw new IllegalArgumentException("doorbell '" + address + "' has port " + port);
        }
        return new InetSocketAddress(address.substring(0, colon), port);
    }

    /**
     * Rings another process's doorbell: one empty datagram, never blocking. A failure is ignored: the other process
     * wakes by itself within its longest sleep.
     *
     * @param to the other's doorbell.
     */
    public void ring(final InetSocketAddress to)
    {
        try
        {
            channel.send(EMPTY.duplicate(), to);
            rings++;
        }
        catch (final IOException ignore)
        {
            // Unreachable for now: the message is in Aeron, and the receiver polls within its longest sleep.
        }
    }

    /**
     * Blocks until the doorbell rings, {@link #wakeup()} is called, or the timeout passes; then empties the socket.
     *
     * @param timeoutNs the longest sleep; rounded up to a millisecond.
     * @return whether it was rung or woken (false: timed out).
     */
    public boolean await(final long timeoutNs)
    {
        try
        {
            final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs + 999_999));
            final int ready = selector.select(timeoutMs);
            selector.selectedKeys().clear();
            boolean rung = false;
            while (true)
            {
                drain.clear();
                if (channel.receive(drain) == null)
                {
                    break;
                }
                rung = true;
            }
            if (rung || ready > 0)
            {
                wakeups++;
            }
            return rung || ready > 0;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("doorbell " + address, ex);
        }
    }

    /** Wakes the thread blocked in {@link #await} now, or makes its next await return at once. */
    public void wakeup()
    {
        selector.wakeup();
    }

    /**
     * Tells the sleeper to poll once more before it sleeps: the transport did work this duty cycle that rang no bell
     * (Aeron reads one datagram per socket per duty cycle, so a burst of keep-alives, retransmits or junk would
     * otherwise be drained one datagram per sleep while the socket's buffer fills and drops what matters).
     */
    public void pollAgain()
    {
        pollAgain = true;
    }

    /** @return whether {@link #pollAgain()} was called since the last call of this method. */
    boolean takePollAgain()
    {
        final boolean again = pollAgain;
        pollAgain = false;
        return again;
    }

    /** @return how many times this process rang others. */
    public long rings()
    {
        return rings;
    }

    /** @return how many times an await ended on a ring or a wake-up. */
    public long wakeups()
    {
        return wakeups;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(selector, channel);
    }
}
