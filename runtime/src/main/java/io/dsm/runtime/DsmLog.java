package io.dsm.runtime;

import java.io.PrintStream;
import java.time.LocalTime;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * dsm's logger: one line per event on stderr, prefixed {@code [dsm]}, at or above the configured level
 * ({@code dsm.log.level}, default {@code warn}) so that the application's console stays quiet when all is well.
 * Events that may repeat (malformed messages, for one) are rate limited per key: at most one line per
 * {@link #RATE_LIMIT_NS} for a key, with the count of those suppressed. dsm does not use the application's logging
 * framework, so it never changes how the application logs.
 */
public final class DsmLog
{
    /** Minimum interval between two lines of one rate-limited key. */
    public static final long RATE_LIMIT_NS = 10_000_000_000L;

    /** Severity of an event. */
    public enum Level
    {
        /** Something failed. */
        ERROR,
        /** Something is wrong but dsm goes on. */
        WARN,
        /** Lifecycle events. */
        INFO,
        /** Protocol detail. */
        DEBUG
    }

    private static volatile Level threshold = Level.WARN;
    private static volatile PrintStream out = System.err;
    private static final ConcurrentHashMap<String, long[]> RATE = new ConcurrentHashMap<>();
    private static final AtomicLong SUPPRESSED = new AtomicLong();

    private DsmLog()
    {
    }

    /**
     * @param level error, warn, info or debug.
     * @throws IllegalArgumentException for any other value.
     */
    public static void level(final String level)
    {
        try
        {
            threshold = Level.valueOf(level.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("dsm.log.level must be error, warn, info or debug, was '" + level + "'");
        }
    }

    /**
     * @param stream where lines go (tests capture them).
     */
    public static void output(final PrintStream stream)
    {
        out = stream;
    }

    /**
     * @param level a level.
     * @return whether an event of that level would be printed.
     */
    public static boolean enabled(final Level level)
    {
        return level.ordinal() <= threshold.ordinal();
    }

    /**
     * @param message an error.
     */
    public static void error(final String message)
    {
        log(Level.ERROR, message, null);
    }

    /**
     * @param message an error.
     * @param cause   its cause, printed as one line.
     */
    public static void error(final String message, final Throwable cause)
    {
        log(Level.ERROR, message, cause);
    }

    /**
     * @param message a warning.
     */
    public static void warn(final String message)
    {
        log(Level.WARN, message, null);
    }

    /**
     * @param message a lifecycle event.
     */
    public static void info(final String message)
    {
        log(Level.INFO, message, null);
    }

    /**
     * @param message protocol detail.
     */
    public static void debug(final String message)
    {
        log(Level.DEBUG, message, null);
    }

    /**
     * Logs at most one line per {@link #RATE_LIMIT_NS} for {@code key}.
     *
     * @param level   the level.
     * @param key     what repeats, e.g. "malformed message on coordinator".
     * @param message this occurrence.
     */
    public static void rateLimited(final Level level, final String key, final String message)
    {
        if (!enabled(level))
        {
            return;
        }
        final long now = System.nanoTime();
        final long[] state = RATE.computeIfAbsent(key, k -> new long[] {now - RATE_LIMIT_NS - 1, 0});
        final long suppressed;
        synchronized (state)
        {
            if (now - state[0] < RATE_LIMIT_NS)
            {
                state[1]++;
                SUPPRESSED.incrementAndGet();
                return;
            }
            state[0] = now;
            suppressed = state[1];
            state[1] = 0;
        }
        log(level, suppressed == 0 ? message : message + " (" + suppressed + " similar suppressed)", null);
    }

    private static void log(final Level level, final String message, final Throwable cause)
    {
        if (!enabled(level))
        {
            return;
        }
        final StringBuilder line = new StringBuilder(128)
            .append("[dsm] ").append(LocalTime.now()).append(' ').append(level).append(' ').append(message);
        Throwable t = cause;
        while (t != null)
        {
            line.append(": ").append(t);
            t = t.getCause() == t ? null : t.getCause();
        }
        if (cause != null && enabled(Level.DEBUG))
        {
            for (final StackTraceElement e : cause.getStackTrace())
            {
                line.append(System.lineSeparator()).append("    at ").append(e);
            }
        }
        out.println(line);
    }
}
