package io.dsm.it;

import io.dsm.it.programs.CrashProgram;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a writer's {@code kill -9} loses, per {@code dsm.durability} (docs/CONSISTENCY.md, "Durability"): a writer
 * increments a counter as fast as it can and records every value its writes returned in a memory-mapped file, which
 * outlives it; it is killed mid-stream; a reader then reads the counter once the directory has taken the dead owner's
 * variable back. Durable: the value is the last returned, or the one write in flight (never less). Fast: the writes
 * lost are those of the last {@code dsm.durability.max.lag.ms} at most, plus the time to send them.
 */
@Tag("slow")
class DurabilityIT
{
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Time from the fast mode's lag to the value leaving the node: its scan interval (a quarter of the lag). */
    private static final long LAG_MS = 200;
    private static final long SEND_MARGIN_MS = LAG_MS / 4 + 100;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void durableNoWriteReturnedBeforeTheWritersKillIsLost() throws IOException
    {
        final Outcome outcome = killWriterAndRead("dsm.durability=durable");
        System.out.println("DurabilityIT durable: last returned " + outcome.lastReturned + ", read after the kill " +
            outcome.read + " (" + outcome.writes + " writes)");
        assertTrue(outcome.read >= outcome.lastReturned, () -> "a returned write was lost: " + outcome);
        assertTrue(outcome.read <= outcome.lastReturned + 1, () -> "more than the one write in flight: " + outcome);
    }

    @Test
    @Timeout(120)
    void fastTheWritesLostAreAtMostTheLastLag() throws IOException
    {
        final Outcome outcome = killWriterAndRead("dsm.durability=fast", "dsm.durability.max.lag.ms=" + LAG_MS);
        final long lost = outcome.lastReturned - outcome.read;
        final long lostMs = outcome.read >= outcome.lastReturned ? 0 :
            TimeUnit.NANOSECONDS.toMillis(outcome.returnedNs(outcome.lastReturned) - outcome.returnedNs(outcome.read));
        System.out.println("DurabilityIT fast (lag " + LAG_MS + " ms): last returned " + outcome.lastReturned +
            ", read after the kill " + outcome.read + ": " + lost + " writes lost, the last " + lostMs + " ms of them");
        assertTrue(outcome.read <= outcome.lastReturned + 1, () -> "more than the one write in flight: " + outcome);
        assertTrue(outcome.read > 0, () -> "nothing was checkpointed: " + outcome);
        assertTrue(lostMs <= LAG_MS + SEND_MARGIN_MS, () -> "lost the last " + lostMs + " ms of writes, more than " +
            "the lag of " + LAG_MS + " ms and its send time: " + outcome);
    }

    private Outcome killWriterAndRead(final String... settings) throws IOException
    {
        final String[] all = new String[settings.length + 3];
        all[0] = "dsm.heartbeat.interval.ms=200";
        all[1] = "dsm.lease.ms=1000";
        all[2] = "dsm.eviction.ms=2000";
        System.arraycopy(settings, 0, all, 3, settings.length);
        final Path record = dir.resolve("returned");
        try (JvmCluster cluster = new JvmCluster(all))
        {
            final JvmCluster.Jvm directory = cluster.startCoordinator();
            final JvmCluster.Jvm reader = cluster.startNode("reader", CrashProgram.class, List.of(), "reader");
            final JvmCluster.Jvm writer = cluster.startNode("writer", CrashProgram.class, List.of(), "writer",
                record.toString());
            reader.awaitLine("ready", WAIT);
            writer.awaitLine("writing", WAIT);
            // Let it write for a while (thousands of writes), then kill it mid-stream.
            Await.until(() -> "the writer's progress", WAIT, () -> lastReturned(record) >= 2_000);
            writer.kill9();
            final ByteBuffer returned = read(record);
            final String answer = reader.ask("read", "ok read", WAIT);
            assertTrue(answer.startsWith("ok read "), () -> answer + "; " + reader.describe() + "; directory " +
                directory.describe());
            reader.send("exit");
            assertEquals(0, reader.awaitExit(WAIT), reader.describe());
            return new Outcome(returned, Long.parseLong(answer.substring("ok read ".length())));
        }
    }

    private static long lastReturned(final Path record)
    {
        try
        {
            return Files.size(record) < Long.BYTES ? 0 : read(record).getLong(0);
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    private static ByteBuffer read(final Path record) throws IOException
    {
        return ByteBuffer.wrap(Files.readAllBytes(record)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static final class Outcome
    {
        final ByteBuffer returned;
        final long lastReturned;
        final long read;
        final long writes;

        Outcome(final ByteBuffer returned, final long read)
        {
            this.returned = returned;
            this.lastReturned = returned.getLong(0);
            this.read = read;
            this.writes = lastReturned;
        }

        /** @return when the write of {@code value} returned ({@code System.nanoTime()}, one clock on the host). */
        long returnedNs(final long value)
        {
            return returned.getLong(Long.BYTES * (1 + (int)(value % CrashProgram.RING)));
        }

        @Override
        public String toString()
        {
            return "last returned " + lastReturned + ", read " + read;
        }
    }
}
