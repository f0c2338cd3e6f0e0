/**
 * Cross-cutting pieces of the runtime: the one {@link io.dsm.runtime.Configuration} table of every {@code dsm.*}
 * key, and {@link io.dsm.runtime.DsmLog}, the quiet, rate-limited logger. May import the JDK only.
 */
package io.dsm.runtime;
