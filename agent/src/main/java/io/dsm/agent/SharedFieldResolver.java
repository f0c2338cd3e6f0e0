package io.dsm.agent;

import io.dsm.runtime.DsmLog;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

import java.io.Serializable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a field access refers to a {@link io.dsm.Shared} field that dsm can share, reading class files
 * through a {@link TypePool} (without loading classes). A field dsm cannot share is reported once, naming the field
 * and the reason, and stays an ordinary local field.
 */
final class SharedFieldResolver
{
    static final String SHARED = "io.dsm.Shared";
    static final String SHARED_ID = "io.dsm.SharedId";
    private static final Set<String> SHAREABLE_JDK_INTERFACES = Set.of(
        "java.util.List", "java.util.Map", "java.util.Set", "java.util.Collection", "java.util.Queue",
        "java.util.Deque", "java.util.SortedMap", "java.util.SortedSet", "java.util.NavigableMap",
        "java.util.NavigableSet", "java.lang.CharSequence", "java.lang.Comparable", "java.io.Serializable");

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    /** The outcome for one field. */
    static final class Resolution
    {
        static final Resolution NOT_SHARED = new Resolution(null, false);

        final FieldDescription.InDefinedShape field;
        final boolean shared;

        Resolution(final FieldDescription.InDefinedShape field, final boolean shared)
        {
            this.field = field;
            this.shared = shared;
        }

        String declaringClass()
        {
            return field.getDeclaringType().getName();
        }
    }

    /**
     * @param pool          reads class files.
     * @param ownerInternal the owner named by the instruction, in internal form.
     * @param name          the field's name.
     * @return whether the access is to a field dsm shares, and which.
     */
    Resolution resolve(final TypePool pool, final String ownerInternal, final String name)
    {
        if (isPlatform(ownerInternal))
        {
            return Resolution.NOT_SHARED;
        }
        final TypePool.Resolution type = pool.describe(ownerInternal.replace('/', '.'));
        if (!type.isResolved())
        {
            return Resolution.NOT_SHARED;
        }
        try
        {
            for (TypeDefinition k = type.resolve(); k != null; k = k.getSuperClass())
            {
                if (isPlatform(k.asErasure().getInternalName()))
                {
                    return Resolution.NOT_SHARED;
                }
                for (final FieldDescription.InDefinedShape field : k.asErasure().getDeclaredFields())
                {
                    if (field.getName().equals(name))
                    {
                        if (!isAnnotatedShared(field))
                        {
                            return Resolution.NOT_SHARED;
                        }
                        final String problem = problem(field);
                        if (problem != null)
                        {
                            report(field, problem);
                            return Resolution.NOT_SHARED;
                        }
                        return new Resolution(field, true);
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // A class in the hierarchy cannot be read: the access cannot be to a field we know.
            return Resolution.NOT_SHARED;
        }
        return Resolution.NOT_SHARED;
    }

    /**
     * Checks every shared field a class declares and reports those dsm cannot share; called when the class loads.
     *
     * @param type the class being loaded.
     */
    void checkDeclaredFields(final TypeDescription type)
    {
        for (final FieldDescription.InDefinedShape field : type.getDeclaredFields())
        {
            if (isAnnotatedShared(field))
            {
                final String problem = problem(field);
                if (problem != null)
                {
                    report(field, problem);
                }
            }
        }
    }

    static boolean isAnnotatedShared(final FieldDescription field)
    {
        for (final AnnotationDescription annotation : field.getDeclaredAnnotations())
        {
            if (SHARED.equals(annotation.getAnnotationType().getName()))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isAnnotatedSharedId(final FieldDescription field)
    {
        for (final AnnotationDescription annotation : field.getDeclaredAnnotations())
        {
            if (SHARED_ID.equals(annotation.getAnnotationType().getName()))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return why dsm cannot share the field, or null when it can.
     */
    static String problem(final FieldDescription.InDefinedShape field)
    {
        if (field.isFinal())
        {
            return "a final field cannot change, so there is nothing to share";
        }
        if (isAnnotatedSharedId(field))
        {
            return "a field cannot be both @Shared and @SharedId";
        }
        final TypeDescription type = field.getType().asErasure();
        final String typeProblem = typeProblem(type);
        if (typeProblem != null)
        {
            return typeProblem;
        }
        if (!field.isStatic())
        {
            int ids = 0;
            for (TypeDefinition k = field.getDeclaringType(); k != null; k = k.getSuperClass())
            {
                if (isPlatform(k.asErasure().getInternalName()))
                {
                    break;
                }
                for (final FieldDescription.InDefinedShape candidate : k.asErasure().getDeclaredFields())
                {
                    if (isAnnotatedSharedId(candidate))
                    {
                        ids++;
                    }
                }
            }
            if (ids == 0)
            {
                return "its class declares no @SharedId field, so two objects would silently share one variable; " +
                    "mark the field that identifies an object with @SharedId";
            }
            if (ids > 1)
            {
                return "its class hierarchy declares " + ids + " @SharedId fields; exactly one identifies an object";
            }
        }
        return null;
    }

    private static String typeProblem(final TypeDescription type)
    {
        TypeDescription element = type;
        while (element.isArray())
        {
            element = element.getComponentType();
        }
        if (element.isPrimitive() || element.represents(Object.class) || element.isEnum() || element.isRecord())
        {
            return null;
        }
        final String name = element.getName();
        if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.") ||
            name.startsWith("sun."))
        {
            if (SHAREABLE_JDK_INTERFACES.contains(name) || element.isAssignableTo(Serializable.class))
            {
                return null;
            }
            return "its type " + name + " is not a value dsm can serialize (it is not Serializable)";
        }
        return null;
    }

    private void report(final FieldDescription.InDefinedShape field, final String problem)
    {
        final String key = field.getDeclaringType().getName() + "." + field.getName();
        if (reported.add(key))
        {
            DsmLog.warn("field " + key + " is not shared: " + problem + ". It stays local to each JVM.");
        }
    }

    static boolean isPlatform(final String internalName)
    {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") ||
            internalName.startsWith("jdk/") || internalName.startsWith("sun/") || internalName.startsWith("com/sun/");
    }
}
