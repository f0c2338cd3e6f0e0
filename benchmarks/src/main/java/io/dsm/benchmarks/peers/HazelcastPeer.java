package io.dsm.benchmarks.peers;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.dsm.benchmarks.HazelcastSupport;
import io.dsm.benchmarks.IncrementProcessor;
import io.dsm.benchmarks.Spin;

/**
 * A Hazelcast member on loopback port args[0]. args[1] is the role: {@code none}; {@code pong MAP} answers each new
 * {@code ping} of map MAP in its {@code pong}; {@code increment} increments {@code counter} in map {@code plain} with an entry
 * processor, without end.
 */
public final class HazelcastPeer
{
    public static void main(final String[] args)
    {
        final HazelcastInstance member = HazelcastSupport.member(Integer.parseInt(args[0]));
        final Spin spin = new Spin();
        switch (args[1])
        {
            case "none":
                System.out.println("member ready");
                return;
            case "pong":
            {
                final IMap<String, Long> map = member.getMap(args[2]);
                map.set("ping", 0L);
                map.set("pong", 0L);
                System.out.println("member ready");
                long last = 0;
                while (true)
                {
                    final Long ping = map.get("ping");
                    if (ping != null && ping != last)
                    {
                        last = ping;
                        map.set("pong", ping);
                        spin.reset();
                    }
                    else
                    {
                        spin.idle();
                    }
                }
            }
            case "increment":
            {
                final IMap<String, Long> counters = member.getMap(HazelcastSupport.PLAIN_MAP);
                final IncrementProcessor increment = new IncrementProcessor();
                System.out.println("member ready");
                while (true)
                {
                    counters.executeOnKey("counter", increment);
                }
            }
            default:
                throw new IllegalArgumentException("unknown role " + args[1]);
        }
    }
}
