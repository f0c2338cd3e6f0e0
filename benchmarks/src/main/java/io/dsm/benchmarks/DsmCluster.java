package io.dsm.benchmarks;

import io.dsm.benchmarks.peers.DsmPeer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a dsm benchmark sets up: a coordinator on a fresh port, this JVM pointed at it, and peer JVMs running
 * {@link DsmPeer}. Closing leaves the cluster, then stops the peers and the coordinator.
 */
public final class DsmCluster implements AutoCloseable
{
    private final int port;
    private final PeerProcess coordinator;
    private final List<PeerProcess> peers = new ArrayList<>();

    private DsmCluster(final String replication)
    {
        System.setProperty("dsm.replication", replication);
        port = PeerProcess.freePort();
        coordinator = PeerProcess.coordinator(port);
        DsmSettings.applyHere(port);
    }

    /** @return a running coordinator, with this JVM configured to join it. */
    public static DsmCluster start()
    {
        return start("invalidate");
    }

    /**
     * @param replication {@code dsm.replication} of every JVM in the cluster: invalidate or update.
     * @return a running coordinator, with this JVM configured to join it.
     */
    public static DsmCluster start(final String replication)
    {
        return new DsmCluster(replication);
    }

    /** Starts a peer JVM with {@code DsmPeer args} and waits until it is ready. */
    public PeerProcess peer(final String label, final String... args)
    {
        final PeerProcess peer = PeerProcess.dsmPeer(label, port, DsmPeer.class, args);
        peers.add(peer);
        peer.await("ready", 60);
        return peer;
    }

    /** @return the coordinator's and the peers' processes, for CPU accounting. */
    public List<ProcessHandle> processes()
    {
        final List<ProcessHandle> all = new ArrayList<>();
        all.add(coordinator.handle());
        peers.forEach(p -> all.add(p.handle()));
        return all;
    }

    @Override
    public void close()
    {
        peers.forEach(PeerProcess::close);
        DsmSettings.leaveCluster();
        coordinator.close();
    }
}
