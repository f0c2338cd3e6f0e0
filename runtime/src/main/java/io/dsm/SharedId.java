package io.dsm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the field that identifies an object whose class has {@link Shared} instance fields.
 * <p>
 * The id's {@code toString()} becomes part of each variable name ({@code Account.balance[alice]}): objects with equal
 * ids, in this JVM or another, share their {@link Shared} fields; objects with different ids never do. The field
 * should be {@code final} and set before any shared field of the object is used; its type should be a
 * {@code String}, a boxed or primitive integer, a {@code UUID} or an enum. Reading a shared field of an object whose
 * id is still {@code null} throws a {@link DsmException} naming the field.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface SharedId
{
}
