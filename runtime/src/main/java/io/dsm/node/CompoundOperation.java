package io.dsm.node;

/**
 * The arithmetic of one compound assignment ({@code x += k}, {@code x++}, {@code b |= mask}, {@code i *= 2.5}) on raw
 * bits, with exactly the JVM's semantics: the old value is widened if the expression does ({@code i2d}), the
 * operator applied, and the result narrowed back to the variable's type ({@code d2i}, {@code i2b}). Bits are a
 * {@code long}: integral values sign-extended ({@code char} zero-extended, {@code boolean} 0 or 1), a {@code float}
 * as its raw int bits, a {@code double} as its raw long bits.
 */
public final class CompoundOperation
{
    // Opcodes (JVM specification), so that this class needs no bytecode library.
    private static final int I2L = 133;
    private static final int I2F = 134;
    private static final int I2D = 135;
    private static final int L2I = 136;
    private static final int L2F = 137;
    private static final int L2D = 138;
    private static final int F2I = 139;
    private static final int F2L = 140;
    private static final int F2D = 141;
    private static final int D2I = 142;
    private static final int D2L = 143;
    private static final int D2F = 144;
    private static final int I2B = 145;
    private static final int I2C = 146;
    private static final int I2S = 147;

    private final char location;
    private final int pre;
    private final int op;
    private final int post;

    /**
     * @param locationDesc descriptor of the variable (or element, or field) being updated: Z B C S I J F D.
     * @param pre          widening conversion opcode applied to the old value, or 0.
     * @param op           the arithmetic opcode (IADD .. LXOR).
     * @param post         narrowing conversion opcode applied to the result, or 0.
     * @throws IllegalArgumentException for an opcode that is not arithmetic.
     */
    public CompoundOperation(final String locationDesc, final int pre, final int op, final int post)
    {
        this.location = locationDesc.charAt(0);
        this.pre = pre;
        this.op = op;
        this.post = post;
        if (op < 96 || op > 131 || op >= 116 && op <= 119)
        {
            throw new IllegalArgumentException("opcode " + op + " is not a binary arithmetic operation");
        }
    }

    /** @return the type (I, J, F, D) the operation computes in: the old value's after widening. */
    private char computeType()
    {
        switch (pre)
        {
            case I2L:
            case F2L:
            case D2L:
                return 'J';
            case I2F:
            case L2F:
            case D2F:
                return 'F';
            case I2D:
            case L2D:
            case F2D:
                return 'D';
            case L2I:
            case F2I:
            case D2I:
                return 'I';
            default:
                return stackType(location);
        }
    }

    private static char stackType(final char desc)
    {
        return desc == 'J' || desc == 'F' || desc == 'D' ? desc : 'I';
    }

    /**
     * @param oldBits     the current value's bits.
     * @param operandBits the right-hand operand's bits, in the operation's operand type (int for shifts).
     * @return the new value's bits.
     */
    public long apply(final long oldBits, final long operandBits)
    {
        // Widen the old value.
        char type = stackType(location);
        long l = oldBits;
        double d = type == 'F' ? Float.intBitsToFloat((int)oldBits) : type == 'D' ? Double.longBitsToDouble(oldBits) : 0;
        if (pre != 0)
        {
            type = computeType();
            switch (pre)
            {
                case I2L:
                    l = (int)oldBits;
                    break;
                case I2F:
                case I2D:
                    d = (int)oldBits;
                    break;
                case L2F:
                case L2D:
                    d = oldBits;
                    break;
                case F2D:
                    d = Float.intBitsToFloat((int)oldBits);
                    break;
                default:
                    throw new IllegalStateException("unknown widening " + pre);
            }
        }
        // Apply the operator in the computation type.
        switch (type)
        {
            case 'I':
                l = intOp((int)l, (int)operandBits);
                break;
            case 'J':
                l = longOp(l, operandBits);
                break;
            case 'F':
                d = floatOp((float)d, Float.intBitsToFloat((int)operandBits));
                break;
            default:
                d = doubleOp(d, Double.longBitsToDouble(operandBits));
        }
        // Narrow back to the location's type.
        if (post != 0)
        {
            switch (post)
            {
                case L2I:
                    l = (int)l;
                    type = 'I';
                    break;
                case F2I:
                case D2I:
                    l = (int)d;
                    type = 'I';
                    break;
                case F2L:
                case D2L:
                    l = (long)d;
                    type = 'J';
                    break;
                case D2F:
                case L2F:
                    d = type == 'J' ? (float)l : (float)d;
                    type = 'F';
                    break;
                case L2D:
                    d = l;
                    type = 'D';
                    break;
                case F2D:
                    type = 'D';
                    break;
                case I2L:
                    type = 'J';
                    break;
                case I2F:
                    d = (float)(int)l;
                    type = 'F';
                    break;
                case I2D:
                    d = (int)l;
                    type = 'D';
                    break;
                case I2B:
                case I2C:
                case I2S:
                    break;
                default:
                    throw new IllegalStateException("unknown narrowing " + post);
            }
        }
        switch (location)
        {
            case 'B':
                return (byte)l;
            case 'S':
                return (short)l;
            case 'C':
                return (char)l;
            case 'Z':
                return l & 1;
            case 'I':
                return (int)l;
            case 'J':
                return l;
            case 'F':
                return Float.floatToRawIntBits((float)d);
            default:
                return Double.doubleToRawLongBits(d);
        }
    }

