package io.dsm;

/**
 * A dsm operation could not be carried out. The message names the variable, node or message at fault.
 */
public class DsmException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the variable, node or message.
     */
    public DsmException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, naming the variable, node or message.
     * @param cause   the underlying failure.
     */
    public DsmException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
