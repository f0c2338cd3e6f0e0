package io.dsm.it;

import io.dsm.it.Linearizability.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker itself, on histories whose answer is known. */
class LinearizabilityTest
{
    private static boolean linearizable(final Object initial, final Op... ops)
    {
        return Linearizability.check(List.of(ops), initial).linearizable();
    }

    @Test
    void sequentialHistories()
    {
        assertTrue(linearizable(0L, Op.write(0, 1, 1L, "a"), Op.read(2, 3, 1L, "b")));
        assertFalse(linearizable(0L, Op.write(0, 1, 1L, "a"), Op.read(2, 3, 0L, "b")),
            "a read after a write returned sees it");
        assertTrue(linearizable(0L, Op.read(0, 1, 0L, "b")), "the initial value");
        assertFalse(linearizable(0L, Op.read(0, 1, 7L, "b")), "a value no one wrote");
    }

    @Test
    void anIncrementOfUnknownOutcomeMayTakeEffectOnceOrNever()
    {
        final long never = Long.MAX_VALUE;
        // Its JVM died after calling x++ on 5: a later read may see 5 or 6, never 7, and not 5 after 6.
        assertTrue(linearizable(5L, Op.readModifyWrite(0, never, null, null, "a"), Op.read(10, 20, 6L, "b")));
        assertTrue(linearizable(5L, Op.readModifyWrite(0, never, null, null, "a"), Op.read(10, 20, 5L, "b")));
        assertFalse(linearizable(5L, Op.readModifyWrite(0, never, null, null, "a"), Op.read(10, 20, 7L, "b")));
        assertFalse(linearizable(5L, Op.readModifyWrite(0, never, null, null, "a"), Op.read(10, 20, 6L, "b"),
            Op.read(30, 40, 5L, "c")), "once seen, it took effect");
        // A write that returned and is then lost (an owner's crash losing it) is caught.
        assertFalse(linearizable(0L, Op.write(0, 1, 9L, "a"), Op.read(10, 20, 0L, "b")));
    }

    @Test
    void concurrentOperationsMayTakeEffectInEitherOrder()
    {
        // The read overlaps the write: it may see the old value or the new one.
        assertTrue(linearizable(0L, Op.write(0, 10, 1L, "a"), Op.read(5, 6, 0L, "b")));
        assertTrue(linearizable(0L, Op.write(0, 10, 1L, "a"), Op.read(5, 6, 1L, "b")));
        // Two overlapping writes, then reads that agree on either order.
        assertTrue(linearizable(0L, Op.write(0, 10, 1L, "a"), Op.write(0, 10, 2L, "b"), Op.read(11, 12, 2L, "c"),
            Op.read(13, 14, 2L, "a")));
    }

    @Test
    void aNewValueSeenByOneReaderCannotBeUnseenByALaterOne()
    {
        // The classic stale read: while a write is in flight, b sees the new value, then c (starting after b
        // returned) sees the old one. Each read alone overlaps the write; together they are not linearizable.
        assertFalse(linearizable(0L, Op.write(0, 100, 1L, "a"), Op.read(10, 20, 1L, "b"),
            Op.read(30, 40, 0L, "c")));
        assertTrue(linearizable(0L, Op.write(0, 100, 1L, "a"), Op.read(10, 20, 0L, "b"),
            Op.read(30, 40, 1L, "c")), "the other way round is fine");
    }

    @Test
    void readsCannotGoBackInTime()
    {
        assertFalse(linearizable(0L, Op.write(0, 1, 1L, "a"), Op.write(2, 3, 2L, "a"), Op.read(4, 5, 2L, "b"),
            Op.read(6, 7, 1L, "b")));
    }

    @Test
    void readModifyWritesAreAtomic()
    {
        // Two increments from 0 that both read 0: a lost update.
        assertFalse(linearizable(0L, Op.readModifyWrite(0, 10, 0L, 1L, "a"), Op.readModifyWrite(0, 10, 0L, 1L, "b")));
        assertTrue(linearizable(0L, Op.readModifyWrite(0, 10, 0L, 1L, "a"), Op.readModifyWrite(0, 10, 1L, 2L, "b"),
            Op.read(11, 12, 2L, "c")));
    }

