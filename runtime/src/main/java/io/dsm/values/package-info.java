/**
 * How values cross the wire: {@link io.dsm.values.ValueCodec} serializes a whole value with Chronicle Wire, and
 * {@link io.dsm.values.AllowList} decides which classes a received value may name. May import the API (its
 * exceptions) and Chronicle Wire only, and {@code sun.reflect.ReflectionFactory} (an application object is built
 * without running its constructor, as Java serialization builds it). {@code io.dsm.ArchitectureTest} checks these
 * rules for every runtime package.
 */
package io.dsm.values;
