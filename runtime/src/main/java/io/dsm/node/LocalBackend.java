package io.dsm.node;

import io.dsm.VariableInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * The backend of {@code dsm.mode=local}: one JVM, no network. Every variable is held with write access by this
 * JVM, so shared fields behave as volatile fields; meant for unit tests of applications that use {@code @Shared}.
 */
public final class LocalBackend implements Backend
{
    @Override
    public Object readMiss(final SharedVariable variable)
    {
        variable.lock();
        try
        {
            if (variable.value == SharedVariable.INVALID)
            {
                variable.install(variable.declaration.defaultValue);
                variable.access = SharedVariable.WRITE;
            }
            return variable.current();
        }
        finally
        {
            variable.unlock();
        }
    }

    @Override
    public void acquireWrite(final SharedVariable variable)
    {
        variable.lock();
        try
        {
            if (variable.value == SharedVariable.INVALID)
            {
                variable.install(variable.declaration.defaultValue);
            }
            variable.access = SharedVariable.WRITE;
            variable.reserved++;
        }
        finally
        {
            variable.unlock();
        }
    }

    @Override
    public void writeWithReaders(final SharedVariable variable, final Object newValue)
    {
        // One JVM has no readers.
        variable.install(newValue);
        variable.version++;
        variable.hasReaders = false;
    }

    @Override
    public void init(final SharedVariable variable, final Object value)
    {
        variable.lock();
        try
        {
            if (variable.version == 0)
            {
                variable.install(value);
                variable.version = 1;
                variable.access = SharedVariable.WRITE;
            }
        }
        finally
        {
            variable.unlock();
        }
    }

    @Override
    public void releaseWrite(final SharedVariable variable)
    {
        // One JVM: write access never leaves.
    }

    @Override
    public void delete(final String name)
    {
        final SharedVariable variable = ReplicaTable.find(name);
        if (variable != null)
        {
            variable.lock();
            try
            {
                variable.invalidateLocally();
            }
            finally
            {
                variable.unlock();
            }
        }
    }

    @Override
    public List<VariableInfo> variables()
    {
        final List<VariableInfo> result = new ArrayList<>();
        for (final SharedVariable v : ReplicaTable.all())
        {
            if (v.value != SharedVariable.INVALID)
            {
                result.add(new VariableInfo(v.name(), v.declaration.type.getName(), 0, v.version, 1, -1));
            }
        }
        result.sort((a, b) -> a.name().compareTo(b.name()));
        return result;
    }

    @Override
    public int nodeId()
    {
        return 0;
    }
}
