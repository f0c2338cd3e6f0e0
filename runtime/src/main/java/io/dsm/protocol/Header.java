package io.dsm.protocol;

/**
 * The header at the start of every message (little-endian):
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |  magic 0x44   |   version 1   |          type code            |
 *  +---------------+---------------+-------------------------------+
 *  |                       sender node id                          |
 *  +---------------------------------------------------------------+
 *  |                       correlation id                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       body ...                                |
 * </pre>
 */
public final class Header
{
    /** First byte of every message: 'D'. */
    public static final byte MAGIC = 0x44;
    /** Protocol version this build speaks. */
    public static final byte VERSION = 1;
    /** Offset of the magic byte. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the version byte. */
    public static final int VERSION_OFFSET = 1;
    /** Offset of the 16-bit type code. */
    public static final int TYPE_OFFSET = 2;
    /** Offset of the 32-bit sender node id (0 before the node has one, and for the coordinator). */
    public static final int SENDER_OFFSET = 4;
    /** Offset of the 64-bit correlation id. */
    public static final int CORRELATION_OFFSET = 8;
    /** Length of the header; the body starts here. */
    public static final int LENGTH = 16;
    /** Longest string the protocol accepts, in bytes of UTF-8. */
    public static final int MAX_STRING_LENGTH = 16 * 1024;

    private Header()
    {
    }
}
