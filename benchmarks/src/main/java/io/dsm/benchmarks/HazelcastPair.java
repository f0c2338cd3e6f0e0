package io.dsm.benchmarks;

import com.hazelcast.core.HazelcastInstance;
import io.dsm.benchmarks.peers.HazelcastPeer;

/** A Hazelcast member in a peer JVM ({@link HazelcastPeer} with a role) and a client in this JVM. */
public final class HazelcastPair implements AutoCloseable
{
    private final PeerProcess member;
    final HazelcastInstance client;

    private HazelcastPair(final String... role)
    {
        final int port = PeerProcess.freePort();
        final String[] args = new String[role.length + 1];
        args[0] = String.valueOf(port);
        System.arraycopy(role, 0, args, 1, role.length);
        member = PeerProcess.plainPeer("hazelcast", HazelcastPeer.class, args);
        member.await("member ready", 60);
        client = HazelcastSupport.client(port);
    }

    /** Starts a member with {@code role} (see {@link HazelcastPeer}) and connects a client. */
    public static HazelcastPair start(final String... role)
    {
        return new HazelcastPair(role);
    }

    @Override
    public void close()
    {
        client.shutdown();
        member.close();
    }
}
