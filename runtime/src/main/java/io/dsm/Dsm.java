package io.dsm;

import io.dsm.access.SharedAnnotations;
import io.dsm.access.SharedFieldBootstrap;
import io.dsm.node.ClusterEvents;
import io.dsm.node.ReplicaTable;
import io.dsm.node.SharedVariable;
import io.dsm.runtime.AgentStatus;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Explicit operations on shared variables, for what plain field access cannot say: who am I, what is shared,
 * delete a variable, and hold write access across a read-modify-write.
 * <p>
 * Variables are named as {@link Shared} says; {@link #nameOf(Class, String)} and {@link #nameOf(Object, String)}
 * give the name of a field. An operation on a name no field of this JVM has used yet fails with a
 * {@link DsmException} naming it; use {@link #nameOf} first, which links the field.
 * <p>
 * Every operation that needs a peer waits at most {@code dsm.timeout.ms} and then throws
 * {@link DsmTimeoutException} naming the variable and the peer. Every operation needs the agent
 * ({@code -javaagent:dsm-agent.jar}); without it, each throws a {@link DsmException} that says so.
 */
public final class Dsm
{
    /** Whether this JVM's agent was found, once: the check is not repeated on every call. */
    private static volatile boolean agentChecked;

    private Dsm()
    {
    }

    /**
     * @return this JVM's node id in the cluster (joining it if not yet joined); 0 in local mode.
     */
    public static int nodeId()
    {
        requireAgent();
        return ReplicaTable.backend().nodeId();
    }

    /**
     * @return the members of the cluster this JVM knows of, by node id, itself included (joining the cluster if it has
     *         not yet); in local mode, this JVM alone.
     */
    public static List<Member> members()
    {
        requireAgent();
        final int self = ReplicaTable.backend().nodeId();
        final List<Member> members = ClusterEvents.members();
        return members.isEmpty() ?
            List.of(new Member(self, ProcessHandle.current().pid(), "local mode", true, null)) :
            members;
    }

    /**
     * Waits until at least {@code count} JVMs, this one included, are members of the cluster (joining it if this JVM
     * has not yet): a start-up barrier for a program that runs on several JVMs.
     *
     * @param count   the members to wait for.
     * @param timeout how long to wait.
     * @return the members then.
     * @throws DsmTimeoutException naming the members there, when fewer joined in time.
     */
    public static List<Member> awaitMembers(final int count, final java.time.Duration timeout)
    {
        requireAgent();
        ReplicaTable.backend();
        if (count <= 1)
        {
            return members();
        }
        return ClusterEvents.await(count, timeout.toNanos());
    }

    /**
     * Registers a listener of the cluster's changes: members joining and leaving, this JVM losing and regaining the
     * cluster, write access moving to or from this JVM. It hears of each change from now on; {@link #members()} gives
     * the members already there. Registering does not join the cluster: the first access that needs it does.
     *
     * @param listener the listener.
     */
    public static void addListener(final ClusterListener listener)
    {
        requireAgent();
        ClusterEvents.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * @param listener a listener registered with {@link #addListener(ClusterListener)}.
     * @return whether it was registered (it hears of nothing more).
     */
    public static boolean removeListener(final ClusterListener listener)
    {
        return ClusterEvents.remove(listener);
    }

    /**
     * @return every variable the coordinator knows, sorted by name, with owner, version and replica count.
     */
    public static List<VariableInfo> variables()
    {
        requireAgent();
        return ReplicaTable.backend().variables();
    }

    /**
     * Deletes (revokes) a variable in the whole cluster: every replica is invalidated, and the next access sees
     * the declared type's default value.
     *
     * @param name the variable.
     */
    public static void delete(final String name)
    {
        requireAgent();
        ReplicaTable.backend().delete(name);
    }

    /**
     * @param name a variable used by this JVM.
     * @return whether this JVM holds write access to it now.
     */
    public static boolean hasWriteAccess(final String name)
    {
        requireAgent();
        return variable(name).hasWriteAccess();
    }

    /**
     * Takes write access to a variable (the other replicas are halted first). Another node's access takes it
     * away again; use {@link #withWriteAccess(String, Callable)} to keep it for a sequence of operations.
     *
     * @param name a variable used by this JVM.
     */
    public static void acquireWriteAccess(final String name)
    {
        requireAgent();
        final SharedVariable variable = variable(name);
        if (!variable.hasWriteAccess())
        {
            ReplicaTable.backend().acquireWrite(variable);
            variable.endReservation();
        }
    }

    /**
     * Gives write access back to the coordinator, with the current value; this JVM keeps a read replica.
     *
     * @param name a variable used by this JVM.
     */
    public static void releaseWriteAccess(final String name)
    {
        requireAgent();
        ReplicaTable.backend().releaseWrite(variable(name));
    }

    /**
     * Runs {@code action} while this JVM holds write access to {@code name}. No other node reads or writes the
     * variable meanwhile (their requests wait), so {@code Dsm.withWriteAccess(Dsm.nameOf(Counter.class, "hits"), () -> { ... })}
     * makes a sequence of reads and writes atomic. Keep the action short: other nodes wait for it, at most their timeout.
     *
     * @param name   a variable used by this JVM.
     * @param action what to run.
     * @param <T>    its result type.
     * @return its result.
     */
    public static <T> T withWriteAccess(final String name, final Callable<T> action)
    {
        requireAgent();
        try
        {
            return variable(name).withWriteAccess(action);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new DsmException("action under write access to '" + name + "' failed", ex);
        }
    }

    /**
     * As {@link #withWriteAccess(String, Callable)}, for an action without a result.
     *
     * @param name   a variable used by this JVM.
     * @param action what to run.
     */
    public static void withWriteAccess(final String name, final Runnable action)
    {
        withWriteAccess(name, () ->
        {
            action.run();
            return null;
        });
    }

    /**
     * Names the variable of a static shared field, and links it.
     *
     * @param owner the declaring class.
     * @param field the field's name.
     * @return the variable's name.
     */
    public static String nameOf(final Class<?> owner, final String field)
    {
        requireAgent();
        final Field f = sharedField(owner, field);
        if (!Modifier.isStatic(f.getModifiers()))
        {
            throw new DsmException(owner.getName() + "." + field + " is an instance field: use nameOf(object, field)");
        }
        return SharedFieldBootstrap.variableOf(f).name();
    }

    /**
     * Names the variable of an object's shared instance field, and links it.
     *
     * @param owner the object.
     * @param field the field's name.
     * @return the variable's name, e.g. {@code Account.balance[alice]}.
     */
    public static String nameOf(final Object owner, final String field)
    {
        requireAgent();
        final Field f = sharedField(owner.getClass(), field);
        if (Modifier.isStatic(f.getModifiers()))
        {
            return SharedFieldBootstrap.variableOf(f).name();
        }
        return SharedFieldBootstrap.variableOf(owner, f).name();
    }

    /**
     * Replaces a variable's value with {@code change(current value)}, atomically across the cluster: while it runs,
     * this JVM holds write access and no other JVM reads or writes the variable. {@code change} gets the value as a
     * read returns it (a collection immutable) and returns the new one:
     * {@code Dsm.update(name, (List<String> v) -> concat(v, "x"))}.
     *
     * @param name   a variable used by this JVM.
     * @param change computes the new value; keep it short, other JVMs wait for it.
     * @param <T>    the variable's type.
     * @return the new value, as a read would return it.
     */
    @SuppressWarnings("unchecked")
    public static <T> T update(final String name, final UnaryOperator<T> change)
    {
        requireAgent();
        return (T)variable(name).update(v -> change.apply((T)v));
    }

    /**
     * Changes a variable's value in place, atomically across the cluster: {@code change} gets a copy of the current
     * value that it may change (a collection as an ordinary mutable {@code ArrayList}, {@code LinkedHashMap},
     * {@code LinkedHashSet}, {@code TreeMap} or {@code TreeSet}), and what it leaves there becomes the new value:
     * {@code Dsm.mutate(name, (List<String> v) -> v.add("x"))}. This is the way to change a shared collection, whose
     * reads are immutable snapshots.
     *
     * @param name   a variable used by this JVM.
     * @param change changes the copy; keep it short, other JVMs wait for it.
     * @param <T>    the variable's type.
     * @return the new value, as a read would return it.
     */
    @SuppressWarnings("unchecked")
    public static <T> T mutate(final String name, final Consumer<T> change)
    {
        requireAgent();
        return (T)variable(name).mutate(v -> change.accept((T)v));
    }

    private static void requireAgent()
    {
        if (agentChecked)
        {
            return;
        }
        // The second copy's check first: a copy of the API alone (dsm-api bundled in an isolated class loader) has no
        // runtime classes to look at.
        final ClassLoader runtime = agentRuntime();
        if (runtime != null && runtime != Dsm.class.getClassLoader())
        {
            final java.security.CodeSource from = Dsm.class.getProtectionDomain().getCodeSource();
            throw new DsmException("this io.dsm.Dsm is a second copy of dsm's runtime, loaded by " +
                describe(Dsm.class.getClassLoader()) + " from " + (from == null ? "?" : from.getLocation()) +
                "; the agent's runtime is loaded by " + describe(runtime) + ". Do not package dsm-api with the " +
                "application (Maven scope provided), or let this class loader load io.dsm.* from its parent");
        }
        if (!AgentStatus.isInstalled())
        {
            throw new DsmException("the dsm agent is not installed in this JVM, so no @Shared field is shared: start " +
                "the JVM with -javaagent:/path/to/dsm-agent.jar");
        }
        agentChecked = true;
    }

    private static String describe(final ClassLoader loader)
    {
        return loader == null ? "the bootstrap class loader" : loader.getName() != null ?
            "class loader '" + loader.getName() + "' (" + loader.getClass().getName() + ")" : loader.toString();
    }

    /** @return the class loader of the agent's runtime, if the agent is installed in this JVM; null if not. */
    private static ClassLoader agentRuntime()
    {
        try
        {
            return (ClassLoader)Class.forName("io.dsm.bootstrap.Linker", false, null).getMethod("runtime")
                .invoke(null);
        }
        catch (final ReflectiveOperationException | LinkageError | SecurityException ex)
        {
            return null;
        }
    }

    private static Field sharedField(final Class<?> type, final String name)
    {
        for (Class<?> c = type; c != null; c = c.getSuperclass())
        {
            try
            {
                final Field f = c.getDeclaredField(name);
                if (!SharedAnnotations.isShared(f))
                {
                    throw new DsmException(c.getName() + "." + name + " is not annotated @Shared");
                }
                return f;
            }
            catch (final NoSuchFieldException ignore)
            {
                // look in the superclass
            }
        }
        throw new DsmException(type.getName() + " has no field " + name);
    }

    private static SharedVariable variable(final String name)
    {
        final SharedVariable variable = ReplicaTable.find(name);
        if (variable == null)
        {
            throw new DsmException("no @Shared field of this JVM has used variable '" + name +
                "' yet: call Dsm.nameOf(Class, field) (or access the field) first");
        }
        return variable;
    }
}
