/**
 * How values cross the wire: {@link io.dsm.values.ValueCodec} serializes a whole value with Chronicle Wire, and
 * {@link io.dsm.values.AllowList} decides which classes a received value may name. May import the API (its
 * exceptions) and Chronicle Wire only.
 */
package io.dsm.values;
