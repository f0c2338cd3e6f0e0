package io.dsm.it;

import io.dsm.it.programs.PauseProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing of a paused owner (docs/CONSISTENCY.md, "Leases"): an owner stopped with {@code SIGSTOP} past its eviction,
 * while another JVM takes write access, must not return a single write computed from the value it held before the
 * pause once it resumes, and must serve again. Both JVMs only increment one counter, so every write the cluster kept
 * is read by the next increment, and a write that was returned and then dropped is one that no one read.
 */
@Tag("slow")
class PauseIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long EVICTION_MS = 2_000;
    private static final int PAUSES = 3;

    @Test
    @Timeout(180)
    void aPausedOwnerReturnsNoStaleWriteAndServesAgain()
    {
        try (JvmCluster cluster = new JvmCluster("dsm.heartbeat.interval.ms=200", "dsm.lease.ms=1000",
            "dsm.eviction.ms=" + EVICTION_MS))
        {
            cluster.startCoordinator();
            final JvmCluster.Jvm owner = cluster.startNode("owner", PauseProgram.class, List.of(), "owner", "22000");
            final JvmCluster.Jvm taker = cluster.startNode("taker", PauseProgram.class, List.of(), "taker", "22000");
            // A stale write slips in only when the application thread runs before the node's thread after SIGCONT:
            // pause three times, so that a missing lease check fails this test in nearly every run.
            final long[] pausedNs = new long[PAUSES];
            final long[] resumedNs = new long[PAUSES];
            final List<String> pauses = new ArrayList<>();
            for (int i = 0; i < PAUSES; i++)
            {
                awaitOwnerProgress(owner);
                owner.pause();
                pausedNs[i] = System.nanoTime();
                // Resume once the taker has made an increment called after the directory must have evicted the owner
                // (it waits for that eviction when the owner held write access at the pause).
                final long evictedNs = pausedNs[i] + TimeUnit.MILLISECONDS.toNanos(EVICTION_MS + 500);
                taker.awaitLine(line -> line.startsWith("taker called ") &&
                    Long.parseLong(line.split(" ")[2]) - evictedNs > 0, "an increment after the owner's eviction", WAIT);
                owner.resume();
                resumedNs[i] = System.nanoTime();
                pauses.add(TimeUnit.NANOSECONDS.toMillis(resumedNs[i] - pausedNs[i]) + " ms");
            }

            final List<Long[]> ownerOps = ops(owner);
            final List<Long[]> takerOps = ops(taker);
            final long takerOpsDuringPause = takerOps.stream()
                .filter(op -> op[1] - pausedNs[0] > 0 && op[1] - resumedNs[0] < 0).count();
            assertTrue(takerOpsDuringPause > 0, "the taker wrote while the owner was paused (it was evicted): " +
                brief(taker));

            // Every operation is an increment, so in the history the cluster kept, each written value is read by the
            // next increment. A write the resumed owner returned and that no one ever read was dropped: computed from
            // its replica of before the pause, it was stale. (Writes returned before the pause and never read are
            // the owner's unreplicated writes lost when it was evicted: durability, not fencing; counted only.)
            final Map<Long, Integer> reads = new HashMap<>();
            final List<Long[]> all = new ArrayList<>(ownerOps);
            all.addAll(takerOps);
            all.forEach(op -> reads.merge(op[2], 1, Integer::sum));
            final long lastReturn = all.stream().mapToLong(op -> op[1]).max().orElseThrow();
            final List<String> stale = new ArrayList<>();
            long lostBeforePause = 0;
            for (final Long[] o : ownerOps)
            {
                if (reads.containsKey(o[3]) || o[1] == lastReturn)
                {
                    continue;
                }
                // Returned in the first half of the time between a resume and the next pause: after the pause, so
                // stale. Otherwise it was among the last writes before a pause: lost with the eviction.
                int after = -1;
                for (int i = 0; i < PAUSES; i++)
                {
                    final long end = i + 1 < PAUSES ? resumedNs[i] + (pausedNs[i + 1] - resumedNs[i]) / 2 : Long.MAX_VALUE;
                    if (o[1] - resumedNs[i] > 0 && (end == Long.MAX_VALUE || o[1] - end < 0))
                    {
                        after = i;
                    }
                }
                if (after >= 0)
                {
                    stale.add("owner wrote " + o[3] + " (read " + o[2] + "), returned " +
                        (o[1] - resumedNs[after]) / 1_000 + " µs after resume " + (after + 1) + "; no one read it");
                }
                else
                {
                    lostBeforePause++;
                }
            }
            if (!stale.isEmpty())
            {
                keep(owner);
                keep(taker);
            }
            assertEquals(List.of(), stale.subList(0, Math.min(5, stale.size())),
                stale.size() + " writes returned by the resumed owner were dropped (outputs in target/PauseIT-*.log)");

            // It serves again: after each resume, its first increment returns within the operation timeout.
            final List<String> served = new ArrayList<>();
            for (int i = 0; i < PAUSES; i++)
            {
                final long resumed = resumedNs[i];
                final long first = ownerOps.stream().filter(op -> op[0] - resumed > 0)
                    .mapToLong(op -> op[1]).min().orElseThrow(() -> new AssertionError(
                        "the owner made no increment after resuming: " + brief(owner)));
                served.add((first - resumed) / 1_000_000 + " ms");
                assertTrue(first - resumed < TimeUnit.SECONDS.toNanos(5),
                    "resumed owner served again within 5 s: " + brief(owner));
            }
            System.out.println("PauseIT: pauses " + pauses + "; the resumed owner's first increment returned " +
                served + " after SIGCONT; owner writes returned before a pause and lost with its eviction: " +
                lostBeforePause + "; increments: owner " + ownerOps.size() + ", taker " + takerOps.size());
        }
    }

    /** Waits until the owner has made another 6,000 increments (it runs and holds write access again). */
    private static void awaitOwnerProgress(final JvmCluster.Jvm owner)
    {
        owner.awaitLine("owner made", WAIT);
        owner.awaitLine("owner made", WAIT);
        owner.awaitLine("owner made", WAIT);
    }

    /** Keeps a JVM's whole output in target/ for a failed run. */
    private static void keep(final JvmCluster.Jvm jvm)
    {
        try
        {
            java.nio.file.Files.write(java.nio.file.Path.of("target", "PauseIT-" + jvm.label + ".log"),
                (String.join("\n", jvm.stdout()) + "\n" + jvm.stderr()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** @return the JVM's stderr and its last lines, without the thousands of history lines. */
    private static String brief(final JvmCluster.Jvm jvm)
    {
        final List<String> out = jvm.stdout();
        return jvm.label + ": stderr=" + jvm.stderr() + " last lines=" + out.subList(Math.max(0, out.size() - 5),
            out.size()) + " failures=" + out.stream().filter(l -> l.startsWith("failed")).limit(3).toList();
    }

    /** Waits for the program to finish and returns its increments as {call, return, read, written}. */
    private static List<Long[]> ops(final JvmCluster.Jvm jvm)
    {
        jvm.awaitLine("done", WAIT);
        assertEquals(0, jvm.awaitExit(WAIT), brief(jvm));
        final List<Long[]> ops = new ArrayList<>();
        for (final String line : jvm.stdout())
        {
            if (line.startsWith("op rmw "))
            {
                final String[] w = line.split(" ");
                ops.add(new Long[] {Long.parseLong(w[2]), Long.parseLong(w[3]), Long.parseLong(w[4]),
                    Long.parseLong(w[5])});
            }
        }
        assertTrue(!ops.isEmpty(), brief(jvm));
        return ops;
    }
}
