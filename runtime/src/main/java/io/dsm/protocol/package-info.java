/**
 * What every receiver of dsm's wire protocol shares: {@link io.dsm.protocol.Wire} checks a message's header against
 * the schema (the generated codecs are in {@code io.dsm.wire}, the layouts in docs/PROTOCOL.md), and a malformed
 * message raises {@link io.dsm.protocol.MalformedMessageException} and never anything else. May import {@code wire}
 * and Agrona only.
 */
package io.dsm.protocol;
