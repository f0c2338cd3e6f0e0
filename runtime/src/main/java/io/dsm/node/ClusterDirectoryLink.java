package io.dsm.node;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import io.dsm.protocol.Chunks;
import io.dsm.protocol.MalformedMessageException;
import io.dsm.protocol.SharedSecret;
import io.dsm.protocol.Wire;
import io.dsm.runtime.DsmLog;
import io.dsm.transport.Doorbell;
import io.dsm.wire.ChunkDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A session with the directory's Aeron Cluster: the node's control messages go in through the cluster's ingress
 * ({@link AeronCluster#offer}), the directory's answers come back on the session's egress. The client shares the node's
 * Aeron client and is driven by the node's duty cycle ({@link AeronCluster#asyncConnect}: nothing here blocks).
 * <p>
 * A session that closes (the directory restarted, or timed the session out) is opened again, and {@link
 * #reconnected()} tells the node to say hello again on it. Messages wait in order while there is no session. A
 * message longer than the cluster takes in one (an eighth of the term length, less its session header) goes as
 * {@link Chunks}, and the directory's long answers come back the same way.
 */
final class ClusterDirectoryLink implements DirectoryLink
{
    private static final long RETRY_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** A message in chunks that moves no further for this long is stalled; see {@link #isTransferring()}. */
    private static final long TRANSFER_STALL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** One attempt to open a session: a directory that is starting answers the next one. */
    private static final long CONNECT_ATTEMPT_NS = TimeUnit.SECONDS.toNanos(2);
    /**
     * A session that just moved to a new leader is given this long to be answered before the node opens another
     * beside it (what it re-sent to the new leader is answered in milliseconds).
     */
    private static final long MOVED_GRACE_NS = TimeUnit.SECONDS.toNanos(1);
    /** An ingress that stays not connected this long means the member went away: connect again. */
    private static final long NOT_CONNECTED_NS = TimeUnit.SECONDS.toNanos(2);

    /** Where the directory's answers go. */
    interface Receiver
    {
        void onMessage(DirectBuffer buffer, int offset, int length);
    }

    private final AeronCluster.Context template;
    private final String endpoints;
    private final Chunks.Assembler chunks;
    private final Wire egressWire = new Wire();
    private final IngressQueue queue;
    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private long retryAtNs;
    private long notConnectedSinceNs;
    private boolean hadSession;
    private boolean newLeader;
    /** A new session is wanted beside the current one (it went silent), until one opens or the old one moves. */
    private boolean wantSession;
    /** When the session last moved to a new leader (its new leader event), or 0. */
    private long movedNs;

    private boolean reconnected;
    /** When the current session opened. */
    private long openedNs;
    /** The directory's doorbell (a one-member directory sleeps on it), or null. */
    private InetSocketAddress directoryBell;
    /** Something was offered since the last ring. */
    private boolean unrung;
    /** When a chunk last came, or 0. */
    private long lastChunkInNs;
    /** Why the directory refused the last session, or null. */
    private String refusal;

    /**
     * @param aeron      the node's Aeron client, invoked by its duty cycle.
     * @param driver     the node's embedded media driver's invoker, or null: run while the cluster client waits inside
     *                   a call (taking a new leader's ingress). Without it the driver stood still meanwhile, the wait
     *                   timed out and the session closed, 2 s after every fail-over.
     * @param endpoints  the members' ingress endpoints, {@code 0=host:port,1=host:port,...}.
     * @param nodeHost   the address the node receives the egress on.
     * @param termLength term length of the ingress and egress: the largest message is an eighth of it.
     * @param maxWhole   the longest message, in chunks, taken from the directory.
     * @param timeoutNs  how long a connection attempt may take.
     * @param receiver   where the directory's answers go.
     */
    ClusterDirectoryLink(final Aeron aeron, final AgentInvoker driver, final String endpoints, final String nodeHost,
        final int termLength,
        final int maxWhole, final long timeoutNs, final SharedSecret secret, final Receiver receiver)
    {
        this.endpoints = endpoints;
        this.queue = new IngressQueue(termLength / 8 - AeronCluster.SESSION_HEADER_LENGTH, System::nanoTime);

        this.chunks = new Chunks.Assembler(maxWhole);
        final EgressListener listener = new EgressListener()
        {
            @Override
            public void onMessage(final long sessionId, final long timestamp, final DirectBuffer buffer,
                final int offset, final int length, final Header header)
            {
                try
                {
                    if (egressWire.open(buffer, offset, length) == ChunkDecoder.TEMPLATE_ID)
                    {
                        lastChunkInNs = System.nanoTime();
                        final DirectBuffer whole = chunks.onChunk(sessionId, egressWire);
                        if (whole != null)
                        {
                            receiver.onMessage(whole, 0, whole.capacity());
                        }
                        return;
                    }
                }
                catch (final MalformedMessageException ex)
                {
                    DsmLog.rateLimited(DsmLog.Level.WARN, "node-directory-chunk", "node: dropped a message from " +
                        "the directory at " + endpoints + ": " + ex.getMessage());
                    return;
                }
                receiver.onMessage(buffer, offset, length);
            }

            @Override
            public void onNewLeader(final long sessionId, final long leadershipTermId, final int leaderMemberId,
                final String ingressEndpoints)
            {
                newLeader = true;
            }
        };
        this.template = new AeronCluster.Context()
            .aeron(aeron)
            .agentInvoker(driver)
            .ownsAeronClient(false)
            .ingressChannel("aeron:udp?term-length=" + termLength)
            .ingressEndpoints(endpoints)
            .egressChannel("aeron:udp?endpoint=" + nodeHost + ":0|term-length=" + termLength)
            .egressListener(listener)
            .messageTimeoutNs(Math.min(timeoutNs, CONNECT_ATTEMPT_NS))
            .errorHandler(t -> DsmLog.rateLimited(DsmLog.Level.WARN, "node-directory-session",
                "node: directory session at " + endpoints + ": " + t));
        if (secret != null)
        {
            template.credentialsSupplier(new CredentialsSupplier()
            {
                @Override
                public byte[] encodedCredentials()
                {
                    return SharedSecret.SCHEME;
                }

                @Override
                public byte[] onChallenge(final byte[] challenge)
                {
                    return secret.prove(challenge);
                }
            });
        }
    }

    @Override
    public void send(final DirectBuffer buffer, final int offset, final int length)
    {
        queue.add(buffer, offset, length);
        flush();
    }

    @Override
    public void sendUrgent(final DirectBuffer buffer, final int offset, final int length)
    {
        // A heartbeat goes before what waits (a large value in chunks, say): it keeps the lease.
        queue.addUrgent(buffer, offset, length);
        flush();
    }

    @Override
    public void sendFirst(final DirectBuffer buffer, final int offset, final int length)
    {
        queue.addFirst(buffer, offset, length);
        flush();
    }

    @Override
    public int poll()
    {
        int work = 0;
        final long nowNs = System.nanoTime();
        if (cluster != null)
        {
            work += cluster.pollEgress();
            if (newLeader)
            {
                newLeader = false;
                movedNs = nowNs;
                queue.newLeader();
                resendRecent();
                wantSession = false;
                if (connecting != null)
                {
                    // The session outlived its leader: the new one took it over. The new session is not needed.
                    DsmLog.info("node: directory session " + cluster.clusterSessionId() + " moved to a new leader; " +
                        "not opening another");
                    CloseHelper.quietClose(connecting);
                    connecting = null;
                }
            }
            if (cluster.isClosed())
            {
                DsmLog.info("node: the directory closed its session " + cluster.clusterSessionId() +
                    "; connecting again to " + endpoints);
                drop();
            }
        }
        if (connecting == null)
        {
            if ((cluster != null && !wantSession) || nowNs - retryAtNs < 0)
            {
                return work;
            }
            connecting = AeronCluster.asyncConnect(template.clone());
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (connected == null)
            {
                return work + 1; // connecting: keep stepping it rather than sleep
            }
            connecting = null;
            wantSession = false;
            if (cluster != null)
            {
                // Opened beside a session that had gone silent: the new one takes over.
                chunks.discard(cluster.clusterSessionId());
                CloseHelper.quietClose(cluster);
            }
            cluster = connected;
            notConnectedSinceNs = 0;
            openedNs = nowNs;
            if (hadSession)
            {
                // What the old session took lately may not have reached the log: it goes again, in order, before
                // what waits; the node's hello goes before all of it (sendFirst), to bind the new session.
                resendRecent();
                reconnected = true;
                DsmLog.info("node: directory session " + connected.clusterSessionId() + " open at " + endpoints);
            }
            hadSession = true;
            return work + 1;
        }
        catch (final AuthenticationException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            retryAtNs = nowNs + RETRY_NS;
            refusal = "the directory at " + endpoints + " refused this node's session (" + ex.getMessage() +
                "): is dsm.secret (or DSM_SECRET) the same as the directory's?";
            DsmLog.rateLimited(DsmLog.Level.ERROR, "node-directory-refused", "node: " + refusal);
            return work;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            retryAtNs = nowNs + RETRY_NS;
            // Before the first session, the directory may still be starting (this JVM may have just started it): the
            // join's deadline reports a directory that never answers.
            DsmLog.rateLimited(hadSession ? DsmLog.Level.WARN : DsmLog.Level.INFO, "node-directory-connect",
                "node: no directory session at " +
                endpoints + " yet: " + ex.getMessage());
            return work;
        }
    }

    /** A new leader or session: what was offered lately goes again, whole and in order, before what waits. */
    private void resendRecent()
    {
        DsmLog.info("node: a new directory leader or session; sending the last " + queue.resendRecent() +
            " messages again");
    }

    @Override
    public void reconnect()
    {
        if (cluster != null && connecting == null &&
            (movedNs == 0 || System.nanoTime() - movedNs > MOVED_GRACE_NS))
        {
            // The session stays open meanwhile: after a leader's death the new leader takes it over (a new leader
            // event), which is quicker than a new session, which no member admits until a leader is elected.
            // Whichever comes first serves.
            DsmLog.info("node: no answer on directory session " + cluster.clusterSessionId() + "; opening another " +
                "at " + endpoints + " beside it");
            // Tried again every RETRY_NS until one opens (an attempt during an election or a restart times out).
            wantSession = true;
            connecting = AeronCluster.asyncConnect(template.clone());
        }
    }

    private void drop()
    {
        if (cluster != null)
        {
            chunks.discard(cluster.clusterSessionId());
        }
        CloseHelper.quietClose(cluster);
        cluster = null;
        retryAtNs = System.nanoTime();
    }

    @Override
    public int flush()
    {
        if (cluster == null || queue.size() == 0)
        {
            return 0;
        }
        final AeronCluster session = cluster;
        final int work = queue.flush(session::offer, session.clusterSessionId());
        if (work > 0)
        {
            unrung = true;
            notConnectedSinceNs = 0;
        }
        final long result = queue.lastResult();
        if (queue.size() > 0 && (result == Publication.NOT_CONNECTED || result == Publication.CLOSED))
        {
            final long nowNs = System.nanoTime();
            if (notConnectedSinceNs == 0)
            {
                notConnectedSinceNs = nowNs;
            }
            else if (nowNs - notConnectedSinceNs > NOT_CONNECTED_NS)
            {
                DsmLog.info("node: the directory at " + endpoints + " has not taken a message for " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - notConnectedSinceNs) + " ms; connecting again");
                drop();
            }
        }
        return work;
    }

    @Override
    public int queued()
    {
        // Without a session, messages wait for poll() to open one (every 250 ms): not a reason to spin.
        return cluster == null ? 0 : queue.size();
    }

    @Override
    public boolean isTransferring()
    {
        // A message in chunks moved lately: requests that may wait behind it count their time from now. A message
        // partly in that stopped moving (the directory gave up on it) stops counting after TRANSFER_STALL_NS.
        final long lastNs = Math.max(lastChunkInNs, queue.lastChunkNs());
        return lastNs != 0 && System.nanoTime() - lastNs < TRANSFER_STALL_NS;
    }

    @Override
    public boolean hasUnrung()
    {
        return unrung && directoryBell != null;
    }

    @Override
    public void ringIfSent(final Doorbell doorbell)
    {
        if (unrung && directoryBell != null)
        {
            doorbell.ring(directoryBell);
        }
        unrung = false;
    }

    @Override
    public void doorbell(final InetSocketAddress address)
    {
        this.directoryBell = address;
    }

    @Override
    public String refusal()
    {
        return refusal;
    }

    @Override
    public long sessionOpenedNs()
    {
        return openedNs;
    }

    @Override
    public boolean reconnected()
    {
        final boolean was = reconnected;
        reconnected = false;
        return was;
    }

    @Override
    public String describe()
    {
        return "the directory cluster at " + endpoints;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(connecting);
        CloseHelper.quietClose(cluster);
    }
}
