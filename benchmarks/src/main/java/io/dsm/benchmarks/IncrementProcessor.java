package io.dsm.benchmarks;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * Increments a counter in a Hazelcast map on the member that owns it: the open-source stand-in for
 * {@code IAtomicLong}, which Hazelcast 5.7 reserves for its Enterprise edition (CP subsystem).
 */
public final class IncrementProcessor implements EntryProcessor<String, Long, Long>
{
    private static final long serialVersionUID = 1L;

    @Override
    public Long process(final Map.Entry<String, Long> entry)
    {
        final Long current = entry.getValue();
        final long next = (current == null ? 0 : current) + 1;
        entry.setValue(next);
        return next;
    }
}
