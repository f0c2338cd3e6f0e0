/**
 * The public API of dsm: the {@link io.dsm.Shared} and {@link io.dsm.SharedId} annotations, the {@link io.dsm.Dsm}
 * facade for explicit operations, and the exceptions dsm throws. Everything else is internal.
 */
package io.dsm;
