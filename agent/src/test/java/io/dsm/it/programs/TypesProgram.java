package io.dsm.it.programs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The writer assigns a value of every kind; the reader, another JVM, prints what it reads. args: writer|reader.
 */
public final class TypesProgram
{
    public static void main(final String[] args)
    {
        final boolean writer = "writer".equals(args[0]);
        final ItFields.Player alice = new ItFields.Player("alice");
        final ItFields.Player bob = new ItFields.Player("bob");
        if (writer)
        {
            ItFields.text = "héllo wörld";
            ItFields.level = ItFields.Level.HIGH;
            ItFields.position = new ItFields.Position("ACME", 300, List.of(1.5, 2.25));
            ItFields.names = new ArrayList<>(List.of("ann", "ben"));
            ItFields.scores = new HashMap<>(Map.of("ann", 3, "ben", 4));
            final ItFields.Profile profile = new ItFields.Profile();
            profile.name = "carol";
            profile.age = 41;
            profile.tags = Map.of("team", "blue");
            ItFields.profile = profile;
            ItFields.ratio = 0.75;
            ItFields.letter = 'z';
            ItFields.flag = true;
            ItFields.boxed = 12345;
            alice.score = 10;
            alice.score += 5;
            bob.score = 7;
        }
        new Barrier("types-written").await(2);
        System.out.println("text=" + ItFields.text);
        System.out.println("level=" + ItFields.level);
        System.out.println("position=" + ItFields.position);
        System.out.println("names=" + ItFields.names);
        System.out.println("scores=" + new java.util.TreeMap<>(ItFields.scores));
        System.out.println("profile=" + ItFields.profile);
        System.out.println("ratio=" + ItFields.ratio);
        System.out.println("letter=" + ItFields.letter);
        System.out.println("flag=" + ItFields.flag);
        System.out.println("boxed=" + ItFields.boxed);
        System.out.println("alice=" + alice.score);
        System.out.println("bob=" + bob.score);
        System.out.println("end");
        new Barrier("types-read").await(2);
    }
}
