package io.dsm.agent;

import io.dsm.access.AccessSpec;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The instructions that follow a read of a shared field, held back until it is known what the read is part of. A
 * small state machine over straight-line bytecode, tracking the operand stack by slot count, recognises the shapes
 * javac gives these expressions:
 * <ul>
 * <li>a compound assignment to the field itself: {@code x++}, {@code ++x}, {@code x += k}, {@code y = x++},
 * {@code s += "..."} (static: {@code getstatic; [dup]; [widen]; k; op; [narrow]; [dup]; putstatic}; instance:
 * {@code o; dup; getfield; [dup_x1]; k; op; [narrow]; [dup_x1]; putfield});</li>
 * <li>an access through the field's value: a path of array elements and object fields from the read, ending in a
 * read of a primitive ({@code a[i]}, {@code cfg.port}, {@code grid[i].length}), a store ({@code a[i] = v},
 * {@code cfg.port = 8080}) or a compound assignment ({@code counts[i]++}, {@code cfg.port += 1}).</li>
 * </ul>
 * Anything else (a jump, a frame, the value passed to a method, stored in a local) ends the window: the read stays a
 * plain read, or, when a path was already followed, becomes a read of the location reached so far.
 */
final class AccessWindow
{
    /** What {@link #add} found. */
    enum Outcome
    {
        /** Keep going. */
        MORE,
        /** Not a shape the runtime handles as a whole: the read is a plain read. */
        ABORT,
        /** A whole access: replace it ({@link #kind}, {@link #spec}). */
        DONE
    }

    private static final int MAX_INSTRUCTIONS = 200;
    private static final int PATH = 0;
    private static final int LOCATION_DUP_FIELD = 1;
    private static final int LOCATION_DUP_ELEMENT = 2;
    private static final int LOADED = 3;
    private static final int AFTER_OPERATION = 4;
    private static final int AFTER_PREFIX_DUP = 5;

    /** Everything held back, from the read on. */
    final List<Insn> events = new ArrayList<>();
    /** The read of the shared field. */
    final Insn.FieldAccess read;
    /** Whether the window started with the {@code dup} of an instance compound assignment. */
    final boolean dupForm;
    private final Set<Integer> dropped = new HashSet<>();
    private int depth;
    private int phase;

    // The path from the field's value.
    private final List<AccessSpec.Step> steps = new ArrayList<>();
    /** Descriptor of the value the path has reached. */
    private String base;
    /** How many steps form the path to {@link #base} (a compound's location step is not counted). */
    private int pathLength;
    /** The instruction of the last step of {@link #pathLength}: where a read of {@link #base} would stand. */
    private int lastStep = -1;

    // A compound assignment.
    private int locationSlots;
    private int valueSlot;
    private String location;
    private String computed;
    private boolean operandSeen;
    private int pre;
    private int operation;
    private int post;
    private int form = AccessSpec.VOID;
    private final List<String> operands = new ArrayList<>();
    private Object[] concat;

    // The outcome.
    char kind;
    int terminal = -1;
    String resultDescriptor;

    /**
     * A window on a plain read: {@code getstatic}, or {@code getfield} with the object consumed.
     */
    AccessWindow(final Insn.FieldAccess read)
    {
        this.read = read;
        this.dupForm = false;
        events.add(read);
        dropped.add(0);
        base = read.descriptor;
        depth = StackEffect.size(base);
        final char type = base.charAt(0);
        if (type == '[' || type == 'L' && !"Ljava/lang/String;".equals(base))
        {
            phase = PATH;
        }
        else if (read.opcode == Opcodes.GETSTATIC)
        {
            startLoaded(0, 0, base);
        }
        else
        {
            // A primitive or string instance field read without the dup of a compound assignment: a plain read.
            phase = -1;
        }
    }

