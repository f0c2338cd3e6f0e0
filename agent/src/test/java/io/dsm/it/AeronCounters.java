package io.dsm.it;

import io.dsm.transport.DsmCounter;
import io.dsm.transport.DsmCounters;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the counters of another process's media driver from its {@code cnc.dat}, read-only, as Aeron's
 * {@code AeronStat} does: dsm's own ({@link DsmCounter}) and Aeron's system counters, without joining anything.
 */
final class AeronCounters
{
    private AeronCounters()
    {
    }

    /**
     * @param pid a dsm process (node or directory member) with an embedded media driver.
     * @return every counter of its driver by label (dsm's start with {@code dsm}); empty when it has none (yet).
     */
    static Map<String, Long> of(final long pid)
    {
        final Map<String, Long> counters = new HashMap<>();
        for (final DsmCounters.Counter c : DsmCounters.local())
        {
            if (c.pid() == pid)
            {
                counters.merge(c.label(), c.value(), Long::sum);
            }
        }
        return counters;
    }

    /**
     * @return the value of the one dsm counter of that kind in the process, or -1 when it has none.
     */
    static long dsm(final long pid, final DsmCounter counter)
    {
        return of(pid).entrySet().stream()
            .filter(e -> e.getKey().startsWith("dsm ") && e.getKey().endsWith(": " + counter.description()))
            .mapToLong(Map.Entry::getValue).reduce(Long::sum).orElse(-1);
    }

    /** @return the sum of the process's counters whose label starts with {@code label} (Aeron's system counters). */
    static long aeron(final long pid, final String label)
    {
        return of(pid).entrySet().stream().filter(e -> e.getKey().startsWith(label))
            .mapToLong(Map.Entry::getValue).sum();
    }
}
