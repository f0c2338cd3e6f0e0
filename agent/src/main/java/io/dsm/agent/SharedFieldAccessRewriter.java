package io.dsm.agent;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Rewrites each {@code getstatic}, {@code putstatic}, {@code getfield} and {@code putfield} of a shared field into an
 * {@code invokedynamic} that {@link io.dsm.access.SharedFieldBootstrap} links to the field's variable. The stack
 * effect is the same as the replaced instruction's, so frames and the rest of the method are untouched.
 * <p>
 * Why {@code invokedynamic} rather than Byte Buddy's {@code MemberSubstitution} to a static method: the call site is
 * bound once to its variable, so a read costs a volatile read with no lookup by name, and it needs no new members,
 * so classes loaded before the agent can be retransformed too.
 * <p>
 * A write in the declaring class's static initialiser ({@code putstatic}) or in a constructor of the declaring class
 * or a subclass ({@code putfield}) becomes {@code init}: it sets the value only if the cluster never had one.
 */
final class SharedFieldAccessRewriter extends AsmVisitorWrapper.AbstractBase
{
    static final Handle BOOTSTRAP = new Handle(
        Opcodes.H_INVOKESTATIC,
        "io/dsm/access/SharedFieldBootstrap",
        "bootstrap",
        "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;" +
            "Ljava/lang/String;Ljava/lang/String;)Ljava/lang/invoke/CallSite;",
        false);

    private final SharedFieldResolver resolver;

    SharedFieldAccessRewriter(final SharedFieldResolver resolver)
    {
        this.resolver = resolver;
    }

    @Override
    public ClassVisitor wrap(
        final TypeDescription instrumentedType,
        final ClassVisitor classVisitor,
        final Implementation.Context implementationContext,
        final TypePool typePool,
        final FieldList<FieldDescription.InDefinedShape> fields,
        final MethodList<?> methods,
        final int writerFlags,
        final int readerFlags)
    {
        return new ClassVisitor(OpenedClassReader.ASM_API, classVisitor)
        {
            @Override
            public MethodVisitor visitMethod(
                final int access,
                final String name,
                final String descriptor,
                final String signature,
                final String[] exceptions)
            {
                final MethodVisitor delegate = super.visitMethod(access, name, descriptor, signature, exceptions);
                return delegate == null ? null : new CallSiteRewriter(delegate, instrumentedType, name, typePool);
            }
        };
    }

    private final class CallSiteRewriter extends MethodVisitor
    {
        private final TypeDescription instrumentedType;
        private final boolean typeInitializer;
        private final boolean constructor;
        private final TypePool typePool;

        CallSiteRewriter(
            final MethodVisitor delegate,
            final TypeDescription instrumentedType,
            final String methodName,
            final TypePool typePool)
        {
            super(OpenedClassReader.ASM_API, delegate);
            this.instrumentedType = instrumentedType;
            this.typeInitializer = "<clinit>".equals(methodName);
            this.constructor = "<init>".equals(methodName);
            this.typePool = typePool;
        }

        @Override
        public void visitFieldInsn(final int opcode, final String owner, final String name, final String descriptor)
        {
            final SharedFieldResolver.Resolution resolution = resolver.resolve(typePool, owner, name);
            if (!resolution.shared)
            {
                super.visitFieldInsn(opcode, owner, name, descriptor);
                return;
            }
            final TypeDescription declaring = resolution.field.getDeclaringType().asErasure();
            final String operation;
            final String indyDescriptor;
            switch (opcode)
            {
                case Opcodes.GETSTATIC:
                    operation = "get";
                    indyDescriptor = "()" + descriptor;
                    break;
                case Opcodes.PUTSTATIC:
                    operation = typeInitializer && instrumentedType.equals(declaring) ? "init" : "set";
                    indyDescriptor = "(" + descriptor + ")V";
                    break;
                case Opcodes.GETFIELD:
                    operation = "get";
                    indyDescriptor = "(L" + owner + ";)" + descriptor;
                    break;
                case Opcodes.PUTFIELD:
                    operation = constructor && instrumentedType.isAssignableTo(declaring) ? "init" : "set";
                    indyDescriptor = "(L" + owner + ";" + descriptor + ")V";
                    break;
                default:
                    super.visitFieldInsn(opcode, owner, name, descriptor);
                    return;
            }
            super.visitInvokeDynamicInsn(operation, indyDescriptor, BOOTSTRAP, resolution.declaringClass(), name);
        }
    }
}
