/**
 * Aeron plumbing for dsm: an embedded (or external) media driver and the client driven from one thread, sends that
 * never block or drop ({@link io.dsm.transport.Destination}), messages of any length in chunks
 * ({@link io.dsm.transport.MessageAssembler}), the doorbell and the idle strategies. May import Aeron and Agrona
 * only; knows nothing of dsm's protocol.
 */
package io.dsm.transport;
