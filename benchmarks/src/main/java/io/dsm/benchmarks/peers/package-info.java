/**
 * The programs benchmarks start as second JVMs: they answer ping-pongs, write, read or increment, and are driven
 * through their standard input and output.
 */
package io.dsm.benchmarks.peers;
