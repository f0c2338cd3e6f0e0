package io.dsm.agent;

import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * One instruction of a method body, held back while the rewriter decides what an access to a shared field is part
 * of, and replayed afterwards. Only straight-line instructions are held: a jump, a switch or a frame ends the window.
 */
abstract class Insn
{
    /** The opcode, or -1 for a label or line number. */
    final int opcode;

    Insn(final int opcode)
    {
        this.opcode = opcode;
    }

    abstract void accept(MethodVisitor visitor);

    /** No operand: arithmetic, stack manipulation, array access, conversions. */
    static final class Plain extends Insn
    {
        Plain(final int opcode)
        {
            super(opcode);
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitInsn(opcode);
        }
    }

    /** BIPUSH, SIPUSH, NEWARRAY. */
    static final class IntOperand extends Insn
    {
        final int operand;

        IntOperand(final int opcode, final int operand)
        {
            super(opcode);
            this.operand = operand;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitIntInsn(opcode, operand);
        }
    }

    /** Loads and stores of local variables. */
    static final class Var extends Insn
    {
        final int var;

        Var(final int opcode, final int var)
        {
            super(opcode);
            this.var = var;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitVarInsn(opcode, var);
        }
    }

    /** NEW, ANEWARRAY, CHECKCAST, INSTANCEOF. */
    static final class TypeOperand extends Insn
    {
        final String type;

        TypeOperand(final int opcode, final String type)
        {
            super(opcode);
            this.type = type;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitTypeInsn(opcode, type);
        }
    }

    static final class FieldAccess extends Insn
    {
        final String owner;
        final String name;
        final String descriptor;

        FieldAccess(final int opcode, final String owner, final String name, final String descriptor)
        {
            super(opcode);
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitFieldInsn(opcode, owner, name, descriptor);
        }
    }

    static final class Invoke extends Insn
    {
        final String owner;
        final String name;
        final String descriptor;
        final boolean isInterface;

        Invoke(final int opcode, final String owner, final String name, final String descriptor,
            final boolean isInterface)
        {
            super(opcode);
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.isInterface = isInterface;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }
    }

    static final class InvokeDynamic extends Insn
    {
        final String name;
        final String descriptor;
        final Handle bootstrap;
        final Object[] arguments;

        InvokeDynamic(final String name, final String descriptor, final Handle bootstrap, final Object[] arguments)
        {
            super(Opcodes.INVOKEDYNAMIC);
            this.name = name;
            this.descriptor = descriptor;
            this.bootstrap = bootstrap;
            this.arguments = arguments;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        boolean isStringConcat()
        {
            return "java/lang/invoke/StringConcatFactory".equals(bootstrap.getOwner()) &&
                "makeConcatWithConstants".equals(bootstrap.getName()) && arguments.length >= 1 &&
                arguments[0] instanceof String;
        }
    }

    static final class Constant extends Insn
    {
        final Object value;

        Constant(final Object value)
        {
            super(Opcodes.LDC);
            this.value = value;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitLdcInsn(value);
        }
    }

    static final class Increment extends Insn
    {
        final int var;
        final int increment;

        Increment(final int var, final int increment)
        {
            super(Opcodes.IINC);
            this.var = var;
            this.increment = increment;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitIincInsn(var, increment);
        }
    }

    static final class MultiNewArray extends Insn
    {
        final String descriptor;
        final int dimensions;

        MultiNewArray(final String descriptor, final int dimensions)
        {
            super(Opcodes.MULTIANEWARRAY);
            this.descriptor = descriptor;
            this.dimensions = dimensions;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitMultiANewArrayInsn(descriptor, dimensions);
        }
    }

    /** A label (a position; never a jump target inside a window, which would come with a frame). */
    static final class Position extends Insn
    {
        final Label label;

        Position(final Label label)
        {
            super(-1);
            this.label = label;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitLabel(label);
        }
    }

    static final class LineNumber extends Insn
    {
        final int line;
        final Label start;

        LineNumber(final int line, final Label start)
        {
            super(-1);
            this.line = line;
            this.start = start;
        }

        @Override
        void accept(final MethodVisitor visitor)
        {
            visitor.visitLineNumber(line, start);
        }
    }
}
