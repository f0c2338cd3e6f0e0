package io.dsm.node;

import io.dsm.VariableInfo;

import java.util.ArrayList;
import java.util.List;

/** A backend for tests of {@link SharedVariable} alone: durable, its directory answering as told, misses counted. */
final class StubBackend implements Backend
{
    final List<Long> checkpointed = new ArrayList<>();
    String refusal;
    /** What a read miss returns; null: a miss is a failure of the test. */
    Object missAnswer;
    int misses;

    @Override
    public boolean durable()
    {
        return true;
    }

    @Override
    public String checkpoint(final SharedVariable variable, final byte[] bytes, final long version)
    {
        checkpointed.add(version);
        return refusal;
    }

    @Override
    public Object readMiss(final SharedVariable variable)
    {
        if (missAnswer == null)
        {
            throw new AssertionError("no read goes to the node here");
        }
        misses++;
        return missAnswer;
    }

    @Override
    public void acquireWrite(final SharedVariable variable)
    {
        throw new AssertionError("this node owns the variable");
    }

    @Override
    public void writeWithReaders(final SharedVariable variable, final Object content)
    {
        throw new AssertionError("no readers");
    }

    @Override
    public void init(final SharedVariable variable, final Object content)
    {
    }

    @Override
    public void releaseWrite(final SharedVariable variable)
    {
    }

    @Override
    public void delete(final String name)
    {
    }

    @Override
    public List<VariableInfo> variables()
    {
        return List.of();
    }

    @Override
    public int nodeId()
    {
        return 1;
    }
}
