/**
 * The directory: {@link io.dsm.coordinator.DirectoryStateMachine}, a deterministic state machine (messages and time
 * in, messages out, no I/O of its own, its whole state in a snapshot), and {@link io.dsm.coordinator.CoordinatorServer},
 * which feeds it from Aeron. May import the API ({@code io.dsm}), {@code protocol}, {@code wire}, {@code runtime} and
 * {@code transport}; never {@code node}, {@code access}, {@code values} or the agent.
 */
package io.dsm.coordinator;
