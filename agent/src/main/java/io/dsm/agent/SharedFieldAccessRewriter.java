package io.dsm.agent;

import io.dsm.access.AccessSpec;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites each access to a shared field into an {@code invokedynamic} that {@link io.dsm.access.SharedFieldBootstrap}
 * links to the field's variable. The stack effect of the rewritten code is the same as the original's, so frames are
 * untouched.
 * <ul>
 * <li>A plain read or write becomes {@code get} or {@code set}; a write in a constructor of the declaring class or a
 * subclass becomes {@code init} (it applies only if the cluster never had a value), and a read there
 * {@code ctorget}.</li>
 * <li>A compound assignment to the field ({@code x++}, {@code x += k}, {@code s += "..."}) becomes one atomic
 * read-modify-write, and an access through the field's value ({@code a[i] = v}, {@code cfg.port = 8080},
 * {@code counts[i]++}, {@code a[i]}) one operation on the variable: see {@link AccessWindow}.</li>
 * <li>In the static initialiser of the declaring class, its own static shared fields are accessed as the plain fields
 * they are, so that the initialiser runs exactly as Java would run it; before it returns, each field it assigned
 * becomes the variable's initial value ({@code init}).</li>
 * <li>In strict mode ({@code dsm.strict}), an access to a field dsm refuses throws, and so does the static initialiser
 * of the class that declares it.</li>
 * </ul>
 * Why {@code invokedynamic} rather than Byte Buddy's {@code MemberSubstitution} to a static method: the call site is
 * bound once to its variable, so a read costs a volatile read with no lookup by name, and it needs no new members,
 * so classes loaded before the agent can be retransformed too.
 */
final class SharedFieldAccessRewriter extends AsmVisitorWrapper.AbstractBase
{
    private static final String BOOTSTRAP_OWNER = "io/dsm/access/SharedFieldBootstrap";
    static final Handle BOOTSTRAP = Linking.FIELD;
    static final Handle ACCESS_BOOTSTRAP = Linking.ACCESS;

    private final SharedFieldResolver resolver;
    private final boolean strict;

    SharedFieldAccessRewriter(final SharedFieldResolver resolver, final boolean strict)
    {
        this.resolver = resolver;
        this.strict = strict;
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
        final String refusal = strict ? resolver.refusalOf(instrumentedType) : null;
        return new ClassVisitor(OpenedClassReader.ASM_API, classVisitor)
        {
            private boolean hasTypeInitializer;

            @Override
            public MethodVisitor visitMethod(
                final int access,
                final String name,
                final String descriptor,
                final String signature,
                final String[] exceptions)
            {
                final MethodVisitor delegate = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (delegate == null)
                {
                    return null;
                }
                final boolean typeInitializer = "<clinit>".equals(name);
                hasTypeInitializer |= typeInitializer;
                final MethodVisitor reflection = new ReflectionCallRewriter(delegate);
                return new CallSiteRewriter(reflection, instrumentedType, name, typePool,
                    typeInitializer ? refusal : null);
            }

            @Override
            public void visitEnd()
            {
                if (refusal != null && !hasTypeInitializer && !DsmAgent.isRetransforming())
                {
                    // Strict mode: the class must fail to initialise; it has no static initialiser to fail, so add one.
                    final MethodVisitor clinit = super.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
                    clinit.visitCode();
                    refuse(clinit, refusal);
                    clinit.visitInsn(Opcodes.RETURN);
                    clinit.visitMaxs(1, 0);
                    clinit.visitEnd();
                }
                super.visitEnd();
            }
        };
    }

    private static void refuse(final MethodVisitor visitor, final String message)
    {
        visitor.visitLdcInsn(message);
        Linking.invokeRuntime(visitor, BOOTSTRAP_OWNER, "refused", "(Ljava/lang/String;)V");
    }

