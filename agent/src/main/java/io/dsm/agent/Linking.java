package io.dsm.agent;

import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * How rewritten code reaches the runtime: every call the agent writes into an application class is an
 * {@code invokedynamic} whose bootstrap method is in {@code io.dsm.bootstrap.Linker}, a class of the bootstrap class
 * loader, never a direct reference to a runtime class, which the application class's own loader would resolve (a
 * child-first or isolated loader to a second copy of dsm, or to nothing).
 */
final class Linking
{
    static final String LINKER = "io/dsm/bootstrap/Linker";
    private static final String PREFIX = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;" +
        "Ljava/lang/invoke/MethodType;";

    /** A plain access of a shared field. */
    static final Handle FIELD = new Handle(Opcodes.H_INVOKESTATIC, LINKER, "field",
        PREFIX + "Ljava/lang/String;Ljava/lang/String;)Ljava/lang/invoke/CallSite;", false);
    /** A compound access or an access through a path. */
    static final Handle ACCESS = new Handle(Opcodes.H_INVOKESTATIC, LINKER, "access",
        PREFIX + "Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;[Ljava/lang/Object;)" +
            "Ljava/lang/invoke/CallSite;", false);
    /** A rewritten {@code MethodHandles.Lookup} call. */
    static final Handle REFLECTION = new Handle(Opcodes.H_INVOKESTATIC, LINKER, "reflection",
        PREFIX + "Ljava/lang/String;)Ljava/lang/invoke/CallSite;", false);
    /** A call of a public static method of the runtime. */
    static final Handle STATIC = new Handle(Opcodes.H_INVOKESTATIC, LINKER, "invoke",
        PREFIX + "Ljava/lang/String;)Ljava/lang/invoke/CallSite;", false);

    private Linking()
    {
    }

    /**
     * Writes a call of a public static method of the runtime.
     *
     * @param visitor    where to write it.
     * @param owner      internal name of the runtime class, in {@code io/dsm/access/}.
     * @param name       the method.
     * @param descriptor its descriptor (JDK types only).
     */
    static void invokeRuntime(final MethodVisitor visitor, final String owner, final String name,
        final String descriptor)
    {
        visitor.visitInvokeDynamicInsn(name, descriptor, STATIC, owner);
    }
}
