package io.dsm.agent;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens the JDK internals that Aeron, Agrona and Chronicle use to dsm's own (unnamed) module, so that users need no
 * {@code --add-opens} or {@code --add-exports} flag. Only dsm's module gets access, not the application's.
 */
final class ModuleOpener
{
    private static final String[] EXPORTS = {
        "jdk.internal.misc", "jdk.internal.ref", "sun.nio.ch", "jdk.internal.util", "jdk.internal.reflect"};
    private static final String[] OPENS = {
        "java.lang", "java.lang.reflect", "java.lang.invoke", "java.io", "java.nio", "java.util",
        "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "jdk.internal.misc", "jdk.internal.ref"};

    private ModuleOpener()
    {
    }

    static void open(final Instrumentation instrumentation)
    {
        final Module dsm = ModuleOpener.class.getModule();
        final Module base = Object.class.getModule();
        final Map<String, Set<Module>> exports = new HashMap<>();
        for (final String pkg : EXPORTS)
        {
            if (base.getPackages().contains(pkg))
            {
                exports.put(pkg, Set.of(dsm));
            }
        }
        final Map<String, Set<Module>> opens = new HashMap<>();
        for (final String pkg : OPENS)
        {
            if (base.getPackages().contains(pkg))
            {
                opens.put(pkg, Set.of(dsm));
            }
        }
        instrumentation.redefineModule(base, Set.of(), exports, opens, Set.of(), Map.of());
        ModuleLayer.boot().findModule("jdk.unsupported").ifPresent(unsupported ->
            instrumentation.redefineModule(unsupported, Set.of(), Map.of("sun.misc", Set.of(dsm)),
                Map.of("sun.misc", Set.of(dsm)), Set.of(), Map.of()));
    }

    /**
     * Lets an application's named module reach dsm, so that its {@code module-info} needs only
     * {@code requires static io.dsm} (the API, at compile time): it reads the linker's module (rewritten call sites)
     * and dsm's (calls of {@code io.dsm.Dsm}), and opens its packages to dsm's module alone (to copy and rebuild
     * values of its own classes, as serialization does). An automatic module reads every unnamed module and opens
     * every package already.
     *
     * @param instrumentation the JVM's instrumentation.
     * @param module          the application's module.
     * @param linker          the module of {@code io.dsm.bootstrap.Linker}.
     */
    static void admit(final Instrumentation instrumentation, final Module module, final Module linker)
    {
        if (module.getDescriptor() == null || module.getDescriptor().isAutomatic())
        {
            return;
        }
        final Module dsm = ModuleOpener.class.getModule();
        final Map<String, Set<Module>> opens = new HashMap<>();
        if (!module.getDescriptor().isOpen())
        {
            for (final String pkg : module.getPackages())
            {
                opens.put(pkg, Set.of(dsm));
            }
        }
        instrumentation.redefineModule(module, linker == dsm ? Set.of(dsm) : Set.of(dsm, linker), Map.of(), opens,
            Set.of(), Map.of());
    }
}
