package io.dsm.agent;

import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.utility.OpenedClassReader;

import java.util.Set;

/**
 * Rewrites the reflective ways to a field, so that on a shared field they see and write the shared value, or are
 * refused, and on any other field do exactly what they did.
 * <ul>
 * <li>{@code Field.get*} and {@code Field.set*} and {@code Atomic*FieldUpdater.newUpdater} check access by their
 * caller, so the original call stays where it is, made by its caller; {@link io.dsm.access.ReflectiveAccess} runs
 * after a get (to return the shared value), after a set (to write the variable) or before an updater is made (to
 * refuse a shared field). Only stack instructions are added, no local variable.</li>
 * <li>The {@code MethodHandles.Lookup} factories of getters, setters and {@code VarHandle}s carry their access in the
 * lookup: they become an {@code invokedynamic} that {@link io.dsm.access.ReflectionBootstrap} links.</li>
 * </ul>
 */
final class ReflectionCallRewriter extends MethodVisitor
{
    static final Handle BOOTSTRAP = Linking.REFLECTION;
    private static final String SUPPORT = "io/dsm/access/ReflectiveAccess";
    private static final String FIELD = "java/lang/reflect/Field";
    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    private static final Set<String> LOOKUP_METHODS = Set.of(
        "findGetter", "findSetter", "findStaticGetter", "findStaticSetter", "unreflectGetter", "unreflectSetter",
        "findVarHandle", "findStaticVarHandle", "unreflectVarHandle");
    private static final Set<String> UPDATERS = Set.of(
        "java/util/concurrent/atomic/AtomicLongFieldUpdater", "java/util/concurrent/atomic/AtomicIntegerFieldUpdater");
    private static final String REFERENCE_UPDATER = "java/util/concurrent/atomic/AtomicReferenceFieldUpdater";

    private boolean injected;

    ReflectionCallRewriter(final MethodVisitor delegate)
    {
        super(OpenedClassReader.ASM_API, delegate);
    }

    @Override
    public void visitMethodInsn(final int opcode, final String owner, final String name, final String descriptor,
        final boolean isInterface)
    {
        if (opcode == Opcodes.INVOKEVIRTUAL && FIELD.equals(owner) && name.startsWith("get") &&
            descriptor.startsWith("(Ljava/lang/Object;)") && !"getType".equals(name))
        {
            fieldGet(name, descriptor);
            return;
        }
        if (opcode == Opcodes.INVOKEVIRTUAL && FIELD.equals(owner) && name.startsWith("set") &&
            descriptor.startsWith("(Ljava/lang/Object;") && descriptor.endsWith(")V") &&
            Type.getArgumentTypes(descriptor).length == 2)
        {
            fieldSet(name, descriptor);
            return;
        }
        if (opcode == Opcodes.INVOKEVIRTUAL && LOOKUP.equals(owner) && LOOKUP_METHODS.contains(name))
        {
            super.visitInvokeDynamicInsn(name, "(L" + owner + ";" + descriptor.substring(1), BOOTSTRAP, owner);
            return;
        }
        if (opcode == Opcodes.INVOKESTATIC && "newUpdater".equals(name) &&
            "(Ljava/lang/Class;Ljava/lang/String;)".equals(descriptor.substring(0, descriptor.indexOf(')') + 1)) &&
            UPDATERS.contains(owner))
        {
            // [type, name] -> check(type, name) -> [type, name] -> the original
            super.visitInsn(Opcodes.DUP2);
            super.visitLdcInsn(owner.substring(owner.lastIndexOf('/') + 1));
            runtime("checkUpdater",
                "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/String;)V");
            injected = true;
        }
        else if (opcode == Opcodes.INVOKESTATIC && "newUpdater".equals(name) && REFERENCE_UPDATER.equals(owner))
        {
            referenceUpdaterCheck();
        }
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    /** {@code field.getX(o)}: [f, o] -> dup2 -> the original -> [f, o, r] -> afterGetX(f, o, r) -> [r']. */
    private void fieldGet(final String name, final String descriptor)
    {
        final String result = descriptor.substring(descriptor.indexOf(')') + 1);
        super.visitInsn(Opcodes.DUP2);
        super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, FIELD, name, descriptor, false);
        runtime("after" + Character.toUpperCase(name.charAt(0)) +
            name.substring(1), "(Ljava/lang/reflect/Field;Ljava/lang/Object;" + result + ")" + result);
        injected = true;
    }