    /**
     * Rewrites the accesses of one method. Instructions pass straight through, except that a read of a shared field
     * opens an {@link AccessWindow} that holds the following instructions back until it knows what the read is part of
     * (and a {@code dup} waits one instruction, in case a shared {@code getfield} follows it). Anything that is not
     * straight-line code closes the window first.
     */
    private final class CallSiteRewriter extends MethodVisitor
    {
        private final TypeDescription instrumentedType;
        private final boolean typeInitializer;
        private final boolean constructor;
        private final TypePool typePool;
        private final String refusal;
        /** Own static shared fields the static initialiser assigned: made initial values before it returns. */
        private final Map<String, Insn.FieldAccess> assignedInInitializer = new LinkedHashMap<>();
        private Insn pendingDup;
        private AccessWindow window;
        private boolean injected;

        CallSiteRewriter(
            final MethodVisitor delegate,
            final TypeDescription instrumentedType,
            final String methodName,
            final TypePool typePool,
            final String refusal)
        {
            super(OpenedClassReader.ASM_API, delegate);
            this.instrumentedType = instrumentedType;
            this.typeInitializer = "<clinit>".equals(methodName);
            this.constructor = "<init>".equals(methodName);
            this.typePool = typePool;
            this.refusal = refusal;
        }

        @Override
        public void visitCode()
        {
            super.visitCode();
            if (refusal != null)
            {
                refuse(mv, refusal);
                injected = true;
            }
        }

        // ---- straight-line instructions: held while a window is open ----

        @Override
        public void visitInsn(final int opcode)
        {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN || opcode == Opcodes.ATHROW)
            {
                barrier();
                if (typeInitializer && opcode == Opcodes.RETURN)
                {
                    initialiseAssigned();
                }
                super.visitInsn(opcode);
                return;
            }
            accept(new Insn.Plain(opcode));
        }

        @Override
        public void visitIntInsn(final int opcode, final int operand)
        {
            accept(new Insn.IntOperand(opcode, operand));
        }

        @Override
        public void visitVarInsn(final int opcode, final int var)
        {
            if (opcode == Opcodes.RET)
            {
                barrier();
                super.visitVarInsn(opcode, var);
                return;
            }
            accept(new Insn.Var(opcode, var));
        }

        @Override
        public void visitTypeInsn(final int opcode, final String type)
        {
            accept(new Insn.TypeOperand(opcode, type));
        }

        @Override
        public void visitFieldInsn(final int opcode, final String owner, final String name, final String descriptor)
        {
            accept(new Insn.FieldAccess(opcode, owner, name, descriptor));
        }

        @Override
        public void visitMethodInsn(final int opcode, final String owner, final String name, final String descriptor,
            final boolean isInterface)
        {
            accept(new Insn.Invoke(opcode, owner, name, descriptor, isInterface));
        }

        @Override
        public void visitInvokeDynamicInsn(final String name, final String descriptor, final Handle bootstrap,
            final Object... arguments)
        {
            accept(new Insn.InvokeDynamic(name, descriptor, bootstrap, arguments));
        }

        @Override
        public void visitLdcInsn(final Object value)
        {
            accept(new Insn.Constant(value));
        }

        @Override
        public void visitIincInsn(final int var, final int increment)
        {
            accept(new Insn.Increment(var, increment));
        }

        @Override
        public void visitMultiANewArrayInsn(final String descriptor, final int dimensions)
        {
            accept(new Insn.MultiNewArray(descriptor, dimensions));
        }

        @Override
        public void visitLabel(final Label label)
        {
            accept(new Insn.Position(label));
        }

        @Override
        public void visitLineNumber(final int line, final Label start)
        {
            accept(new Insn.LineNumber(line, start));
        }

        // ---- everything else ends a window first ----

