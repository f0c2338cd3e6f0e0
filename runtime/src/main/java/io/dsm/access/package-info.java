/**
 * The link between rewritten call sites and the runtime: {@link io.dsm.access.SharedFieldBootstrap} is the
 * {@code invokedynamic} bootstrap that binds each rewritten field access, once, to its
 * {@link io.dsm.node.SharedVariable}. Depends on the node package.
 */
package io.dsm.access;
