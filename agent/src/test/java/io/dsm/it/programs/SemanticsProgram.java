package io.dsm.it.programs;

import io.dsm.Dsm;
import io.dsm.it.programs.ValueFields.Book;
import io.dsm.it.programs.ValueFields.Config;
import io.dsm.it.programs.ValueFields.Node;
import io.dsm.it.programs.ValueFields.Side;
import io.dsm.it.programs.ValueFields.Trade;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.invoke.MethodHandles;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * Runs one command per line of standard input, each a Java shape that touches a shared field, and answers one line:
 * {@code ok ...} or {@code error <exception class> <message>}. The multi-JVM tests drive two of these.
 */
public final class SemanticsProgram
{
    private SemanticsProgram()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split(" ");
            try
            {
                final String answer = run(words);
                if (answer == null)
                {
                    System.out.println("ok bye");
                    return;
                }
                System.out.println("ok " + answer);
            }
            catch (final Throwable t)
            {
                System.out.println("error " + t.getClass().getName() + " " + t.getMessage());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static String run(final String[] words) throws Throwable
    {
        switch (words[0])
        {
            case "settings":
                return "port=" + Settings.port + " hosts=" + Settings.hosts + " inits=" + Settings.initialisations;
            case "set-port":
                Settings.port = Integer.parseInt(words[1]);
                return "port " + Settings.port;
            case "write-values":
                ValueFields.list = new ArrayList<>(List.of("a", "b"));
                ValueFields.map = new HashMap<>(Map.of("k", 1));
                ValueFields.numbers = new int[] {0, 1, 2, 3, 4};
                ValueFields.config = new Config(80, "h");
                return "written";
            case "list-add":
                ValueFields.list.add("c");
                return "added";
            case "map-put":
                ValueFields.map.put("x", 2);
                return "put";
            case "array-store":
                ValueFields.numbers[3] = 7;
                return "stored";
            case "array-alias":
            {
                final int[] mine = ValueFields.numbers;
                mine[4] = 9;
                return "mine=" + mine[4] + " field=" + ValueFields.numbers[4];
            }
            case "config-store":
                ValueFields.config.port = 8080;
                return "stored";
            case "config-alias":
            {
                final Config mine = ValueFields.config;
                mine.host = "mine";
                return "mine=" + mine.host + " field=" + ValueFields.config.host;
            }
            case "mutate-list":
                Dsm.mutate(Dsm.nameOf(ValueFields.class, "list"), (List<String> l) -> l.add("m"));
                return "mutated";
            case "read-values":
                return "list=" + ValueFields.list + " map=" + ValueFields.map + " numbers=" +
                    Arrays.toString(ValueFields.numbers) + " config=" + ValueFields.config;
            case "write-cycle":
            {
                final Node a = new Node();
                a.label = "a";
                a.next = a;
                ValueFields.node = a;
                return "written";
            }
            case "write-socket":
                ValueFields.connection = new ValueFields.Connection();
                return "written";
            case "write-thread":
                ValueFields.anything = Thread.currentThread();
                return "written";
            case "write-atomic":
                ValueFields.anything = new java.util.concurrent.atomic.AtomicLong(5);
                return "written";
            case "write-anything":
                ValueFields.anything = List.of("still", "here");
                return "written";
            case "read-anything":
                return "anything=" + ValueFields.anything + " node=" + ValueFields.node + " connection=" +
                    ValueFields.connection;
            case "write-records":
            {
                final List<Trade> trades = List.of(new Trade("ACME", 3, Side.BUY), new Trade("XYZ", 5, Side.SELL));
                ValueFields.trades = trades;
                ValueFields.book = new Book("b", trades, Map.of("ACME", List.of(trades.get(0))));
                return "written";
            }
            case "read-records":
                return "trades=" + ValueFields.trades + " book=" + ValueFields.book;
            case "write-jdk":
            {
                ValueFields.uri = URI.create("https://example.com/a?b=c");
                ValueFields.locale = Locale.CANADA_FRENCH;
                final BitSet bits = new BitSet();
                bits.set(1);
                bits.set(130);
                ValueFields.bits = bits;
                final EnumMap<Side, Long> bySide = new EnumMap<>(Side.class);
                bySide.put(Side.SELL, 2L);
                bySide.put(Side.BUY, 1L);
                ValueFields.bySide = bySide;
                ValueFields.sides = EnumSet.of(Side.SELL);
                ValueFields.instant = Instant.ofEpochSecond(1_700_000_000L, 5);
                ValueFields.date = LocalDate.of(2026, 11, 25);
                ValueFields.duration = Duration.ofMillis(1500);
                ValueFields.maybe = Optional.of("yes");
                ValueFields.price = new BigDecimal("12.340");
                return "written";
            }
            case "read-jdk":
                return "uri=" + ValueFields.uri + " locale=" + ValueFields.locale + " bits=" + ValueFields.bits +
                    " bySide=" + ValueFields.bySide + " sides=" + ValueFields.sides + " instant=" +
                    ValueFields.instant + " date=" + ValueFields.date + " duration=" + ValueFields.duration +
                    " maybe=" + ValueFields.maybe + " price=" + ValueFields.price;
            case "types":
                return "list " + immutable(ValueFields.list) + " map " + immutable(ValueFields.map) + " trades " +
                    immutable(ValueFields.trades);
            case "write-blob":
            {
                final byte[] blob = new byte[Integer.parseInt(words[1])];
                for (int i = 0; i < blob.length; i++)
                {
                    blob[i] = (byte)(i * 31);
                }
                final long start = System.nanoTime();
                try
                {
                    ValueFields.blob = blob;
                }
                finally
                {
                    System.out.println("elapsed-ms " + (System.nanoTime() - start) / 1_000_000);
                }
                return "written " + blob.length;
            }
            case "read-blob":
            {
                final byte[] blob = ValueFields.blob;
                long sum = 0;
                for (final byte b : blob)
                {
                    sum = sum * 31 + b;
                }
                return "length=" + blob.length + " sum=" + sum;
            }
            case "names":
                if (words.length > 1)
                {
                    io.dsm.it.programs.pa.Counter.hits = 1;
                    io.dsm.it.programs.pb.Counter.hits = 2;
                }
                return "pa=" + io.dsm.it.programs.pa.Counter.hits + " pb=" + io.dsm.it.programs.pb.Counter.hits +
                    " name=" + Dsm.nameOf(io.dsm.it.programs.pa.Counter.class, "hits");
            case "reflect-get":
                ValueFields.total = 33;
                return "getLong=" + ValueFields.class.getField("total").getLong(null) + " get=" +
                    ValueFields.class.getField("total").get(null);
            case "reflect-set":
                ValueFields.class.getField("total").setLong(null, Long.parseLong(words[1]));
                return "set";
            case "read-total":
                return "total=" + ValueFields.total;
            case "varhandle":
                MethodHandles.lookup().findStaticVarHandle(ValueFields.class, "counter", long.class);
                return "created";
            case "updater":
                AtomicLongFieldUpdater.newUpdater(ValueFields.class, "counter");
                return "created";
            case "exit":
                return null;
            default:
                return "unknown command " + words[0];
        }
    }

    @SuppressWarnings("unchecked")
    private static String immutable(final Object collection)
    {
        try
        {
            if (collection instanceof List)
            {
                ((List<Object>)collection).add(null);
            }
            else
            {
                ((Map<Object, Object>)collection).put(null, null);
            }
            return "mutable";
        }
        catch (final UnsupportedOperationException ex)
        {
            return "immutable";
        }
    }
}
