package io.dsm;

/**
 * What the coordinator knows of one shared variable, as returned by {@link Dsm#variables()}.
 *
 * @param name        the variable's name.
 * @param type        the declared type of the fields that share it (binary class name).
 * @param owner       the node that holds write access, or 0 when no node does (the coordinator holds the value).
 * @param version     how many writes the variable has seen since it was created; 0 if never written.
 * @param replicas    how many nodes hold a valid replica.
 * @param valueBytes  size of the last serialized value the coordinator holds, -1 if none yet.
 */
public record VariableInfo(String name, String type, int owner, long version, int replicas, int valueBytes)
{
}
