package io.dsm.agent;

import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * How many stack slots an instruction takes and leaves (a long or double is two), from the JVM specification's table
 * of instructions, for the straight-line instructions the rewriter holds back.
 */
final class StackEffect
{
    private StackEffect()
    {
    }

    /** @return slots popped. */
    static int pops(final Insn insn)
    {
        final int op = insn.opcode;
        if (insn instanceof Insn.FieldAccess)
        {
            final int size = size(((Insn.FieldAccess)insn).descriptor);
            return op == Opcodes.GETSTATIC ? 0 : op == Opcodes.PUTSTATIC ? size : op == Opcodes.GETFIELD ? 1 : 1 + size;
        }
        if (insn instanceof Insn.Invoke)
        {
            final int arguments = Type.getArgumentsAndReturnSizes(((Insn.Invoke)insn).descriptor) >> 2;
            // getArgumentsAndReturnSizes counts an implicit receiver slot: drop it for a static call.
            return op == Opcodes.INVOKESTATIC ? arguments - 1 : arguments;
        }
        if (insn instanceof Insn.InvokeDynamic)
        {
            return (Type.getArgumentsAndReturnSizes(((Insn.InvokeDynamic)insn).descriptor) >> 2) - 1;
        }
        if (insn instanceof Insn.MultiNewArray)
        {
            return ((Insn.MultiNewArray)insn).dimensions;
        }
        switch (op)
        {
            case -1:
            case Opcodes.NOP:
            case Opcodes.ACONST_NULL:
            case Opcodes.ICONST_M1:
            case Opcodes.ICONST_0:
            case Opcodes.ICONST_1:
            case Opcodes.ICONST_2:
            case Opcodes.ICONST_3:
            case Opcodes.ICONST_4:
            case Opcodes.ICONST_5:
            case Opcodes.LCONST_0:
            case Opcodes.LCONST_1:
            case Opcodes.FCONST_0:
            case Opcodes.FCONST_1:
            case Opcodes.FCONST_2:
            case Opcodes.DCONST_0:
            case Opcodes.DCONST_1:
            case Opcodes.BIPUSH:
            case Opcodes.SIPUSH:
            case Opcodes.LDC:
            case Opcodes.ILOAD:
            case Opcodes.LLOAD:
            case Opcodes.FLOAD:
            case Opcodes.DLOAD:
            case Opcodes.ALOAD:
            case Opcodes.IINC:
            case Opcodes.NEW:
                return 0;
            case Opcodes.ISTORE:
            case Opcodes.FSTORE:
            case Opcodes.ASTORE:
            case Opcodes.POP:
            case Opcodes.DUP:
            case Opcodes.INEG:
            case Opcodes.FNEG:
            case Opcodes.I2L:
            case Opcodes.I2F:
            case Opcodes.I2D:
            case Opcodes.F2I:
            case Opcodes.F2L:
            case Opcodes.F2D:
            case Opcodes.I2B:
            case Opcodes.I2C:
            case Opcodes.I2S:
            case Opcodes.NEWARRAY:
            case Opcodes.ANEWARRAY:
            case Opcodes.ARRAYLENGTH:
            case Opcodes.CHECKCAST:
            case Opcodes.INSTANCEOF:
            case Opcodes.MONITORENTER:
            case Opcodes.MONITOREXIT:
                return 1;
            case Opcodes.LSTORE:
            case Opcodes.DSTORE:
            case Opcodes.POP2:
            case Opcodes.DUP_X1:
            case Opcodes.DUP2:
            case Opcodes.SWAP:
            case Opcodes.IALOAD:
            case Opcodes.LALOAD:
            case Opcodes.FALOAD:
            case Opcodes.DALOAD:
            case Opcodes.AALOAD:
            case Opcodes.BALOAD:
            case Opcodes.CALOAD:
            case Opcodes.SALOAD:
            case Opcodes.IADD:
            case Opcodes.ISUB:
            case Opcodes.IMUL:
            case Opcodes.IDIV:
            case Opcodes.IREM:
            case Opcodes.ISHL:
            case Opcodes.ISHR:
            case Opcodes.IUSHR:
            case Opcodes.IAND:
            case Opcodes.IOR:
            case Opcodes.IXOR:
            case Opcodes.FADD:
            case Opcodes.FSUB:
            case Opcodes.FMUL:
            case Opcodes.FDIV:
            case Opcodes.FREM:
            case Opcodes.LNEG:
            case Opcodes.DNEG:
            case Opcodes.L2I:
            case Opcodes.L2F:
            case Opcodes.L2D:
            case Opcodes.D2I:
            case Opcodes.D2L:
            case Opcodes.D2F:
            case Opcodes.FCMPL:
            case Opcodes.FCMPG:
                return 2;
            case Opcodes.DUP_X2:
            case Opcodes.DUP2_X1:
            case Opcodes.IASTORE:
            case Opcodes.FASTORE:
            case Opcodes.AASTORE:
            case Opcodes.BASTORE:
            case Opcodes.CASTORE:
            case Opcodes.SASTORE:
            case Opcodes.LSHL:
            case Opcodes.LSHR:
            case Opcodes.LUSHR:
                return 3;
            case Opcodes.DUP2_X2:
            case Opcodes.LASTORE:
            case Opcodes.DASTORE:
            case Opcodes.LADD:
            case Opcodes.LSUB:
            case Opcodes.LMUL:
            case Opcodes.LDIV:
            case Opcodes.LREM:
            case Opcodes.LAND:
            case Opcodes.LOR:
            case Opcodes.LXOR:
            case Opcodes.DADD:
            case Opcodes.DSUB:
            case Opcodes.DMUL:
            case Opcodes.DDIV:
            case Opcodes.DREM:
            case Opcodes.LCMP:
            case Opcodes.DCMPL:
            case Opcodes.DCMPG:
                return 4;
            default:
                throw new IllegalArgumentException("no stack effect for opcode " + op);
        }
    }

