package io.dsm.it.programs;

import io.dsm.DsmTimeoutException;
import io.dsm.Shared;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A writer that is killed: it increments one shared counter until it dies, and after each increment returns records
 * it in a memory-mapped file, which outlives a {@code kill -9} (the page cache keeps it): slot 0 holds the last value
 * returned, slot {@code 1 + value % RING} the {@code System.nanoTime()} at which that value's write returned. Args:
 * {@code writer <file>}, or {@code reader}, which answers {@code read} on stdin with the value, retrying a read that
 * times out while the dead writer's ownership is taken back.
 */
public final class CrashProgram
{
    /** Return times kept, by value. */
    public static final int RING = 1 << 16;

    /** The counter. */
    public static final class Counter
    {
        @Shared public static long value;

        private Counter()
        {
        }
    }

    private CrashProgram()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if ("writer".equals(args[0]))
        {
            write(Path.of(args[1]));
        }
        else
        {
            read();
        }
    }

    private static void write(final Path file) throws Exception
    {
        final MappedByteBuffer record;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            record = channel.map(FileChannel.MapMode.READ_WRITE, 0, (long)(1 + RING) * Long.BYTES);
        }
        record.order(ByteOrder.LITTLE_ENDIAN);
        Counter.value = 0;
        System.out.println("writing");
        while (true)
        {
            final long written = ++Counter.value;
            record.putLong(Long.BYTES * (1 + (int)(written % RING)), System.nanoTime());
            record.putLong(0, written);
            LockSupport.parkNanos(50_000);
        }
    }

    private static void read() throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        String line;
        while ((line = in.readLine()) != null)
        {
            if ("read".equals(line.trim()))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true)
                {
                    try
                    {
                        System.out.println("ok read " + Counter.value);
                        break;
                    }
                    catch (final DsmTimeoutException ex)
                    {
                        if (System.nanoTime() - deadline > 0)
                        {
                            System.out.println("error " + ex);
                            break;
                        }
                    }
                }
            }
            else if ("exit".equals(line.trim()))
            {
                System.out.println("ok bye");
                return;
            }
        }
    }
}
