package io.dsm.access;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;

/**
 * {@code @Shared} and {@code @SharedId} read by name, not by class: a class loaded by a child-first or isolated class
 * loader that bundles its own copy of dsm's API carries that copy's annotation types, which are not the runtime's
 * {@code io.dsm.Shared}, yet say the same thing.
 */
public final class SharedAnnotations
{
    private static final String SHARED = "io.dsm.Shared";
    private static final String SHARED_ID = "io.dsm.SharedId";

    private SharedAnnotations()
    {
    }

    /**
     * @param field a field.
     * @return whether it is annotated {@code @Shared}.
     */
    public static boolean isShared(final Field field)
    {
        return find(field, SHARED) != null;
    }

    /**
     * @param field a field.
     * @return whether it is annotated {@code @SharedId}.
     */
    public static boolean isSharedId(final Field field)
    {
        return find(field, SHARED_ID) != null;
    }

    /**
     * @param field a field.
     * @return the value of its {@code @Shared} (empty when none was given), or null when it has none that reflection
     *         can see (its class loader cannot load {@code io.dsm.Shared}).
     */
    public static String sharedName(final Field field)
    {
        final Annotation shared = find(field, SHARED);
        if (shared == null)
        {
            return null;
        }
        try
        {
            return (String)shared.annotationType().getMethod("value").invoke(shared);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("@Shared on " + field + " has no value(): " + ex, ex);
        }
    }

    private static Annotation find(final Field field, final String type)
    {
        for (final Annotation annotation : field.getDeclaredAnnotations())
        {
            if (annotation.annotationType().getName().equals(type))
            {
                return annotation;
            }
        }
        return null;
    }
}
