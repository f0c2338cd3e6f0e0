package io.dsm.transport;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the counters of the dsm processes of this host from outside, as Aeron's {@code AeronStat} does: each process's
 * embedded media driver has a {@code cnc.dat} in an Aeron directory named after the process
 * ({@code <aeron dir>-dsm-<pid>-...}), mapped read-only here. Nothing joins anything.
 */
public final class DsmCounters
{
    /**
     * One counter of one process.
     *
     * @param pid       the process.
     * @param directory its media driver's directory.
     * @param typeId    the counter's type id ({@link DsmCounter#TYPE_ID_BASE} and up for dsm's own).
     * @param label     the counter's label.
     * @param value     its value when read.
     */
    public record Counter(long pid, String directory, int typeId, String label, long value)
    {
        /** @return whether it is one of dsm's ({@link DsmCounter}) rather than Aeron's. */
        public boolean isDsm()
        {
            return typeId >= DsmCounter.TYPE_ID_BASE && typeId < DsmCounter.TYPE_ID_BASE + 1000;
        }
    }

    private DsmCounters()
    {
    }

    /**
     * @return every counter of every live dsm process on this host whose driver uses the default Aeron directory's
     *         parent (Linux: {@code /dev/shm}), by process.
     */
    public static List<Counter> local()
    {
        final File base = new File(CommonContext.getAeronDirectoryName());
        final String prefix = base.getName() + "-dsm-";
        final File[] dirs = base.getParentFile() == null ? null :
            base.getParentFile().listFiles((d, name) -> name.startsWith(prefix));
        final List<Counter> counters = new ArrayList<>();
        if (dirs == null)
        {
            return counters;
        }
        java.util.Arrays.sort(dirs);
        for (final File dir : dirs)
        {
            final String rest = dir.getName().substring(prefix.length());
            final int dash = rest.indexOf('-');
            final long pid;
            try
            {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            }
            catch (final NumberFormatException notOurs)
            {
                continue;
            }
            if (ProcessHandle.of(pid).isPresent())
            {
                counters.addAll(of(pid, dir));
            }
        }
        return counters;
    }

    /**
     * @param pid the process whose driver it is.
     * @param dir a media driver's directory.
     * @return its counters; none when it has no counters file (yet).
     */
    public static List<Counter> of(final long pid, final File dir)
    {
        final List<Counter> counters = new ArrayList<>();
        final File cnc = new File(dir, CncFileDescriptor.CNC_FILE);
        if (!cnc.isFile() || cnc.length() < CncFileDescriptor.META_DATA_LENGTH)
        {
            return counters;
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            final DirectBuffer meta = CncFileDescriptor.createMetaDataBuffer(mapped);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, meta),
                CncFileDescriptor.createCountersValuesBuffer(mapped, meta));
            reader.forEach((id, typeId, key, label) ->
                counters.add(new Counter(pid, dir.getPath(), typeId, label, reader.getCounterValue(id))));
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        return counters;
    }
}
