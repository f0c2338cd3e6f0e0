/**
 * Aeron plumbing for dsm: an embedded (or external) media driver, the client, and the idle strategy that
 * drives both from one thread. Depends on Aeron and Agrona only; knows nothing of dsm's protocol.
 */
package io.dsm.transport;