    /**
     * A window on {@code o; dup; getfield x}: maybe an instance compound assignment. The object is at slot 0.
     */
    AccessWindow(final Insn dup, final Insn.FieldAccess read)
    {
        this.read = read;
        this.dupForm = true;
        events.add(dup);
        events.add(read);
        dropped.add(0);
        dropped.add(1);
        depth = 1 + StackEffect.size(read.descriptor);
        startLoaded(1, 1, read.descriptor);
    }

    private void startLoaded(final int slot, final int locationSlotCount, final String descriptor)
    {
        phase = LOADED;
        valueSlot = slot;
        locationSlots = locationSlotCount;
        location = descriptor;
        computed = descriptor;
    }

    /** @return the access found, once {@link Outcome#DONE}. */
    AccessSpec spec()
    {
        final String loc = kind == AccessSpec.LOAD ? resultDescriptor : location;
        return new AccessSpec(kind, steps.subList(0, kind == AccessSpec.LOAD ? pathLength : steps.size()), loc, pre,
            operation, post, form, operands);
    }

    /** @return the recipe and constants of a string concatenation update, or none. */
    Object[] concatArguments()
    {
        return concat == null ? new Object[0] : concat;
    }

    /** @return whether event {@code i} disappears in the rewrite. */
    boolean isDropped(final int i)
    {
        return dropped.contains(i);
    }

    /** @return the descriptors of the operands the rewritten call takes from the stack, in order (without the object). */
    List<String> stackOperands()
    {
        final List<String> result = new ArrayList<>();
        final int count = kind == AccessSpec.LOAD ? pathLength : steps.size();
        for (int i = 0; i < count; i++)
        {
            if (steps.get(i).kind == 'E')
            {
                result.add("I");
            }
        }
        if (kind == AccessSpec.STORE)
        {
            result.add(location);
        }
        else if (kind == AccessSpec.UPDATE)
        {
            result.addAll(operands);
        }
        return result;
    }

    /** @return the descriptor of what the rewritten call leaves on the stack. */
    String returnDescriptor()
    {
        if (kind == AccessSpec.LOAD)
        {
            return resultDescriptor;
        }
        if (kind == AccessSpec.STORE || form == AccessSpec.VOID)
        {
            return "V";
        }
        return location;
    }

    Outcome add(final Insn insn)
    {
        final int index = events.size();
        events.add(insn);
        if (insn.opcode == -1)
        {
            return Outcome.MORE;
        }
        if (events.size() > MAX_INSTRUCTIONS || phase < 0)
        {
            return Outcome.ABORT;
        }
        final int pops = StackEffect.pops(insn);
        final int pushes = StackEffect.pushes(insn);
        switch (phase)
        {
            case PATH:
                return path(insn, index, pops, pushes);
            case LOCATION_DUP_FIELD:
                if (insn.opcode == Opcodes.GETFIELD && depth == 2)
                {
                    final Insn.FieldAccess field = (Insn.FieldAccess)insn;
                    steps.add(AccessSpec.Step.field(field.owner, field.name, field.descriptor));
                    dropped.add(index);
                    depth = 1 + StackEffect.size(field.descriptor);
                    startLoaded(1, 1, field.descriptor);
                    return Outcome.MORE;
                }
                return fail();
            case LOCATION_DUP_ELEMENT:
                if (isArrayLoad(insn.opcode) && depth == 4)
                {
                    final String element = base.substring(1);
                    steps.add(AccessSpec.Step.element());
                    dropped.add(index);
                    depth = 2 + StackEffect.size(element);
                    startLoaded(2, 2, element);
                    return Outcome.MORE;
                }
                return fail();
            case LOADED:
                return loaded(insn, index, pops, pushes);
            case AFTER_OPERATION:
                return afterOperation(insn, index, pops, pushes);
            default:
                return isStore(insn) ? store(index) : fail();
        }
    }

