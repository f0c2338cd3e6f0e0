package io.dsm;

/**
 * A member of the cluster: a JVM with the agent that joined it.
 *
 * @param nodeId      its node id, unique in the cluster while it is a member.
 * @param pid         its process id.
 * @param description how it described itself when it joined (process and host).
 * @param self        whether it is this JVM.
 * @param since       when the directory admitted it (its clock), or null when the directory did not say (a directory
 *                    of an earlier version, or the deprecated classic engine); this JVM's own join is the welcome's.
 */
public record Member(int nodeId, long pid, String description, boolean self, java.time.Instant since)
{
}
