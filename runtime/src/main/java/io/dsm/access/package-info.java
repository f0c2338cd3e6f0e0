/**
 * The link between rewritten call sites and the runtime: {@link io.dsm.access.SharedFieldBootstrap} is the
 * {@code invokedynamic} bootstrap that binds each rewritten field access, once, to its
 * {@link io.dsm.node.SharedVariable}. May import the API, {@code node} and {@code values}.
 */
package io.dsm.access;
