package io.dsm.protocol;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DataPlaneMacTest
{
    private static final SharedSecret SECRET = new SharedSecret("the-secret-of-this-cluster");
    private static final int SENDER = 3;
    private static final int RECEIVER = 7;

    /** A message as the wire lays it out: an 8-byte header, then the sender's id, then a body. */
    private static UnsafeBuffer message(final int sender, final long payload)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[Wire.HEADER_LENGTH + 4 + 8]);
        message.putInt(Wire.HEADER_LENGTH, sender, ByteOrder.LITTLE_ENDIAN);
        message.putLong(Wire.HEADER_LENGTH + 4, payload, ByteOrder.LITTLE_ENDIAN);
        return message;
    }

    private static int seal(final DataPlaneMac mac, final UnsafeBuffer message, final int receiver,
        final boolean urgent, final ExpandableArrayBuffer out)
    {
        return mac.seal(message, 0, message.capacity(), receiver, urgent, out);
    }

    @Test
    void aSealedMessageOpensOnceAtItsReceiverWithTheSameSecret()
    {
        final DataPlaneMac sender = new DataPlaneMac(SECRET);
        final DataPlaneMac receiver = new DataPlaneMac(new SharedSecret("the-secret-of-this-cluster"));
        final UnsafeBuffer message = message(SENDER, 42);
        final ExpandableArrayBuffer sealed = new ExpandableArrayBuffer();
        final int length = seal(sender, message, RECEIVER, false, sealed);
        assertEquals(message.capacity() + DataPlaneMac.TRAILER_LENGTH, length);
        assertEquals(message.capacity(), receiver.open(sealed, 0, length, RECEIVER));
        assertEquals(42, sealed.getLong(Wire.HEADER_LENGTH + 4, ByteOrder.LITTLE_ENDIAN), "the message is intact");
        assertEquals(DataPlaneMac.REPLAYED, receiver.open(sealed, 0, length, RECEIVER), "a second time: replayed");
        // The next ones open, on either lane, whatever the order between the lanes.
        final ExpandableArrayBuffer urgent = new ExpandableArrayBuffer();
        final int urgentLength = seal(sender, message(SENDER, 43), RECEIVER, true, urgent);
        final ExpandableArrayBuffer next = new ExpandableArrayBuffer();
        final int nextLength = seal(sender, message(SENDER, 44), RECEIVER, false, next);
        assertEquals(message.capacity(), receiver.open(next, 0, nextLength, RECEIVER));
        assertEquals(message.capacity(), receiver.open(urgent, 0, urgentLength, RECEIVER));
    }

    @Test
    void aForgedAlteredMisdirectedOrTruncatedMessageIsRefused()
    {
        final DataPlaneMac sender = new DataPlaneMac(SECRET);
        final DataPlaneMac receiver = new DataPlaneMac(SECRET);
        final ExpandableArrayBuffer sealed = new ExpandableArrayBuffer();
        final int length = seal(sender, message(SENDER, 42), RECEIVER, false, sealed);

        // Another secret.
        final DataPlaneMac stranger = new DataPlaneMac(new SharedSecret("not-the-secret-of-this-cluster"));
        final ExpandableArrayBuffer forged = new ExpandableArrayBuffer();
        final int forgedLength = seal(stranger, message(SENDER, 666), RECEIVER, false, forged);
        assertEquals(DataPlaneMac.BAD_TAG, receiver.open(forged, 0, forgedLength, RECEIVER));

        // Altered: the payload, the sender's id (an impersonation), the sequence number.
        for (final int at : new int[] {Wire.HEADER_LENGTH + 4, Wire.HEADER_LENGTH, length - DataPlaneMac.TRAILER_LENGTH})
        {
            final ExpandableArrayBuffer altered = new ExpandableArrayBuffer();
            altered.putBytes(0, sealed, 0, length);
            altered.putByte(at, (byte)(altered.getByte(at) ^ 1));
            assertEquals(DataPlaneMac.BAD_TAG, receiver.open(altered, 0, length, RECEIVER), "altered at " + at);
        }

        // Sent to another node.
        assertEquals(DataPlaneMac.BAD_TAG, receiver.open(sealed, 0, length, RECEIVER + 1));
        // Too short to carry a trailer.
        assertEquals(DataPlaneMac.TOO_SHORT, receiver.open(sealed, 0, 20, RECEIVER));
        // The genuine one still opens: nothing above counted against it.
        assertEquals(length - DataPlaneMac.TRAILER_LENGTH, receiver.open(sealed, 0, length, RECEIVER));
    }
}
