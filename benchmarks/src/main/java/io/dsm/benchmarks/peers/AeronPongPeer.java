package io.dsm.benchmarks.peers;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.dsm.benchmarks.AeronSupport;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

/**
 * Raw Aeron echo, set up as dsm sets up Aeron: embedded driver in INVOKER mode, client conductor invoked, one thread,
 * the same idle strategy. Receives on args[0] (a UDP port), answers to args[1].
 */
public final class AeronPongPeer
{
    public static void main(final String[] args)
    {
        try (MediaDriver driver = AeronSupport.driver();
            Aeron aeron = AeronSupport.client(driver))
        {
            final AgentInvoker driverInvoker = driver.sharedAgentInvoker();
            final AgentInvoker clientInvoker = aeron.conductorAgentInvoker();
            final Subscription in = aeron.addSubscription(AeronSupport.channel(Integer.parseInt(args[0])), 10);
            final Publication out = aeron.addPublication(AeronSupport.channel(Integer.parseInt(args[1])), 10);
            final IdleStrategy idle = AeronSupport.idleStrategy();
            System.out.println("aeron ready");
            while (true)
            {
                int work = driverInvoker.invoke() + clientInvoker.invoke();
                work += in.poll((buffer, offset, length, header) ->
                {
                    while (out.offer(buffer, offset, length) < 0)
                    {
                        driverInvoker.invoke();
                        clientInvoker.invoke();
                    }
                }, 10);
                idle.idle(work);
            }
        }
    }
}
