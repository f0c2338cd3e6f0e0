/**
 * A node of the cluster: the local replicas ({@link io.dsm.node.SharedVariable}, {@link io.dsm.node.ReplicaTable}),
 * and the backends that serve their slow paths: {@link io.dsm.node.DsmNode} over Aeron, or
 * {@link io.dsm.node.LocalBackend} in one JVM. Depends on the protocol, values, transport and runtime packages.
 */
package io.dsm.node;
