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
    /**
     * Keep write access, hand the current value over, and from now on push every write through the coordinator to
     * the readers (update mode): another node wants to read and asked for updates.
     */
    public static final int SHARE = 2;

    private HaltMode()
    {
    }
}