    private Outcome path(final Insn insn, final int index, final int pops, final int pushes)
    {
        final int size = StackEffect.size(base);
        if (depth - pops >= size)
        {
            // An operand computed above the value: an index, a value to store.
            depth += pushes - pops;
            return Outcome.MORE;
        }
        final int op = insn.opcode;
        final boolean array = base.charAt(0) == '[';
        if (array && isArrayLoad(op) && depth == 2)
        {
            final String element = base.substring(1);
            steps.add(AccessSpec.Step.element());
            dropped.add(index);
            if (isPrimitive(element))
            {
                return load(index, element);
            }
            base = element;
            pathLength = steps.size();
            lastStep = index;
            depth = 1;
            return Outcome.MORE;
        }
        if (array && op == Opcodes.ARRAYLENGTH && depth == 1)
        {
            steps.add(AccessSpec.Step.length());
            return load(index, "I");
        }
        if (array && isArrayStore(op) && depth == 2 + StackEffect.size(base.substring(1)))
        {
            steps.add(AccessSpec.Step.element());
            location = base.substring(1);
            kind = AccessSpec.STORE;
            terminal = index;
            return Outcome.DONE;
        }
        if (!array && op == Opcodes.GETFIELD && depth == 1)
        {
            final Insn.FieldAccess field = (Insn.FieldAccess)insn;
            steps.add(AccessSpec.Step.field(field.owner, field.name, field.descriptor));
            dropped.add(index);
            if (isPrimitive(field.descriptor) || "Ljava/lang/String;".equals(field.descriptor))
            {
                return load(index, field.descriptor);
            }
            base = field.descriptor;
            pathLength = steps.size();
            lastStep = index;
            depth = 1;
            return Outcome.MORE;
        }
        if (!array && op == Opcodes.PUTFIELD && depth == 1 + StackEffect.size(((Insn.FieldAccess)insn).descriptor))
        {
            final Insn.FieldAccess field = (Insn.FieldAccess)insn;
            steps.add(AccessSpec.Step.field(field.owner, field.name, field.descriptor));
            location = field.descriptor;
            kind = AccessSpec.STORE;
            terminal = index;
            return Outcome.DONE;
        }
        if (!array && op == Opcodes.DUP && depth == 1)
        {
            phase = LOCATION_DUP_FIELD;
            dropped.add(index);
            depth = 2;
            return Outcome.MORE;
        }
        if (array && op == Opcodes.DUP2 && depth == 2)
        {
            phase = LOCATION_DUP_ELEMENT;
            dropped.add(index);
            depth = 4;
            return Outcome.MORE;
        }
        return fail();
    }

    private Outcome load(final int index, final String descriptor)
    {
        kind = AccessSpec.LOAD;
        pathLength = steps.size();
        resultDescriptor = descriptor;
        terminal = index;
        return Outcome.DONE;
    }

    private Outcome loaded(final Insn insn, final int index, final int pops, final int pushes)
    {
        final int size = StackEffect.size(computed);
        if (depth - pops >= valueSlot + size)
        {
            // The right-hand operand, computed above the old value.
            depth += pushes - pops;
            operandSeen = true;
            return Outcome.MORE;
        }
        final int op = insn.opcode;
        if (!operandSeen && pre == 0 && form == AccessSpec.VOID && op == dupOver(locationSlots, size) &&
            depth == valueSlot + size)
        {
            // x++ as a value: the old value is kept below the location.
            form = AccessSpec.OLD;
            dropped.add(index);
            valueSlot += size;
            depth += size;
            return Outcome.MORE;
        }
        if (!operandSeen && pre == 0 && widens(op, computed) != null && depth == valueSlot + size)
        {
            pre = op;
            computed = widens(op, computed);
            dropped.add(index);
            depth = valueSlot + StackEffect.size(computed);
            return Outcome.MORE;
        }
        final String operandType = arithmetic(op, computed);
        if (operandType != null && depth - pops == valueSlot && isPrimitive(location))
        {
            operation = op;
            operands.add(operandType);
            computed = stackType(computed);
            dropped.add(index);
            depth = valueSlot + StackEffect.size(computed);
            phase = AFTER_OPERATION;
            return Outcome.MORE;
        }
        if (insn instanceof Insn.InvokeDynamic && ((Insn.InvokeDynamic)insn).isStringConcat() &&
            "Ljava/lang/String;".equals(location) && depth - pops == valueSlot && form == AccessSpec.VOID)
        {
            final Insn.InvokeDynamic indy = (Insn.InvokeDynamic)insn;
            final net.bytebuddy.jar.asm.Type[] arguments = net.bytebuddy.jar.asm.Type.getArgumentTypes(indy.descriptor);
            if (arguments.length >= 1 && "Ljava/lang/String;".equals(arguments[0].getDescriptor()))
            {
                for (int i = 1; i < arguments.length; i++)
                {
                    operands.add(arguments[i].getDescriptor());
                }
                operation = AccessSpec.CONCAT;
                concat = indy.arguments;
                computed = "Ljava/lang/String;";
                dropped.add(index);
                depth = valueSlot + 1;
                phase = AFTER_OPERATION;
                return Outcome.MORE;
            }
        }
        return fail();
    }

