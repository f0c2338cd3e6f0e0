package io.dsm;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field whose value is shared by every JVM that runs with the dsm agent.
 * <p>
 * Reads and writes of the field, wherever they appear in the application, are rewritten by the agent into calls to
 * the dsm runtime: a read returns the cluster's current value (served from a local replica while it is valid), a write
 * takes write access for this JVM and invalidates the other replicas first. Each shared variable is linearizable.
 * <p>
 * The variable's name is {@link #value()} when given, otherwise {@code package.DeclaringClass.field} (the declaring
 * class's binary name, e.g. {@code com.example.Scoreboard.highScore}, or {@code com.example.Outer$Inner.field}), so
 * that two classes with the same simple name never share a variable by accident; to share one variable between
 * classes on purpose, give both fields the same {@code @Shared("name")}. For an instance field the name is followed by
 * the owning object's {@link SharedId}, e.g. {@code com.example.Account.balance[alice]}: a class with shared instance
 * fields must declare exactly one {@link SharedId} field, so that two objects never alias by accident.
 * <p>
 * A write in the declaring class's static initialiser (static fields) or in a constructor (instance fields) sets the
 * <em>initial</em> value: it takes effect only if the variable has never been written in the cluster, so a JVM that
 * joins later does not reset what the others wrote.
 * <p>
 * A value is a whole object: a primitive, a boxed type, a {@code String}, an enum, a record, a collection, an array,
 * or another class whose fields are such values. A write checks the value in the writing thread and refuses, with a
 * {@link DsmException}, one that cannot be shared. A read returns a value no one else can change: a collection as an
 * immutable snapshot (changing it throws {@link ImmutableValueException}; use {@link Dsm#mutate} or assign a new
 * value), an array or an object with non-final fields as a copy of its own. A compound assignment ({@code x++},
 * {@code x += k}, {@code s += "..."}) is one atomic read-modify-write across the cluster.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Shared
{
    /**
     * @return the variable's name; empty for the default {@code DeclaringClass.field}.
     */
    String value() default "";
}
