package io.dsm.node;

import io.dsm.ClusterListener;
import io.dsm.DsmTimeoutException;
import io.dsm.Member;
import io.dsm.runtime.DsmLog;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's members as this JVM knows them, and the listeners of its changes: the node's thread reports each
 * change ({@link #on}); listeners hear of it on a thread of their own ({@code dsm-events}, started with the first
 * listener), in order.
 */
public final class ClusterEvents
{
    private static final Object LOCK = new Object();
    private static final TreeMap<Integer, Member> MEMBERS = new TreeMap<>();
    private static final CopyOnWriteArrayList<ClusterListener> LISTENERS = new CopyOnWriteArrayList<>();
    private static ExecutorService dispatcher;

    private ClusterEvents()
    {
    }

    /**
     * @param listener hears of every change from now on.
     */
    public static void add(final ClusterListener listener)
    {
        LISTENERS.add(listener);
        synchronized (LOCK)
        {
            if (dispatcher == null)
            {
                dispatcher = Executors.newSingleThreadExecutor(task ->
                {
                    final Thread thread = new Thread(task, "dsm-events");
                    thread.setDaemon(true);
                    return thread;
                });
            }
        }
    }

    /**
     * @param listener hears of nothing more.
     * @return whether it was registered.
     */
    public static boolean remove(final ClusterListener listener)
    {
        return LISTENERS.remove(listener);
    }

    /** @return the members this JVM knows of, by node id, itself included. */
    public static List<Member> members()
    {
        synchronized (LOCK)
        {
            return List.copyOf(MEMBERS.values());
        }
    }

    /**
     * Waits until this JVM knows of at least {@code count} members, itself included.
     *
     * @param count     the members to wait for.
     * @param timeoutNs how long to wait.
     * @return the members then.
     * @throws DsmTimeoutException naming who is there, when fewer joined in time.
     */
    public static List<Member> await(final int count, final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        synchronized (LOCK)
        {
            while (MEMBERS.size() < count)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    throw new DsmTimeoutException("waited " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms for " +
                        count + " members; " + MEMBERS.size() + " joined: " + MEMBERS.values());
                }
                try
                {
                    TimeUnit.NANOSECONDS.timedWait(LOCK, left);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new DsmTimeoutException("interrupted while waiting for " + count + " members");
                }
            }
            return List.copyOf(MEMBERS.values());
        }
    }

    /** Called by the node's thread: brings the members up to date, then hands the change to the listeners. */
    static void on(final ClusterEvent event)
    {
        final Member member;
        synchronized (LOCK)
        {
            switch (event.kind())
            {
                case JOINED:
                    if (event.self())
                    {
                        // A node the directory welcomed under a new id (it was evicted) is no longer its old self.
                        MEMBERS.values().removeIf(Member::self);
                    }
                    final Member known = MEMBERS.get(event.nodeId());
                    // The directory's clock is epoch nanoseconds (the cluster engine's); the classic engine's is not
                    // (a monotonic clock): its times, far from now, are not shown. This JVM's own join is now.
                    final long ns = event.joinedNs();
                    final java.time.Instant since = event.self() ? java.time.Instant.now() :
                        Math.abs(ns / 1_000_000 - System.currentTimeMillis()) < 10L * 365 * 24 * 3600 * 1000 ?
                        java.time.Instant.ofEpochSecond(0, ns) : known != null ? known.since() : null;
                    member = new Member(event.nodeId(), event.pid(), event.description(), event.self(), since);
                    MEMBERS.put(member.nodeId(), member);
                    break;
                case LEFT:
                    member = MEMBERS.remove(event.nodeId());
                    break;
                default:
                    member = null;
                    break;
            }
            LOCK.notifyAll();
            if (LISTENERS.isEmpty() || dispatcher == null || (event.kind() == ClusterEvent.Kind.LEFT && member == null))
            {
                return;
            }
            dispatcher.execute(() -> deliver(event, member));
        }
    }

    private static void deliver(final ClusterEvent event, final Member member)
    {
        for (final ClusterListener listener : new ArrayList<>(LISTENERS))
        {
            try
            {
                switch (event.kind())
                {
                    case JOINED -> listener.memberJoined(member);
                    case LEFT -> listener.memberLeft(member);
                    case LOST -> listener.clusterLost();
                    case REGAINED -> listener.clusterRegained();
                    case OWNERSHIP -> listener.ownershipMoved(event.variable(), event.nodeId());
                    default -> throw new IllegalStateException("unknown event " + event);
                }
            }
            catch (final RuntimeException ex)
            {
                DsmLog.rateLimited(DsmLog.Level.WARN, "listener-" + listener.getClass().getName(), "a ClusterListener (" +
                    listener.getClass().getName() + ") threw on " + event.kind() + ": " + ex);
            }
        }
    }
}
