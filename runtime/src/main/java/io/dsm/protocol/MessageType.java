package io.dsm.protocol;

/**
 * Every message of the protocol, with its wire code. Codes 1-31 go from a node to the coordinator, 32-63 from the
 * coordinator to a node. The seed protocol's operation each one carries is named in docs/PROTOCOL.md.
 */
public enum MessageType
{
    /** Node joins; seed "subscribe to network". */
    HELLO(1),
    /** Node leaves gracefully, after handing back what it holds. */
    LEAVE(2),
    /** Node asks for the current value and a replica; seed "get shared var". */
    READ(3),
    /** Node asks for write access; seed "get write access". */
    WRITE(4),
    /** Node gives up write access and hands back its value; seed "revoke write access". */
    RELEASE(5),
    /** Node deletes a variable everywhere; seed "revoke shared var". */
    DELETE(6),
    /** Node asks for the variable list; seed "get list of shared vars". */
    LIST(7),
    /** Node sets the initial value if the variable was never written; seed "set shared var". */
    INIT(8),
    /** Node acknowledges a halt, with its value if it was the writer. */
    HALT_ACK(9),
    /** Node is alive. */
    HEARTBEAT(10),
    /** The writer of a variable that has readers pushes one write; the coordinator forwards it. */
    PUSH(11),
    /** A reader applied an {@link #UPDATE}. */
    UPDATE_ACK(12),

    /** Coordinator assigns a node id. */
    WELCOME(32),
    /** Coordinator answers READ or INIT with the current value; the node now holds a replica. */
    VALUE(33),
    /** Coordinator grants write access, with the value if the node's replica was not current. */
    GRANT(34),
    /** Coordinator halts a replica; seed "halt read". */
    HALT(35),
    /** Coordinator broadcasts a change of metadata; seed "update variable metadata". */
    METADATA(36),
    /** Coordinator answers LIST. */
    LIST_REPLY(37),
    /** Coordinator acknowledges RELEASE, DELETE or LEAVE. */
    ACK(38),
    /** Coordinator reports that a request failed. */
    ERROR(39),
    /** Coordinator acknowledges a heartbeat. */
    HEARTBEAT_ACK(40),
    /** A pushed write, forwarded to a reader (the seed's "update variable"). */
    UPDATE(41),
    /** Every reader applied the writer's {@link #PUSH}. */
    PUSHED(42);

    private static final MessageType[] BY_CODE = new MessageType[64];

    static
    {
        for (final MessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    MessageType(final int code)
    {
        this.code = code;
    }

    /**
     * @return the wire code.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a wire code.
     * @return the type, or null when the code is unknown.
     */
    public static MessageType of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
