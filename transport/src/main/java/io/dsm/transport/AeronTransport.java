package io.dsm.transport;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ConcurrentPublication;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NoOpIdleStrategy;

import java.io.File;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.UUID;

/**
 * One JVM's connection to Aeron: an embedded media driver in {@link ThreadingMode#INVOKER} mode (or an external
 * driver) and a client whose conductor is also invoked, so that a single dsm thread drives the whole transport through
 * {@link #doWork()}. That is the configuration that gave the lowest round trips on a 2-core machine without starving
 * the application: no Aeron thread of its own spins.
 * <p>
 * Threading rule: {@link #addPublication} and {@link #addSubscription} must be called from the thread that calls
 * {@link #doWork()} (or before that thread starts). {@code offer} on the returned publications is thread-safe.
 */
public final class AeronTransport implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    /** How long after its own last message a process treats Aeron's traffic as work (flow control of a transfer). */
    static final long TRANSFER_WARM_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);
    /** How often an idle subscription sends its status to the publisher (Aeron's default: 200 ms). */
    static final long IDLE_STATUS_MESSAGE_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1000);

    /** Liveness timeout between an embedded driver and its client, both invoked by the process's own thread. */
    static final long EMBEDDED_LIVENESS_TIMEOUT_NS = TimeUnit.HOURS.toNanos(24);

    /**
     * What one process's embedded driver needs in its directory: about 11 MB written at start-up (command buffers,
     * counters, error log, loss report) and the term buffers its publications touch (sparse files).
     */
    public static final long MIN_STORAGE_BYTES = 24L * 1024 * 1024;

    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final int maxMessageLength;

    private AeronTransport(final Context ctx)
    {
        MediaDriver launched = null;
        AgentInvoker driverInvoker = null;
        String dir = ctx.aeronDirectoryName;
        try
        {
            if (ctx.embeddedDriver)
            {
                if (dir == null)
                {
                    dir = CommonContext.getAeronDirectoryName() + "-dsm-" + ProcessHandle.current().pid() + "-" +
                        UUID.randomUUID().toString().substring(0, 8);
                }
                requireStorage(dir);
                final MediaDriver.Context driverCtx = new MediaDriver.Context()
                    .aeronDirectoryName(dir)
                    .lowStorageWarningThreshold(MIN_STORAGE_BYTES)
                    .threadingMode(ThreadingMode.INVOKER)
                    .asyncExecutorEnabled(false)
                    .sharedIdleStrategy(NoOpIdleStrategy.INSTANCE)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true)
                    .warnIfDirectoryExists(false)
                    .termBufferSparseFile(true)
                    .publicationTermBufferLength(ctx.termLength)
                    .ipcTermBufferLength(ctx.termLength)
                    // Sized for one process and its peers, not Aeron's defaults for a shared driver (about 47 MB of
                    // /dev/shm, mostly 8 MiB of counters and their metadata): the smallest sizes Aeron accepts, 11 MB
                    // of command buffers, counters (8,192) and error log, all written at start-up, and a 1 MiB loss report.
                    .counterValuesBufferLength(1024 * 1024)
                    // An idle subscription's status messages keep waking the publisher's process: send them less
                    // often, well inside the image liveness timeout (10 s).
                    .statusMessageTimeoutNs(IDLE_STATUS_MESSAGE_NS)
                    // The driver and its one client run on the process's own thread: neither can die without the
                    // other, and a thread stalled for 10 s (a loaded machine at start-up, a long GC, a paused
                    // process) must not leave the client closed for good, as Aeron's liveness timeouts would.
                    .clientLivenessTimeoutNs(EMBEDDED_LIVENESS_TIMEOUT_NS)
                    .publicationUnblockTimeoutNs(EMBEDDED_LIVENESS_TIMEOUT_NS + TimeUnit.SECONDS.toNanos(15))
                    .errorHandler(ctx.errorHandler);
                launched = MediaDriver.launchEmbedded(driverCtx);
                driverInvoker = launched.sharedAgentInvoker();
            }
            final Aeron.Context clientCtx = new Aeron.Context()
                .aeronDirectoryName(dir != null ? dir : CommonContext.getAeronDirectoryName())
                .useConductorAgentInvoker(true)
                .errorHandler(ctx.errorHandler)
                .driverTimeoutMs(ctx.embeddedDriver ?
                    TimeUnit.NANOSECONDS.toMillis(EMBEDDED_LIVENESS_TIMEOUT_NS) : ctx.driverTimeoutMs);
            if (driverInvoker != null)
            {
                clientCtx.driverAgentInvoker(driverInvoker);
            }
            this.aeron = Aeron.connect(clientCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launched);
            throw ex;
        }
        this.driver = launched;
        this.driverInvoker = driverInvoker;
        this.clientInvoker = aeron.conductorAgentInvoker();
        this.maxMessageLength = ctx.maxMessageLength;
    }

    /**
     * Fails at start-up, naming the file system and the settings, where the embedded driver's files would not fit:
     * a container's {@code /dev/shm} is 64 MB by default, and Aeron's own check (160 MB, made for a shared driver)
     * would only warn, then fail later, at a publication.
     *
     * @param aeronDir the driver's directory, not created yet.
     */
    public static void requireStorage(final String aeronDir)
    {
        File dir = new File(aeronDir).getAbsoluteFile();
        while (dir != null && !dir.exists())
        {
            dir = dir.getParentFile();
        }
        if (dir == null)
        {
            return;
        }
        final long usable = dir.getUsableSpace();
        if (usable < MIN_STORAGE_BYTES)
        {
            throw new IllegalStateException("dsm needs at least " + (MIN_STORAGE_BYTES >> 20) + " MB free in " + dir +
                " for this process's Aeron files (" + aeronDir + "), and " + dir + " has " + (usable >> 20) +
                " MB: give it more room (a container's /dev/shm: docker run --shm-size=256m), or put them on " +
                "another file system with dsm.aeron.dir (or aeron.dir)");
        }
    }

    /**
     * Starts the transport described by {@code ctx}.
     *
     * @param ctx what to start; {@link Context#conclude()} is applied.
     * @return the running transport; close it to stop the driver and delete its directory.
     */
    public static AeronTransport launch(final Context ctx)
    {
        return new AeronTransport(ctx.conclude());
    }

    /**
     * What a duty cycle that handled no message of its own should report to its idle strategy, given the work the
     * transport did: Aeron's keep-alives and status messages count only within {@link #TRANSFER_WARM_NS} of the
     * process's last message (a large message may be waiting for flow control), so that they do not keep an idle
     * process polling.
     *
     * @param transportWork  what {@link #doWork()} returned.
     * @param sinceMessageNs how long since the process last handled or sent a message.
     * @return the work to report.
     */
    public static int warmWork(final int transportWork, final long sinceMessageNs)
    {
        return sinceMessageNs < TRANSFER_WARM_NS ? transportWork : 0;
    }

    /**
     * @return the Aeron client, invoked by {@link #doWork()} (for clients built on it, such as a cluster client, that
     *         must not block: they run on the same duty cycle).
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the embedded media driver's invoker, or null when the driver is another process: a client built on
     *         {@link #aeron()} that waits inside a call (a cluster client taking a new leader's address) must run it
     *         meanwhile, since nothing else does.
     */
    public AgentInvoker driverInvoker()
    {
        return driverInvoker;
    }

    /**
     * Runs one duty cycle of the embedded driver and of the client conductor.
     *
     * @return the amount of work done, 0 when idle.
     */
    public int doWork()
    {
        int work = 0;
        if (driverInvoker != null)
        {
            work += driverInvoker.invoke();
        }
        work += clientInvoker.invoke();
        return work;
    }

    /**
     * Adds a publication that many threads may offer to.
     *
     * @param channel  an Aeron channel URI.
     * @param streamId the stream within that channel.
     * @return the publication, possibly not yet connected.
     */
    public ConcurrentPublication addPublication(final String channel, final int streamId)
    {
        return aeron.addPublication(channel, streamId);
    }

    /**
     * Adds a publication that only the calling thread offers to.
     *
     * @param channel  an Aeron channel URI.
     * @param streamId the stream within that channel.
     * @return the publication, possibly not yet connected.
     */
    public ExclusivePublication addExclusivePublication(final String channel, final int streamId)
    {
        return aeron.addExclusivePublication(channel, streamId);
    }

    /**
     * Adds a subscription.
     *
     * @param channel  an Aeron channel URI; a UDP endpoint with port 0 is given an ephemeral port.
     * @param streamId the stream within that channel.
     * @return the subscription.
     */
    public Subscription addSubscription(final String channel, final int streamId)
    {
        return aeron.addSubscription(channel, streamId);
    }

    /**
     * Adds a subscription whose messages go through a {@link MessageAssembler}, which forgets a sender's partial
     * message when the sender's image goes away.
     *
     * @param channel   an Aeron channel URI; a UDP endpoint with port 0 is given an ephemeral port.
     * @param streamId  the stream within that channel.
     * @param assembler what the subscription is polled with.
     * @return the subscription.
     */
    public Subscription addSubscription(final String channel, final int streamId, final MessageAssembler assembler)
    {
        return aeron.addSubscription(channel, streamId, image -> { }, image -> assembler.discard(image.sessionId()));
    }

    /** @return the longest message a {@link Destination} sends and a {@link MessageAssembler} should accept. */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }

    /**
     * Deletes media driver directories left behind by dsm JVMs that no longer run (a JVM killed with
     * {@code kill -9} cannot delete its own). Only directories named by this class's own pattern are touched.
     */
    public static void deleteStaleDirectories()
    {
        final File base = new File(CommonContext.getAeronDirectoryName()).getParentFile();
        final String prefix = new File(CommonContext.getAeronDirectoryName()).getName() + "-dsm-";
        final File[] candidates = base == null ? null : base.listFiles((d, name) -> name.startsWith(prefix));
        if (candidates == null)
        {
            return;
        }
        for (final File candidate : candidates)
        {
            final String rest = candidate.getName().substring(prefix.length());
            final int dash = rest.indexOf('-');
            try
            {
                final long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                if (ProcessHandle.of(pid).isEmpty())
                {
                    IoUtil.delete(candidate, true);
                }
            }
            catch (final NumberFormatException ignore)
            {
                // not one of ours
            }
        }
    }

    /**
     * What to start: embedded or external driver, its directory and buffer sizes.
     */
    public static final class Context
    {
        private boolean embeddedDriver = true;
        private String aeronDirectoryName;
        private int termLength = 64 * 1024;
        private long driverTimeoutMs = 10_000;
        private int maxMessageLength = 64 * 1024 * 1024 + 64 * 1024;
        private ErrorHandler errorHandler;

        /**
         * @param embedded true to start a media driver inside this JVM, false to use an external one.
         * @return this.
         */
        public Context embeddedDriver(final boolean embedded)
        {
            this.embeddedDriver = embedded;
            return this;
        }

        /**
         * @param dir the driver's directory; null for a fresh private one (embedded) or Aeron's default (external).
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
        {
            this.aeronDirectoryName = dir;
            return this;
        }

        /**
         * @param termLength term buffer length of publications, a power of two from 64 KiB to 1 GiB; the largest
         *                   message is an eighth of it.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * @param maxMessageLength the longest message sent or accepted, in bytes; longer than an eighth of the term
         *                         length, it travels in chunks.
         * @return this.
         */
        public Context maxMessageLength(final int maxMessageLength)
        {
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /**
         * @param timeoutMs how long the client waits for the driver.
         * @return this.
         */
        public Context driverTimeoutMs(final long timeoutMs)
        {
            this.driverTimeoutMs = timeoutMs;
            return this;
        }

        /**
         * @param errorHandler where asynchronous Aeron errors go.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        Context conclude()
        {
            if (termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024 || Integer.bitCount(termLength) != 1)
            {
                throw new IllegalArgumentException(
                    "term length must be a power of two from 65536 to 1073741824, was " + termLength);
            }
            if (maxMessageLength <= 0)
            {
                throw new IllegalArgumentException("the longest message must be positive, was " + maxMessageLength);
            }
            Objects.requireNonNull(errorHandler, "errorHandler");
            return this;
        }
    }
}
