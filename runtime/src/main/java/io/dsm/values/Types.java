package io.dsm.values;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;

/** The declared types of the places a part of a value stands in: a field, a component, an element. */
final class Types
{
    private Types()
    {
    }

    /** @return the class a declared type erases to; Object for a type variable or wildcard without a bound. */
    static Class<?> erasure(final Type type)
    {
        if (type instanceof Class)
        {
            return (Class<?>)type;
        }
        if (type instanceof ParameterizedType)
        {
            return erasure(((ParameterizedType)type).getRawType());
        }
        if (type instanceof GenericArrayType)
        {
            return java.lang.reflect.Array.newInstance(
                erasure(((GenericArrayType)type).getGenericComponentType()), 0).getClass();
        }
        if (type instanceof TypeVariable)
        {
            final Type[] bounds = ((TypeVariable<?>)type).getBounds();
            return bounds.length == 0 ? Object.class : erasure(bounds[0]);
        }
        if (type instanceof WildcardType)
        {
            final Type[] upper = ((WildcardType)type).getUpperBounds();
            return upper.length == 0 ? Object.class : erasure(upper[0]);
        }
        return Object.class;
    }

    /** @return the i-th type argument of a parameterized declaration (a List's element, a Map's key or value). */
    static Type argument(final Type type, final int index)
    {
        if (type instanceof ParameterizedType)
        {
            final Type[] arguments = ((ParameterizedType)type).getActualTypeArguments();
            if (index < arguments.length)
            {
                return arguments[index];
            }
        }
        return Object.class;
    }

    /** @return the declared component type of an array declaration, or the array's own component class. */
    static Type component(final Type type, final Class<?> actual)
    {
        if (type instanceof GenericArrayType)
        {
            return ((GenericArrayType)type).getGenericComponentType();
        }
        if (type instanceof Class && ((Class<?>)type).isArray())
        {
            return ((Class<?>)type).getComponentType();
        }
        return actual;
    }

    /** @return the innermost element type of an array declaration. */
    static Type element(final Type type)
    {
        Type t = type;
        while (true)
        {
            if (t instanceof GenericArrayType)
            {
                t = ((GenericArrayType)t).getGenericComponentType();
            }
            else if (t instanceof Class && ((Class<?>)t).isArray())
            {
                t = ((Class<?>)t).getComponentType();
            }
            else
            {
                return t;
            }
        }
    }

    /**
     * @return whether the declaration is an application type (not the JDK's, not Object) that {@code actual} is a
     *         subtype of: a value of a subclass of a declared application class is accepted without listing it.
     */
    static boolean isApplicationSupertype(final Type declared, final Class<?> actual)
    {
        final Class<?> raw = erasure(declared);
        return raw != Object.class && !ValueTypes.isJdk(raw.getName()) && raw.isAssignableFrom(actual);
    }

    static String describe(final Type type)
    {
        return type instanceof Class ? ((Class<?>)type).getName() : type.getTypeName();
    }
}