        @Override
        public void visitJumpInsn(final int opcode, final Label label)
        {
            barrier();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTableSwitchInsn(final int min, final int max, final Label dflt, final Label... labels)
        {
            barrier();
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(final Label dflt, final int[] keys, final Label[] labels)
        {
            barrier();
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitFrame(final int type, final int numLocal, final Object[] local, final int numStack,
            final Object[] stack)
        {
            barrier();
            super.visitFrame(type, numLocal, local, numStack, stack);
        }

        @Override
        public void visitTryCatchBlock(final Label start, final Label end, final Label handler, final String type)
        {
            barrier();
            super.visitTryCatchBlock(start, end, handler, type);
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitInsnAnnotation(final int typeRef,
            final net.bytebuddy.jar.asm.TypePath typePath, final String descriptor, final boolean visible)
        {
            // A type annotation on an instruction must follow it at once: keep instructions in order.
            barrier();
            return super.visitInsnAnnotation(typeRef, typePath, descriptor, visible);
        }

        @Override
        public void visitLocalVariable(final String name, final String descriptor, final String signature,
            final Label start, final Label end, final int index)
        {
            barrier();
            super.visitLocalVariable(name, descriptor, signature, start, end, index);
        }

        @Override
        public void visitMaxs(final int maxStack, final int maxLocals)
        {
            barrier();
            // Injected code (a strict refusal, initial values at the end of a static initialiser) needs two slots.
            super.visitMaxs(injected ? Math.max(maxStack, 2) : maxStack, maxLocals);
        }

        @Override
        public void visitEnd()
        {
            barrier();
            super.visitEnd();
        }

        // ---- the rewriting ----

        private void accept(final Insn insn)
        {
            if (window != null)
            {
                final AccessWindow open = window;
                switch (open.add(insn))
                {
                    case MORE:
                        return;
                    case ABORT:
                        window = null;
                        abort(open);
                        return;
                    default:
                        window = null;
                        complete(open);
                        return;
                }
            }
            process(insn);
        }

        private void process(final Insn insn)
        {
            if (pendingDup != null)
            {
                final Insn dup = pendingDup;
                pendingDup = null;
                if (insn.opcode == Opcodes.GETFIELD)
                {
                    final SharedFieldResolver.Resolution resolution = resolve((Insn.FieldAccess)insn);
                    if (resolution.shared && !isOwnInConstructor(resolution, insn.opcode))
                    {
                        window = new AccessWindow(dup, (Insn.FieldAccess)insn);
                        return;
                    }
                }
                dup.accept(mv);
            }
            if (insn.opcode == Opcodes.DUP)
            {
                pendingDup = insn;
                return;
            }
            if (insn instanceof Insn.FieldAccess)
            {
                final Insn.FieldAccess field = (Insn.FieldAccess)insn;
                final SharedFieldResolver.Resolution resolution = resolve(field);
                if (resolution.refusal != null && strict)
                {
                    refuse(mv, resolution.refusal);
                    injected = true;
                }
                else if (resolution.shared)
                {
                    if (isOwnStaticInInitializer(resolution))
                    {
                        if (field.opcode == Opcodes.PUTSTATIC)
                        {
                            assignedInInitializer.put(field.name, field);
                        }
                        field.accept(mv);
                        return;
                    }
                    if ((field.opcode == Opcodes.GETSTATIC || field.opcode == Opcodes.GETFIELD) &&
                        !isOwnInConstructor(resolution, field.opcode))
                    {
                        window = new AccessWindow(field);
                        return;
                    }
                    plain(field, resolution).accept(mv);
                    return;
                }
            }
            insn.accept(mv);
        }

        /** Closes any window: what it held is replayed as plain accesses. */
        private void barrier()
        {
            while (window != null || pendingDup != null)
            {
                if (window != null)
                {
                    final AccessWindow open = window;
                    window = null;
                    abort(open);
                }
                else
                {
                    pendingDup.accept(mv);
                    pendingDup = null;
                }
            }
        }

        private void abort(final AccessWindow open)
        {
            final List<Insn> events = open.events;
            int next = 0;
            if (open.dupForm)
            {
                events.get(0).accept(mv);
                next = 1;
            }
            plain(open.read, resolve(open.read)).accept(mv);
            for (int i = next + 1; i < events.size(); i++)
            {
                accept(events.get(i));
            }
        }

        private void complete(final AccessWindow done)
        {
            final SharedFieldResolver.Resolution resolution = resolve(done.read);
            final StringBuilder descriptor = new StringBuilder("(");
            if (done.read.opcode == Opcodes.GETFIELD)
            {
                descriptor.append('L').append(done.read.owner).append(';');
            }
            for (final String operand : done.stackOperands())
            {
                descriptor.append(operand);
            }
            descriptor.append(')').append(done.returnDescriptor());
            final List<Object> arguments = new ArrayList<>(List.of(resolution.declaringClass(), done.read.name,
                done.spec().encode()));
            arguments.addAll(List.of(done.concatArguments()));
            final Insn call = new Insn.InvokeDynamic("access", descriptor.toString(), ACCESS_BOOTSTRAP,
                arguments.toArray());
            final List<Insn> events = new ArrayList<>(done.events);
            for (int i = 0; i < events.size(); i++)
            {
                if (i == done.terminal)
                {
                    // Through accept: a read held in a window of its own (an operand) must see this call use it.
                    accept(call);
                }
                else if (!done.isDropped(i))
                {
                    accept(events.get(i));
                }
            }
        }

        /** A plain read or write: {@code get}, {@code set}, {@code init} or {@code ctorget}. */
        private Insn plain(final Insn.FieldAccess field, final SharedFieldResolver.Resolution resolution)
        {
            final TypeDescription declaring = resolution.field.getDeclaringType().asErasure();
            final String operation;
            final String descriptor;
            switch (field.opcode)
            {
                case Opcodes.GETSTATIC:
                    operation = "get";
                    descriptor = "()" + field.descriptor;
                    break;
                case Opcodes.PUTSTATIC:
                    operation = typeInitializer && instrumentedType.equals(declaring) ? "init" : "set";
                    descriptor = "(" + field.descriptor + ")V";
                    break;
                case Opcodes.GETFIELD:
                    operation = constructor && instrumentedType.isAssignableTo(declaring) ? "ctorget" : "get";
                    descriptor = "(L" + field.owner + ";)" + field.descriptor;
                    break;
                default:
                    operation = constructor && instrumentedType.isAssignableTo(declaring) ? "init" : "set";
                    descriptor = "(L" + field.owner + ";" + field.descriptor + ")V";
                    break;
            }
            return new Insn.InvokeDynamic(operation, descriptor, BOOTSTRAP,
                new Object[] {resolution.declaringClass(), field.name});
        }

        /** Before the static initialiser returns: what it assigned becomes each variable's initial value. */
        private void initialiseAssigned()
        {
            for (final Insn.FieldAccess assigned : assignedInInitializer.values())
            {
                mv.visitFieldInsn(Opcodes.GETSTATIC, assigned.owner, assigned.name, assigned.descriptor);
                mv.visitInvokeDynamicInsn("init", "(" + assigned.descriptor + ")V", BOOTSTRAP,
                    resolve(assigned).declaringClass(), assigned.name);
                injected = true;
            }
        }

        private boolean isOwnStaticInInitializer(final SharedFieldResolver.Resolution resolution)
        {
            return typeInitializer && resolution.field.isStatic() &&
                instrumentedType.equals(resolution.field.getDeclaringType().asErasure());
        }

        /** In a constructor, the object's own instance fields stay plain reads ({@code ctorget}) and writes. */
        private boolean isOwnInConstructor(final SharedFieldResolver.Resolution resolution, final int opcode)
        {
            return constructor && opcode == Opcodes.GETFIELD &&
                instrumentedType.isAssignableTo(resolution.field.getDeclaringType().asErasure());
        }

        private SharedFieldResolver.Resolution resolve(final Insn.FieldAccess field)
        {
            return resolver.resolve(typePool, field.owner, field.name);
        }
    }

    /** @return the spec string of an access, for tests. */
    static String describe(final AccessSpec spec)
    {
        return spec.encode();
    }
}
