package io.dsm.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.stream.IntStream;

/** Junk datagrams, from outside any Aeron client: what anyone on the network can send to a dsm port. */
final class Junk
{
    private Junk()
    {
    }

    /** @return {@code count} ports from {@code base}. */
    static int[] ports(final int base, final int count)
    {
        return IntStream.range(base, base + count).toArray();
    }

    /**
     * Sends junk to loopback ports, in turn: random bytes up to 1,400 long; Aeron DATA frame headers whose frame
     * length runs far past the datagram (2^24 and 2^31-1), with random session, stream and term ids; truncated
     * headers of any frame type.
     *
     * @return datagrams sent.
     */
    static int datagrams(final int[] ports, final int count, final Random random)
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            for (int i = 0; i < count; i++)
            {
                final byte[] bytes = datagram(i % 3, random);
                socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(),
                    ports[random.nextInt(ports.length)]));
            }
            return count;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static byte[] datagram(final int kind, final Random random)
    {
        switch (kind)
        {
            case 0:
            {
                final byte[] bytes = new byte[random.nextInt(1400)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1:
            {
                final ByteBuffer frame = ByteBuffer.allocate(32 + random.nextInt(64)).order(ByteOrder.LITTLE_ENDIAN);
                frame.putInt(0, random.nextBoolean() ? Integer.MAX_VALUE : 1 << 24);
                frame.put(4, (byte)0x10).put(5, (byte)0xC0).putShort(6, (short)1); // type 1: DATA
                frame.putInt(12, random.nextInt()).putInt(16, random.nextInt()).putInt(20, random.nextInt());
                return frame.array();
            }
            default:
            {
                final byte[] bytes = new byte[random.nextInt(8)];
                random.nextBytes(bytes);
                return bytes;
            }
        }
    }
}
