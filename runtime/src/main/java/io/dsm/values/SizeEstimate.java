package io.dsm.values;

import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An upper bound of the serialized size of a value of an always-immutable type ({@link ValueTypes#isAlwaysImmutable}),
 * computed without serializing it: enough to know that it fits in a message.
 */
final class SizeEstimate
{
    private SizeEstimate()
    {
    }

    static long of(final Object value)
    {
        if (value == null || value instanceof Number && !(value instanceof BigInteger || value instanceof BigDecimal) ||
            value instanceof Boolean || value instanceof Character)
        {
            return 10;
        }
        if (value instanceof String)
        {
            return 10 + 3L * ((String)value).length();
        }
        if (value instanceof Enum)
        {
            return 20 + 3L * (((Enum<?>)value).getDeclaringClass().getName().length() + ((Enum<?>)value).name().length());
        }
        if (value instanceof BigInteger)
        {
            return 10 + ((BigInteger)value).bitLength() / 8;
        }
        if (value instanceof BigDecimal)
        {
            return 20 + ((BigDecimal)value).unscaledValue().bitLength() / 8;
        }
        final ValueKind kind = ValueKind.of(value.getClass());
        if (kind.tag == ValueKind.RECORD)
        {
            long size = 20 + 3L * value.getClass().getName().length();
            for (final java.lang.reflect.Method accessor : kind.accessors)
            {
                try
                {
                    size += of(accessor.invoke(value));
                }
                catch (final ReflectiveOperationException ex)
                {
                    return Long.MAX_VALUE;
                }
            }
            return size;
        }
        if (kind.tag == ValueKind.OBJECT)
        {
            long size = 20 + 3L * value.getClass().getName().length();
            for (final Field field : kind.fields)
            {
                try
                {
                    size += 10 + 3L * field.getName().length() + of(field.get(value));
                }
                catch (final IllegalAccessException ex)
                {
                    return Long.MAX_VALUE;
                }
            }
            return size;
        }
        // URI, Locale, UUID, java.time: their text, at most three bytes a character.
        return 20 + 3L * value.toString().length();
    }
}
