package io.dsm.values;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A value that cannot be written or read, with why, and where inside the value ({@code .next.next}, {@code [3]},
 * {@code {key}}) the fault lies.
 */
public final class CodecException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final Deque<String> path = new ArrayDeque<>();

    CodecException(final String reason)
    {
        super(reason);
        this.reason = reason;
    }

    CodecException(final String reason, final Throwable cause)
    {
        super(reason, cause);
        this.reason = reason;
    }

    /** Adds the step that led from the enclosing value to where the fault lies; returns this. */
    CodecException at(final String step)
    {
        path.addFirst(step);
        return this;
    }

    /** @return the path inside the value, such as {@code .owner.addresses[2]}; empty at the top. */
    public String path()
    {
        return String.join("", path);
    }

    /** @return why, without the path. */
    public String reason()
    {
        return reason;
    }

    @Override
    public String getMessage()
    {
        return path.isEmpty() ? reason : "at " + path() + ": " + reason;
    }
}
