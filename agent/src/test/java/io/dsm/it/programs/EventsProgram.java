package io.dsm.it.programs;

import io.dsm.ClusterListener;
import io.dsm.Dsm;
import io.dsm.Member;
import io.dsm.Shared;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Prints every cluster event it hears ({@code event ...}), waits for {@code args[0]} members, then runs commands from
 * standard input: {@code write N} writes {@code events.value}, {@code read} reads it, {@code members} lists the members, {@code exit} leaves.
 */
public final class EventsProgram
{
    @Shared("events.value")
    static int value;

    private EventsProgram()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        Dsm.addListener(new ClusterListener()
        {
            @Override
            public void memberJoined(final Member member)
            {
                System.out.println("event joined " + member.nodeId() + " pid " + member.pid() + " self " +
                    member.self());
            }

            @Override
            public void memberLeft(final Member member)
            {
                System.out.println("event left " + member.nodeId() + " pid " + member.pid());
            }

            @Override
            public void clusterLost()
            {
                System.out.println("event lost");
            }

            @Override
            public void clusterRegained()
            {
                System.out.println("event regained");
            }

            @Override
            public void ownershipMoved(final String variable, final int newOwner)
            {
                System.out.println("event ownership " + variable + " " + newOwner);
            }
        });
        System.out.println("members " + Dsm.awaitMembers(Integer.parseInt(args[0]), Duration.ofSeconds(60)).size() +
            " node " + Dsm.nodeId() + " pid " + ProcessHandle.current().pid());
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split(" ");
            switch (words[0])
            {
                case "write" ->
                {
                    value = Integer.parseInt(words[1]);
                    System.out.println("ok wrote " + words[1]);
                }
                case "read" -> System.out.println("ok read " + value);
                case "members" -> System.out.println("ok members " + Dsm.members());
                case "exit" ->
                {
                    System.out.println("ok bye");
                    return;
                }
                default -> System.out.println("error unknown command " + line);
            }
        }
    }
}
