package io.dsm.protocol;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The secret every member of a cluster is given ({@code dsm.secret}, or the {@code DSM_SECRET} environment variable).
 * A member proves it knows the secret by answering a random challenge with its HMAC-SHA256 under the secret; the
 * secret itself never travels. docs/SECURITY.md says what this protects and what it does not.
 */
public final class SharedSecret
{
    /** What a node presents before it is challenged: the scheme it answers with. */
    public static final byte[] SCHEME = "dsm-hmac-sha256-v1".getBytes(StandardCharsets.US_ASCII);
    private static final String ALGORITHM = "HmacSHA256";
    private static final int CHALLENGE_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /**
     * @param secret the secret; at least 16 characters.
     * @throws IllegalArgumentException when it is shorter, without repeating it.
     */
    public SharedSecret(final String secret)
    {
        if (secret == null || secret.length() < 16)
        {
            throw new IllegalArgumentException("dsm.secret must be at least 16 characters long (it has " +
                (secret == null ? 0 : secret.length()) + ")");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** @return a fresh random challenge. */
    public static byte[] challenge()
    {
        final byte[] challenge = new byte[CHALLENGE_BYTES];
        RANDOM.nextBytes(challenge);
        return challenge;
    }

    /**
     * @param challenge what the other side sent.
     * @return the proof of knowing the secret: HMAC-SHA256 of the challenge.
     */
    public byte[] prove(final byte[] challenge)
    {
        try
        {
            final Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(challenge);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", ex);
        }
    }

    /**
     * @param challenge the challenge that was sent.
     * @param proof     the answer that came back.
     * @return whether the answer proves the secret (compared in constant time).
     */
    public boolean verify(final byte[] challenge, final byte[] proof)
    {
        return proof != null && MessageDigest.isEqual(prove(challenge), proof);
    }

    /**
     * @param purpose what the key is for (a constant string); each purpose gets a key of its own.
     * @return a key derived from the secret for that purpose (HMAC-SHA256 of the purpose under the secret).
     */
    public byte[] derive(final String purpose)
    {
        return prove(purpose.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString()
    {
        return "SharedSecret{<hidden>}";
    }
}
