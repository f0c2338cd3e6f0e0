/**
 * A JUnit 5 test kit for code that shares fields with dsm: {@link io.dsm.test.DsmExtension} gives a test a
 * {@link io.dsm.test.DsmCluster}, which runs the test's own classes in several JVMs with the real agent and its own
 * directory, captures what each prints, bounds every wait, and stops every process it started when the test ends.
 */
package io.dsm.test;
