package io.dsm.it.programs;

import io.dsm.Shared;

import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The shared fields of the value-semantics tests. */
public final class ValueFields
{
    public enum Side
    {
        BUY, SELL
    }

    public record Trade(String symbol, long quantity, Side side)
    {
    }

    public record Book(String name, List<Trade> trades, Map<String, List<Trade>> bySymbol)
    {
    }

    /** A plain class with mutable fields. */
    public static final class Config
    {
        public int port;
        public String host;

        public Config(final int port, final String host)
        {
            this.port = port;
            this.host = host;
        }

        @Override
        public String toString()
        {
            return host + ":" + port;
        }
    }

    public static final class Node
    {
        public String label;
        public Node next;
    }

    public static final class Connection
    {
        public Socket socket = new Socket();
    }

    @Shared public static List<String> list;
    @Shared public static Map<String, Integer> map;
    @Shared public static Set<Side> sides;
    @Shared public static int[] numbers;
    @Shared public static Config config;
    @Shared public static Node node;
    @Shared public static Connection connection;
    @Shared public static Object anything;
    @Shared public static List<Trade> trades;
    @Shared public static Book book;
    @Shared public static URI uri;
    @Shared public static Locale locale;
    @Shared public static BitSet bits;
    @Shared public static Map<Side, Long> bySide;
    @Shared public static Instant instant;
    @Shared public static LocalDate date;
    @Shared public static Duration duration;
    @Shared public static Optional<String> maybe;
    @Shared public static BigDecimal price;
    @Shared public static byte[] blob;
    @Shared public static long total;
    @Shared public static volatile long counter;

    private ValueFields()
    {
    }
}
