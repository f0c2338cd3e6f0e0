package io.dsm.protocol;

/**
 * A received message does not follow the protocol. The receiver drops the message, counts it and logs a
 * rate-limited line; it never fails because of it.
 */
public final class MalformedMessageException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the message.
     */
    public MalformedMessageException(final String message)
    {
        super(message, null, false, false);
    }
}
