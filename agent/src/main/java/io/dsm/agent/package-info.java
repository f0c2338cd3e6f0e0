/**
 * The {@code -javaagent}: {@link io.dsm.agent.DsmAgent} (premain and agentmain) with its
 * {@link io.dsm.agent.LazyTransformer}, {@link io.dsm.agent.ClassFileScan} and
 * {@link io.dsm.agent.ClassRewriting}, the
 * {@link io.dsm.agent.SharedFieldResolver} that decides which field accesses are shared, the
 * {@link io.dsm.agent.SharedFieldAccessRewriter} that rewrites them. May import Byte Buddy, {@code runtime},
 * {@code access} and {@code values} (the names the rewritten code links to); never {@code node}. The command line
 * ({@code java -jar dsm-agent.jar}) is {@code io.dsm.cli}.
 */
package io.dsm.agent;
