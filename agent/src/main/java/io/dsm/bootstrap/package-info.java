/**
 * What the agent defines in the JVM's bootstrap class loader: {@link io.dsm.bootstrap.Linker}, which every call site
 * the agent writes into an application class links through, so that a class defined by any class loader (child-first,
 * isolated, a fat jar's, a named module's) reaches the one runtime of the JVM. Imports nothing but the JDK.
 */
package io.dsm.bootstrap;
