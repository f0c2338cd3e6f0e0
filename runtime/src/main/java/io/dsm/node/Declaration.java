package io.dsm.node;

import java.lang.reflect.Type;

/**
 * What the declaration of a shared field says about its variables: the (boxed) type every value must have, the
 * declared generic type, the field, and the value of a variable never written. One per field, shared by all the
 * variables of an instance field (one per object id), so that a replica does not carry it.
 */
final class Declaration
{
    static final int REFERENCE = 0;
    static final int LONG = 1;
    static final int INT = 2;
    static final int SHORT = 3;
    static final int BYTE = 4;
    static final int CHAR = 5;
    static final int BOOLEAN = 6;
    static final int DOUBLE = 7;
    static final int FLOAT = 8;

    /** The boxed type. */
    final Class<?> type;
    /** The declared (generic) type: what values may hold, for the codec. */
    final Type declaredType;
    /** The field, for messages. */
    final String declaredBy;
    /**
     * The variable name the field declares: a static field's variable has this name, an instance field's variables
     * this name followed by {@code [id]}.
     */
    final String baseName;
    /** The value of a variable never written. */
    final Object defaultValue;
    /** REFERENCE, or which primitive the variable's bits hold. */
    final int kind;

    Declaration(final Class<?> type, final Type declaredType, final String declaredBy, final String baseName,
        final Object defaultValue)
    {
        this.type = type;
        this.declaredType = declaredType;
        this.declaredBy = declaredBy;
        this.baseName = baseName;
        this.defaultValue = defaultValue;
        this.kind = kindOf(type);
    }

    private static int kindOf(final Class<?> type)
    {
        if (type == Long.class)
        {
            return LONG;
        }
        if (type == Integer.class)
        {
            return INT;
        }
        if (type == Short.class)
        {
            return SHORT;
        }
        if (type == Byte.class)
        {
            return BYTE;
        }
        if (type == Character.class)
        {
            return CHAR;
        }
        if (type == Boolean.class)
        {
            return BOOLEAN;
        }
        if (type == Double.class)
        {
            return DOUBLE;
        }
        return type == Float.class ? FLOAT : REFERENCE;
    }
}
