package io.dsm.access;

import io.dsm.node.CompoundOperation;
import io.dsm.node.SharedVariable;

/**
 * What the rewritten writes and read-modify-writes at a location inside a shared field's value (an array element, a
 * field) do at run time, each atomic across the cluster (reads through the value are method handles composed by
 * {@link SharedFieldBootstrap}): it holds write access while it copies the value, changes the copy and writes
 * it back, so that no other JVM reads or writes the variable in between.
 */
public final class SharedAccess
{
    private SharedAccess()
    {
    }

    /**
     * {@code v.path... = value}: a write of the variable.
     *
     * @param variable the shared variable.
     * @param plan     the path.
     * @param args     the array indices, then the value.
     * @return null.
     */
    static Object store(final SharedVariable variable, final PathPlan plan, final Object[] args)
    {
        variable.update(root ->
        {
            final Object container = plan.follow(root, args, plan.fields.length - 1);
            plan.write(container, args, args[args.length - 1]);
            return root;
        });
        return null;
    }

    /**
     * {@code v.path... op= operand}, {@code v.path...++}, and the like: one read-modify-write of the variable.
     *
     * @param variable the shared variable.
     * @param plan     the path and the operation.
     * @param args     the array indices, then the operands.
     * @return the old or the new value at the location, as the expression leaves it; null when it leaves nothing.
     */
    static Object update(final SharedVariable variable, final PathPlan plan, final Object[] args)
    {
        final Object[] result = new Object[1];
        variable.update(root ->
        {
            final Object container = plan.follow(root, args, plan.fields.length - 1);
            final Object old = plan.read(container, args);
            final Object updated = compute(plan, old, args, plan.indexCount);
            plan.write(container, args, updated);
            result[0] = plan.spec.form == AccessSpec.OLD ? old : updated;
            return root;
        });
        return plan.spec.form == AccessSpec.VOID ? null : result[0];
    }

    /**
     * {@code s += ...} on a String field: one read-modify-write of the variable.
     *
     * @param variable the shared variable.
     * @param plan     the concatenation.
     * @param args     the operands.
     * @return the new value.
     */
    static Object concat(final SharedVariable variable, final PathPlan plan, final Object[] args)
    {
        return variable.update(old -> compute(plan, old, args, 0));
    }

    private static Object compute(final PathPlan plan, final Object old, final Object[] args, final int first)
    {
        if (plan.concat != null)
        {
            final Object[] all = new Object[args.length - first + 1];
            all[0] = old;
            System.arraycopy(args, first, all, 1, args.length - first);
            try
            {
                return plan.concat.invokeWithArguments(all);
            }
            catch (final RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable t)
            {
                throw new IllegalStateException(t);
            }
        }
        final char type = plan.locationType;
        final long oldBits = CompoundOperation.bitsOf(type, old);
        final Object operand = args[first];
        final long operandBits = operand instanceof Double ? Double.doubleToRawLongBits((Double)operand) :
            operand instanceof Float ? Float.floatToRawIntBits((Float)operand) : ((Number)operand).longValue();
        return CompoundOperation.box(type, plan.operation.apply(oldBits, operandBits));
    }
}