    /** @return slots pushed. */
    static int pushes(final Insn insn)
    {
        final int op = insn.opcode;
        if (insn instanceof Insn.FieldAccess)
        {
            return op == Opcodes.GETSTATIC || op == Opcodes.GETFIELD ? size(((Insn.FieldAccess)insn).descriptor) : 0;
        }
        if (insn instanceof Insn.Invoke)
        {
            return Type.getArgumentsAndReturnSizes(((Insn.Invoke)insn).descriptor) & 3;
        }
        if (insn instanceof Insn.InvokeDynamic)
        {
            return Type.getArgumentsAndReturnSizes(((Insn.InvokeDynamic)insn).descriptor) & 3;
        }
        if (insn instanceof Insn.Constant)
        {
            final Object value = ((Insn.Constant)insn).value;
            if (value instanceof ConstantDynamic)
            {
                return ((ConstantDynamic)value).getSize();
            }
            return value instanceof Long || value instanceof Double ? 2 : 1;
        }
        if (insn instanceof Insn.MultiNewArray)
        {
            return 1;
        }
        switch (op)
        {
            case -1:
            case Opcodes.NOP:
            case Opcodes.IINC:
            case Opcodes.ISTORE:
            case Opcodes.LSTORE:
            case Opcodes.FSTORE:
            case Opcodes.DSTORE:
            case Opcodes.ASTORE:
            case Opcodes.POP:
            case Opcodes.POP2:
            case Opcodes.IASTORE:
            case Opcodes.LASTORE:
            case Opcodes.FASTORE:
            case Opcodes.DASTORE:
            case Opcodes.AASTORE:
            case Opcodes.BASTORE:
            case Opcodes.CASTORE:
            case Opcodes.SASTORE:
            case Opcodes.MONITORENTER:
            case Opcodes.MONITOREXIT:
                return 0;
            case Opcodes.LCONST_0:
            case Opcodes.LCONST_1:
            case Opcodes.DCONST_0:
            case Opcodes.DCONST_1:
            case Opcodes.LLOAD:
            case Opcodes.DLOAD:
            case Opcodes.LALOAD:
            case Opcodes.DALOAD:
            case Opcodes.DUP:
            case Opcodes.SWAP:
            case Opcodes.LADD:
            case Opcodes.LSUB:
            case Opcodes.LMUL:
            case Opcodes.LDIV:
            case Opcodes.LREM:
            case Opcodes.LSHL:
            case Opcodes.LSHR:
            case Opcodes.LUSHR:
            case Opcodes.LAND:
            case Opcodes.LOR:
            case Opcodes.LXOR:
            case Opcodes.DADD:
            case Opcodes.DSUB:
            case Opcodes.DMUL:
            case Opcodes.DDIV:
            case Opcodes.DREM:
            case Opcodes.LNEG:
            case Opcodes.DNEG:
            case Opcodes.I2L:
            case Opcodes.I2D:
            case Opcodes.F2L:
            case Opcodes.F2D:
            case Opcodes.L2D:
            case Opcodes.D2L:
                return 2;
            case Opcodes.DUP_X1:
                return 3;
            case Opcodes.DUP_X2:
            case Opcodes.DUP2:
                return 4;
            case Opcodes.DUP2_X1:
                return 5;
            case Opcodes.DUP2_X2:
                return 6;
            default:
                // Every other straight-line instruction leaves one slot.
                return 1;
        }
    }

    /** @return the slots a value of the descriptor takes. */
    static int size(final String descriptor)
    {
        final char c = descriptor.charAt(0);
        return c == 'J' || c == 'D' ? 2 : c == 'V' ? 0 : 1;
    }
}
