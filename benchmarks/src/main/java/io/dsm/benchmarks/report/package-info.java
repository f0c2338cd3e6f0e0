/**
 * Turns the suite's JMH JSON into {@code docs/bench/REPORT.md} and the latency chart {@code latency.png}.
 */
package io.dsm.benchmarks.report;
