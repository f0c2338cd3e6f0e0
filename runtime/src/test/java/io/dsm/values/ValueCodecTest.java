package io.dsm.values;

import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueCodecTest
{
    public enum Color
    {
        RED, GREEN
    }

    public record Point(int x, String label, Color color, List<Integer> path)
    {
    }

    public record Line(Point from, Point to)
    {
    }

    public static final class Account implements Serializable
    {
        private static final long serialVersionUID = 1L;
        String owner = "ann";
        long cents = 1250;
        Map<String, Integer> limits = new HashMap<>(Map.of("daily", 100));

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Account && ((Account)o).owner.equals(owner) && ((Account)o).cents == cents &&
                ((Account)o).limits.equals(limits);
        }

        @Override
        public int hashCode()
        {
            return owner.hashCode();
        }
    }

    public static final class Gadget implements Serializable
    {
        private static final long serialVersionUID = 1L;
        int payload = 1;
    }

    private final AllowList allowList = new AllowList("");
    private final ValueCodec codec = new ValueCodec(allowList);

    private Object roundTrip(final Object value, final Class<?> declared)
    {
        allowList.register(declared);
        return codec.decode(codec.encode(value), ValueCodec.box(declared), null);
    }

    @Test
    void roundTripsPrimitivesStringsAndJdkValues()
    {
        assertEquals(42L, roundTrip(42L, long.class));
        assertEquals(7, roundTrip(7, int.class));
        assertEquals((short)3, roundTrip((short)3, short.class));
        assertEquals((byte)-2, roundTrip((byte)-2, byte.class));
        assertEquals('c', roundTrip('c', char.class));
        assertEquals(2.5d, roundTrip(2.5d, double.class));
        assertEquals(1.5f, roundTrip(1.5f, float.class));
        assertEquals(true, roundTrip(true, boolean.class));
        assertEquals("héllo", roundTrip("héllo", String.class));
        assertNull(roundTrip(null, String.class));
        assertEquals(new BigDecimal("12.340"), roundTrip(new BigDecimal("12.340"), BigDecimal.class));
        final UUID id = UUID.randomUUID();
        assertEquals(id, roundTrip(id, UUID.class));
        assertArrayEquals(new long[] {1, 2, 3}, (long[])roundTrip(new long[] {1, 2, 3}, long[].class));
    }

    @Test
    void roundTripsCollectionsEnumsRecordsAndClasses()
    {
        assertEquals(List.of("a", "b"), roundTrip(new ArrayList<>(List.of("a", "b")), List.class));
        assertEquals(Map.of("k", 1L), roundTrip(new HashMap<>(Map.of("k", 1L)), Map.class));
        assertEquals(new TreeMap<>(Map.of("z", 1, "a", 2)), roundTrip(new TreeMap<>(Map.of("z", 1, "a", 2)), TreeMap.class));
        assertEquals(Set.of("s"), roundTrip(Set.of("s"), Set.class));
        assertEquals(Color.GREEN, roundTrip(Color.GREEN, Color.class));
        final Point p = new Point(3, "p", Color.RED, List.of(1, 2));
        assertEquals(p, roundTrip(p, Point.class));
        final Line line = new Line(p, new Point(4, "q", Color.GREEN, List.of()));
        assertEquals(line, roundTrip(line, Line.class));
        assertEquals(new Account(), roundTrip(new Account(), Account.class));
    }

    @Test
    void aClassNotOnTheAllowListIsNeverResolved()
    {
        final AllowList sender = new AllowList("");
        sender.register(Gadget.class);
        final byte[] bytes = new ValueCodec(sender).encode(new Gadget());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> codec.decode(bytes, Object.class, null));
        assertTrue(ex.getMessage().contains(Gadget.class.getName()), ex.getMessage());
        assertTrue(ex.getMessage().contains("not an allowed value type"), ex.getMessage());
    }

    @Test
    void aRecordNotOnTheAllowListIsRejected()
    {
        final byte[] bytes = codec.encode(new Point(1, "x", Color.RED, List.of()));
        final ValueCodec strict = new ValueCodec(new AllowList(""));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> strict.decode(bytes, Object.class, null));
        assertTrue(ex.getMessage().contains(Point.class.getName()), ex.getMessage());
    }

    @Test
    void configuredPrefixesAreAllowed()
    {
        final AllowList list = new AllowList("com.example.,io.dsm.values.ValueCodecTest$Gadget");
        assertTrue(list.allows("com.example.Thing"));
        assertTrue(list.allows(Gadget.class.getName()));
        assertTrue(list.allows("int[]"));
        assertTrue(!list.allows("com.evil.Thing"));
    }

    @Test
    void aValueOfTheWrongTypeIsRejected()
    {
        final byte[] bytes = codec.encode("text");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> codec.decode(bytes, Long.class, 0L));
        assertTrue(ex.getMessage().contains("java.lang.Long"), ex.getMessage());
    }

    @Test
    void garbageBytesAreRejectedWithAnError()
    {
        for (final byte[] garbage : new byte[][] {{}, {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, (byte)0xB6, 1}})
        {
            assertThrows(IllegalArgumentException.class, () -> codec.decode(garbage, Long.class, 0L));
        }
    }

    @Test
    void neverWrittenDecodesAsTheDefault()
    {
        assertEquals(0L, codec.decode(null, Long.class, 0L));
    }
}
