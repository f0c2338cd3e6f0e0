/**
 * The command line, {@code java -jar dsm-agent.jar} (picocli): {@link io.dsm.cli.CommandLine} runs a directory member,
 * a shared media driver and the configuration report; {@link io.dsm.cli.ClusterCommands} are the read-only views of a
 * running cluster, which join it as an observer node. May import {@code coordinator}, {@code node} (the observer),
 * {@code runtime} and the API; the agent ({@code io.dsm.agent}) never imports this package.
 */
package io.dsm.cli;
