package io.dsm.coordinator;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;

/**
 * A lock file that says a coordinator runs for one endpoint on this machine. The coordinator holds it for its whole
 * life; the operating system releases it when the process ends, even by {@code kill -9}. A node that finds it free
 * knows no local coordinator runs and may start one; a second coordinator that cannot take it exits at once.
 */
public final class CoordinatorLock implements AutoCloseable
{
    private final FileChannel channel;
    private final FileLock lock;

    private CoordinatorLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param endpointKey names the endpoint, e.g. {@code 127.0.0.1-24456}.
     * @return the lock file for that endpoint.
     */
    public static File file(final String endpointKey)
    {
        return new File(System.getProperty("java.io.tmpdir"),
            "dsm-coordinator-" + endpointKey.replaceAll("[^A-Za-z0-9._-]", "_") + ".lock");
    }

    /**
     * @param endpointKey names the endpoint.
     * @return the lock, held until closed, or null when another process holds it.
     * @throws IOException when the file cannot be opened.
     */
    public static CoordinatorLock tryAcquire(final String endpointKey) throws IOException
    {
        final FileChannel channel = FileChannel.open(file(endpointKey).toPath(),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try
        {
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                channel.close();
                return null;
            }
            return new CoordinatorLock(channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            channel.close();
            return null;
        }
    }

    /**
     * @param endpointKey names the endpoint.
     * @return whether some process holds the lock now.
     * @throws IOException when the file cannot be opened.
     */
    public static boolean isHeld(final String endpointKey) throws IOException
    {
        try (CoordinatorLock lock = tryAcquire(endpointKey))
        {
            return lock == null;
        }
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            lock.release();
        }
        finally
        {
            channel.close();
        }
    }
}
