package io.dsm.coordinator;

import io.aeron.security.Authenticator;
import io.aeron.security.SessionProxy;
import io.dsm.protocol.SharedSecret;
import io.dsm.runtime.DsmLog;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.nio.charset.StandardCharsets;

/**
 * Admits to the directory cluster only the sessions that prove they know {@code dsm.secret}: each is sent a random
 * challenge and must answer with its HMAC-SHA256 under the secret ({@link SharedSecret}). Runs in the consensus module
 * of the leader, before a session exists in the log. At most {@link #MAX_PENDING} sessions wait for their answer; more
 * are refused, so that a flood of connection requests cannot grow it without bound.
 */
final class SecretAuthenticator implements Authenticator
{
    static final int MAX_PENDING = 1024;
    private static final byte[] PRINCIPAL = "dsm-node".getBytes(StandardCharsets.US_ASCII);

    private final SharedSecret secret;
    private final Long2ObjectHashMap<byte[]> challenges = new Long2ObjectHashMap<>();
    private final LongHashSet proven = new LongHashSet();
    private final LongHashSet refused = new LongHashSet();
    private long refusals;

    SecretAuthenticator(final SharedSecret secret)
    {
        this.secret = secret;
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        if (challenges.size() + proven.size() >= MAX_PENDING)
        {
            refused.add(sessionId);
        }
    }

    @Override
    public void onConnectedSession(final SessionProxy proxy, final long nowMs)
    {
        final long id = proxy.sessionId();
        if (refused.remove(id))
        {
            refuse(proxy, "too many sessions waiting to authenticate");
            return;
        }
        if (!challenges.containsKey(id))
        {
            final byte[] challenge = SharedSecret.challenge();
            if (proxy.challenge(challenge))
            {
                challenges.put(id, challenge);
            }
        }
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        final byte[] challenge = challenges.remove(sessionId);
        if (challenge != null && secret.verify(challenge, encodedCredentials))
        {
            proven.add(sessionId);
        }
        else
        {
            refused.add(sessionId);
        }
    }

    @Override
    public void onChallengedSession(final SessionProxy proxy, final long nowMs)
    {
        final long id = proxy.sessionId();
        if (proven.remove(id))
        {
            proxy.authenticate(PRINCIPAL);
        }
        else if (refused.remove(id))
        {
            refuse(proxy, "its answer does not prove dsm.secret");
        }
    }

    private void refuse(final SessionProxy proxy, final String why)
    {
        refusals++;
        DsmLog.rateLimited(DsmLog.Level.WARN, "directory-refused", "directory refused cluster session " +
            proxy.sessionId() + ": " + why + " (" + refusals + " refused so far)");
        proxy.reject();
    }
}