    /**
     * {@code field.setX(o, v)}: [f, o, v] -> p = pack(f, o, v) -> [p, p, f, o, v] -> the original -> [p] ->
     * afterSet(p).
     */
    private void fieldSet(final String name, final String descriptor)
    {
        final String value = Type.getArgumentTypes(descriptor)[1].getDescriptor();
        final String packed = "[Ljava/lang/Object;";
        runtime("pack",
            "(Ljava/lang/reflect/Field;Ljava/lang/Object;" + value + ")" + packed);
        super.visitInsn(Opcodes.DUP);
        super.visitInsn(Opcodes.DUP);
        super.visitInsn(Opcodes.DUP);
        // [p p p p]
        runtime("fieldOf", "(" + packed + ")Ljava/lang/reflect/Field;");
        super.visitInsn(Opcodes.SWAP);
        runtime("ownerOf", "(" + packed + ")Ljava/lang/Object;");
        // [p p f o] -> [p f o p f o] -> [p f o p]
        super.visitInsn(Opcodes.DUP2_X1);
        super.visitInsn(Opcodes.POP2);
        runtime(valueAccessor(value), "(" + packed + ")" + value);
        // [p f o v]
        super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, FIELD, name, descriptor, false);
        runtime("afterSet", "(" + packed + ")V");
        injected = true;
    }

    private static String valueAccessor(final String descriptor)
    {
        switch (descriptor.charAt(0))
        {
            case 'Z':
                return "booleanOf";
            case 'B':
                return "byteOf";
            case 'C':
                return "charOf";
            case 'S':
                return "shortOf";
            case 'I':
                return "intOf";
            case 'J':
                return "longOf";
            case 'F':
                return "floatOf";
            case 'D':
                return "doubleOf";
            default:
                return "valueOf";
        }
    }

    /** {@code AtomicReferenceFieldUpdater.newUpdater(t, v, n)}: check (t, n) first, then the same three again. */
    private void referenceUpdaterCheck()
    {
        final String packed = "[Ljava/lang/Object;";
        runtime("pack",
            "(Ljava/lang/Class;Ljava/lang/Class;Ljava/lang/String;)" + packed);
        super.visitInsn(Opcodes.DUP);
        runtime("checkUpdater", "(" + packed + ")V");
        super.visitInsn(Opcodes.DUP);
        super.visitInsn(Opcodes.DUP);
        // [p p p]
        runtime("typeOf", "(" + packed + ")Ljava/lang/Class;");
        super.visitInsn(Opcodes.SWAP);
        runtime("valueTypeOf", "(" + packed + ")Ljava/lang/Class;");
        // [p t v] -> [t v p t v] -> [t v p]
        super.visitInsn(Opcodes.DUP2_X1);
        super.visitInsn(Opcodes.POP2);
        runtime("nameOf", "(" + packed + ")Ljava/lang/String;");
        injected = true;
    }

    @Override
    public void visitMaxs(final int maxStack, final int maxLocals)
    {
        // The sequences above hold up to six more slots than the call they wrap.
        super.visitMaxs(injected ? maxStack + 6 : maxStack, maxLocals);
    }

    /** A call of {@code ReflectiveAccess.name}, linked through {@link Linking}. */
    private void runtime(final String name, final String descriptor)
    {
        super.visitInvokeDynamicInsn(name, descriptor, Linking.STATIC, SUPPORT);
    }
}
