package io.dsm.access;

import java.util.ArrayList;
import java.util.List;

/**
 * What one rewritten access does beyond a plain read or write of a shared field: a compound assignment to the field
 * ({@code x++}, {@code x += k}, {@code s += "..."}), or an access through the field's value ({@code a[i] = v},
 * {@code cfg.port = 8080}, {@code counts[i]++}, {@code grid[i][j]}). The agent writes it as a string (a static argument
 * of the {@code invokedynamic}); the runtime reads it back when it links the call site. One definition of the format
 * for both sides.
 * <p>
 * Format: {@code kind|steps|location|pre|op|post|form|operands}, where {@code kind} is {@link #LOAD}, {@link #STORE}
 * or {@link #UPDATE}; {@code steps} the path from the field's value to the location, {@code ;}-separated, each
 * {@code E} (an array element, its index an argument), {@code L} (an array's length) or {@code F,owner,name} (a
 * field); {@code location} the descriptor of the value at the location; for an update {@code pre} the opcode of a
 * widening conversion applied to the old value (0: none), {@code op} the arithmetic opcode (or {@link #CONCAT}),
 * {@code post} the opcode of the narrowing conversion of the result (0: none), {@code form} what the expression leaves
 * ({@link #VOID}, {@link #OLD}, {@link #NEW}), and {@code operands} the descriptors of the right-hand operands,
 * {@code ,}-separated.
 */
public final class AccessSpec
{
    /** Reads through the field's value (no copy of the whole value). */
    public static final char LOAD = 'L';
    /** Writes at a location inside the field's value. */
    public static final char STORE = 'S';
    /** A read-modify-write of the field itself or of a location inside its value, atomic across the cluster. */
    public static final char UPDATE = 'U';
    /** The expression leaves nothing. */
    public static final int VOID = 0;
    /** The expression leaves the old value ({@code x++}). */
    public static final int OLD = 1;
    /** The expression leaves the new value ({@code ++x}, {@code y = (x += k)}). */
    public static final int NEW = 2;
    /** {@code op} of a string concatenation ({@code s += ...}); the recipe and constants follow the spec. */
    public static final int CONCAT = -1;

    /** One step of a path. */
    public static final class Step
    {
        /** 'E' element, 'L' length, 'F' field. */
        public final char kind;
        /** For a field: the internal name of the class named by the instruction, the name and (agent side only) the
         * descriptor. */
        public final String owner;
        public final String name;
        public final String desc;

        Step(final char kind, final String owner, final String name, final String desc)
        {
            this.kind = kind;
            this.owner = owner;
            this.name = name;
            this.desc = desc;
        }

        /** @return an array element. */
        public static Step element()
        {
            return new Step('E', null, null, null);
        }

        /** @return an array's length. */
        public static Step length()
        {
            return new Step('L', null, null, null);
        }

        /**
         * @param owner internal name of the class the instruction names.
         * @param name  the field.
         * @param desc  its descriptor.
         * @return a field of an object.
         */
        public static Step field(final String owner, final String name, final String desc)
        {
            return new Step('F', owner, name, desc);
        }
    }

    public final char kind;
    public final List<Step> steps;
    public final String location;
    public final int pre;
    public final int op;
    public final int post;
    public final int form;
    public final List<String> operands;

    /**
     * @param kind     {@link #LOAD}, {@link #STORE} or {@link #UPDATE}.
     * @param steps    the path from the field's value to the location; empty for the field itself.
     * @param location descriptor of the value at the location.
     * @param pre      widening conversion opcode applied to the old value, or 0.
     * @param op       arithmetic opcode, or {@link #CONCAT}; 0 unless an update.
     * @param post     narrowing conversion opcode applied to the result, or 0.
     * @param form     {@link #VOID}, {@link #OLD} or {@link #NEW}.
     * @param operands descriptors of the right-hand operands of an update.
     */
    public AccessSpec(final char kind, final List<Step> steps, final String location, final int pre, final int op,
        final int post, final int form, final List<String> operands)
    {
        this.kind = kind;
        this.steps = List.copyOf(steps);
        this.location = location;
        this.pre = pre;
        this.op = op;
        this.post = post;
        this.form = form;
        this.operands = List.copyOf(operands);
    }

    /** @return the spec as the agent writes it into the class file. */
    public String encode()
    {
        final StringBuilder s = new StringBuilder().append(kind).append('|');
        for (int i = 0; i < steps.size(); i++)
        {
            final Step step = steps.get(i);
            if (i > 0)
            {
                s.append(';');
            }
            s.append(step.kind);
            if (step.kind == 'F')
            {
                s.append(',').append(step.owner).append(',').append(step.name);
            }
        }
        s.append('|').append(location).append('|').append(pre).append('|').append(op).append('|').append(post)
            .append('|').append(form).append('|').append(String.join(",", operands));
        return s.toString();
    }

    /**
     * @param encoded what {@link #encode()} wrote.
     * @return the spec.
     * @throws IllegalArgumentException when it is not a spec.
     */
    public static AccessSpec parse(final String encoded)
    {
        final String[] parts = encoded.split("\\|", -1);
        if (parts.length != 8 || parts[0].length() != 1)
        {
            throw new IllegalArgumentException("not an access spec: " + encoded);
        }
        final List<Step> steps = new ArrayList<>();
        if (!parts[1].isEmpty())
        {
            for (final String step : parts[1].split(";"))
            {
                if (step.startsWith("F,"))
                {
                    final String[] f = step.split(",");
                    steps.add(Step.field(f[1], f[2], null));
                }
                else if ("E".equals(step))
                {
                    steps.add(Step.element());
                }
                else if ("L".equals(step))
                {
                    steps.add(Step.length());
                }
                else
                {
                    throw new IllegalArgumentException("unknown step " + step + " in access spec " + encoded);
                }
            }
        }
        final List<String> operands = parts[7].isEmpty() ? List.of() : List.of(parts[7].split(","));
        return new AccessSpec(parts[0].charAt(0), steps, parts[2], Integer.parseInt(parts[3]),
            Integer.parseInt(parts[4]), Integer.parseInt(parts[5]), Integer.parseInt(parts[6]), operands);
    }
}