    private Outcome afterOperation(final Insn insn, final int index, final int pops, final int pushes)
    {
        final int size = StackEffect.size(computed);
        final int op = insn.opcode;
        if (post == 0 && narrows(op, computed, location) && depth == valueSlot + size)
        {
            post = op;
            computed = location;
            dropped.add(index);
            depth = valueSlot + StackEffect.size(location);
            return Outcome.MORE;
        }
        if (form == AccessSpec.VOID && op == dupOver(locationSlots, size) && depth == valueSlot + size &&
            storable(computed, location))
        {
            // ++x as a value: the new value is kept below the location.
            form = AccessSpec.NEW;
            dropped.add(index);
            valueSlot += size;
            depth += size;
            phase = AFTER_PREFIX_DUP;
            return Outcome.MORE;
        }
        if (isStore(insn) && storable(computed, location))
        {
            return store(index);
        }
        return fail();
    }

    /** Is this the store that closes the compound assignment: to the same location, taking just the new value? */
    private boolean isStore(final Insn insn)
    {
        final int size = StackEffect.size(location);
        if (depth != valueSlot + size)
        {
            return false;
        }
        if (locationSlots == 2)
        {
            return isArrayStore(insn.opcode);
        }
        if (!(insn instanceof Insn.FieldAccess))
        {
            return false;
        }
        final Insn.FieldAccess field = (Insn.FieldAccess)insn;
        if (steps.isEmpty())
        {
            final int expected = read.opcode == Opcodes.GETSTATIC ? Opcodes.PUTSTATIC : Opcodes.PUTFIELD;
            return field.opcode == expected && field.owner.equals(read.owner) && field.name.equals(read.name);
        }
        final AccessSpec.Step last = steps.get(steps.size() - 1);
        return field.opcode == Opcodes.PUTFIELD && field.owner.equals(last.owner) && field.name.equals(last.name);
    }

    private Outcome store(final int index)
    {
        kind = AccessSpec.UPDATE;
        terminal = index;
        return Outcome.DONE;
    }

    /**
     * A shape not handled: a read of what the path reached so far (in place of its last step; what follows is
     * replayed as it was), or a plain read.
     */
    private Outcome fail()
    {
        if (pathLength > 0)
        {
            kind = AccessSpec.LOAD;
            resultDescriptor = base;
            terminal = lastStep;
            dropped.removeIf(i -> i > lastStep);
            return Outcome.DONE;
        }
        return Outcome.ABORT;
    }

    /** @return whether a value of type {@code computed} is stored as is into a location of type {@code location}. */
    private static boolean storable(final String computed, final String location)
    {
        return computed.equals(location) || "I".equals(computed) && "Z".equals(location);
    }

