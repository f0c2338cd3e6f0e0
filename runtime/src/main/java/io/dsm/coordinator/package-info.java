/**
 * The coordinator: {@link io.dsm.coordinator.CoordinatorStateMachine}, a deterministic state machine (messages and
 * time in, messages out, no I/O of its own), and {@link io.dsm.coordinator.CoordinatorServer}, which feeds it from
 * Aeron. Depends on the protocol and transport packages, never on the node.
 */
package io.dsm.coordinator;
