/**
 * The {@code -javaagent}: {@link io.dsm.agent.DsmAgent} (premain and agentmain) with its
 * {@link io.dsm.agent.LazyTransformer} and {@link io.dsm.agent.ClassFileScan}, {@link io.dsm.agent.CommandLine}
 * ({@code java -jar dsm-agent.jar}), the
 * {@link io.dsm.agent.SharedFieldResolver} that decides which field accesses are shared, and the
 * {@link io.dsm.agent.SharedFieldAccessRewriter} that rewrites them. Depends on Byte Buddy and the runtime.
 */
package io.dsm.agent;
