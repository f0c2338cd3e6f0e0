package io.dsm.it;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a history of operations on one register for linearizability: is there one order of the operations,
 * consistent with real time (an operation that returned before another was called comes first), in which each read
 * returns the value of the write before it? Wing and Gong's search with Lowe's memoization of (operations
 * linearized, register value), as in Knossos and Porcupine.
 * <p>
 * Operations: a write of a value, a read that returned a value, and an atomic read-modify-write that read one value
 * and wrote another. Times are {@code System.nanoTime()} of the processes of one host (one clock). An operation whose
 * outcome is unknown (it failed with a timeout) is given as returning at {@link Long#MAX_VALUE}: it may have taken
 * effect at any time after its call, or never.
 */
final class Linearizability
{
    enum Kind
    {
        READ, WRITE, READ_MODIFY_WRITE
    }

    /** One operation: when it was called and returned, what it read and what it wrote. */
    record Op(long call, long ret, Kind kind, Object read, Object written, String by)
    {
        static Op read(final long call, final long ret, final Object value, final String by)
        {
            return new Op(call, ret, Kind.READ, value, null, by);
        }

        static Op write(final long call, final long ret, final Object value, final String by)
        {
            return new Op(call, ret, Kind.WRITE, null, value, by);
        }

        static Op readModifyWrite(final long call, final long ret, final Object read, final Object written,
            final String by)
        {
            return new Op(call, ret, Kind.READ_MODIFY_WRITE, read, written, by);
        }

        @Override
        public String toString()
        {
            final String what = kind == Kind.READ ? "read " + read : kind == Kind.WRITE ? "write " + written :
                "rmw " + read + "->" + written;
            return by + " " + what + " [" + call + ", " + (ret == Long.MAX_VALUE ? "?" : ret) + "]";
        }
    }

    /** The outcome: linearizable, or not with the longest prefix that was (or not decided within the budget). */
    record Result(boolean linearizable, String explanation)
    {
    }

    /**
     * The most configurations the search may visit before it gives up undecided (a failure, never a pass). Operations
     * of unknown outcome may each take effect anywhere after their call or never, so their number grows the search
     * exponentially; unobserved ones are removed first (see {@link #withoutUnobservedWrites}).
     */
    static final int MAX_CONFIGURATIONS = Integer.getInteger("dsm.linearizability.max.configurations", 5_000_000);

    private static final class Entry
    {
        final boolean isCall;
        final int id;
        final long time;
        final Op op;
        Entry match;
        Entry prev;
        Entry next;

        Entry(final boolean isCall, final int id, final long time, final Op op)
        {
            this.isCall = isCall;
            this.id = id;
            this.time = time;
            this.op = op;
        }
    }

    private record Configuration(BitSet linearized, Object state)
    {
    }

    private Linearizability()
    {
    }

    /**
     * @param history      the operations, in any order.
     * @param initialValue the register's value before any of them.
     * @return whether the history is linearizable.
     */
    static Result check(final List<Op> all, final Object initialValue)
    {
        return check(all, initialValue, MAX_CONFIGURATIONS);
    }

    /**
     * @param all               the operations, in any order.
     * @param initialValue      the register's value before any of them.
     * @param maxConfigurations the most configurations to search before giving up undecided (not linearizable).
     * @return whether the history is linearizable.
     */
    static Result check(final List<Op> all, final Object initialValue, final int maxConfigurations)
    {
        final List<Op> history = withoutUnobservedWrites(all);
        final List<Entry> entries = new ArrayList<>(history.size() * 2);
        for (int i = 0; i < history.size(); i++)
        {
            final Op op = history.get(i);
            if (op.ret < op.call)
            {
                throw new IllegalArgumentException("operation returned before it was called: " + op);
            }
            final Entry call = new Entry(true, i, op.call, op);
            final Entry ret = new Entry(false, i, op.ret, op);
            call.match = ret;
            entries.add(call);
            entries.add(ret);
        }
        // By time; at equal times a call comes before a return, so that the two overlap (the permissive reading).
        entries.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.isCall ? 0 : 1));
        final Entry head = new Entry(false, -1, Long.MIN_VALUE, null);
        Entry last = head;
        for (final Entry e : entries)
        {
            last.next = e;
            e.prev = last;
            last = e;
        }

        final Set<Configuration> seen = new HashSet<>();
        final ArrayDeque<Object[]> stack = new ArrayDeque<>();
        final BitSet linearized = new BitSet(history.size());
        Object state = initialValue;
        int longest = 0;
        Entry entry = head.next;
        while (head.next != null)
        {
            if (entry == null)
            {
                throw new IllegalStateException("ran off the end of the history");
            }
            if (entry.isCall)
            {
                final Object next = step(state, entry.op);
                boolean advanced = false;
                if (next != NOT_ALLOWED)
                {
                    final BitSet candidate = (BitSet)linearized.clone();
                    candidate.set(entry.id);
                    if (seen.add(new Configuration(candidate, next)))
                    {
                        if (seen.size() > maxConfigurations)
                        {
                            return new Result(false, "undecided: more than " + maxConfigurations +
                                " configurations searched (longest linearizable prefix: " + longest + " of " +
                                history.size() + " operations, " + (all.size() - history.size()) +
                                " unobserved writes of unknown outcome left out)");
                        }
                        stack.push(new Object[] {entry, state});
                        state = next;
                        linearized.set(entry.id);
                        longest = Math.max(longest, linearized.cardinality());
                        lift(entry);
                        entry = head.next;
                        advanced = true;
                    }
                }
                if (!advanced)
                {
                    entry = entry.next;
                }
            }
            else
            {
                // The earliest pending return: some call before it must be linearized first, and none can be.
                if (stack.isEmpty())
                {
                    return new Result(false, "no order explains " + entry.op + " (longest linearizable prefix: " +
                        longest + " of " + history.size() + " operations)");
                }
                final Object[] top = stack.pop();
                final Entry undone = (Entry)top[0];
                state = top[1];
                linearized.clear(undone.id);
                unlift(undone);
                entry = undone.next;
            }
        }
        return new Result(true, history.size() + " operations linearizable");
    }

    private static final Object NOT_ALLOWED = new Object();

    /**
     * Leaves out each write of unknown outcome whose value no operation read, nor any value an increment of unknown
     * outcome could have made of it (the value plus up to their number): taking effect or not, it explains nothing, and
     * "never" is always one of its choices, so the history is linearizable with it exactly when it is without it.
     * Values are compared as the register holds them; increments apply to {@code Long} values only.
     */
    static List<Op> withoutUnobservedWrites(final List<Op> history)
    {
        final Set<Object> readValues = new HashSet<>();
        int unknownIncrements = 0;
        for (final Op op : history)
        {
            if (op.kind != Kind.WRITE && op.read != null)
            {
                readValues.add(op.read);
            }
            if (op.kind == Kind.READ_MODIFY_WRITE && op.read == null)
            {
                unknownIncrements++;
            }
        }
        final List<Op> kept = new ArrayList<>(history.size());
        for (final Op op : history)
        {
            if (op.kind != Kind.WRITE || op.ret != Long.MAX_VALUE || observed(op.written, readValues, unknownIncrements))
            {
                kept.add(op);
            }
        }
        return kept;
    }

    private static boolean observed(final Object written, final Set<Object> readValues, final int unknownIncrements)
    {
        if (readValues.contains(written))
        {
            return true;
        }
        if (written instanceof Long)
        {
            for (long k = 1; k <= unknownIncrements; k++)
            {
                if (readValues.contains((Long)written + k))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object step(final Object state, final Op op)
    {
        switch (op.kind)
        {
            case READ:
                return Objects.equals(state, op.read) ? state : NOT_ALLOWED;
            case WRITE:
                return op.written;
            default:
                if (op.read == null)
                {
                    // An increment whose outcome is unknown (its JVM died, or it timed out): what it read is not
                    // known, so it adds one to whatever the register held when it took effect.
                    return state instanceof Long ? (Long)state + 1 : NOT_ALLOWED;
                }
                return Objects.equals(state, op.read) ? op.written : NOT_ALLOWED;
        }
    }

    private static void lift(final Entry call)
    {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        final Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null)
        {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(final Entry call)
    {
        final Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null)
        {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        call.next.prev = call;
    }
}
