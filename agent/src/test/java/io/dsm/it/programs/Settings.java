package io.dsm.it.programs;

import io.dsm.Shared;

import java.util.ArrayList;
import java.util.List;

/** Shared fields with initialisers and a static block, read from another class. */
public final class Settings
{
    public static int initialisations;
    @Shared public static int port = 8080;
    @Shared public static List<String> hosts = new ArrayList<>(List.of("a"));

    static
    {
        initialisations++;
        System.out.println("static initialiser of Settings runs");
    }

    private Settings()
    {
    }
}
