/**
 * Small programs that show dsm working across several JVMs; {@code samples/demo.sh} starts them. They depend on
 * the public API only ({@code io.dsm}).
 */
package io.dsm.samples;
