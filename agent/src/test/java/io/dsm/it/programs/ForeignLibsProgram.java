package io.dsm.it.programs;

/**
 * An application that brings its own (other) versions of Byte Buddy, Agrona and Aeron on its class path, uses them,
 * and shares a field through the agent at the same time.
 */
public final class ForeignLibsProgram
{
    public static void main(final String[] args) throws Exception
    {
        final Class<?> byteBuddy = Class.forName("net.bytebuddy.ByteBuddy");
        final Object generated = byteBuddy.getMethod("subclass", Class.class).invoke(
            byteBuddy.getDeclaredConstructor().newInstance(), Object.class);
        final Object unloaded = generated.getClass().getMethod("make").invoke(generated);
        System.out.println("bytebuddy " + where(byteBuddy) + " made " + unloaded.getClass().getSimpleName());

        final Class<?> bitUtil = Class.forName("org.agrona.BitUtil");
        System.out.println("agrona " + where(bitUtil) + " align " +
            bitUtil.getMethod("align", int.class, int.class).invoke(null, 13, 8));

        final Class<?> aeronContext = Class.forName("io.aeron.Aeron$Context");
        final Object ctx = aeronContext.getDeclaredConstructor().newInstance();
        System.out.println("aeron " + where(aeronContext) + " dir " + aeronContext.getMethod("aeronDirectoryName").invoke(ctx));

        ItFields.text = "shared alongside foreign libraries";
        new Barrier("foreign").await(2);
        System.out.println("text=" + ItFields.text);
        new Barrier("foreign-done").await(2);
    }

    private static String where(final Class<?> type)
    {
        final String path = type.getProtectionDomain().getCodeSource().getLocation().getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
