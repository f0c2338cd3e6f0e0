package io.dsm.benchmarks;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NearCacheConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Hazelcast set up the way a user on one machine would: one member (in a peer JVM) and a client with a near cache
 * for map {@code nc}; loopback only, no multicast, no phone-home.
 */
public final class HazelcastSupport
{
    /** Map used without near cache. */
    public static final String PLAIN_MAP = "plain";
    /** Map with a near cache on the client. */
    public static final String NEAR_CACHED_MAP = "nc";

    private HazelcastSupport()
    {
    }

    static
    {
        System.setProperty("hazelcast.phone.home.enabled", "false");
        System.setProperty("hazelcast.logging.type", "none");
    }

    /** Starts a member listening on {@code port} of loopback. */
    public static HazelcastInstance member(final int port)
    {
        final Config config = new Config().setClusterName("dsm-bench-" + port);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        // Near-cache invalidations are batched (every 10 s by default); send each at once, as a user tuning for
        // latency would.
        config.setProperty("hazelcast.map.invalidation.batch.enabled", "false");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        final JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        config.getJetConfig().setEnabled(false);
        return Hazelcast.newHazelcastInstance(config);
    }

    /** Connects a client with a near cache (object format, invalidated on change) for {@link #NEAR_CACHED_MAP}. */
    public static HazelcastInstance client(final int port)
    {
        final ClientConfig config = new ClientConfig().setClusterName("dsm-bench-" + port);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().addAddress("127.0.0.1:" + port);
        config.addNearCacheConfig(new NearCacheConfig(NEAR_CACHED_MAP)
            .setInMemoryFormat(InMemoryFormat.OBJECT)
            .setInvalidateOnChange(true));
        return HazelcastClient.newHazelcastClient(config);
    }
}
