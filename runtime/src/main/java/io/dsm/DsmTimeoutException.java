package io.dsm;

/**
 * An operation needed a peer (the coordinator, or a node holding a replica) that did not answer within the configured
 * timeout ({@code dsm.timeout.ms}). The message names the variable and the peer. The operation had no effect that is
 * visible to other nodes, except that a write-access request may still be granted later, in which case this node
 * simply holds write access.
 */
public class DsmTimeoutException extends DsmException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what timed out, naming the variable and the peer.
     */
    public DsmTimeoutException(final String message)
    {
        super(message);
    }
}
