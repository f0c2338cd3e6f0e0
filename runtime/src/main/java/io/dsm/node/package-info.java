/**
 * A node of the cluster: the local replicas ({@link io.dsm.node.SharedVariable}, {@link io.dsm.node.ReplicaTable}),
 * the replica and ownership protocol as a pure state machine ({@link io.dsm.node.NodeProtocol}), and the backends
 * that serve the slow paths: {@link io.dsm.node.DsmNode} over Aeron, or {@link io.dsm.node.LocalBackend} in one JVM.
 * May import the API, {@code protocol}, {@code wire}, {@code values}, {@code runtime}, {@code transport}, and
 * {@code coordinator} only to start an embedded directory; never {@code access} or the agent.
 */
package io.dsm.node;
