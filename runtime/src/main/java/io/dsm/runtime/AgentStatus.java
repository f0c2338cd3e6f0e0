package io.dsm.runtime;

/**
 * Whether the dsm agent is installed in this JVM. Without it no {@code @Shared} field is rewritten, so the explicit
 * operations of {@code io.dsm.Dsm} would act on variables no field uses; they refuse instead, saying how to start the
 * JVM.
 */
public final class AgentStatus
{
    private static volatile boolean installed;

    private AgentStatus()
    {
    }

    /** Called by the agent once its transformation is in place (and by tests that install a backend by hand). */
    public static void markInstalled()
    {
        installed = true;
    }

    /** @return whether the agent is installed. */
    public static boolean isInstalled()
    {
        return installed;
    }
}
