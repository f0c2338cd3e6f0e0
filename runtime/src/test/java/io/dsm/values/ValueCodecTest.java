package io.dsm.values;

import io.dsm.ImmutableValueException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValueCodecTest
{
    public enum Color
    {
        RED, GREEN, BLUE
    }

    public record Point(int x, String label, Color color, List<Integer> path)
    {
    }

    public record Line(Point from, Point to)
    {
    }

    public record Trade(String symbol, long quantity)
    {
    }

    public record Book(String name, List<Trade> trades, Map<String, List<Trade>> bySymbol)
    {
    }

    public record Samples(String name, double[] values)
    {
    }

    public sealed interface Shape permits Circle, Square
    {
    }

    public record Circle(double radius) implements Shape
    {
    }

    public record Square(double side) implements Shape
    {
    }

    public abstract static class Animal
    {
        String name;
    }

    public static final class Dog extends Animal
    {
        int barks;
    }

    /** A plain class with non-final fields: read back as a copy. */
    public static final class Account
    {
        String owner = "ann";
        long cents = 1250;
        Map<String, Integer> limits = new HashMap<>(Map.of("daily", 100));
        transient int cached = 7;

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

    /** A class whose fields are all final: immutable when its values are. */
    public static final class Money
    {
        final long cents;
        final String currency;

        Money(final long cents, final String currency)
        {
            this.cents = cents;
            this.currency = currency;
        }
    }

    public static final class Node
    {
        String label;
        Node next;
    }

    public static final class Holder
    {
        Socket socket = new Socket();
    }

    public static final class Gadget
    {
        int payload = 1;
    }

    /** Declared types of the fields the test pretends to write to. */
    @SuppressWarnings("unused")
    static final class Fields
    {
        List<String> strings;
        List<Trade> trades;
        Map<String, Integer> counts;
        NavigableMap<String, Integer> sorted;
        NavigableSet<String> sortedSet;
        Set<Color> colors;
        Map<Color, String> byColor;
        Object anything;
        Shape shape;
        Animal animal;
        Optional<Trade> maybe;
        Trade[] tradeArray;
    }

    private static final String VARIABLE = "test.Fields.value";
    private final AllowList allowList = new AllowList("");
    private final ValueCodec codec = new ValueCodec(allowList);

    private static Type declared(final String field)
    {
        try
        {
            return Fields.class.getDeclaredField(field).getGenericType();
        }
        catch (final NoSuchFieldException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private Object roundTrip(final Object value, final Type declared)
    {
        allowList.register(declared);
        final Object replica = codec.toReplica(codec.encode(value, declared), declared, ValueCodec.box(
            Types.erasure(declared)), null, VARIABLE);
        return replica instanceof Snapshot ? ((Snapshot)replica).copy() : replica;
    }

    @Test
    void roundTripsPrimitivesStringsAndJdkValuesExactly()
    {
        assertEquals(42L, roundTrip(42L, long.class));
        assertEquals(Long.MIN_VALUE, roundTrip(Long.MIN_VALUE, long.class));
        assertEquals(7, roundTrip(7, int.class));
        assertEquals((short)-3, roundTrip((short)-3, short.class));
        assertEquals((byte)-2, roundTrip((byte)-2, byte.class));
        assertEquals('\uffff', roundTrip('\uffff', char.class));
        assertEquals(Double.doubleToRawLongBits(-0.0d), Double.doubleToRawLongBits((Double)roundTrip(-0.0d, double.class)));
        assertTrue(Double.isNaN((Double)roundTrip(Double.NaN, double.class)));
        assertEquals(1.5f, roundTrip(1.5f, float.class));
        assertEquals(true, roundTrip(true, boolean.class));
        assertEquals("héllo wörld \uD83D\uDE00", roundTrip("héllo wörld \uD83D\uDE00", String.class));
        assertEquals("", roundTrip("", String.class));
        assertNull(roundTrip(null, String.class));
        assertEquals(new BigDecimal("12.340"), roundTrip(new BigDecimal("12.340"), BigDecimal.class));
        assertEquals(new BigInteger("-123456789012345678901234567890"),
            roundTrip(new BigInteger("-123456789012345678901234567890"), BigInteger.class));
        final UUID id = UUID.randomUUID();
        assertEquals(id, roundTrip(id, UUID.class));
        assertEquals(URI.create("https://example.com/a?b=c#d"), roundTrip(URI.create("https://example.com/a?b=c#d"),
            URI.class));
        assertEquals(Locale.CANADA_FRENCH, roundTrip(Locale.CANADA_FRENCH, Locale.class));
        assertEquals(Optional.empty(), roundTrip(Optional.empty(), Optional.class));
        assertEquals(new Date(123456789L), roundTrip(new Date(123456789L), Date.class));
        final BitSet bits = new BitSet();
        bits.set(3);
        bits.set(700);
        assertEquals(bits, roundTrip(bits, BitSet.class));
    }

    @Test
    void roundTripsEveryJavaTimeValue()
    {
        for (final Object time : List.of(Instant.ofEpochSecond(1_700_000_000L, 123), LocalDate.of(2026, 11, 25),
            LocalTime.of(13, 44, 5, 1), LocalDateTime.of(2026, 1, 2, 3, 4), OffsetDateTime.parse("2026-11-25T10:15:30+01:00"),
            OffsetTime.parse("10:15:30+01:00"), ZonedDateTime.parse("2026-11-25T10:15:30+01:00[Europe/Paris]"),
            Duration.ofMillis(1500), Period.of(1, 2, 3), Year.of(2026), YearMonth.of(2026, 11), MonthDay.of(2, 29),
            ZoneOffset.ofHours(-5), ZoneId.of("America/New_York"), java.time.DayOfWeek.FRIDAY))
        {
            assertEquals(time, roundTrip(time, Object.class), time.getClass().getName());
        }
    }

    @Test
    void roundTripsPrimitiveAndObjectArrays()
    {
        assertArrayEquals(new long[] {1, -2, Long.MAX_VALUE}, (long[])roundTrip(new long[] {1, -2, Long.MAX_VALUE},
            long[].class));
        assertArrayEquals(new int[] {1, 2, 3}, (int[])roundTrip(new int[] {1, 2, 3}, int[].class));
        assertArrayEquals(new byte[] {1, -1}, (byte[])roundTrip(new byte[] {1, -1}, byte[].class));
        assertArrayEquals(new short[] {1, -1}, (short[])roundTrip(new short[] {1, -1}, short[].class));
        assertArrayEquals(new char[] {'a', '\u1234'}, (char[])roundTrip(new char[] {'a', '\u1234'}, char[].class));
        assertArrayEquals(new boolean[] {true, false}, (boolean[])roundTrip(new boolean[] {true, false},
            boolean[].class));
        assertArrayEquals(new float[] {1.5f}, (float[])roundTrip(new float[] {1.5f}, float[].class));
        assertArrayEquals(new double[] {2.5, -0.0}, (double[])roundTrip(new double[] {2.5, -0.0}, double[].class));
        assertArrayEquals(new String[] {"a", null}, (String[])roundTrip(new String[] {"a", null}, String[].class));
        assertTrue(Arrays.deepEquals(new int[][] {{1}, {2, 3}}, (int[][])roundTrip(new int[][] {{1}, {2, 3}},
            int[][].class)));
        final Trade[] trades = {new Trade("A", 1)};
        assertArrayEquals(trades, (Trade[])roundTrip(trades, declared("tradeArray")));
    }

    @Test
    void collectionsReadBackAsImmutableSnapshotsEqualToWhatWasWritten()
    {
        final Object list = roundTrip(new ArrayList<>(List.of("a", "b")), declared("strings"));
        assertEquals(List.of("a", "b"), list);
        assertInstanceOf(FrozenList.class, list);
        final LinkedHashMap<String, Integer> ordered = new LinkedHashMap<>();
        ordered.put("z", 1);
        ordered.put("a", 2);
        final Object map = roundTrip(ordered, declared("counts"));
        assertEquals(ordered, map);
        assertEquals(List.of("z", "a"), new ArrayList<>(((Map<?, ?>)map).keySet()), "iteration order kept");
        final Object sorted = roundTrip(new TreeMap<>(Map.of("z", 1, "a", 2)), declared("sorted"));
        assertInstanceOf(NavigableMap.class, sorted);
        assertEquals("a", ((NavigableMap<?, ?>)sorted).firstKey());
        assertEquals(new TreeSet<>(Set.of("b", "a")), roundTrip(new TreeSet<>(Set.of("b", "a")), declared("sortedSet")));
        assertEquals(Set.of("s"), roundTrip(Set.of("s"), Object.class));
        assertEquals(List.of(1, 2), roundTrip(List.of(1, 2), Object.class));
        final EnumMap<Color, String> byColor = new EnumMap<>(Color.class);
        byColor.put(Color.GREEN, "g");
        byColor.put(Color.RED, "r");
        final Object readMap = roundTrip(byColor, declared("byColor"));
        assertEquals(byColor, readMap);
        assertEquals(List.of(Color.RED, Color.GREEN), new ArrayList<>(((Map<?, ?>)readMap).keySet()));
        assertEquals(EnumSet.of(Color.BLUE, Color.RED), roundTrip(EnumSet.of(Color.BLUE, Color.RED), declared("colors")));
    }

    @Test
    void recordsInsideCollectionsAndNestedRecordsRoundTrip()
    {
        final Point p = new Point(3, "p", Color.RED, List.of(1, 2));
        assertEquals(p, roundTrip(p, Point.class));
        final Line line = new Line(p, new Point(4, "q", Color.GREEN, List.of()));
        assertEquals(line, roundTrip(line, Line.class));
        final List<Trade> trades = List.of(new Trade("ACME", 3), new Trade("XYZ", -1));
        assertEquals(trades, roundTrip(new ArrayList<>(trades), declared("trades")));
        final Book book = new Book("b", trades, Map.of("ACME", List.of(new Trade("ACME", 3))));
        assertEquals(book, roundTrip(book, Book.class));
        assertEquals(Optional.of(new Trade("O", 1)), roundTrip(Optional.of(new Trade("O", 1)), declared("maybe")));
    }

    @Test
    void classesAndSubtypesOfDeclaredApplicationTypesRoundTrip()
    {
        assertEquals(new Account(), roundTrip(new Account(), Account.class));
        assertEquals(7, ((Account)roundTrip(new Account(), Account.class)).cached == 0 ? 7 : -1,
            "a transient field does not travel");
        assertEquals(new Circle(2), roundTrip(new Circle(2), declared("shape")), "a permitted subclass of a sealed type");
        final Dog dog = new Dog();
        dog.name = "rex";
        dog.barks = 3;
        final Dog read = (Dog)roundTrip(dog, declared("animal"));
        assertEquals("rex", read.name);
        assertEquals(3, read.barks);
    }

    @Test
    void changingAFrozenCollectionThrowsNamingTheVariable()
    {
        @SuppressWarnings("unchecked")
        final List<String> list = (List<String>)roundTrip(new ArrayList<>(List.of("a", "b")), declared("strings"));
        final ImmutableValueException ex = assertThrows(ImmutableValueException.class, () -> list.add("c"));
        assertEquals(VARIABLE, ex.variable());
        assertTrue(ex.getMessage().contains("List.add") && ex.getMessage().contains("Dsm.mutate(\"" + VARIABLE + "\""),
            ex.getMessage());
        assertThrows(ImmutableValueException.class, () -> list.set(0, "x"));
        assertThrows(ImmutableValueException.class, () -> list.remove(0));
        assertThrows(ImmutableValueException.class, list::clear);
        assertThrows(ImmutableValueException.class, () -> list.subList(0, 1).add("x"));
        assertThrows(ImmutableValueException.class, () -> list.sort(Comparator.naturalOrder()));
        final Iterator<String> it = list.iterator();
        it.next();
        assertThrows(ImmutableValueException.class, it::remove);
        assertEquals(List.of("a", "b"), list, "nothing changed");

        @SuppressWarnings("unchecked")
        final Map<String, Integer> map = (Map<String, Integer>)roundTrip(new HashMap<>(Map.of("k", 1)),
            declared("counts"));
        assertThrows(ImmutableValueException.class, () -> map.put("x", 1));
        assertThrows(ImmutableValueException.class, () -> map.merge("k", 1, Integer::sum));
        assertThrows(UnsupportedOperationException.class, () -> map.entrySet().iterator().next().setValue(5));
        assertThrows(UnsupportedOperationException.class, () -> map.keySet().remove("k"));
        @SuppressWarnings("unchecked")
        final NavigableSet<String> set = (NavigableSet<String>)roundTrip(new TreeSet<>(Set.of("a", "b")),
            declared("sortedSet"));
        assertThrows(ImmutableValueException.class, set::pollFirst);
        assertThrows(ImmutableValueException.class, () -> set.headSet("b").add("0"));
        @SuppressWarnings("unchecked")
        final NavigableMap<String, Integer> sorted = (NavigableMap<String, Integer>)roundTrip(
            new TreeMap<>(Map.of("a", 1)), declared("sorted"));
        assertThrows(ImmutableValueException.class, () -> sorted.tailMap("a", true).put("b", 2));
        @SuppressWarnings("unchecked")
        final Book book = (Book)roundTrip(new Book("b", new ArrayList<>(), new HashMap<>()), Book.class);
        assertThrows(ImmutableValueException.class, () -> book.trades().add(new Trade("x", 1)),
            "collections inside records are frozen too");
    }

    @Test
    void prepareKeepsImmutableValuesFreezesCollectionsAndSnapshotsMutableOnes()
    {
        allowList.register(Point.class);
        final Trade trade = new Trade("A", 1);
        assertSame(trade, codec.prepare(trade, Trade.class, VARIABLE, 1 << 20), "a record of immutables is kept");
        final Money money = new Money(5, "EUR");
        assertSame(money, codec.prepare(money, Money.class, VARIABLE, 1 << 20), "a final-field class is kept");
        assertSame("text", codec.prepare("text", String.class, VARIABLE, 1 << 20));
        final ArrayList<String> mine = new ArrayList<>(List.of("a"));
        final Object frozen = codec.prepare(mine, declared("strings"), VARIABLE, 1 << 20);
        assertInstanceOf(FrozenList.class, frozen);
        mine.add("b");
        assertEquals(List.of("a"), frozen, "the writer's own list is not the shared value");

        final int[] numbers = {1, 2, 3};
        final Snapshot array = (Snapshot)codec.prepare(numbers, int[].class, VARIABLE, 1 << 20);
        numbers[0] = 99;
        final int[] first = (int[])array.copy();
        first[1] = 42;
        assertArrayEquals(new int[] {1, 2, 3}, (int[])array.copy(), "each read gets a copy of its own");
        assertNotSame(array.copy(), array.copy());

        final Account account = new Account();
        final Snapshot object = (Snapshot)codec.prepare(account, Account.class, VARIABLE, 1 << 20);
        account.cents = 1;
        ((Account)object.copy()).cents = 2;
        assertEquals(1250, ((Account)object.copy()).cents);
    }

    @Test
    void mutableCopiesAreOrdinaryCollections()
    {
        final Type type = declared("counts");
        @SuppressWarnings("unchecked")
        final Map<String, Integer> copy = (Map<String, Integer>)codec.mutableCopy(
            codec.encode(Map.of("k", 1), type), type, Map.class, null, VARIABLE);
        copy.put("j", 2);
        assertEquals(Map.of("k", 1, "j", 2), copy);
    }

    @Test
    void valuesThatCannotBeSharedAreRefusedAtTheWriteSayingWhereAndWhy()
    {
        final Node a = new Node();
        a.label = "a";
        a.next = new Node();
        a.next.next = a;
        allowList.register(Node.class);
        CodecException ex = assertThrows(CodecException.class, () -> codec.encode(a, Node.class));
        assertTrue(ex.getMessage().contains("cycle") && ex.path().equals(".next.next"), ex.getMessage());

        final List<Object> self = new ArrayList<>();
        self.add(self);
        ex = assertThrows(CodecException.class, () -> codec.encode(self, Object.class));
        assertTrue(ex.getMessage().contains("cycle"), ex.getMessage());

        ex = assertThrows(CodecException.class, () -> codec.encode(Thread.currentThread(), Object.class));
        assertTrue(ex.getMessage().contains("java.lang.Thread"), ex.getMessage());

        allowList.register(Holder.class);
        ex = assertThrows(CodecException.class, () -> codec.encode(new Holder(), Holder.class));
        assertTrue(ex.getMessage().contains(".socket") && ex.getMessage().contains("java.net.Socket"), ex.getMessage());

        ex = assertThrows(CodecException.class, () -> codec.encode(new AtomicLong(3), Object.class));
        assertTrue(ex.getMessage().contains("AtomicLong") && ex.getMessage().contains("long"), ex.getMessage());

        ex = assertThrows(CodecException.class, () -> codec.encode(new TreeSet<>(Comparator.reverseOrder()),
            declared("sortedSet")));
        assertTrue(ex.getMessage().contains("comparator"), ex.getMessage());

        final Runnable lambda = () -> { };
        ex = assertThrows(CodecException.class, () -> codec.encode(lambda, Object.class));
        assertTrue(ex.getMessage().contains("lambda"), ex.getMessage());

        ex = assertThrows(CodecException.class, () -> codec.encode(new Object() { }, Object.class));
        assertTrue(ex.getMessage().contains("anonymous"), ex.getMessage());

        ex = assertThrows(CodecException.class, () -> codec.encode(List.of(new Gadget()), declared("strings")));
        assertTrue(ex.getMessage().contains(Gadget.class.getName()) && ex.path().equals("[0]") &&
            ex.getMessage().contains("dsm.values.allow"), ex.getMessage());

        List<Object> deep = new ArrayList<>();
        final List<Object> top = deep;
        for (int i = 0; i < 300; i++)
        {
            final List<Object> next = new ArrayList<>();
            deep.add(next);
            deep = next;
        }
        ex = assertThrows(CodecException.class, () -> codec.encode(top, Object.class));
        assertTrue(ex.getMessage().contains("nested more than"), ex.getMessage());
    }

    @Test
    void aValueLargerThanAMessageIsRefusedAtTheWrite()
    {
        final ValueCodec.TooLargeException ex = assertThrows(ValueCodec.TooLargeException.class,
            () -> codec.prepare(new byte[600_000], byte[].class, VARIABLE, 500_000));
        assertTrue(ex.size > 600_000 && ex.max == 500_000, ex.getMessage());
        assertInstanceOf(Snapshot.class, codec.prepare(new byte[400_000], byte[].class, VARIABLE, 500_000));
    }

    @Test
    void aClassTheReaderDoesNotAcceptIsNeverCreated()
    {
        final AllowList sender = new AllowList(Gadget.class.getName());
        final byte[] bytes = new ValueCodec(sender).encode(new Gadget(), Object.class);
        final CodecException ex = assertThrows(CodecException.class,
            () -> codec.toReplica(bytes, Object.class, Object.class, null, VARIABLE));
        assertTrue(ex.getMessage().contains(Gadget.class.getName()) && ex.getMessage().contains("dsm.values.allow"),
            ex.getMessage());
        final CodecException notAShape = assertThrows(CodecException.class,
            () -> codec.toReplica(bytes, declared("shape"), Shape.class, null, VARIABLE));
        assertTrue(notAShape.getMessage().contains("is not a"), notAShape.getMessage());
    }

    @Test
    void configuredNamesAndPrefixesAreAllowed()
    {
        final AllowList list = new AllowList("com.example.,io.dsm.values.ValueCodecTest$Gadget");
        assertTrue(list.allows("com.example.Thing"));
        assertTrue(list.allows(Gadget.class.getName()));
        assertTrue(!list.allows("com.evil.Thing"));
    }

    @Test
    void aValueOfTheWrongTypeIsRejected()
    {
        final byte[] bytes = codec.encode("text", String.class);
        final CodecException ex = assertThrows(CodecException.class,
            () -> codec.toReplica(bytes, Long.class, Long.class, 0L, VARIABLE));
        assertTrue(ex.getMessage().contains("java.lang.Long"), ex.getMessage());
    }

    @Test
    void garbageAndForgedBytesAreRejectedWithAnError()
    {
        for (final byte[] garbage : new byte[][] {{}, {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, {0, (byte)0xB6, 1},
            {(byte)0xA4, 21, (byte)0xA6, (byte)0xFF, (byte)0xFF, (byte)0xFF, 0x7F}, {(byte)0xA4, 99}})
        {
            assertThrows(CodecException.class, () -> codec.toReplica(garbage, Object.class, Object.class, null,
                VARIABLE), Arrays.toString(garbage));
        }
        final byte[] valid = codec.encode(5L, Long.class);
        final byte[] trailing = Arrays.copyOf(valid, valid.length + 2);
        assertThrows(CodecException.class, () -> codec.toReplica(trailing, Long.class, Long.class, 0L, VARIABLE));
    }

    @Test
    void typesWhoseValuesAreAlwaysImmutableAreRecognised()
    {
        assertTrue(ValueTypes.isAlwaysImmutable(String.class));
        assertTrue(ValueTypes.isAlwaysImmutable(Color.class));
        assertTrue(ValueTypes.isAlwaysImmutable(Trade.class), "a record of a String and a long");
        assertTrue(ValueTypes.isAlwaysImmutable(Instant.class));
        assertTrue(ValueTypes.isAlwaysImmutable(Money.class), "a final class with final fields of immutable types");
        assertTrue(!ValueTypes.isAlwaysImmutable(Point.class), "a record with a List component may hold arrays");
        assertTrue(!ValueTypes.isAlwaysImmutable(Samples.class), "a record with an array component");
        assertTrue(!ValueTypes.isAlwaysImmutable(Long.class), "a box may be kept as bits");
        assertTrue(!ValueTypes.isAlwaysImmutable(Account.class), "non-final fields");
        assertTrue(!ValueTypes.isAlwaysImmutable(Object.class));
        assertTrue(!ValueTypes.isAlwaysImmutable(declared("strings")));
    }

    @Test
    void neverWrittenDecodesAsTheDefault()
    {
        assertEquals(0L, codec.toReplica(null, long.class, Long.class, 0L, VARIABLE));
    }
}