    private int intOp(final int a, final int b)
    {
        switch (op)
        {
            case 96:
                return a + b;
            case 100:
                return a - b;
            case 104:
                return a * b;
            case 108:
                return a / b;
            case 112:
                return a % b;
            case 120:
                return a << b;
            case 122:
                return a >> b;
            case 124:
                return a >>> b;
            case 126:
                return a & b;
            case 128:
                return a | b;
            case 130:
                return a ^ b;
            default:
                throw new IllegalStateException("opcode " + op + " on an int");
        }
    }

    private long longOp(final long a, final long b)
    {
        switch (op)
        {
            case 97:
                return a + b;
            case 101:
                return a - b;
            case 105:
                return a * b;
            case 109:
                return a / b;
            case 113:
                return a % b;
            case 121:
                return a << (int)b;
            case 123:
                return a >> (int)b;
            case 125:
                return a >>> (int)b;
            case 127:
                return a & b;
            case 129:
                return a | b;
            case 131:
                return a ^ b;
            default:
                throw new IllegalStateException("opcode " + op + " on a long");
        }
    }

    private float floatOp(final float a, final float b)
    {
        switch (op)
        {
            case 98:
                return a + b;
            case 102:
                return a - b;
            case 106:
                return a * b;
            case 110:
                return a / b;
            case 114:
                return a % b;
            default:
                throw new IllegalStateException("opcode " + op + " on a float");
        }
    }

    private double doubleOp(final double a, final double b)
    {
        switch (op)
        {
            case 99:
                return a + b;
            case 103:
                return a - b;
            case 107:
                return a * b;
            case 111:
                return a / b;
            case 115:
                return a % b;
            default:
                throw new IllegalStateException("opcode " + op + " on a double");
        }
    }

    /**
     * @param desc  a primitive descriptor.
     * @param boxed a boxed value of that type.
     * @return its bits.
     */
    public static long bitsOf(final char desc, final Object boxed)
    {
        switch (desc)
        {
            case 'Z':
                return (Boolean)boxed ? 1L : 0L;
            case 'C':
                return (Character)boxed;
            case 'F':
                return Float.floatToRawIntBits((Float)boxed);
            case 'D':
                return Double.doubleToRawLongBits((Double)boxed);
            default:
                return ((Number)boxed).longValue();
        }
    }

    /**
     * @param desc a primitive descriptor.
     * @param bits bits of a value of that type.
     * @return the boxed value.
     */
    public static Object box(final char desc, final long bits)
    {
        switch (desc)
        {
            case 'Z':
                return bits != 0;
            case 'B':
                return (byte)bits;
            case 'S':
                return (short)bits;
            case 'C':
                return (char)bits;
            case 'I':
                return (int)bits;
            case 'J':
                return bits;
            case 'F':
                return Float.intBitsToFloat((int)bits);
            default:
                return Double.longBitsToDouble(bits);
        }
    }
}
