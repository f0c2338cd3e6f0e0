package io.dsm.benchmarks;

/**
 * How every benchmark and peer waits for another JVM: spin briefly, yield up to 2,000 times, then park for a
 * microsecond at a time. On a machine with two cores a waiter that only spins or yields starves the threads that
 * do the work (dsm's, Aeron's, Hazelcast's): Linux gives a woken thread the CPU late when every core is busy
 * with yielding threads. Gives up with an exception after a deadline instead of hanging a benchmark when a peer
 * dies.
 */
public final class Spin
{
    private static final long DEADLINE_NS = 30_000_000_000L;

    /** Measured: 20 yields before parking made every system's ping-pong slower here than 2,000 (NOTES.md). */
    private static final int YIELDS = 2_000;
    private int spins;
    private long startNs;

    /** Starts a new wait. */
    public Spin reset()
    {
        spins = 0;
        startNs = 0;
        return this;
    }

    /** Called once per unsuccessful check. */
    public void idle()
    {
        if (++spins < 100)
        {
            Thread.onSpinWait();
            return;
        }
        if (spins < 100 + YIELDS)
        {
            Thread.yield();
            return;
        }
        if (startNs == 0)
        {
            startNs = System.nanoTime();
        }
        else if ((spins & 1023) == 0 && System.nanoTime() - startNs > DEADLINE_NS)
        {
            throw new IllegalStateException("peer did not answer within 30 s");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(1_000);
    }
}
