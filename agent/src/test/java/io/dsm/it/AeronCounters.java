package io.dsm.it;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.dsm.transport.DsmCounter;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
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
        final File base = new File(CommonContext.getAeronDirectoryName());
        final String prefix = base.getName() + "-dsm-" + pid + "-";
        final File[] dirs = base.getParentFile().listFiles((d, name) -> name.startsWith(prefix));
        final Map<String, Long> counters = new HashMap<>();
        if (dirs == null)
        {
            return counters;
        }
        for (final File dir : dirs)
        {
            final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
            if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
            {
                continue;
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, "cnc");
            try
            {
                final DirectBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
                final CountersReader reader = new CountersReader(
                    CncFileDescriptor.createCountersMetaDataBuffer(mapped, meta),
                    CncFileDescriptor.createCountersValuesBuffer(mapped, meta));
                reader.forEach((value, id, label) -> counters.merge(label, value, Long::sum));
            }
            finally
            {
                IoUtil.unmap(mapped);
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