    @Test
    void anOperationWithUnknownOutcomeMayHaveTakenEffectOrNot()
    {
        assertTrue(linearizable(0L, Op.write(0, Long.MAX_VALUE, 1L, "a"), Op.read(5, 6, 1L, "b")));
        assertTrue(linearizable(0L, Op.write(0, Long.MAX_VALUE, 1L, "a"), Op.read(5, 6, 0L, "b")));
        assertFalse(linearizable(0L, Op.write(0, Long.MAX_VALUE, 1L, "a"), Op.read(5, 6, 1L, "b"),
            Op.read(7, 8, 0L, "b")));
    }

    @Test
    void unobservedWritesOfUnknownOutcomeAreLeftOutAndObservedOnesKept()
    {
        final long never = Long.MAX_VALUE;
        final List<Op> ops = new ArrayList<>();
        // 40 writes that timed out, all overlapping everything after them: 2^40 subsets without the pruning.
        for (int i = 0; i < 40; i++)
        {
            ops.add(Op.write(i, never, 1_000L + i, "w" + i));
        }
        ops.add(Op.write(100, 101, 5L, "a"));
        ops.add(Op.read(102, 103, 5L, "b"));
        ops.add(Op.read(104, 105, 1_007L, "b")); // one of them took effect after a's write
        final Linearizability.Result kept = Linearizability.check(ops, 0L, 10_000);
        assertTrue(kept.linearizable(), kept.explanation());
        assertEquals(3 + 1, Linearizability.withoutUnobservedWrites(ops).size());
        // After 1007 was read, a read of 5 again needs a write of 5 after it: there is none.
        ops.add(Op.read(106, 107, 5L, "c"));
        assertFalse(Linearizability.check(ops, 0L, 10_000).linearizable());
        // An unknown increment can make 1_010 into 1_011: the write of 1_010 is kept for that read.
        final List<Op> incremented = List.of(Op.write(0, never, 1_010L, "w"),
            Op.readModifyWrite(1, never, null, null, "i"), Op.read(10, 11, 1_011L, "r"));
        assertEquals(3, Linearizability.withoutUnobservedWrites(incremented).size());
        assertTrue(Linearizability.check(incremented, 0L).linearizable());
    }

    @Test
    void aSearchOverItsBudgetIsUndecidedNeverAPass()
    {
        final long never = Long.MAX_VALUE;
        final List<Op> ops = new ArrayList<>();
        // Increments of unknown outcome cannot be left out.
        for (int i = 0; i < 30; i++)
        {
            ops.add(Op.readModifyWrite(i, never, null, null, "i" + i));
        }
        // 31 cannot be made of 0 by 30 increments; to say so the search must try every subset of them, in 2^30.
        ops.add(Op.read(100, 101, 31L, "r"));
        final Linearizability.Result result = Linearizability.check(ops, 0L, 1_000);
        assertFalse(result.linearizable());
        assertTrue(result.explanation().startsWith("undecided"), result.explanation());
    }

    @Test
    void largeRandomHistoriesOfARealRegisterAreLinearizableAndOneCorruptedReadIsCaught()
    {
        final Random random = new Random(7);
        for (int round = 0; round < 20; round++)
        {
            // A register simulated with each operation taking effect at a random instant inside its interval.
            final List<long[]> intervals = new ArrayList<>();
            final List<Op> ops = new ArrayList<>();
            final int count = 300;
            final long[] effect = new long[count];
            for (int i = 0; i < count; i++)
            {
                final long call = random.nextInt(100_000);
                final long ret = call + 1 + random.nextInt(2_000);
                effect[i] = call + (long)(random.nextDouble() * (ret - call));
                intervals.add(new long[] {call, ret, i});
            }
            intervals.sort((x, y) -> Long.compare(effect[(int)x[2]], effect[(int)y[2]]));
            long value = 0;
            int lastRead = -1;
            for (final long[] interval : intervals)
            {
                final int i = (int)interval[2];
                if (random.nextInt(3) == 0)
                {
                    value = 1_000 + i;
                    ops.add(Op.write(interval[0], interval[1], value, "p" + i % 4));
                }
                else
                {
                    lastRead = ops.size();
                    ops.add(Op.read(interval[0], interval[1], value, "p" + i % 4));
                }
            }
            assertTrue(Linearizability.check(ops, 0L).linearizable(), "round " + round);
            final Op read = ops.get(lastRead);
            ops.set(lastRead, Op.read(read.call(), read.ret(), 424242L, read.by()));
            assertFalse(Linearizability.check(ops, 0L).linearizable(), "a value never written, round " + round);
        }
    }
}
