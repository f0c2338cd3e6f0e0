package io.dsm.protocol;

/**
 * What a {@link MessageType#HALT} asks of a replica.
 */
public final class HaltMode
{
    /** Drop the replica: another node is about to write. */
    public static final int INVALIDATE = 0;
    /** Keep the replica for reading but give up write access: another node wants to read. */
    public static final int DOWNGRADE = 1;

    private HaltMode()
    {
    }
}