    /** @return the type the JVM computes in for values of {@code type}: I for boolean, byte, char and short. */
    private static String stackType(final String type)
    {
        return "ZBCS".indexOf(type.charAt(0)) >= 0 && type.length() == 1 ? "I" : type;
    }

    /** @return the dup that copies a value of {@code size} slots below {@code locationSlots} slots. */
    private static int dupOver(final int locationSlots, final int size)
    {
        switch (locationSlots)
        {
            case 0:
                return size == 2 ? Opcodes.DUP2 : Opcodes.DUP;
            case 1:
                return size == 2 ? Opcodes.DUP2_X1 : Opcodes.DUP_X1;
            default:
                return size == 2 ? Opcodes.DUP2_X2 : Opcodes.DUP_X2;
        }
    }

    private static boolean isPrimitive(final String descriptor)
    {
        return descriptor.length() == 1;
    }

    static boolean isArrayLoad(final int op)
    {
        return op >= Opcodes.IALOAD && op <= Opcodes.SALOAD;
    }

    static boolean isArrayStore(final int op)
    {
        return op >= Opcodes.IASTORE && op <= Opcodes.SASTORE;
    }

    /** @return the type a widening conversion of a value of {@code from} gives, or null when it is not one. */
    private static String widens(final int op, final String from)
    {
        final boolean integral = "IZBCS".indexOf(from.charAt(0)) >= 0 && from.length() == 1;
        switch (op)
        {
            case Opcodes.I2L:
                return integral ? "J" : null;
            case Opcodes.I2F:
                return integral ? "F" : null;
            case Opcodes.I2D:
                return integral ? "D" : null;
            case Opcodes.L2F:
                return "J".equals(from) ? "F" : null;
            case Opcodes.L2D:
                return "J".equals(from) ? "D" : null;
            case Opcodes.F2D:
                return "F".equals(from) ? "D" : null;
            default:
                return null;
        }
    }

    /** Whether {@code op} converts a value of {@code from} to the location's type {@code to}. */
    private static boolean narrows(final int op, final String from, final String to)
    {
        switch (op)
        {
            case Opcodes.I2B:
                return "I".equals(from) && "B".equals(to);
            case Opcodes.I2C:
                return "I".equals(from) && "C".equals(to);
            case Opcodes.I2S:
                return "I".equals(from) && "S".equals(to);
            case Opcodes.L2I:
                return "J".equals(from) && "IBCSZ".contains(to);
            case Opcodes.F2I:
                return "F".equals(from) && "IBCSZ".contains(to);
            case Opcodes.D2I:
                return "D".equals(from) && "IBCSZ".contains(to);
            case Opcodes.F2L:
                return "F".equals(from) && "J".equals(to);
            case Opcodes.D2L:
                return "D".equals(from) && "J".equals(to);
            case Opcodes.D2F:
                return "D".equals(from) && "F".equals(to);
            default:
                return false;
        }
    }

    /**
     * @return the descriptor of the right-hand operand when {@code op} is a binary arithmetic instruction on values of
     *         {@code type}, else null.
     */
    private static String arithmetic(final int op, final String type)
    {
        final char t = "IZBCS".indexOf(type.charAt(0)) >= 0 && type.length() == 1 ? 'I' : type.charAt(0);
        if (op < Opcodes.IADD || op > Opcodes.LXOR || op >= Opcodes.INEG && op <= Opcodes.DNEG)
        {
            return null;
        }
        final char opType;
        if (op <= Opcodes.DREM)
        {
            opType = "IJFD".charAt((op - Opcodes.IADD) % 4);
        }
        else
        {
            // shifts and bitwise: I, J alternating
            opType = (op - Opcodes.ISHL) % 2 == 0 ? 'I' : 'J';
        }
        if (opType != t)
        {
            return null;
        }
        if (op == Opcodes.LSHL || op == Opcodes.LSHR || op == Opcodes.LUSHR)
        {
            return "I";
        }
        return String.valueOf(opType);
    }
}
