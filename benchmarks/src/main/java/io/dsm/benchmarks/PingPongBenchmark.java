package io.dsm.benchmarks;

import com.hazelcast.map.IMap;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FragmentHandler;
import io.dsm.benchmarks.peers.AeronPongPeer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 3: one round of ping-pong between two JVMs. This JVM writes {@code ping = i}; the peer waits until it
 * reads {@code i} and writes {@code pong = i}; this JVM waits until it reads {@code pong == i}. The same round over
 * dsm (in both replication modes), raw Aeron (one message each way, the same threading and idle settings), Hazelcast {@code IMap} with polling
 * {@code get}, and Hazelcast with a near cache (invalidation).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PingPongBenchmark
{
    /** dsm: a coordinator and a peer JVM answering each ping. */
    @State(Scope.Benchmark)
    public static class DsmState
    {
        DsmCluster cluster;
        final Spin spin = new Spin();
        long round;

        String replication()
        {
            return "invalidate";
        }

        @Setup(Level.Trial)
        public void setUp()
        {
            cluster = DsmCluster.start(replication());
            round = BenchFields.ping;
            cluster.peer("pong", "pong");
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            cluster.close();
        }
    }

    /**
     * The same as {@link DsmState} with {@code dsm.replication=update} in both JVMs: the owner sends each write to its
     * readers in two phases (prepare, commit); linearizable.
     */
    @State(Scope.Benchmark)
    public static class DsmUpdateState extends DsmState
    {
        @Override
        String replication()
        {
            return "update";
        }
    }

    /** The same with {@code dsm.replication=push}: each write is applied by the readers at once; weaker. */
    @State(Scope.Benchmark)
    public static class DsmPushState extends DsmState
    {
        @Override
        String replication()
        {
            return "push";
        }
    }

    /** Raw Aeron: a peer JVM echoing each message. */
    @State(Scope.Benchmark)
    public static class AeronState
    {
        PeerProcess peer;
        MediaDriver driver;
        Aeron aeron;
        AgentInvoker driverInvoker;
        AgentInvoker clientInvoker;
        Publication out;
        Subscription in;
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        long round;
        long received;
        final FragmentHandler onPong = (buffer, offset, length, header) -> received = buffer.getLong(offset);

        @Setup(Level.Trial)
        public void setUp()
        {
            final int myPort = PeerProcess.freePort();
            final int peerPort = PeerProcess.freePort();
            peer = PeerProcess.plainPeer("aeron-pong", AeronPongPeer.class, String.valueOf(peerPort),
                String.valueOf(myPort));
            driver = AeronSupport.driver();
            aeron = AeronSupport.client(driver);
            driverInvoker = driver.sharedAgentInvoker();
            clientInvoker = aeron.conductorAgentInvoker();
            in = aeron.addSubscription(AeronSupport.channel(myPort), 10);
            out = aeron.addPublication(AeronSupport.channel(peerPort), 10);
            peer.await("aeron ready", 60);
            final Spin spin = new Spin();
            while (!out.isConnected() || !in.isConnected())
            {
                driverInvoker.invoke();
                clientInvoker.invoke();
                spin.idle();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            CloseHelper.closeAll(aeron, driver);
            peer.close();
        }
    }

    /** Hazelcast: a member in a peer JVM answering pings, and a client here; maps with and without near cache. */
    @State(Scope.Benchmark)
    public static class HazelcastImapState
    {
        HazelcastPair hazelcast;
        IMap<String, Long> map;
        final Spin spin = new Spin();
        long round;

        String mapName()
        {
            return HazelcastSupport.PLAIN_MAP;
        }

        @Setup(Level.Trial)
        public void setUp()
        {
            hazelcast = HazelcastPair.start("pong", mapName());
            map = hazelcast.client.getMap(mapName());
            map.get("pong");
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            hazelcast.close();
        }
    }

    /** The same as {@link HazelcastImapState} on the near-cached map. */
    @State(Scope.Benchmark)
    public static class HazelcastNearCacheState extends HazelcastImapState
    {
        @Override
        String mapName()
        {
            return HazelcastSupport.NEAR_CACHED_MAP;
        }
    }

    @Benchmark
    public long dsm(final DsmState state)
    {
        return pingPong(state);
    }

    @Benchmark
    public long dsmUpdate(final DsmUpdateState state)
    {
        return pingPong(state);
    }

    @Benchmark
    public long dsmPush(final DsmPushState state)
    {
        return pingPong(state);
    }

    static long pingPong(final DsmState state)
    {
        final long i = ++state.round;
        BenchFields.ping = i;
        state.spin.reset();
        while (BenchFields.pong != i)
        {
            state.spin.idle();
        }
        return i;
    }

    @Benchmark
    public long aeron(final AeronState state)
    {
        return aeronRound(state);
    }

    static long aeronRound(final AeronState state)
    {
        final long i = ++state.round;
        state.message.putLong(0, i);
        while (state.out.offer(state.message, 0, 8) < 0)
        {
            state.driverInvoker.invoke();
            state.clientInvoker.invoke();
        }
        while (state.received != i)
        {
            state.driverInvoker.invoke();
            state.clientInvoker.invoke();
            state.in.poll(state.onPong, 10);
        }
        return i;
    }

    @Benchmark
    public long hazelcastImap(final HazelcastImapState state)
    {
        return pingPong(state);
    }

    @Benchmark
    public long hazelcastNearCache(final HazelcastNearCacheState state)
    {
        return pingPong(state);
    }

    private static long pingPong(final HazelcastImapState state)
    {
        final long i = ++state.round;
        state.map.set("ping", i);
        state.spin.reset();
        while (true)
        {
            final Long pong = state.map.get("pong");
            if (pong != null && pong == i)
            {
                return i;
            }
            state.spin.idle();
        }
    }
}
