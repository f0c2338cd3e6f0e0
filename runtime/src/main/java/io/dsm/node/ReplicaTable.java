package io.dsm.node;

import io.dsm.DsmException;
import io.dsm.runtime.Configuration;
import io.dsm.runtime.DsmLog;
import io.dsm.values.AllowList;
import io.dsm.values.ValueCodec;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This JVM's shared variables by name, and the backend that serves their slow paths. Variables are created here,
 * without any network, when a call site first links to them; the backend (the cluster node, started on first need,
 * or the local backend) is only reached on a miss.
 */
public final class ReplicaTable
{
    /** The variables of static fields, by name. */
    private static final ConcurrentHashMap<String, SharedVariable> VARIABLES = new ConcurrentHashMap<>();
    /**
     * The variables of instance fields, by the field's base name and then by object id: a replica needs no name and
     * no entry of its own in a map by name (the name {@code base[id]} is made when asked for).
     */
    private static final ConcurrentHashMap<String, ConcurrentHashMap<Object, SharedVariable>> INSTANCES =
        new ConcurrentHashMap<>();
    /** One declaration per field (by its description), shared by all its variables. */
    private static final ConcurrentHashMap<List<Object>, Declaration> DECLARATIONS = new ConcurrentHashMap<>();
    private static volatile Backend backend;
    /** Whether the backend's writes wait for the directory to hold them ({@code dsm.durability=durable}). */
    private static volatile boolean durable;
    private static volatile ValueCodec codec;
    private static volatile int maxValueBytes;
    /** No lease to keep: a JVM without a node (local mode, tests) writes whenever it holds write access. */
    private static final long NO_LEASE = 1L << 62;
    /**
     * When this JVM's lease with the directory ends ({@code System.nanoTime()}): a write that needs no message checks
     * it in the writing thread, so that a JVM whose threads ran on after the lease ended (a pause, a stall of the node's
     * thread) cannot return a write the directory may already have given to another node.
     */
    private static volatile long leaseExpiryNs = System.nanoTime() + NO_LEASE;

    private ReplicaTable()
    {
    }

    /**
     * Returns the variable of a static field, named {@code name}, creating it on first use.
     *
     * @param name         the variable's name.
     * @param declaredType the declared type of the field (generic, for the allow list).
     * @param rawType      the field's raw type.
     * @param declaredBy   the field, for error messages.
     * @return the variable.
     * @throws DsmException when a variable of that name was declared with another type in this JVM.
     */
    public static SharedVariable variable(
        final String name, final Type declaredType, final Class<?> rawType, final String declaredBy)
    {
        final SharedVariable variable = VARIABLES.computeIfAbsent(name, n ->
        {
            // An instance field's variable may already have this name (base[id]): it is the same variable.
            final SharedVariable existing = findInstance(n);
            return existing != null ? existing :
                new SharedVariable(null, declaration(name, declaredType, rawType, declaredBy));
        });
        return checked(variable, name, rawType, declaredBy);
    }

    /**
     * @param baseName the name the field declares.
     * @return the variables of the instance fields that declare {@code baseName}, by object id; for
     *         {@link #instanceVariable} and a cache of the caller's.
     */
    public static ConcurrentHashMap<Object, SharedVariable> instances(final String baseName)
    {
        return INSTANCES.computeIfAbsent(baseName, b -> new ConcurrentHashMap<>());
    }

    /**
     * Returns the variable of an instance field for one object id, named {@code baseName[id]}, creating it on first use.
     *
     * @param instances    {@link #instances(String)} of {@code baseName}.
     * @param baseName     the name the field declares.
     * @param id           the object's {@code @SharedId}.
     * @param declaredType the declared type of the field (generic, for the allow list).
     * @param rawType      the field's raw type.
     * @param declaredBy   the field, for error messages.
     * @return the variable.
     * @throws DsmException when a variable of that name was declared with another type in this JVM.
     */
    public static SharedVariable instanceVariable(final ConcurrentHashMap<Object, SharedVariable> instances,
        final String baseName, final Object id, final Type declaredType, final Class<?> rawType,
        final String declaredBy)
    {
        SharedVariable variable = instances.get(id);
        if (variable == null)
        {
            variable = instances.computeIfAbsent(id, k ->
            {
                // A static field may have declared this name: it is the same variable.
                final SharedVariable existing = VARIABLES.get(baseName + "[" + k + "]");
                return existing != null ? existing :
                    new SharedVariable(k, declaration(baseName, declaredType, rawType, declaredBy));
            });
        }
        return variable.declaration.type == ValueCodec.box(rawType) ? variable :
            checked(variable, baseName + "[" + id + "]", rawType, declaredBy);
    }

    private static Declaration declaration(
        final String baseName, final Type declaredType, final Class<?> rawType, final String declaredBy)
    {
        // Keyed by the field and its type: a class of the same name from another class loader is another field.
        return DECLARATIONS.computeIfAbsent(List.of(declaredBy, declaredType, baseName), d ->
        {
            codec().allowList().register(declaredType);
            return new Declaration(ValueCodec.box(rawType), declaredType, declaredBy, baseName, defaultValue(rawType));
        });
    }

    private static SharedVariable checked(
        final SharedVariable variable, final String name, final Class<?> rawType, final String declaredBy)
    {
        final Class<?> boxed = ValueCodec.box(rawType);
        if (variable.declaration.type != boxed)
        {
            throw new DsmException("shared variable '" + name + "' is declared as " +
                variable.declaration.type.getName() + " by " + variable.declaration.declaredBy + " but as " +
                boxed.getName() + " by " + declaredBy);
        }
        return variable;
    }

