package io.dsm;

/**
 * A change in place was attempted on a value read from a {@link Shared} field. Shared values are snapshots: a
 * collection read from a shared field is immutable, because a change made to it in one JVM would not reach the
 * others. The message names the variable and says how to change it instead: assign a new value to the field, or use
 * {@link Dsm#mutate(String, java.util.function.Consumer)} to change it atomically across the cluster.
 * <p>
 * It is an {@link UnsupportedOperationException}, as the collection contracts require of an unmodifiable collection.
 */
public class ImmutableValueException extends UnsupportedOperationException
{
    private static final long serialVersionUID = 1L;

    private final String variable;

    /**
     * @param variable  the shared variable whose value was to be changed.
     * @param operation the operation that would have changed it, e.g. {@code List.add}.
     */
    public ImmutableValueException(final String variable, final String operation)
    {
        super(operation + " on the value of shared variable '" + variable + "': a value read from a @Shared field " +
            "is an immutable snapshot, so a change in place would stay in this JVM. Assign a new value to the " +
            "field, or change it atomically across JVMs with Dsm.mutate(\"" + variable + "\", v -> ...)");
        this.variable = variable;
    }

    /**
     * @return the variable whose value was to be changed.
     */
    public String variable()
    {
        return variable;
    }
}
