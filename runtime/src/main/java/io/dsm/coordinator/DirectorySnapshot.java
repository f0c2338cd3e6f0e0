package io.dsm.coordinator;

import io.dsm.protocol.MalformedMessageException;
import io.dsm.wire.ReadMode;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The directory's whole state as bytes, and back: what an Aeron Cluster service writes when the cluster takes a
 * snapshot and reads when a member restarts from one (Aeron's cluster samples write theirs the same way, field by
 * field into a buffer). Everything is written in a fixed order (members and variables by id, each copyset by node,
 * queues in their order), so that two directories that took the same input write the same bytes, and a restored
 * directory answers the next input exactly as the one that wrote the snapshot would have.
 * <p>
 * Layout, little-endian: a header ({@link #MAGIC}, {@link #VERSION}), the counters, the members, the variables with
 * their copysets and requests, and the order of the variables that have requests waiting. A string or byte array is
 * its length (-1 for null) and its bytes.
 */
final class DirectorySnapshot
{
    /** "dsmS": a snapshot of dsm's directory. */
    static final int MAGIC = 0x53_6D_73_64;
    /** The layout written (4: members' join times); a restore reads it and the one before, and refuses any other. */
    static final int VERSION = 4;

    private final ExpandableArrayBuffer buffer;
    private final int start;
    private int at;

    private DirectorySnapshot(final ExpandableArrayBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.start = offset;
        this.at = offset;
    }

    /**
     * @param directory the directory.
     * @param buffer    where to write; grows as needed.
     * @param offset    where to start.
     * @return the snapshot's length in bytes.
     */
    static int write(final DirectoryStateMachine directory, final ExpandableArrayBuffer buffer, final int offset)
    {
        final DirectorySnapshot out = new DirectorySnapshot(buffer, offset);
        out.putInt(MAGIC);
        out.putInt(VERSION);
        out.putInt(directory.nextNodeId);
        out.putInt(directory.nextVariableId);
        out.putLong(directory.nextWriteId);
        out.putLong(directory.malformedMessages);
        out.putLong(directory.unknownSenderMessages);
        out.putLong(directory.lastMemberLeftNs);
        out.putLong(directory.joinWindowStartNs);
        out.putInt(directory.joinsInWindow);

        final int[] memberIds = sortedIds(directory.members);
        out.putInt(memberIds.length);
        for (final int id : memberIds)
        {
            final DirectoryStateMachine.Member member = directory.members.get(id);
            out.putInt(member.id);
            out.putLong(member.incarnation);
            out.putLong(member.pid);
            out.putInt(member.stream);
            out.putBoolean(member.wantsMetadata);
            out.putLong(member.lastHeardNs);
            out.putLong(member.joinedNs);
            out.putLong(member.lastRequestId);
            out.putString(member.channel);
            out.putString(member.doorbell);
            out.putString(member.description);
        }

        final int[] variableIds = sortedIds(directory.variables);
        out.putInt(variableIds.length);
        for (final int id : variableIds)
        {
            final DirectoryStateMachine.Variable variable = directory.variables.get(id);
            out.putInt(variable.id);
            out.putString(variable.name);
            out.putString(variable.type);
            out.putBoolean(directory.variablesByName.get(variable.name) == variable);
            out.putInt(variable.owner);
            out.putInt(variable.previousOwner);
            out.putLong(variable.epoch);
            out.putLong(variable.version);
            out.putBytes(variable.value);
            out.putBoolean(variable.deleted);
            final int[] readers = sortedIds(variable.copyset);
            out.putInt(readers.length);
            for (final int reader : readers)
            {
                out.putInt(reader);
                out.putByte((byte)variable.copyset.get(reader).value());
            }
            out.putBoolean(variable.inFlight != null);
            if (variable.inFlight != null)
            {
                out.putRequest(variable.inFlight);
            }
            out.putInt(variable.queue.size());
            for (final DirectoryStateMachine.Request request : variable.queue)
            {
                out.putRequest(request);
            }
        }

        out.putInt(directory.busy.size());
        for (final DirectoryStateMachine.Variable variable : directory.busy)
        {
            out.putInt(variable.id);
        }
        return out.at - out.start;
    }

    /**
     * Loads a snapshot into a directory that has taken no input yet.
     *
     * @param directory a new directory.
     * @param buffer    holds the snapshot.
     * @param offset    where it starts.
     * @param length    its length.
     * @throws MalformedMessageException naming what is wrong, when it is not a snapshot this version wrote.
     */
    static void read(final DirectoryStateMachine directory, final DirectBuffer buffer, final int offset,
        final int length) throws MalformedMessageException
    {
        final Reader in = new Reader(buffer, offset, length);
        if (in.getInt() != MAGIC)
        {
            throw new MalformedMessageException("not a snapshot of dsm's directory");
        }
        final int version = in.getInt();
        if (version != VERSION && version != VERSION - 1)
        {
            throw new MalformedMessageException("directory snapshot of version " + version + ", this directory " +
                "reads versions " + (VERSION - 1) + " and " + VERSION);
        }
        if (!directory.members.isEmpty() || !directory.variables.isEmpty())
        {
            throw new IllegalStateException("a snapshot is loaded into a new directory only");
        }
        directory.nextNodeId = in.getInt();
        directory.nextVariableId = in.getInt();
        directory.nextWriteId = in.getLong();
        directory.malformedMessages = in.getLong();
        directory.unknownSenderMessages = in.getLong();
        directory.lastMemberLeftNs = in.getLong();
        directory.joinWindowStartNs = in.getLong();
        directory.joinsInWindow = in.getInt();

        final int members = in.count();
        for (int i = 0; i < members; i++)
        {
            final int id = in.getInt();
            final long incarnation = in.getLong();
            final long pid = in.getLong();
            final int stream = in.getInt();
            final boolean wantsMetadata = in.getBoolean();
            final long lastHeardNs = in.getLong();
            // Version 3 had no join time: such a member's is unknown (0).
            final long joinedNs = version >= 4 ? in.getLong() : 0;
            final long lastRequestId = in.getLong();
            final String channel = in.getString();
            final String doorbell = in.getString();
            final String description = in.getString();
            final DirectoryStateMachine.Member member = new DirectoryStateMachine.Member(
                id, incarnation, pid, channel, stream, doorbell, description, wantsMetadata);
            member.lastHeardNs = lastHeardNs;
            member.joinedNs = joinedNs;
            member.lastRequestId = lastRequestId;
            directory.members.put(id, member);
            directory.membersByIncarnation.put(incarnation, member);
        }

        final int variables = in.count();
        for (int i = 0; i < variables; i++)
        {
            final int id = in.getInt();
            final String name = in.getString();
            if (name == null)
            {
                throw new MalformedMessageException("directory snapshot has variable " + id + " without a name");
            }
            final DirectoryStateMachine.Variable variable = new DirectoryStateMachine.Variable(id, name, in.getString());
            final boolean byName = in.getBoolean();
            variable.owner = in.getInt();
            variable.previousOwner = in.getInt();
            variable.epoch = in.getLong();
            variable.version = in.getLong();
            variable.value = in.getBytes();
            variable.deleted = in.getBoolean();
            final int readers = in.count();
            for (int r = 0; r < readers; r++)
            {
                final int node = in.getInt();
                variable.copyset.put(node, in.getMode());
            }
            if (in.getBoolean())
            {
                variable.inFlight = in.getRequest();
            }
            final int queued = in.count();
            for (int q = 0; q < queued; q++)
            {
                variable.queue.addLast(in.getRequest());
            }
            directory.variables.put(variable.id, variable);
            if (byName)
            {
                directory.variablesByName.put(variable.name, variable);
            }
        }

        final int busy = in.count();
        for (int i = 0; i < busy; i++)
        {
            final int id = in.getInt();
            final DirectoryStateMachine.Variable variable = directory.variables.get(id);
            if (variable == null)
            {
                throw new MalformedMessageException("directory snapshot lists variable " + id + " as busy but not " +
                    "among its variables");
            }
            directory.busy.add(variable);
        }
        if (in.at != offset + length)
        {
            throw new MalformedMessageException("directory snapshot has " + (offset + length - in.at) +
                " bytes after its end");
        }
    }

    /** @return the map's keys in ascending order: the order a snapshot writes and a restore replays. */
    static int[] sortedIds(final Int2ObjectHashMap<?> map)
    {
        final int[] sorted = new int[map.size()];
        int i = 0;
        final Int2ObjectHashMap<?>.KeyIterator keys = map.keySet().iterator();
        while (keys.hasNext())
        {
            sorted[i++] = keys.nextInt();
        }
        Arrays.sort(sorted);
        return sorted;
    }

    private void putRequest(final DirectoryStateMachine.Request request)
    {
        putByte((byte)request.kind.ordinal());
        putInt(request.requester);
        putLong(request.correlationId);
        putByte(request.mode == null ? -1 : (byte)request.mode.value());
        putLong(request.requesterVersion);
        putBytes(request.value);
        putInt(request.hops);
        putLong(request.deadlineNs);
        putByte((byte)request.stage.ordinal());
        if (request.awaiting == null)
        {
            putInt(-1);
        }
        else
        {
            final int[] awaiting = new int[request.awaiting.size()];
            int i = 0;
            final IntHashSet.IntIterator nodes = request.awaiting.iterator();
            while (nodes.hasNext())
            {
                awaiting[i++] = nodes.nextValue();
            }
            Arrays.sort(awaiting);
            putInt(awaiting.length);
            for (final int node : awaiting)
            {
                putInt(node);
            }
        }
        putLong(request.writeId);
        putBoolean(request.timedOut);
    }

    private void putByte(final byte value)
    {
        buffer.putByte(at, value);
        at += 1;
    }

    private void putBoolean(final boolean value)
    {
        putByte((byte)(value ? 1 : 0));
    }

    private void putInt(final int value)
    {
        buffer.putInt(at, value);
        at += 4;
    }

    private void putLong(final long value)
    {
        buffer.putLong(at, value);
        at += 8;
    }

    private void putBytes(final byte[] value)
    {
        if (value == null)
        {
            putInt(-1);
            return;
        }
        putInt(value.length);
        buffer.putBytes(at, value);
        at += value.length;
    }

    private void putString(final String value)
    {
        putBytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads what {@link #write} wrote, checking every length against the snapshot's end before it allocates. */
    private static final class Reader
    {
        private final DirectBuffer buffer;
        private final int end;
        private int at;

        Reader(final DirectBuffer buffer, final int offset, final int length)
        {
            this.buffer = buffer;
            this.at = offset;
            this.end = offset + length;
        }

        private void need(final int bytes) throws MalformedMessageException
        {
            if (bytes < 0 || end - at < bytes)
            {
                throw new MalformedMessageException("directory snapshot ends at byte " + (end - at) +
                    " from its end where " + bytes + " more are needed");
            }
        }

        byte getByte() throws MalformedMessageException
        {
            need(1);
            return buffer.getByte(at++);
        }

        boolean getBoolean() throws MalformedMessageException
        {
            return getByte() != 0;
        }

        int getInt() throws MalformedMessageException
        {
            need(4);
            final int value = buffer.getInt(at);
            at += 4;
            return value;
        }

        long getLong() throws MalformedMessageException
        {
            need(8);
            final long value = buffer.getLong(at);
            at += 8;
            return value;
        }

        int count() throws MalformedMessageException
        {
            final int count = getInt();
            need(count); // every counted entry takes at least one byte
            return count;
        }

        byte[] getBytes() throws MalformedMessageException
        {
            final int length = getInt();
            if (length == -1)
            {
                return null;
            }
            need(length);
            final byte[] bytes = new byte[length];
            buffer.getBytes(at, bytes);
            at += length;
            return bytes;
        }

        String getString() throws MalformedMessageException
        {
            final byte[] bytes = getBytes();
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        ReadMode getMode() throws MalformedMessageException
        {
            return mode(getByte());
        }

        private static ReadMode mode(final byte value) throws MalformedMessageException
        {
            try
            {
                final ReadMode mode = ReadMode.get((short)(value & 0xFF));
                if (mode != ReadMode.NULL_VAL)
                {
                    return mode;
                }
            }
            catch (final IllegalArgumentException ignore)
            {
                // reported below
            }
            throw new MalformedMessageException("directory snapshot has read mode " + (value & 0xFF));
        }

        DirectoryStateMachine.Request getRequest() throws MalformedMessageException
        {
            final int kind = getByte();
            if (kind < 0 || kind >= DirectoryStateMachine.Kind.values().length)
            {
                throw new MalformedMessageException("directory snapshot has request kind " + kind);
            }
            final int requester = getInt();
            final long correlationId = getLong();
            final byte mode = getByte();
            final ReadMode readMode = mode == -1 ? null : mode(mode);
            final long requesterVersion = getLong();
            final byte[] value = getBytes();
            final int hops = getInt();
            final long deadlineNs = getLong();
            final int stage = getByte();
            if (stage < 0 || stage >= DirectoryStateMachine.Stage.values().length)
            {
                throw new MalformedMessageException("directory snapshot has request stage " + stage);
            }
            final DirectoryStateMachine.Request request = new DirectoryStateMachine.Request(
                DirectoryStateMachine.Kind.values()[kind], requester, correlationId, readMode, requesterVersion,
                value, hops, deadlineNs);
            request.stage = DirectoryStateMachine.Stage.values()[stage];
            final int awaiting = getInt();
            if (awaiting >= 0)
            {
                need(awaiting * 4);
                request.awaiting = new IntHashSet();
                for (int i = 0; i < awaiting; i++)
                {
                    request.awaiting.add(getInt());
                }
            }
            else if (awaiting != -1)
            {
                throw new MalformedMessageException("directory snapshot has " + awaiting + " nodes awaited");
            }
            request.writeId = getLong();
            request.timedOut = getBoolean();
            return request;
        }
    }
}
