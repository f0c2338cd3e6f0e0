package io.dsm.protocol;

/**
 * What a {@link MessageType#METADATA} broadcast announces.
 */
public final class MetadataEvent
{
    /** A variable was created. */
    public static final int CREATED = 1;
    /** A variable was deleted. */
    public static final int DELETED = 2;
    /** A variable's write access moved to another node (or back to the coordinator, owner 0). */
    public static final int OWNER = 3;

    private MetadataEvent()
    {
    }
}
