/**
 * dsm's wire protocol: message types, the header, and the flyweight writer and reader over Agrona buffers. Every
 * layout is drawn in docs/PROTOCOL.md. Depends on Agrona only; a malformed message raises
 * {@link io.dsm.protocol.MalformedMessageException} and never anything else.
 */
package io.dsm.protocol;
