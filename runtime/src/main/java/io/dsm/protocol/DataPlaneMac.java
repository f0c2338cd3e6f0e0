package io.dsm.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;

/**
 * Authenticates the messages nodes send each other directly (the data plane) when the cluster has a secret
 * ({@code dsm.secret}): each message gets a trailer of a sequence number and a 16-byte tag, HMAC-SHA256 (truncated) of
 * the message, the receiver's node id and the sequence number, under a key derived from the secret. A receiver drops
 * a message whose tag does not verify (forged, altered, or sent to another node) or whose sequence number is not above
 * the last it took from that sender on that lane (replayed). The sender's id is a field of the message, so the tag
 * covers it: a node cannot be impersonated without the secret. Messages to and from the directory go through its
 * authenticated cluster session instead.
 * <p>
 * A sender has two lanes to each receiver (an ordinary and an urgent publication, each delivered in order by Aeron but
 * not in order with each other), so sequence numbers count per lane. Node ids are never reused (a node that joins
 * again gets a new one), so a sender's numbers never go back. Not thread-safe: the dsm thread's.
 */
public final class DataPlaneMac
{
    /** What the trailer adds to a message: the lane and sequence number (8 bytes) and the tag (16). */
    public static final int TRAILER_LENGTH = 8 + 16;
    /** Why {@link #open} refused a message. */
    public static final int TOO_SHORT = -1;
    /** Why {@link #open} refused a message. */
    public static final int BAD_TAG = -2;
    /** Why {@link #open} refused a message. */
    public static final int REPLAYED = -3;

    private static final int TAG_LENGTH = 16;
    private static final long URGENT_LANE = 1L << 63;
    /** Where a message's first field, the sender's node id, is. */
    private static final int SENDER_OFFSET = Wire.HEADER_LENGTH;
    private static final String PURPOSE = "dsm data plane v1";

    private final Mac mac;
    private final byte[] digest = new byte[32];
    private final byte[] suffix = new byte[12];
    private final byte[] theirs = new byte[TAG_LENGTH];
    private byte[] copy = new byte[256];
    private final Int2ObjectHashMap<long[]> sent = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<long[]> received = new Int2ObjectHashMap<>();

    /**
     * @param secret the cluster's secret.
     */
    public DataPlaneMac(final SharedSecret secret)
    {
        try
        {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.derive(PURPOSE), "HmacSHA256"));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", ex);
        }
    }

    /**
     * Copies a message into {@code out} with its trailer.
     *
     * @param message  the message.
     * @param offset   where it starts.
     * @param length   its length.
     * @param receiver the node it is for.
     * @param urgent   whether it goes on the urgent lane.
     * @param out      where the sealed message goes (from index 0); it grows if it must.
     * @return the sealed message's length.
     */
    public int seal(final DirectBuffer message, final int offset, final int length, final int receiver,
        final boolean urgent, final MutableDirectBuffer out)
    {
        long[] lanes = sent.get(receiver);
        if (lanes == null)
        {
            lanes = new long[2];
            sent.put(receiver, lanes);
        }
        final long sequence = ++lanes[urgent ? 1 : 0] | (urgent ? URGENT_LANE : 0);
        out.putBytes(0, message, offset, length);
        out.putLong(length, sequence, ByteOrder.LITTLE_ENDIAN);
        tag(out, 0, length, receiver, sequence);
        out.putBytes(length + 8, digest, 0, TAG_LENGTH);
        return length + TRAILER_LENGTH;
    }

    /**
     * Checks a message's trailer.
     *
     * @param message  the sealed message.
     * @param offset   where it starts.
     * @param length   its length, trailer included.
     * @param receiver this node's id.
     * @return the length of the message without its trailer, or {@link #TOO_SHORT}, {@link #BAD_TAG} or
     *         {@link #REPLAYED}.
     */
    public int open(final DirectBuffer message, final int offset, final int length, final int receiver)
    {
        final int body = length - TRAILER_LENGTH;
        if (body < SENDER_OFFSET + 4)
        {
            return TOO_SHORT;
        }
        final long sequence = message.getLong(offset + body, ByteOrder.LITTLE_ENDIAN);
        tag(message, offset, body, receiver, sequence);
        message.getBytes(offset + body + 8, theirs, 0, TAG_LENGTH);
        int difference = 0;
        for (int i = 0; i < TAG_LENGTH; i++)
        {
            difference |= digest[i] ^ theirs[i]; // in constant time, as MessageDigest.isEqual
        }
        if (difference != 0)
        {
            return BAD_TAG;
        }
        final int sender = message.getInt(offset + SENDER_OFFSET, ByteOrder.LITTLE_ENDIAN);
        long[] lanes = received.get(sender);
        if (lanes == null)
        {
            lanes = new long[2];
            received.put(sender, lanes);
        }
        final int lane = sequence < 0 ? 1 : 0;
        final long number = sequence & ~URGENT_LANE;
        if (number <= lanes[lane])
        {
            return REPLAYED;
        }
        lanes[lane] = number;
        return body;
    }

    /** Forgets what a node that left sent and was sent (its id is never used again). */
    public void forget(final int nodeId)
    {
        sent.remove(nodeId);
        received.remove(nodeId);
    }

    /** @return why {@link #open} refused, for a log line. */
    public static String reason(final int verdict)
    {
        switch (verdict)
        {
            case TOO_SHORT:
                return "too short to carry its authentication";
            case BAD_TAG:
                return "its authentication does not verify (forged, altered, sent to another node, or another " +
                    "dsm.secret)";
            case REPLAYED:
                return "replayed (its sequence number was used already)";
            default:
                return "accepted";
        }
    }

    private void tag(final DirectBuffer message, final int offset, final int length, final int receiver,
        final long sequence)
    {
        if (copy.length < length)
        {
            copy = new byte[Math.max(length, copy.length * 2)];
        }
        message.getBytes(offset, copy, 0, length);
        mac.update(copy, 0, length);
        suffix[0] = (byte)receiver;
        suffix[1] = (byte)(receiver >>> 8);
        suffix[2] = (byte)(receiver >>> 16);
        suffix[3] = (byte)(receiver >>> 24);
        for (int i = 0; i < 8; i++)
        {
            suffix[4 + i] = (byte)(sequence >>> (8 * i));
        }
        mac.update(suffix, 0, suffix.length);
        try
        {
            mac.doFinal(digest, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