    /**
     * @param name a variable name.
     * @return the variable, or null when no call site of this JVM has linked to it.
     */
    public static SharedVariable find(final String name)
    {
        final SharedVariable variable = VARIABLES.get(name);
        return variable != null ? variable : findInstance(name);
    }

    /** An instance field's variable by its name {@code base[id]}: a scan of the base name's variables (rare calls). */
    private static SharedVariable findInstance(final String name)
    {
        if (!name.endsWith("]"))
        {
            return null;
        }
        for (int open = name.indexOf('['); open > 0; open = name.indexOf('[', open + 1))
        {
            final ConcurrentHashMap<Object, SharedVariable> instances = INSTANCES.get(name.substring(0, open));
            if (instances != null)
            {
                for (final SharedVariable variable : instances.values())
                {
                    if (variable.name().equals(name))
                    {
                        return variable;
                    }
                }
            }
        }
        return null;
    }

    /**
     * @return every variable this JVM has linked to (a copy).
     */
    public static Collection<SharedVariable> all()
    {
        final List<SharedVariable> all = new ArrayList<>(VARIABLES.values());
        final Set<SharedVariable> statics = Collections.newSetFromMap(new IdentityHashMap<>());
        statics.addAll(all);
        for (final ConcurrentHashMap<Object, SharedVariable> instances : INSTANCES.values())
        {
            for (final SharedVariable variable : instances.values())
            {
                if (!statics.contains(variable)) // else also a static field's variable, listed above
                {
                    all.add(variable);
                }
            }
        }
        return all;
    }

    /**
     * @return whether this JVM's lease with the directory holds now (always, without a node).
     */
    /** @return whether writes wait for the directory to hold them ({@code dsm.durability=durable}). */
    static boolean durable()
    {
        return durable;
    }

    static boolean leaseHeld()
    {
        return System.nanoTime() - leaseExpiryNs < 0;
    }

    /**
     * @param expiryNs when the lease ends now ({@code System.nanoTime()}); the node's thread sets it on every
     *                 acknowledged heartbeat, and to the present when it joins, rejoins or closes.
     */
    static void lease(final long expiryNs)
    {
        leaseExpiryNs = expiryNs;
    }

    /** Forgets the lease: writes under write access need none (a JVM without a node). */
    static void noLease()
    {
        leaseExpiryNs = System.nanoTime() + NO_LEASE;
    }

    /**
     * @return {@code dsm.max.value.bytes} of this JVM: the largest serialized value.
     * @throws IllegalArgumentException naming the key when it is not a whole number from 1 to 1 GiB.
     */
    public static int maxValueBytes()
    {
        int max = maxValueBytes;
        if (max == 0)
        {
            max = Configuration.current().maxValueBytes();
            maxValueBytes = max;
        }
        return max;
    }

    /**
     * @return the codec of this JVM, with its allow list.
     */
    public static ValueCodec codec()
    {
        ValueCodec c = codec;
        if (c == null)
        {
            synchronized (ReplicaTable.class)
            {
                c = codec;
                if (c == null)
                {
                    c = new ValueCodec(new AllowList(Configuration.current().get(Configuration.VALUES_ALLOW)));
                    codec = c;
                }
            }
        }
        return c;
    }

    /**
     * @return the backend, starting the cluster node on first call (or the local backend in local mode).
     * @throws DsmException when the node cannot join; a later call tries again.
     */
    public static Backend backend()
    {
        Backend b = backend;
        if (b == null)
        {
            synchronized (ReplicaTable.class)
            {
                b = backend;
                if (b == null)
                {
                    final Configuration config = Configuration.current();
                    final String mode = config.get(Configuration.MODE);
                    final String fence = config.get(Configuration.READ_FENCE);
                    if (!"none".equals(fence) && !"lease".equals(fence))
                    {
                        throw new DsmException(Configuration.READ_FENCE + " must be none or lease, was '" + fence + "'");
                    }
                    SharedVariable.leaseFencedReads = "lease".equals(fence);
                    if ("local".equals(mode))
                    {
                        b = new LocalBackend();
                    }
                    else if ("cluster".equals(mode))
                    {
                        b = DsmNode.start(DsmNode.Context.from(config));
                    }
                    else
                    {
                        throw new DsmException("dsm.mode must be cluster or local, was '" + mode + "'");
                    }
                    backend = b;
                    durable = b.durable();
                    DsmLog.info("node " + b.nodeId() + " ready");
                }
            }
        }
        return b;
    }

    /**
     * Installs a backend (tests, or the agent's choice). Replicas keep their state.
     *
     * @param newBackend the backend.
     */
    public static synchronized void backend(final Backend newBackend)
    {
        backend = newBackend;
        durable = newBackend != null && newBackend.durable();
    }

    /**
     * Marks every replica invalid and forgets the backend, so that the next access starts a new one. For tests that
     * run several clusters in one JVM.
     */
    public static synchronized void reset()
    {
        noLease();
        durable = false;
        for (final SharedVariable variable : VARIABLES.values())
        {
            variable.lock();
            try
            {
                variable.invalidateLocally();
                variable.reserved = 0;
                variable.deferred = null;
                variable.haltsWaiting = 0;
            }
            finally
            {
                variable.unlock();
            }
        }
        backend = null;
    }

    static Object defaultValue(final Class<?> type)
    {
        if (!type.isPrimitive())
        {
            return null;
        }
        if (type == boolean.class)
        {
            return Boolean.FALSE;
        }
        if (type == char.class)
        {
            return (char)0;
        }
        if (type == byte.class)
        {
            return (byte)0;
        }
        if (type == short.class)
        {
            return (short)0;
        }
        if (type == int.class)
        {
            return 0;
        }
        if (type == long.class)
        {
            return 0L;
        }
        if (type == float.class)
        {
            return 0f;
        }
        return 0d;
    }
}
