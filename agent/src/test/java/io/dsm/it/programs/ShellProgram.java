package io.dsm.it.programs;

import io.dsm.Dsm;
import io.dsm.VariableInfo;
import io.dsm.node.DsmNode;
import io.dsm.node.ReplicaTable;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Runs one command per line of standard input against ItFields.victim, and answers one line per command:
 * {@code ok ...} or {@code error <exception> <message>}. Commands: id, channel, write N, read, has, acquire, release, delete, list, directory, exit.
 */
public final class ShellProgram
{
    public static void main(final String[] args) throws Exception
    {
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final String victim = Dsm.nameOf(ItFields.class, "victim");
        System.out.println("ready");
        String line;
        while ((line = in.readLine()) != null)
        {
            final String[] words = line.trim().split(" ");
            try
            {
                switch (words[0])
                {
                    case "id":
                        System.out.println("ok id " + Dsm.nodeId());
                        break;
                    case "channel":
                        final DsmNode node = (DsmNode)ReplicaTable.backend();
                        System.out.println("ok channel " + node.replyChannel() + " stream " + node.replyStreamId());
                        break;
                    case "write":
                        ItFields.victim = Long.parseLong(words[1]);
                        System.out.println("ok wrote " + words[1]);
                        break;
                    case "read":
                        System.out.println("ok read " + ItFields.victim);
                        break;
                    case "has":
                        System.out.println("ok has " + Dsm.hasWriteAccess(victim));
                        break;
                    case "acquire":
                        Dsm.acquireWriteAccess(victim);
                        System.out.println("ok acquired");
                        break;
                    case "release":
                        Dsm.releaseWriteAccess(victim);
                        System.out.println("ok released");
                        break;
                    case "delete":
                        Dsm.delete(victim);
                        System.out.println("ok deleted");
                        break;
                    case "list":
                        final StringBuilder list = new StringBuilder("ok list");
                        for (final VariableInfo info : Dsm.variables())
                        {
                            list.append(' ').append(info.name()).append(':').append(info.type()).append(':')
                                .append(info.owner()).append(':').append(info.version()).append(':')
                                .append(info.replicas());
                        }
                        System.out.println(list);
                        break;
                    case "directory":
                        final StringBuilder known = new StringBuilder("ok directory");
                        for (final VariableInfo info : ((DsmNode)ReplicaTable.backend()).directory())
                        {
                            known.append(' ').append(info.name()).append(':').append(info.owner());
                        }
                        System.out.println(known);
                        break;
                    case "exit":
                        System.out.println("ok bye");
                        return;
                    default:
                        System.out.println("error unknown command " + line);
                }
            }
            catch (final RuntimeException ex)
            {
                System.out.println("error " + ex.getClass().getName() + " " + ex.getMessage());
            }
        }
    }
}
