/**
 * The {@code -javaagent}: {@link io.dsm.agent.DsmAgent} (premain, agentmain and the command line), the
 * {@link io.dsm.agent.SharedFieldResolver} that decides which field accesses are shared, and the
 * {@link io.dsm.agent.SharedFieldAccessRewriter} that rewrites them. Depends on Byte Buddy and the runtime.
 */
package io.dsm.agent;
