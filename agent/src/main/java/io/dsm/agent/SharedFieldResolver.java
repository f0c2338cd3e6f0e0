package io.dsm.agent;

import io.dsm.runtime.DsmLog;
import io.dsm.values.ValueTypes;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a field access refers to a {@link io.dsm.Shared} field that dsm can share, reading class files
 * through a {@link TypePool} (without loading classes). A field dsm cannot share is reported once, naming the field
 * and the reason: it stays an ordinary local field, or, in strict mode, every access to it throws and its class fails
 * to initialise.
 */
final class SharedFieldResolver
{
    static final String SHARED = "io.dsm.Shared";
    static final String SHARED_ID = "io.dsm.SharedId";

    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final boolean strict;

    /** @param strict whether a refused field is an error (strict mode) rather than a warning. */
    SharedFieldResolver(final boolean strict)
    {
        this.strict = strict;
    }

    /** The outcome for one field. */
    static final class Resolution
    {
        static final Resolution NOT_SHARED = new Resolution(null, false, null);

        final FieldDescription.InDefinedShape field;
        final boolean shared;
        /** For a {@code @Shared} field dsm refuses: the field and why. */
        final String refusal;

        Resolution(final FieldDescription.InDefinedShape field, final boolean shared, final String refusal)
        {
            this.field = field;
            this.shared = shared;
            this.refusal = refusal;
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
                            return new Resolution(field, false, report(field, problem));
                        }
                        return new Resolution(field, true, null);
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
        refusalOf(type);
    }

    /**
     * @param type a class.
     * @return what is wrong with the shared fields it declares (each reported once), or null when nothing is.
     */
    String refusalOf(final TypeDescription type)
    {
        final StringBuilder refusals = new StringBuilder();
        for (final FieldDescription.InDefinedShape field : type.getDeclaredFields())
        {
            if (isAnnotatedShared(field))
            {
                final String problem = problem(field);
                if (problem != null)
                {
                    refusals.append(refusals.length() == 0 ? "" : "; ").append(report(field, problem));
                }
            }
        }
        return refusals.length() == 0 ? null : refusals.toString();
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
        if (element.isPrimitive() || element.isEnum())
        {
            return null;
        }
        final String name = element.getName();
        if (ValueTypes.isJdk(name))
        {
            return ValueTypes.jdkDeclaredTypeProblem(name);
        }
        if (element.isRecord() || element.isInterface())
        {
            return null;
        }
        if (element.isMemberType() && !element.isStatic())
        {
            return "its type " + name + " is an inner class, whose objects hold their enclosing object; make it " +
                "static (or a record)";
        }
        try
        {
            for (TypeDefinition k = element.getSuperClass(); k != null; k = k.getSuperClass())
            {
                final String superName = k.asErasure().getName();
                if (superName.equals("java.lang.Object"))
                {
                    break;
                }
                if (ValueTypes.isJdk(superName))
                {
                    return "its type " + name + " extends " + superName + ", whose state dsm cannot share; " +
                        "declare the JDK type itself, or a class of your own that holds one";
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // A superclass cannot be read here: judge each value when it is written.
        }
        return null;
    }

    /** @return the message reported for the field. */
    private String report(final FieldDescription.InDefinedShape field, final String problem)
    {
        final String key = field.getDeclaringType().getName() + "." + field.getName();
        final String message = "field " + key + " is not shared: " + problem + ".";
        if (reported.add(key))
        {
            io.dsm.access.ReflectionBootstrap.refused(field.getDeclaringType().getName(), field.getName());
            if (strict)
            {
                DsmLog.error(message + " (dsm.strict: the class fails to initialise and every access to the field " +
                    "throws)");
            }
            else
            {
                DsmLog.warn(message + " It stays local to each JVM (dsm.strict=true makes this an error).");
            }
        }
        return message;
    }

    static boolean isPlatform(final String internalName)
    {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") ||
            internalName.startsWith("jdk/") || internalName.startsWith("sun/") || internalName.startsWith("com/sun/");
    }
}
