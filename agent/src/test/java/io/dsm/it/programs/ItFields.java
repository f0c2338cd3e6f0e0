package io.dsm.it.programs;

import io.dsm.Shared;
import io.dsm.SharedId;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The shared fields the multi-JVM tests use. */
public final class ItFields
{
    public enum Level
    {
        LOW, HIGH
    }

    public record Position(String symbol, long quantity, List<Double> fills)
    {
    }

    /** A plain serializable class (not a record). */
    public static final class Profile implements Serializable
    {
        private static final long serialVersionUID = 1L;
        public String name;
        public int age;
        public Map<String, String> tags;

        @Override
        public String toString()
        {
            return "Profile{" + name + "," + age + "," + tags + "}";
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Profile && Objects.equals(((Profile)o).name, name) && ((Profile)o).age == age &&
                Objects.equals(((Profile)o).tags, tags);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(name, age);
        }
    }

    /** Instance-field sharing across JVMs. */
    public static final class Player
    {
        @SharedId
        final String name;
        @Shared
        public int score;

        public Player(final String name)
        {
            this.name = name;
        }
    }

    public static final class Base
    {
        @Shared
        public static long inherited;
    }

    @Shared public static long counter;
    @Shared public static long sequence;
    @Shared public static long victim;
    @Shared public static int arrivals;
    @Shared public static String text;
    @Shared public static Level level;
    @Shared public static Position position;
    @Shared public static List<String> names;
    @Shared public static Map<String, Integer> scores;
    @Shared public static Profile profile;
    @Shared public static double ratio;
    @Shared public static char letter;
    @Shared public static boolean flag;
    @Shared public static Integer boxed;

    private ItFields()
    {
    }
}
