package io.dsm.benchmarks;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** Raw Aeron configured as dsm configures it, for the baseline. */
public final class AeronSupport
{
    private AeronSupport()
    {
    }

    /** @return an embedded driver in INVOKER mode with a private directory. */
    public static MediaDriver driver()
    {
        return MediaDriver.launchEmbedded(new MediaDriver.Context()
            // Named as dsm names its own: a fork killed mid-run leaves it, and the next dsm process deletes it.
            .aeronDirectoryName(CommonContext.getAeronDirectoryName() + "-dsm-" + ProcessHandle.current().pid() +
                "-bench-" + Long.toHexString(System.nanoTime()))
            .threadingMode(ThreadingMode.INVOKER)
            .asyncExecutorEnabled(false)
            .sharedIdleStrategy(NoOpIdleStrategy.INSTANCE)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(4 * 1024 * 1024));
    }

    /** @return a client whose conductor the caller invokes. */
    public static Aeron client(final MediaDriver driver)
    {
        return Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(driver.aeronDirectoryName())
            .useConductorAgentInvoker(true)
            .driverAgentInvoker(driver.sharedAgentInvoker()));
    }

    /** @return the UDP channel of a loopback port. */
    public static String channel(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    /**
     * @return the idle strategy dsm uses with this run's settings, built from Agrona here (this jar does not carry
     * dsm's classes; the agent's copy works on shaded Agrona types): {@code yielding}, or Agrona's backoff that
     * first yields for {@code dsm.idle.warm.ns} after the last work, as dsm's {@code WarmBackoffIdleStrategy} does.
     * Raw Aeron has no doorbell to sleep on: with {@code doorbell} it runs this backoff.
     */
    public static IdleStrategy idleStrategy()
    {
        if ("yielding".equals(System.getProperty("dsm.idle.strategy", "doorbell")))
        {
            return new YieldingIdleStrategy();
        }
        final long warmNs = Long.getLong("dsm.idle.warm.ns", 1_000_000L);
        final BackoffIdleStrategy backoff = new BackoffIdleStrategy(100, Long.getLong("dsm.idle.max.yields", 10L),
            1_000, Long.getLong("dsm.idle.max.park.ns", 1_000_000L));
        return new IdleStrategy()
        {
            private long lastWorkNs = System.nanoTime();

            @Override
            public void idle(final int workCount)
            {
                if (workCount > 0)
                {
                    reset();
                }
                else
                {
                    idle();
                }
            }

            @Override
            public void idle()
            {
                if (System.nanoTime() - lastWorkNs < warmNs)
                {
                    Thread.yield();
                    return;
                }
                backoff.idle();
            }

            @Override
            public void reset()
            {
                lastWorkNs = System.nanoTime();
                backoff.reset();
            }
        };
    }
}
