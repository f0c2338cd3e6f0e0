package io.dsm.protocol;

/**
 * Codes carried by {@link MessageType#ERROR}.
 */
public final class ErrorCode
{
    /** The request waited longer than its timeout, usually for a node that did not acknowledge a halt. */
    public static final int TIMEOUT = 1;
    /** The sender is not a member (never joined, or was evicted): it must join again. */
    public static final int UNKNOWN_NODE = 2;
    /** The variable exists with another declared type. */
    public static final int TYPE_MISMATCH = 3;
    /** The request cannot be carried out as asked. */
    public static final int BAD_REQUEST = 4;

    private ErrorCode()
    {
    }
}
